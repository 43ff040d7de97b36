"""Denotation accuracy with the WikiTableQuestions evaluator's semantics.

A reimplementation of the rules documented in ppasupat/WikiTableQuestions'
``evaluator.py`` (v1.0.2):

* Each answer becomes a value: a number (``int``/``float`` syntax; we also
  read thousands separators, ``1,234``), a date (``yyyy-mm-dd`` with ``xx`` for
  unknown fields; we also read ``May 1, 2004`` / ``1 May 2004``, which the
  official targets get from CoreNLP; a year alone is the number), else a string.
* Strings are normalized: accents removed (NFKD), smart quotes and dashes made
  ASCII, trailing citations (``[1]``, ``*``, ``†``) and parenthesised details
  dropped, outer quotes and a final period removed, lower-cased, whitespace
  collapsed.
* A target matches a prediction if their normalized strings are equal, or both
  are numbers within 1e-6, or both are dates with equal fields.
* Denotations are compared as unordered collections: duplicates collapse (the
  official evaluator builds sets), sizes must agree and every target must match
  some prediction. ``multiset=True`` keeps duplicates instead (stricter; for
  SQL results where a repeated value is part of the answer).

Answers in one string are joined by ", " (`split_answer`); a bare comma
inside a number (``1,234``) is not a separator.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any, Mapping, Sequence

from symtune_jax.tables.table import parse_date

ANSWER_SEPARATOR = ", "

_QUOTES_RE = re.compile("[\u2018\u2019\u00b4`]")
_DQUOTES_RE = re.compile("[\u201c\u201d]")
_DASHES_RE = re.compile("[\u2010\u2011\u2012\u2013\u2014\u2212]")
_CITATION_RE = re.compile(r"((?<!^)\[[^\]]*\]|\[\d+\]|[\u2022\u2666\u2020\u2021*#+])*$")
_PAREN_RE = re.compile(r"(?<!^)( \([^)]*\))*$")
_OUTER_QUOTES_RE = re.compile(r'^"([^"]*)"$')
_SPACES_RE = re.compile(r"\s+")
_THOUSANDS_RE = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$")
_YMD_RE = re.compile(r"^(\d{1,4}|xx|xxxx)-(\d{1,2}|xx)-(\d{1,2}|xx)$", re.IGNORECASE)


def normalize(text: str) -> str:
  """WTQ string normalization: ' “Ébène” [1] ' -> 'ebene'; 'Foo (band)' -> 'foo'."""
  x = "".join(c for c in unicodedata.normalize("NFKD", text)
              if unicodedata.category(c) != "Mn")
  x = _QUOTES_RE.sub("'", x)
  x = _DQUOTES_RE.sub('"', x)
  x = _DASHES_RE.sub("-", x)
  while True:
    before = x
    x = _CITATION_RE.sub("", x.strip())
    x = _PAREN_RE.sub("", x.strip())
    x = _OUTER_QUOTES_RE.sub(r"\1", x.strip())
    if x == before:
      break
  if x.endswith("."):
    x = x[:-1]
  return _SPACES_RE.sub(" ", x).lower().strip()


def parse_number(text: str) -> float | None:
  """'12' -> 12; '-3.5' -> -3.5; '1,234' -> 1234; 'nan', 'x' -> None."""
  s = text.strip()
  if _THOUSANDS_RE.match(s):
    s = s.replace(",", "")
  try:
    value = float(s)
  except ValueError:
    return None
  if math.isnan(value) or math.isinf(value):
    return None
  return value


def parse_ymd(text: str) -> tuple[int, int, int] | None:
  """'2004-05-01' / 'May 1, 2004' -> (2004, 5, 1); 'xx-01-02' -> (-1, 1, 2)."""
  s = text.strip()
  m = _YMD_RE.match(s)
  if m:
    y, mo, d = (-1 if g.lower() in ("xx", "xxxx") else int(g) for g in m.groups())
    if (y, mo, d) == (-1, -1, -1):
      return None
    if not (mo == -1 or 1 <= mo <= 12) or not (d == -1 or 1 <= d <= 31):
      return None
    return (y, mo, d)
  iso = parse_date(s) if any(c.isalpha() for c in s) else None
  if iso is None:
    return None
  y, mo, d = (int(p) for p in iso.split("-"))
  return (y, mo, d)


# A value: (kind, key, normalized string); kind 'n' number, 'd' date, 's' string.
_Value = tuple[str, Any, str]


def to_value(text: str) -> _Value:
  """'3.0' -> ('n', 3.0, '3.0'); '1990-xx-xx' -> ('n', 1990.0, ...); 'Foo' -> ('s', 'foo', 'foo')."""
  norm = normalize(text)
  number = parse_number(text)
  if number is not None:
    return ("n", number, norm)
  ymd = parse_ymd(text)
  if ymd is not None:
    if ymd[1] == ymd[2] == -1:
      return ("n", float(ymd[0]), norm)
    return ("d", ymd, norm)
  return ("s", norm, norm)


def _dedupe_key(v: _Value) -> tuple[str, Any]:
  return (v[0], round(v[1], 6) if v[0] == "n" else v[1])


def _matches(target: _Value, pred: _Value) -> bool:
  if target[2] == pred[2]:
    return True
  if target[0] == pred[0] == "n":
    return abs(target[1] - pred[1]) < 1e-6
  if target[0] == pred[0] == "d":
    return target[1] == pred[1]
  return False


def _values(answers: Sequence[str], multiset: bool) -> list[_Value]:
  values = [to_value(str(a)) for a in answers]
  if multiset:
    return values
  unique = {}
  for v in values:
    unique.setdefault(_dedupe_key(v), v)
  return list(unique.values())


def _check(targets: list[_Value], preds: list[_Value], multiset: bool) -> bool:
  if len(targets) != len(preds):
    return False
  if not multiset:
    return all(any(_matches(t, p) for p in preds) for t in targets)
  # Multiset: a one-to-one assignment (greedy suffices: matching is an
  # equivalence on every realistic answer list).
  free = list(preds)
  for t in targets:
    for i, p in enumerate(free):
      if _matches(t, p):
        del free[i]
        break
    else:
      return False
  return True


def denotation_match(prediction: Sequence[str], targets: Sequence[str], *,
                     multiset: bool = False) -> bool:
  """Whether a predicted answer list denotes the same as the target list.

  (['3.0'], ['3']) -> True; (['b', 'a'], ['a', 'b']) -> True;
  (['Bangkok', 'Thailand'], ['Bangkok, Thailand']) -> True (a single target
  with ", " in it also matches the joined prediction).
  """
  if isinstance(prediction, str) or isinstance(targets, str):
    raise TypeError("denotation_match takes lists of answers; use split_answer")
  if _check(_values(targets, multiset), _values(prediction, multiset), multiset):
    return True
  if len(targets) == 1 and len(prediction) > 1:
    return _check(_values(targets, multiset),
                  [to_value(ANSWER_SEPARATOR.join(prediction))], multiset)
  return False


def split_answer(text: str, separator: str = ANSWER_SEPARATOR) -> list[str]:
  """'1,234, Paris' -> ['1,234', 'Paris']; '' -> [] (the empty denotation).

  Only ", " separates: '1,234' stays one number.
  """
  if isinstance(text, bytes):
    text = text.decode("utf-8", errors="replace")
  text = text.strip()
  if not text:
    return []
  return [a.strip() for a in text.split(separator)]


def _as_answers(value: Any) -> list[str]:
  if isinstance(value, (bytes, str)):
    return split_answer(value)
  if hasattr(value, "tolist"):  # numpy arrays of bytes from SeqIO
    value = value.tolist()
  if isinstance(value, (bytes, str)):
    return split_answer(value)
  return [v.decode("utf-8", errors="replace") if isinstance(v, bytes) else str(v)
          for v in value]


def denotation_postprocessor(output: Any, example: Mapping[str, Any] | None = None,
                             is_target: bool = False) -> list[str]:
  """Decoded model output (or target) -> list of answers.

  'Paris, 1,234' -> ['Paris', '1,234']. For a target, an ``answers`` feature
  of the example (a list of strings, as WTQ gives them) is used when present,
  so answers holding ", " stay whole.
  """
  if is_target and example is not None and "answers" in example:
    return _as_answers(example["answers"])
  return _as_answers(output)


def denotation_accuracy(targets: Sequence[Any], predictions: Sequence[Any],
                        *, multiset: bool = False) -> dict[str, float]:
  """SeqIO metric: {'denotation_accuracy': 100 * share of matching denotations}.

  Each target / prediction is a list of answers or a string (split with
  `split_answer`).
  """
  if len(targets) != len(predictions):
    raise ValueError(f"{len(targets)} targets but {len(predictions)} predictions")
  if not targets:
    return {"denotation_accuracy": 0.0}
  correct = sum(denotation_match(_as_answers(p), _as_answers(t), multiset=multiset)
                for t, p in zip(targets, predictions))
  return {"denotation_accuracy": 100.0 * correct / len(targets)}
