"""SQL execution data: sample queries over a `Table`, run them on SQLite, format answers.

Pure Python (sqlglot + sqlite3); no SeqIO or TensorFlow here. The SeqIO task
that uses it lives in `symtune_jax.tasks.sql`.
"""
