"""The `symtune` command line (one module per sub-command)."""
