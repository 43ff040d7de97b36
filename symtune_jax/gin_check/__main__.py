"""``python -m symtune_jax.gin_check`` (see `symtune_jax.gin_check.cli`)."""

from symtune_jax.gin_check.cli import main

raise SystemExit(main())
