"""symtune_jax: instruction tuning with symbolic tasks, as SeqIO tasks for T5X.

Sub-packages (logic apart from registration):
  tables/        Table type, loaders, linearization, truncation.
  sql/           SQL query sampling (sqlglot) and execution (SQLite).
  symbols/       symbol pools and symbol-tuning prompt builders.
  instructions/  task cards from instruction meta-datasets (P3, NIV2, own families).
  selection/     INSTA: encoder, scores, top-k, rates files.
  evaluation/    metrics, postprocessors, benchmark loaders.
  tasks/         SeqIO registration only (``import symtune_jax.tasks``).
  cli/           the ``symtune`` command.
"""

__version__ = "0.1.0"
