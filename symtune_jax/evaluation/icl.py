"""In-context-learning evaluation: map output symbols back to classes, score.

Symbol-tuning examples carry a passthrough feature `label_strings`: the string
each class is written as in that prompt's context, joined by tabs (symbols and
label names never contain tabs). `symbol_to_class` uses it to turn a decoded
output (or the target) into a class index, so accuracy counts the predicted
symbol against the prompt's own mapping, flipped or not.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

LABEL_STRINGS_KEY = "label_strings"
SEPARATOR = "\t"
_TRAILING = " \t\r\n.,;:!?\"'"
_LIST_RE = re.compile(r"\[(?:\d+, )*(?:\d+)?\]")
_QUOTED_RE = re.compile(r"'.*?'")


def _text(value: Any) -> str:
  if hasattr(value, "numpy"):
    value = value.numpy()
  if hasattr(value, "item") and getattr(value, "shape", None) == ():
    value = value.item()
  return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def join_label_strings(strings: Sequence[str]) -> str:
  """Example: ("foo", "42") -> "foo\\t42"."""
  for s in strings:
    if SEPARATOR in s:
      raise ValueError(f"label string {s!r} contains a tab")
  return SEPARATOR.join(strings)


def class_of(output: str, label_strings: Sequence[str]) -> int:
  """The class whose string the output is, or -1.

  Matching is exact after stripping whitespace and trailing punctuation, then
  case-insensitive, then on the output's first line.

  Example: ("Foo.\\n", ("bar", "foo")) -> 1; ("baz", ("bar", "foo")) -> -1.
  """
  candidates = [output.strip(_TRAILING)]
  first = output.strip().split("\n", 1)[0].strip(_TRAILING)
  if first != candidates[0]:
    candidates.append(first)
  for cand in candidates:
    if cand in label_strings:
      return label_strings.index(cand)
    lowered = [s.lower() for s in label_strings]
    if cand.lower() in lowered and lowered.count(cand.lower()) == 1:
      return lowered.index(cand.lower())
  return -1


def symbol_to_class(output: str, example: Mapping[str, Any] | None = None,
                    is_target: bool = False) -> int:
  """SeqIO postprocessor: a decoded output (or target) -> class index (-1: none).

  Example: ("QF", example={"label_strings": b"4821\\tQF"}) -> 1.
  """
  del is_target
  if example is None or LABEL_STRINGS_KEY not in example:
    raise ValueError(f"symbol_to_class needs the example's {LABEL_STRINGS_KEY!r} feature "
                     "(is the task's passthrough feature dropped?)")
  return class_of(output, _text(example[LABEL_STRINGS_KEY]).split(SEPARATOR))


def accuracy(targets: Sequence[int], predictions: Sequence[int]) -> dict[str, float]:
  """Accuracy in percent on predicted classes (a prediction of -1 is wrong).

  Example: ([0, 1, 1], [0, 1, -1]) -> {"accuracy": 66.67}.
  """
  if len(targets) != len(predictions):
    raise ValueError(f"{len(targets)} targets but {len(predictions)} predictions")
  if not targets:
    return {"accuracy": 0.0}
  hits = sum(1 for t, p in zip(targets, predictions) if t == p and t >= 0)
  return {"accuracy": 100.0 * hits / len(targets)}


def extract_list(output: str, example: Any = None, is_target: bool = False) -> str:
  """Postprocessor: the first "[a, b, ...]" list in the output (BIG-bench's regex).

  Example: "The answer is [1, 2].\\n" -> "[1, 2]"; "none" -> "none".
  """
  del example, is_target
  m = _LIST_RE.search(output)
  return m.group(0) if m else output.strip()


def extract_quoted(output: str, example: Any = None, is_target: bool = False) -> str:
  """Postprocessor: the first '...' quoted string (Simple Turing Concepts' regex).

  Example: " '01'\\n\\nInput" -> "'01'".
  """
  del example, is_target
  m = _QUOTED_RE.search(output)
  return m.group(0) if m else output.strip()


def exact_match(targets: Sequence[str], predictions: Sequence[str]) -> dict[str, float]:
  """Exact string match in percent after stripping whitespace.

  Example: (["[1]", "[2]"], [" [1]", "[3]"]) -> {"exact_match": 50.0}.
  """
  if len(targets) != len(predictions):
    raise ValueError(f"{len(targets)} targets but {len(predictions)} predictions")
  if not targets:
    return {"exact_match": 0.0}
  hits = sum(1 for t, p in zip(targets, predictions) if t.strip() == p.strip())
  return {"exact_match": 100.0 * hits / len(targets)}
