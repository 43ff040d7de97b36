"""Labelled classification records, validated once and indexed by class.

`LabelledSplit` is what the prompt builder draws exemplars from. Building one
checks the data so no prompt can be silently wrong:

  * fewer than two label names, or data covering fewer than two classes:
    `InputError` (a prompt needs at least two labels to map);
  * a label outside `0..len(label_names)-1`: `InputError` naming the record;
  * a record whose text fields are all empty: skipped and counted in
    `skipped_empty` (a blank line in a data file is common and harmless);
  * a record with the wrong number of fields: `InputError`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence

import numpy as np

from symtune_jax.errors import InputError


@dataclasses.dataclass(frozen=True)
class Record:
  """One classification example: its text fields (in source order) and class index."""
  fields: tuple[str, ...]
  label: int


@dataclasses.dataclass(frozen=True, eq=False)
class LabelledSplit:
  """Validated records of one split of one dataset.

  Attributes:
    name: dataset name (for messages), e.g. "tweeteval_hate".
    split: split name, e.g. "train".
    text_fields: the field names, e.g. ("premise", "hypothesis").
    label_names: natural-language name of each class index.
    records: the kept records.
    by_class: for each class, the indices into `records` of that class.
    skipped_empty: records dropped because all their text was empty.
  """
  name: str
  split: str
  text_fields: tuple[str, ...]
  label_names: tuple[str, ...]
  records: tuple[Record, ...]
  by_class: tuple[np.ndarray, ...]
  skipped_empty: int = 0

  @property
  def num_classes(self) -> int:
    return len(self.label_names)

  def __len__(self) -> int:
    return len(self.records)


def make_split(name: str, split: str, text_fields: Sequence[str], label_names: Sequence[str],
               records: Iterable[Record], *, require_all_classes: bool = True) -> LabelledSplit:
  """Validates records and indexes them by class.

  Args:
    name: dataset name for messages.
    split: split name for messages.
    text_fields: names of the text fields of every record.
    label_names: class names; index i names class i.
    records: the records.
    require_all_classes: if True every class must have at least one record
      (needed for exemplar splits: every label must appear in context).

  Returns:
    The `LabelledSplit`.

  Raises:
    InputError: on the problems listed in the module docstring.
  """
  text_fields = tuple(text_fields)
  label_names = tuple(str(n) for n in label_names)
  where = f"dataset {name!r} split {split!r}"
  if len(label_names) < 2:
    raise InputError(f"{where}: needs at least 2 label names, got {list(label_names)}",
                     field="label_names")
  bad = [n for n in label_names if not n.strip() or "\t" in n or "\n" in n]
  if bad:
    raise InputError(f"{where}: label names must be non-empty and hold no tab or newline: "
                     f"{bad}", field="label_names")
  if len(set(label_names)) != len(label_names):
    raise InputError(f"{where}: label names are not distinct: {list(label_names)}",
                     field="label_names")
  kept: list[Record] = []
  skipped = 0
  for i, r in enumerate(records):
    if len(r.fields) != len(text_fields):
      raise InputError(f"{where}: record {i} has {len(r.fields)} fields, expected "
                       f"{len(text_fields)} ({', '.join(text_fields)})", field="fields")
    if not 0 <= r.label < len(label_names):
      raise InputError(f"{where}: record {i} has label {r.label}, which is not among the "
                       f"{len(label_names)} label names {list(label_names)}", field="label")
    if not any(f.strip() for f in r.fields):
      skipped += 1
      continue
    kept.append(r)
  labels = np.fromiter((r.label for r in kept), dtype=np.int64, count=len(kept))
  by_class = tuple(np.flatnonzero(labels == c) for c in range(len(label_names)))
  present = sum(1 for b in by_class if len(b))
  if present < 2:
    raise InputError(f"{where}: the data has {present} class(es) with examples; a prompt needs "
                     "at least 2", field="label")
  if require_all_classes:
    missing = [label_names[c] for c, b in enumerate(by_class) if not len(b)]
    if missing:
      raise InputError(f"{where}: no examples of class(es) {missing}; every label must be "
                       "shown in context", field="label")
  return LabelledSplit(name, split, text_fields, label_names, tuple(kept), by_class, skipped)
