"""Train / validation / test split of tables by table id.

A table's split is a hash of its id (the same on every machine; not Python's
salted ``hash``): 90% train, 5% validation, 5% test. Ids in TAPEX's held-out
list (``symtune_jax/data/tapex-dev-0.ids``, 336 WTQ tables) never go to
train: they are spread over validation and test by the same hash.

    >>> split_of("203_447")     # a TAPEX held-out id
    'validation'
"""

from __future__ import annotations

import functools
import hashlib
import importlib.resources
import json

SPLITS = ("train", "validation", "test")
HELD_OUT_FILE = "tapex-dev-0.ids"
TRAIN_PERCENT, VALIDATION_PERCENT = 90, 5


@functools.cache
def held_out_ids() -> frozenset[str]:
  """TAPEX's held-out table ids (shipped copy of ``wtq/tapex-dev-0.ids``)."""
  ref = importlib.resources.files("symtune_jax") / "data" / HELD_OUT_FILE
  return frozenset(json.loads(ref.read_text(encoding="utf-8")))


def _bucket(table_id: str) -> int:
  digest = hashlib.sha256(table_id.encode("utf-8")).digest()
  return int.from_bytes(digest[:8], "big") % 100


def split_of(table_id: str) -> str:
  """'train', 'validation' or 'test' for a table id."""
  b = _bucket(table_id)
  if table_id in held_out_ids():
    return "validation" if b % 2 == 0 else "test"
  if b < TRAIN_PERCENT:
    return "train"
  return "validation" if b < TRAIN_PERCENT + VALIDATION_PERCENT else "test"


def split_id(split: str) -> int:
  """'train' -> 0, 'validation' -> 1, 'test' -> 2 (for seeding)."""
  try:
    return SPLITS.index(split)
  except ValueError:
    raise ValueError(f"unknown split {split!r}; expected one of {SPLITS}") from None
