"""Instruction meta-datasets as `TaskCard`s: P3 (promptsource), NIV2, families.

Cards are data. `catalog` loads the shipped card file
(``symtune_jax/data/instruction_cards.json``) and maps a card to its SeqIO
task name (`catalog.task_for_card`; ``symtune_jax.tasks`` registers it).
`pools` holds the named training pools (checked-in lists), datasets
(`pools.dataset_of`) and the target lookup (`pools.resolve_target`);
`protocols` the evaluation datasets no pool may hold.
"""
