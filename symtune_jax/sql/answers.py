"""Canonical answer text for SQL results, and the one join/split pair of targets.

Values print the same way on every machine: integral floats without ``.0``,
other floats rounded to 6 decimals without trailing zeros, text as is. Several
values are joined with `SEPARATOR` (`join_answers`), and `split_answers` is its
exact inverse on every target the generator keeps: a value list that would not
come back whole (a value holding ``", "``, empty, or with outer whitespace) is
skipped as ``unsplittable`` (`splittable`). The SQL task's metric splits
targets and predictions with `split_answers`, so format and metric agree.

    >>> answer_text([1969.0, 2.5, "Team CSC"])
    '1969, 2.5, Team CSC'
    >>> split_answers('1969, 2.5, Team CSC')
    ['1969', '2.5', 'Team CSC']
"""

from __future__ import annotations

import math
from typing import Iterable, Sequence

from symtune_jax.evaluation import denotation

# The separator WTQ-style evaluation splits outputs on (`denotation.split_answer`).
SEPARATOR = denotation.ANSWER_SEPARATOR
DECIMALS = 6


def format_value(value: object) -> str | None:
  """One SQL value as text; None for NULL, NaN or infinity.

  3.0 -> '3'; -0.0 -> '0'; 1/3 -> '0.333333'; 1e20 -> '100000000000000000000';
  'abc' -> 'abc'; True -> '1'.
  """
  if value.__class__ is str:  # most values: text cells, as they are
    return value
  if value is None:
    return None
  if isinstance(value, bool):
    return "1" if value else "0"
  if isinstance(value, int):
    return str(value)
  if isinstance(value, float):
    if not math.isfinite(value):
      return None
    x = round(value, DECIMALS)
    if x == int(x):
      return str(int(x))
    return f"{x:.{DECIMALS}f}".rstrip("0").rstrip(".")
  if isinstance(value, bytes):
    return value.decode("utf-8", "replace")
  return str(value)


def join_answers(texts: Sequence[str]) -> str:
  """['a', 'b'] -> 'a, b' (the target format; inverse: `split_answers`)."""
  return SEPARATOR.join(texts)


def split_answers(text: str | bytes) -> list[str]:
  """'a, b' -> ['a', 'b']; '' -> []: the inverse of `join_answers`.

  The evaluation's own split (`denotation.split_answer`): the text and each
  answer are stripped (a model's output may carry spaces); `splittable` says
  which answer lists come back whole.
  """
  return denotation.split_answer(text, SEPARATOR)


def splittable(texts: Sequence[str]) -> bool:
  """Whether ``split_answers(join_answers(texts)) == texts`` (and no answer is empty).

  ['Columbus, OH'] -> False; [' x'] -> False; ['1,234', 'Paris'] -> True.
  """
  for t in texts:  # (a loop: no generator per call)
    if not t or t != t.strip() or SEPARATOR in t:
      return False
  return True


def answer_text(values: Iterable[object]) -> str:
  """Values -> 'v1, v2, ...' (NULLs must be filtered out by the caller)."""
  out = []
  for v in values:
    s = format_value(v)
    if s is None:
      raise ValueError(f"cannot format {v!r} as an answer value")
    out.append(s)
  return join_answers(out)
