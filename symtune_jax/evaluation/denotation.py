"""Denotation accuracy, scored as the official WikiTableQuestions evaluator does.

The rules of ``evaluator.py`` v1.0.2 (ppasupat/WikiTableQuestions), the scorer
behind published WTQ numbers, on answer lists:

* Each answer becomes a value (`to_value`). A target may come with a *canon*
  string, the CoreNLP value of the official ``tagged/data/*.tagged`` files
  (``targetCanon``: '17 years' -> '17.0', '$1.56 billion' -> '1560000000.0',
  'January 26, 1995' -> '1995-01-26'); the value is parsed from the canon
  when one is given, else from the answer itself. A string that ``int()`` or
  ``float()`` reads (finite, Python 2 syntax: no ``_``) is a number; ``y-m-d``
  with ``xx`` for unknown fields is a date (a year alone is the number); else
  the value is a string. Nothing else is read: '2,004' and 'May 1, 2004' are
  strings.
* Every value keeps the normalized original string (`normalize`: accents
  removed, smart quotes and dashes made ASCII, trailing citations and
  parenthesised details dropped, outer quotes and a final period removed,
  lower-cased, whitespace collapsed).
* A target matches a prediction if the normalized strings are equal, or both
  are numbers within 1e-6, or both are dates with equal fields.
* Both lists become sets (equal values collapse, the first one is kept); the
  prediction is right if the sets have the same size and every target matches
  some prediction (`check_denotation`).

``multiset=True`` keeps duplicates and asks for a one-to-one matching instead
(stricter; for SQL results, where a repeated value is part of the answer).
This is not the official rule and is never the default.

From a string to a list: model output is one string. It is split at ``", "``
(`ANSWER_SEPARATOR`), the separator the eval tasks join their gold answers
with (``targets`` = ``", ".join(answers)``), and each piece is stripped; an
empty output is the empty list. The gold list is never recovered by splitting:
table-QA tasks store it as the ``answers`` feature (with ``answer_canons``),
and `table_qa_postprocessor` reads it from there. Splitting is ambiguous for a
gold answer that itself holds ", " ('Athens, Greece': 114 of the 4,344 WTQ
test questions): the default metric, like the official scorer given the split
list, counts ``Athens, Greece`` as two answers and so wrong.
`denotation_accuracy_or_whole` (a named deviation, never the default) also
accepts the whole output string as one answer.
"""

from __future__ import annotations

import dataclasses
import math
import re
import unicodedata
from typing import Any, Mapping, Sequence

from symtune_jax.errors import InputError

ANSWER_SEPARATOR = ", "

_QUOTES_RE = re.compile("[\u2018\u2019\u00b4`]")
_DQUOTES_RE = re.compile("[\u201c\u201d]")
_DASHES_RE = re.compile("[\u2010\u2011\u2012\u2013\u2014\u2212]")
# As in the official file, which is Python 2 without re.U: `\d` is [0-9] there.
_CITATION_RE = re.compile("((?<!^)\\[[^\\]]*\\]|\\[[0-9]+\\]|[\u2022\u2666\u2020\u2021*#+])*$")
_PAREN_RE = re.compile(r"(?<!^)( \([^)]*\))*$")
_OUTER_QUOTES_RE = re.compile(r'^"([^"]*)"$')
_SPACES_RE = re.compile(r"\s+")


def normalize(text: str) -> str:
  """The official string normalization: ' “Ébène” [1] ' -> 'ebene'; 'Foo (band)' -> 'foo'."""
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


def _int(text: str) -> int | None:
  """Python 2's ``int(text)``: Python 3 also reads '1_000', Python 2 does not."""
  if "_" in text:
    return None
  try:
    return int(text)
  except ValueError:
    return None


def parse_number(text: str) -> int | float | None:
  """``NumberValue.parse``: '12' -> 12; ' -3.5 ' -> -3.5; '1e3' -> 1000.0; '1,234' -> None."""
  n = _int(text)
  if n is not None:
    return n
  if "_" in text:
    return None
  try:
    x = float(text)
  except ValueError:
    return None
  return None if math.isnan(x) or math.isinf(x) else x


