"""Tables: the typed `Table`, loaders, linearization and truncation."""

from symtune_jax.tables.table import ColumnType, Table

__all__ = ["ColumnType", "Table"]
