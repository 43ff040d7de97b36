"""`TaskCard`: what the INSTA selector ranks.

A card names a training (or target) task, says which meta-dataset it comes
from, and carries its instructions: one or many templates (P3), one definition
(Super-NaturalInstructions) or the phrasings of a symbolic family.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Mapping

from symtune_jax.errors import InputError

# Meta-datasets a card can come from.
SOURCES = ("p3", "niv2", "symbolic", "target")
# "train": may be selected as a source task; "test": held out (eval only).
SPLITS = ("train", "test")


@dataclasses.dataclass(frozen=True)
class TaskCard:
  """One task as the selector sees it.

  Attributes:
    name: unique name within its source, e.g. ``super_glue/rte`` (P3),
      ``task062_bigbench_repeat_copy_logic`` (NIV2), ``sql_execution``.
    source: the meta-dataset, one of `SOURCES`.
    instructions: the task's instruction texts (templates / definitions).
    category: task category if known (e.g. "Classification").
    num_examples: examples available for training, if known (None: unknown
      or unbounded, e.g. generated symbolic data).
    split: "train" (selectable) or "test" (held-out evaluation task).

  Cards are data: `symtune_jax.instructions.catalog.task_for_card` names a
  card's SeqIO task; ``symtune_jax.tasks`` registers it.
  """

  name: str
  source: str
  instructions: tuple[str, ...]
  category: str | None = None
  num_examples: int | None = None
  split: str = "train"

  def __post_init__(self):
    if not self.name:
      raise InputError("a task card needs a non-empty name", field="name")
    if self.source not in SOURCES:
      raise InputError(f"card {self.name!r}: source {self.source!r} is not one "
                       f"of {SOURCES}", field="source")
    if self.split not in SPLITS:
      raise InputError(f"card {self.name!r}: split {self.split!r} is not one "
                       f"of {SPLITS}", field="split")
    instructions = tuple(i.strip() for i in self.instructions)
    if not instructions or not all(instructions):
      raise InputError(f"card {self.name!r} has an empty instruction; every "
                       "card needs at least one non-empty instruction",
                       field="instructions")
    object.__setattr__(self, "instructions", instructions)

  @property
  def key(self) -> str:
    """Unique across meta-datasets: ``<source>:<name>``."""
    return f"{self.source}:{self.name}"

  def to_json(self) -> dict[str, Any]:
    """The card as JSON (the card file's form)."""
    out = {"name": self.name, "source": self.source,
           "instructions": list(self.instructions)}
    if self.category is not None:
      out["category"] = self.category
    if self.num_examples is not None:
      out["num_examples"] = self.num_examples
    if self.split != "train":
      out["split"] = self.split
    return out

  @classmethod
  def from_json(cls, obj: Mapping[str, Any], *, path: str | None = None
                ) -> "TaskCard":
    """Inverse of `to_json`; errors name the file and field at fault."""
    if not isinstance(obj, Mapping):
      raise InputError(f"a card must be a JSON object, got {type(obj).__name__}",
                       path=path)
    for field in ("name", "source", "instructions"):
      if field not in obj:
        raise InputError(f"card {obj.get('name', '?')!r} lacks {field!r}",
                         path=path, field=field)
    instructions = obj["instructions"]
    if isinstance(instructions, str) or not all(
        isinstance(i, str) for i in instructions):
      raise InputError(f"card {obj['name']!r}: instructions must be a list of "
                       "strings", path=path, field="instructions")
    return cls(name=obj["name"], source=obj["source"],
               instructions=tuple(instructions),
               category=obj.get("category"),
               num_examples=obj.get("num_examples"),
               split=obj.get("split", "train"))
