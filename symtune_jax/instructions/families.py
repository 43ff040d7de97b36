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
(``symtune_list_functions_v1`` -> ``list_functions``). A family whose module
is absent from this build is left out of the pool (`missing_families`).
"""

from __future__ import annotations

import dataclasses
import importlib
from typing import Any, Callable

from symtune_jax.instructions.card import TaskCard

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
    tasks_module: module whose import registers the family's SeqIO task.
    task: the SeqIO task (or mixture) a mixture uses for this family.
  """
  name: str
  instructions: tuple[str, ...]
  tasks_module: str
  task: str

  def build(self) -> str:
    """Registers the family's SeqIO task (importing its module); its name."""
    importlib.import_module(self.tasks_module)
    return self.task


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


def _collect() -> tuple[list[Family], dict[str, str]]:
  found, missing = [], {}
  try:
    sql_prompts = importlib.import_module("symtune_jax.sql.prompts")
    texts = _texts(getattr(sql_prompts, "INSTRUCTIONS", ()))
    if texts:
      found.append(Family(card_name(SQL_TASK), texts, "symtune_jax.tasks.sql",
                          SQL_TASK))
    else:
      missing["sql_execution"] = "symtune_jax.sql.prompts has no INSTRUCTIONS"
  except ImportError as e:
    missing["sql_execution"] = f"symtune_jax.sql.prompts: {e}"
  try:
    descriptions = importlib.import_module("symtune_jax.symbols.descriptions")
    for task, value in getattr(descriptions, "DESCRIPTIONS", {}).items():
      texts = _texts(value)
      if texts:
        found.append(Family(card_name(task), texts, "symtune_jax.tasks.symbols",
                            task))
  except ImportError as e:
    missing["symbols"] = f"symtune_jax.symbols.descriptions: {e}"
  return found, missing


def families() -> list[Family]:
  """The families present in this build."""
  return _collect()[0]


def missing_families() -> dict[str, str]:
  """Family -> why it is not in the pool (empty when all are)."""
  return _collect()[1]


def family(name: str) -> Family | None:
  """The family with card name (or task name) ``name``."""
  return next((f for f in families() if name in (f.name, f.task)), None)


def family_cards() -> list[TaskCard]:
  """One card per family, with ``build`` registering its SeqIO task."""
  return [TaskCard(name=f.name, source="symbolic", instructions=f.instructions,
                   category=_CATEGORIES.get(f.name), build=f.build)
          for f in families()]


def builder(name: str) -> Callable[[], str] | None:
  f = family(name)
  return f.build if f else None
