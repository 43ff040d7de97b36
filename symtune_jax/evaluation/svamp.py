"""SVAMP (arkilpatel/SVAMP) math word problems.

Official file ``SVAMP.json``: a list of ``{"ID", "Body", "Question",
"Equation", "Answer", "Type"}``. SVAMP has one split of 1,000 problems; the
``validation`` split here is its first 300 (for template selection) and
``test`` is all 1,000 (what papers report). Root: ``$SYMTUNE_SVAMP_ROOT``,
else ``../shared/data/svamp``. Metric: `numeric.numeric_accuracy`.
"""

from __future__ import annotations

import dataclasses
import json
import pathlib
from typing import Iterator

from symtune_jax.errors import InputError
from symtune_jax.evaluation import data_roots

FILE = "SVAMP.json"
SPLITS = ("validation", "test")
VALIDATION_SIZE = 300
_FIELDS = ("ID", "Body", "Question", "Answer")


@dataclasses.dataclass(frozen=True)
class Problem:
  """One SVAMP problem."""
  id: str
  body: str
  question: str
  answer: float


def format_number(value: float) -> str:
  """51.0 -> '51'; 3.5 -> '3.5'; 0.3333333 -> '0.3333333'."""
  if float(value).is_integer():
    return str(int(value))
  return f"{value:.10g}"


def load_problems(split: str, root: pathlib.Path | None = None,
                  limit: int | None = None) -> Iterator[Problem]:
  """Yields the split's problems, in file order."""
  if split not in SPLITS:
    raise ValueError(f"unknown SVAMP split {split!r}; known: {list(SPLITS)}")
  root = data_roots.SVAMP.path() if root is None else pathlib.Path(root)
  path = data_roots.SVAMP.require_file(FILE, root)
  try:
    data = json.loads(path.read_text(encoding="utf-8"))
  except json.JSONDecodeError as e:
    raise InputError(f"not valid JSON: {e.msg}", path=str(path), line=e.lineno) from None
  if not isinstance(data, list):
    raise InputError("expected a JSON list of problems", path=str(path))
  if split == "validation":
    data = data[:VALIDATION_SIZE]
  for i, item in enumerate(data):
    if limit is not None and i >= limit:
      return
    missing = [f for f in _FIELDS if not isinstance(item, dict) or f not in item]
    if missing:
      raise InputError(f"problem #{i} lacks {missing}", path=str(path), field=missing[0])
    try:
      answer = float(item["Answer"])
    except (TypeError, ValueError):
      raise InputError(f"problem #{i}: Answer {item['Answer']!r} is not a number",
                       path=str(path), field="Answer") from None
    yield Problem(id=str(item["ID"]), body=str(item["Body"]).strip(),
                  question=str(item["Question"]).strip(), answer=answer)