def parse_ymd(text: str) -> tuple[int, int, int] | None:
  """``DateValue.parse``: '2004-05-01' -> (2004, 5, 1); 'xx-01-02' -> (-1, 1, 2).

  'May 1, 2004' -> None (only the y-m-d form is a date).
  """
  parts = text.lower().split("-")
  if len(parts) != 3:
    return None
  fields = []
  for i, p in enumerate(parts):
    if p == "xx" or (i == 0 and p == "xxxx"):
      fields.append(-1)
      continue
    n = _int(p)
    if n is None:
      return None
    fields.append(n)
  y, m, d = fields
  if y == m == d == -1 or not (m == -1 or 1 <= m <= 12) or not (d == -1 or 1 <= d <= 31):
    return None
  return (y, m, d)


def _py2_str(amount: int | float) -> str:
  """Python 2's ``unicode(amount)`` (12 significant digits for a float)."""
  if isinstance(amount, int):
    return str(amount)
  s = f"{amount:.12g}"
  return s if any(c in s for c in ".einEIN") else s + ".0"


@dataclasses.dataclass(frozen=True)
class Value:
  """A parsed answer.

  Attributes:
    kind: 'string', 'number' or 'date'.
    key: what equality uses: the normalized string, the amount (an int when
      within 1e-6 of one) or (year, month, day) with -1 for unknown fields.
    normalized: the normalized original string.
  """
  kind: str
  key: Any
  normalized: str

  def matches(self, pred: "Value") -> bool:
    """Whether this target value matches the predicted value ``pred``."""
    if self.normalized == pred.normalized:
      return True
    if self.kind == pred.kind == "number":
      return abs(self.key - pred.key) < 1e-6
    if self.kind == pred.kind == "date":
      return self.key == pred.key
    return False


def _number(amount: int | float, original: str) -> Value:
  if abs(amount - round(amount)) < 1e-6:
    amount = int(amount)
  else:
    amount = float(amount)
  return Value("number", amount, normalize(original) if original else _py2_str(amount))


def to_value(original: str, canon: str | None = None) -> Value:
  """An answer (and its canon, if any) -> `Value`.

  '3.0' -> number 3; ('17 years', '17.0') -> number 17 that keeps '17 years';
  '1990-xx-xx' -> number 1990; '2004-05-01' -> date; 'May 1, 2004' -> string.
  """
  parsed = canon if canon else original
  amount = parse_number(parsed)
  if amount is not None:
    return _number(amount, original)
  ymd = parse_ymd(parsed)
  if ymd is not None:
    if ymd[1] == ymd[2] == -1:
      return _number(ymd[0], original)
    if original:
      norm = normalize(original)
    else:  # sic: the official compares the day with the string '-1'
      norm = "-".join("xx" if v == -1 and i < 2 else str(v) for i, v in enumerate(ymd))
    return Value("date", ymd, norm)
  norm = normalize(original)
  return Value("string", norm, norm)


def to_value_list(originals: Sequence[str], canons: Sequence[str | None] | None = None,
                  *, dedupe: bool = True) -> list[Value]:
  """Answers (and canons, '' or None for none) -> values.

  Equal values collapse (the first is kept), as the official sets do, unless
  ``dedupe`` is False.
  """
  if canons is None:
    canons = [None] * len(originals)
  if len(canons) != len(originals):
    raise ValueError(f"{len(originals)} answers but {len(canons)} canon values")
  values = [to_value(o, c) for o, c in zip(originals, canons)]
  if not dedupe:
    return values
  unique: dict[tuple[str, Any], Value] = {}
  for v in values:
    unique.setdefault((v.kind, v.key), v)
  return list(unique.values())


