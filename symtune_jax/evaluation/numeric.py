"""Numeric answer accuracy (SVAMP and other math word problems).

The prediction's answer is the last number in the text ('... so 51 dollars.'
-> 51.0); it is correct when it equals the target number within a relative
tolerance of 1e-4 (SVAMP's answers are like 51.0 or 3.5).
"""

from __future__ import annotations

import math
import re
from typing import Any, Mapping, Sequence

_NUMBER_RE = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][-+]?\d+)?")
_FRACTION_RE = re.compile(r"([-+]?\d+)\s*/\s*(\d+)")


def _to_text(value: Any) -> str:
  if isinstance(value, bytes):
    return value.decode("utf-8", errors="replace")
  return str(value)


def extract_number(text: Any) -> float | None:
  """The last number in ``text``: 'It costs $1,250.50.' -> 1250.5; '3/4' -> 0.75; 'none' -> None."""
  if isinstance(text, (int, float)) and not isinstance(text, bool):
    return None if math.isnan(float(text)) else float(text)
  s = _to_text(text)
  best: tuple[int, float] | None = None
  for m in _FRACTION_RE.finditer(s):
    if int(m.group(2)) != 0:
      best = (m.end(), int(m.group(1)) / int(m.group(2)))
  for m in _NUMBER_RE.finditer(s):
    token = m.group(0)
    if not any(c.isdigit() for c in token):
      continue
    try:
      value = float(token.replace(",", ""))
    except ValueError:
      continue
    if best is None or m.end() > best[0]:
      best = (m.end(), value)
  return None if best is None else best[1]


def numeric_match(prediction: Any, target: Any, rel_tol: float = 1e-4) -> bool:
  """Whether the prediction's last number equals the target: ('51 dollars', 51.0) -> True."""
  p, t = extract_number(prediction), extract_number(target)
  if p is None or t is None:
    return False
  return math.isclose(p, t, rel_tol=rel_tol, abs_tol=1e-6)


def numeric_postprocessor(output: Any, example: Mapping[str, Any] | None = None,
                          is_target: bool = False) -> float | None:
  """Decoded text -> its last number ('x = 7.' -> 7.0), or None if it has none."""
  del example, is_target
  return extract_number(output)


def numeric_accuracy(targets: Sequence[Any], predictions: Sequence[Any]) -> dict[str, float]:
  """SeqIO metric: {'numeric_accuracy': 100 * share of predictions equal to the target}."""
  if len(targets) != len(predictions):
    raise ValueError(f"{len(targets)} targets but {len(predictions)} predictions")
  if not targets:
    return {"numeric_accuracy": 0.0}
  correct = sum(numeric_match(p, t) for t, p in zip(targets, predictions))
  return {"numeric_accuracy": 100.0 * correct / len(targets)}
