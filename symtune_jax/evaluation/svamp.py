"""SVAMP (arkilpatel/SVAMP) math word problems.

Official file ``SVAMP.json``: a list of ``{"ID", "Body", "Question",
"Equation", "Answer", "Type"}``. SVAMP has one split of 1,000 problems and no
validation set. Template selection must not see test problems, so the 1,000
are split once, disjointly: ``validation`` holds the 30% of problems (300 of
the 1,000) whose ``sha256("svamp-validation-v1:" + ID)`` sorts first, ``test``
the other 700, both in file order (`split_of`; the same on every machine,
independent of the file's order).

How this differs from the paper: papers (Liu et al. 2023 among them) report
accuracy on all 1,000 problems; ``test`` here is the 700 that template
selection never saw, so its figure is not the same number (same distribution,
a smaller sample). Root: ``$SYMTUNE_SVAMP_ROOT``, else
``../shared/data/svamp``. Metric: `numeric.numeric_accuracy`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import pathlib
from typing import Iterator

from symtune_jax.errors import InputError
from symtune_jax.evaluation import data_roots

FILE = "SVAMP.json"
SPLITS = ("validation", "test")
VALIDATION_FRACTION = 0.3  # 300 of the official 1,000
SPLIT_SALT = "svamp-validation-v1:"
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


def _split_key(problem_id: str) -> str:
  return hashlib.sha256((SPLIT_SALT + problem_id).encode("utf-8")).hexdigest()


def split_of(ids: list[str]) -> dict[str, str]:
  """Problem ids -> 'validation' (the 30% whose salted hash sorts first) or 'test'."""
  size = int(len(ids) * VALIDATION_FRACTION)
  chosen = set(sorted(ids, key=lambda i: (_split_key(i), i))[:size])
  return {i: "validation" if i in chosen else "test" for i in ids}


def load_problems(split: str, root: pathlib.Path | None = None,
                  limit: int | None = None) -> Iterator[Problem]:
  """Yields the split's problems (disjoint validation / test, see `split_of`), in file order."""
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
  problems = []
  for i, item in enumerate(data):
    missing = [f for f in _FIELDS if not isinstance(item, dict) or f not in item]
    if missing:
      raise InputError(f"problem #{i} lacks {missing}", path=str(path), field=missing[0])
    try:
      answer = float(item["Answer"])
    except (TypeError, ValueError):
      raise InputError(f"problem #{i}: Answer {item['Answer']!r} is not a number",
                       path=str(path), field="Answer") from None
    problems.append(Problem(id=str(item["ID"]), body=str(item["Body"]).strip(),
                            question=str(item["Question"]).strip(), answer=answer))
  ids = [p.id for p in problems]
  if len(set(ids)) != len(ids):
    dup = next(i for i in ids if ids.count(i) > 1)
    raise InputError(f"problem ID {dup!r} appears more than once (the split is by ID)",
                     path=str(path), field="ID")
  splits = split_of(ids)
  n = 0
  for p in problems:
    if splits[p.id] != split:
      continue
    if limit is not None and n >= limit:
      return
    n += 1
    yield p