def check_denotation(targets: Sequence[Value], preds: Sequence[Value]) -> bool:
  """The official rule: same size, and every target matches some prediction."""
  if len(targets) != len(preds):
    return False
  return all(any(t.matches(p) for p in preds) for t in targets)


def _check_multiset(targets: Sequence[Value], preds: Sequence[Value]) -> bool:
  """Same size and a one-to-one matching (augmenting paths)."""
  if len(targets) != len(preds):
    return False
  owner: dict[int, int] = {}  # pred index -> target index

  def assign(t: int, seen: set[int]) -> bool:
    for p, pv in enumerate(preds):
      if p not in seen and targets[t].matches(pv):
        seen.add(p)
        if p not in owner or assign(owner[p], seen):
          owner[p] = t
          return True
    return False

  return all(assign(t, set()) for t in range(len(targets)))


def denotation_match(prediction: Sequence[str], targets: Sequence[str],
                     canons: Sequence[str | None] | None = None, *,
                     multiset: bool = False) -> bool:
  """Whether a predicted answer list is right for the target list (official rule).

  (['3.0'], ['3']) -> True; (['b', 'a'], ['a', 'b']) -> True;
  (['17'], ['17 years'], ['17.0']) -> True; (['17'], ['17 years']) -> False;
  (['Bangkok', 'Thailand'], ['Bangkok, Thailand']) -> False.
  """
  if isinstance(prediction, (str, bytes)) or isinstance(targets, (str, bytes)):
    raise TypeError("denotation_match takes lists of answers; use split_answer")
  if multiset:
    return _check_multiset(to_value_list(targets, canons, dedupe=False),
                           to_value_list(prediction, dedupe=False))
  return check_denotation(to_value_list(targets, canons), to_value_list(prediction))


def split_answer(text: str | bytes, separator: str = ANSWER_SEPARATOR) -> list[str]:
  """'1,234, Paris' -> ['1,234', 'Paris']; ' a ' -> ['a']; '' -> [] (the empty denotation)."""
  if isinstance(text, bytes):
    text = text.decode("utf-8", errors="replace")
  if not isinstance(text, str):
    raise TypeError(f"expected a string, got {type(text).__name__}")
  text = text.strip()
  if not text:
    return []
  return [a.strip() for a in text.split(separator)]


# ------------------------------ answers in SeqIO ------------------------------

def _text(value: Any, what: str) -> str:
  if isinstance(value, bytes):
    return value.decode("utf-8", errors="replace")
  if isinstance(value, str):
    return value
  raise ValueError(f"{what}: expected a string, got {_describe(value)}")


def _describe(value: Any) -> str:
  r = repr(value)
  return f"{type(value).__name__} {r[:60]}{'...' if len(r) > 60 else ''}"


def _text_list(value: Any, what: str) -> list[str]:
  if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
    value = value.tolist()  # numpy arrays of bytes from SeqIO
  if not isinstance(value, (list, tuple)):
    raise ValueError(f"{what}: expected a list of strings, got {_describe(value)}")
  return [_text(v, f"{what}[{i}]") for i, v in enumerate(value)]


def as_answers(value: Any, what: str = "answer", separator: str = ANSWER_SEPARATOR
               ) -> list[str]:
  """A string (split at ``separator``) or a list of strings -> list of answers.

  Anything else (None, a number, NaN, a list holding a non-string) raises a
  ValueError naming ``what``.
  """
  if isinstance(value, (str, bytes)):
    return split_answer(value, separator)
  return _text_list(value, what)


def as_gold(value: Any, what: str = "target", separator: str = ANSWER_SEPARATOR
            ) -> tuple[list[str], list[str] | None]:
  """A target -> (answers, canons or None).

  Accepts ``{'answers': [...], 'canons': [...]}`` (what `table_qa_postprocessor`
  gives), a list of strings, or a string (split at ``separator``).
  """
  if isinstance(value, Mapping):
    if "answers" not in value:
      raise ValueError(f"{what}: a mapping without 'answers'")
    answers = _text_list(value["answers"], f"{what}.answers")
    canons = value.get("canons")
    if canons is None:
      return answers, None
    canons = _text_list(canons, f"{what}.canons")
    if len(canons) != len(answers):
      raise ValueError(f"{what}: {len(answers)} answers but {len(canons)} canons")
    return answers, canons
  return as_answers(value, what, separator), None


