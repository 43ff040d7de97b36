"""Symbol tuning (method B): symbol pools, prompt formats and builder, sources,
algorithmic tasks (list functions, binary concepts) and BIG-bench loaders.

Pure Python and numpy: no SeqIO here (registration is in `symtune_jax.tasks.symbols`).
"""
