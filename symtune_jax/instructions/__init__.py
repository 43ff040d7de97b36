"""Instruction meta-datasets as `TaskCard`s: P3 (promptsource), NIV2, families.

`catalog.pool()` is what the INSTA selector ranks: the shipped card file
(``symtune_jax/data/instruction_cards.json``) plus the project's symbolic
families; `catalog.resolve_target` finds a target by name or takes a text.
"""
