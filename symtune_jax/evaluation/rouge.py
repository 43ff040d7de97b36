"""ROUGE-L and exact match for Super-NaturalInstructions (NIV2).

Follows the NIV2 evaluation (allenai/natural-instructions ``eval/automatic/
compute_metrics.py``): each prediction is scored against every reference
output of its instance and the best score counts; ROUGE-L is the F-measure
of the longest common subsequence of tokens; exact match compares texts after
lower-casing and dropping punctuation, articles and extra spaces. Tokens are
runs of letters/digits in any script (lower-cased), so non-English outputs
are scored too (rouge-score's default tokenizer drops non-ASCII text).
"""

from __future__ import annotations

import re
import string
from typing import Any, Mapping, Sequence

from rouge_score import rouge_scorer

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCT = str.maketrans("", "", string.punctuation)


class _Tokenizer:
  """rouge-score tokenizer: lower-cased runs of letters/digits, any script."""

  def tokenize(self, text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


_SCORER = rouge_scorer.RougeScorer(["rougeL"], tokenizer=_Tokenizer())


def _text(value: Any) -> str:
  if isinstance(value, bytes):
    return value.decode("utf-8", errors="replace")
  return str(value)


def _references(value: Any) -> list[str]:
  """A target as a list of reference strings (str, bytes or a sequence)."""
  if hasattr(value, "tolist"):
    value = value.tolist()
  if isinstance(value, (str, bytes)):
    return [_text(value)]
  return [_text(v) for v in value]


def normalize_answer(text: str) -> str:
  """'The  Cat!' -> 'cat'."""
  text = _text(text).lower().translate(_PUNCT)
  return " ".join(_ARTICLES.sub(" ", text).split())


def rouge_l(prediction: str, references: Sequence[str]) -> float:
  """Best ROUGE-L F-measure of ``prediction`` over ``references`` (0..1)."""
  return max((_SCORER.score(r, prediction)["rougeL"].fmeasure
              for r in references), default=0.0)


def exact(prediction: str, references: Sequence[str]) -> bool:
  return any(normalize_answer(prediction) == normalize_answer(r)
             for r in references)


def niv2_postprocessor(output: Any, example: Mapping[str, Any] | None = None,
                       is_target: bool = False) -> Any:
  """Decoded text -> str; a target -> all its reference outputs.

  For a target, the example's ``answers`` feature (every acceptable output of
  the instance) is used when present: ``[b"yes", b"Yes."] -> ["yes", "Yes."]``.
  """
  if is_target and example is not None and "answers" in example:
    return _references(example["answers"])
  return _text(output)


def rouge_l_metric(targets: Sequence[Any], predictions: Sequence[Any]
                   ) -> dict[str, float]:
  """SeqIO metric: ``{"rougeL": mean best ROUGE-L x 100}``."""
  if len(targets) != len(predictions):
    raise ValueError(f"{len(targets)} targets but {len(predictions)} "
                     "predictions")
  if not targets:
    return {"rougeL": 0.0}
  total = sum(rouge_l(_text(p), _references(t))
              for t, p in zip(targets, predictions))
  return {"rougeL": 100.0 * total / len(targets)}


def exact_match_metric(targets: Sequence[Any], predictions: Sequence[Any]
                       ) -> dict[str, float]:
  """SeqIO metric: ``{"exact_match": % predictions equal to a reference}``."""
  if len(targets) != len(predictions):
    raise ValueError(f"{len(targets)} targets but {len(predictions)} "
                     "predictions")
  if not targets:
    return {"exact_match": 0.0}
  hits = sum(exact(_text(p), _references(t))
             for t, p in zip(targets, predictions))
  return {"exact_match": 100.0 * hits / len(targets)}
