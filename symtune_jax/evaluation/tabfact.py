"""TabFact (wenhuchen/Table-Fact-Checking) statements and their tables.

Official files: ``{test,val}_examples.json`` map a table file name to
``[statements, labels (1 entailed / 0 refuted), caption]``; tables are
``all_csv/<name>`` (``#``-separated). Splits: ``validation`` = val, ``test`` =
test. Root: ``$SYMTUNE_TABFACT_ROOT``, else ``../shared/data/tabfact``.

Metric: accuracy of the yes/no verdict (`tabfact_accuracy`).
"""

from __future__ import annotations

import dataclasses
import json
import pathlib
from typing import Any, Iterator, Mapping, Sequence

from symtune_jax.errors import InputError
from symtune_jax.evaluation import data_roots
from symtune_jax.tables import loaders
from symtune_jax.tables.table import Table

SPLIT_FILES = {"validation": "val_examples.json", "test": "test_examples.json"}
SPLITS = ("validation", "test")

_TRUE_WORDS = {"yes", "true", "entailed", "entailment", "correct", "supported", "1"}
_FALSE_WORDS = {"no", "false", "refuted", "refutes", "incorrect", "not", "0"}


@dataclasses.dataclass(frozen=True)
class Statement:
  """One TabFact statement about a table, with its gold label."""
  id: str
  statement: str
  label: bool
  table: Table
  caption: str


def load_statements(split: str, root: pathlib.Path | None = None,
                    limit: int | None = None) -> Iterator[Statement]:
  """Yields the split's statements (table file order, then statement order)."""
  root = data_roots.TABFACT.path() if root is None else pathlib.Path(root)
  if split not in SPLIT_FILES:
    raise ValueError(f"unknown TabFact split {split!r}; known: {sorted(SPLIT_FILES)}")
  path = data_roots.TABFACT.require_file(SPLIT_FILES[split], root)
  try:
    data = json.loads(path.read_text(encoding="utf-8"))
  except json.JSONDecodeError as e:
    raise InputError(f"not valid JSON: {e.msg}", path=str(path), line=e.lineno) from None
  if not isinstance(data, dict):
    raise InputError("expected an object {table file: [statements, labels, caption]}",
                     path=str(path))
  n = 0
  for name, entry in data.items():
    if (not isinstance(entry, list) or len(entry) < 2 or len(entry[0]) != len(entry[1])):
      raise InputError("expected [statements, labels, caption] with as many labels "
                       "as statements", path=str(path), field=name)
    table = loaders.load_tabfact_csv(
        data_roots.TABFACT.require_file(pathlib.Path("all_csv") / name, root))
    caption = str(entry[2]) if len(entry) > 2 else ""
    for j, (statement, label) in enumerate(zip(entry[0], entry[1])):
      if limit is not None and n >= limit:
        return
      n += 1
      yield Statement(id=f"{name}#{j}", statement=str(statement), label=bool(int(label)),
                      table=table, caption=caption)


def verdict(text: Any) -> bool | None:
  """A yes/no verdict from model text: 'Yes.' -> True; 'false' -> False; 'maybe' -> None."""
  if isinstance(text, bytes):
    text = text.decode("utf-8", errors="replace")
  words = str(text).strip().lower().replace(".", " ").replace(",", " ").split()
  if not words:
    return None
  if words[0] in _TRUE_WORDS:
    return True
  if words[0] in _FALSE_WORDS:
    return False
  return None


def tabfact_postprocessor(output: Any, example: Mapping[str, Any] | None = None,
                          is_target: bool = False) -> int:
  """Decoded text -> 1 (entailed), 0 (refuted) or -1 (no verdict): 'yes' -> 1."""
  del example, is_target
  v = verdict(output)
  return -1 if v is None else int(v)


def tabfact_accuracy(targets: Sequence[int], predictions: Sequence[int]) -> dict[str, float]:
  """SeqIO metric: {'tabfact_accuracy': 100 * share of matching verdicts}.

  Targets and predictions are 1/0 (a prediction of -1, no verdict, is wrong).
  """
  if len(targets) != len(predictions):
    raise ValueError(f"{len(targets)} targets but {len(predictions)} predictions")
  if not targets:
    return {"tabfact_accuracy": 0.0}
  correct = sum(int(t) == int(p) for t, p in zip(targets, predictions))
  return {"tabfact_accuracy": 100.0 * correct / len(targets)}