def denotation_postprocessor(output: Any, example: Mapping[str, Any] | None = None,
                             is_target: bool = False) -> list[str]:
  """Decoded output (or target) -> list of answers, split at ", ".

  'Paris, 1,234' -> ['Paris', '1,234']. For a target, an ``answers`` feature of
  the example is used when present. (The SQL task's; table-QA eval tasks use
  `table_qa_postprocessor`.)
  """
  if is_target and example is not None and "answers" in example:
    return _text_list(example["answers"], "answers")
  return as_answers(output, "target" if is_target else "prediction")


def table_qa_postprocessor(output: Any, example: Mapping[str, Any] | None = None,
                           is_target: bool = False) -> Any:
  """Table-QA eval tasks: the gold from the example's features, the output as text.

  A target -> ``{'answers': [...], 'canons': [...]}`` from the ``answers`` and
  ``answer_canons`` features (canon '' = none); a target is never split. A
  prediction -> the decoded string (the metrics split it at ", ").

  Raises:
    InputError: a target without the example's ``answers`` feature.
  """
  if not is_target:
    return _text(output, "prediction")
  if example is None or "answers" not in example:
    raise InputError("a table-QA target needs the example's 'answers' feature (the gold "
                     "list); splitting the target text at ', ' would break answers that "
                     "hold a comma", field="answers")
  answers = _text_list(example["answers"], "answers")
  canons = example.get("answer_canons")
  canons = [""] * len(answers) if canons is None else _text_list(canons, "answer_canons")
  if len(canons) != len(answers):
    raise InputError(f"{len(answers)} answers but {len(canons)} answer_canons",
                     field="answer_canons")
  return {"answers": answers, "canons": canons}


table_qa_postprocessor.required_features = ("answers",)


def _accuracy(name: str, targets: Sequence[Any], predictions: Sequence[Any], *,
              multiset: bool, whole: bool) -> dict[str, float]:
  if len(targets) != len(predictions):
    raise ValueError(f"{len(targets)} targets but {len(predictions)} predictions")
  if not targets:
    return {name: 0.0}
  correct = 0
  for i, (t, p) in enumerate(zip(targets, predictions)):
    answers, canons = as_gold(t, f"target #{i}")
    pred = as_answers(p, f"prediction #{i}")
    ok = denotation_match(pred, answers, canons, multiset=multiset)
    if not ok and whole and len(pred) > 1:
      ok = denotation_match([ANSWER_SEPARATOR.join(pred)], answers, canons, multiset=multiset)
    correct += ok
  return {name: 100.0 * correct / len(targets)}


def denotation_accuracy(targets: Sequence[Any], predictions: Sequence[Any],
                        *, multiset: bool = False) -> dict[str, float]:
  """SeqIO metric: {'denotation_accuracy': 100 * share right by the official rule}.

  A target is ``{'answers', 'canons'}``, a list of strings or a string; a
  prediction is a string (split at ", ") or a list of strings. Malformed
  items (None, numbers, NaN, ...) raise a ValueError naming the item.
  """
  return _accuracy("denotation_accuracy", targets, predictions, multiset=multiset,
                   whole=False)


def denotation_accuracy_or_whole(targets: Sequence[Any], predictions: Sequence[Any]
                                 ) -> dict[str, float]:
  """A named deviation: also right when the whole prediction, as one answer, is.

  'Athens, Greece' for the one gold 'Athens, Greece' is right here and wrong
  in `denotation_accuracy` (and for the official scorer given the split list).
  """
  return _accuracy("denotation_accuracy_or_whole", targets, predictions, multiset=False,
                   whole=True)
