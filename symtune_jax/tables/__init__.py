"""Tables: the typed `Table`, loaders, linearization and truncation."""

from symtune_jax.tables.linearize import markdown, tapex
from symtune_jax.tables.table import ColumnType, Table
from symtune_jax.tables.truncate import (approx_token_length, fit_to_budget,
                                         vocab_length_fn)

__all__ = ["ColumnType", "Table", "approx_token_length", "fit_to_budget",
           "markdown", "tapex", "vocab_length_fn"]
