"""Canonical answer text for SQL results.

Values print the same way on every machine: integral floats without ``.0``,
other floats rounded to 6 decimals without trailing zeros, text as is; several
values are joined with ``", "`` (the separator the denotation metric splits on).

    >>> answer_text([1969.0, 2.5, "Team CSC"])
    '1969, 2.5, Team CSC'
"""

from __future__ import annotations

import math
from typing import Iterable

SEPARATOR = ", "
DECIMALS = 6


def format_value(value: object) -> str | None:
  """One SQL value as text; None for NULL, NaN or infinity.

  3.0 -> '3'; -0.0 -> '0'; 1/3 -> '0.333333'; 1e20 -> '100000000000000000000';
  'abc' -> 'abc'; True -> '1'.
  """
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


def answer_text(values: Iterable[object]) -> str:
  """Values -> 'v1, v2, ...' (NULLs must be filtered out by the caller)."""
  out = []
  for v in values:
    s = format_value(v)
    if s is None:
      raise ValueError(f"cannot format {v!r} as an answer value")
    out.append(s)
  return SEPARATOR.join(out)
