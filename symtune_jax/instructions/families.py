"""Cards for the project's own symbolic task families.

The selector ranks them with the meta-datasets, so it can choose SQL
execution or symbol tuning for a target. Their phrasings come from the
families' own modules:

* ``symtune_jax.sql.prompts.INSTRUCTIONS``: the SQL-execution instructions
  (task ``symtune_sql_execution_v1``, registered by ``symtune_jax.tasks.sql``);
* ``symtune_jax.symbols.descriptions.DESCRIPTIONS``: ``{seqio task or mixture
  name: (text, ...)}`` for symbol tuning, list functions and binary concepts
  (registered by ``symtune_jax.tasks.symbols``).

Card names drop the ``symtune_`` prefix and ``_v1`` suffix
(``symtune_list_functions_v1`` -> ``list_functions``). Cards are data: this
module registers nothing (``import symtune_jax.tasks`` registers the
families' tasks).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from symtune_jax.instructions.card import TaskCard
from symtune_jax.sql import prompts as sql_prompts
from symtune_jax.symbols import descriptions

SQL_TASK = "symtune_sql_execution_v1"
_CATEGORIES = {"sql_execution": "Program Execution",
               "list_functions": "Program Induction",
               "binary_concepts": "Program Induction"}


@dataclasses.dataclass(frozen=True)
class Family:
  """A symbolic family as the selector sees it.

  Attributes:
    name: the card name, e.g. ``sql_execution``.
    instructions: its phrasings.
    task: the SeqIO task (or mixture) a mixture uses for this family.
  """
  name: str
  instructions: tuple[str, ...]
  task: str


def _texts(value: Any) -> tuple[str, ...]:
  """Instruction strings from a str or a sequence of them."""
  if isinstance(value, str):
    value = [value]
  return tuple(dict.fromkeys(t.strip() for t in value
                             if isinstance(t, str) and t.strip()))


def card_name(task: str) -> str:
  """``symtune_list_functions_v1`` -> ``list_functions``."""
  name = task[len("symtune_"):] if task.startswith("symtune_") else task
  return name[:-len("_v1")] if name.endswith("_v1") else name


def families() -> list[Family]:
  """The families: SQL execution, then the symbol families."""
  found = [Family(card_name(SQL_TASK), _texts(sql_prompts.INSTRUCTIONS),
                  SQL_TASK)]
  for task, value in descriptions.DESCRIPTIONS.items():
    texts = _texts(value)
    if texts:
      found.append(Family(card_name(task), texts, task))
  return found


def family(name: str) -> Family | None:
  """The family with card name (or task name) ``name``."""
  return next((f for f in families() if name in (f.name, f.task)), None)


def family_cards() -> list[TaskCard]:
  """One card per family."""
  return [TaskCard(name=f.name, source="symbolic", instructions=f.instructions,
                   category=_CATEGORIES.get(f.name))
          for f in families()]
