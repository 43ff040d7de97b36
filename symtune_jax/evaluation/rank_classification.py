"""Rank classification: score each option's log-likelihood, pick the best.

A multiple-choice example becomes one (inputs, option) pair per option, with
``idx = [example index, option index]`` and ``is_correct``, the layout of
``t5.data.preprocessors.rank_classification`` (SeqIO 0.0.20 itself has no
rank-classification helpers; the T5 library's live in the ``t5`` package,
outside this stack). T5X's ``infer`` in ``score`` mode (or
``seqio.Evaluator`` with a score function) gives each pair's log-likelihood;
the metric takes, per example, the option with the highest score.

Pure Python: the tasks layer (`symtune_jax.tasks.evaluation`) feeds these
pairs to SeqIO.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Iterator, Mapping, Sequence


@dataclasses.dataclass(frozen=True)
class MultipleChoice:
  """A prompt, its options and the index of the correct one."""
  id: str
  inputs: str
  options: tuple[str, ...]
  answer: int

  def __post_init__(self):
    if not 0 <= self.answer < len(self.options):
      raise ValueError(f"{self.id}: answer {self.answer} not in 0..{len(self.options) - 1}")


def expand(example: MultipleChoice, index: int) -> Iterator[dict[str, Any]]:
  """One scoring pair per option.

  MultipleChoice('q1', 'Is it?', ('yes', 'no'), 0), index 7 ->
  {'inputs': 'Is it?', 'targets': 'yes', 'idx': [7, 0], 'is_correct': True},
  {'inputs': 'Is it?', 'targets': 'no', 'idx': [7, 1], 'is_correct': False}.
  """
  for j, option in enumerate(example.options):
    yield {"id": example.id, "inputs": example.inputs, "targets": option,
           "idx": [index, j], "is_correct": j == example.answer}


def _plain(value: Any) -> Any:
  return value.tolist() if hasattr(value, "tolist") else value


def rank_classification_postprocessor(output: Any, example: Mapping[str, Any] | None = None,
                                      is_target: bool = False) -> Any:
  """Target -> ((example index, option index), is_correct); a score passes through.

  (b'yes', example={'idx': [7, 0], 'is_correct': True}, is_target=True) ->
  ((7, 0), True); (-1.25) -> -1.25.
  """
  if not is_target:
    return output
  if example is None or "idx" not in example or "is_correct" not in example:
    raise ValueError("rank classification targets need the example's 'idx' and "
                     "'is_correct' features")
  idx = _plain(example["idx"])
  return (int(idx[0]), int(idx[1])), bool(_plain(example["is_correct"]))


def rank_classification_accuracy(targets: Sequence[tuple[tuple[int, int], bool]],
                                 scores: Sequence[float]) -> dict[str, float]:
  """SeqIO score metric: {'rank_classification_accuracy': percent}.

  Per example (``idx[0]``), the option with the highest score is the
  prediction; ties go to the lower option index. Examples whose options have
  no correct one are counted wrong.
  """
  if len(targets) != len(scores):
    raise ValueError(f"{len(targets)} targets but {len(scores)} scores")
  best: dict[int, tuple[float, int, bool]] = {}
  for ((ex, opt), correct), score in zip(targets, scores):
    score = float(_plain(score) if not isinstance(score, (list, tuple)) else sum(score))
    cur = best.get(ex)
    if cur is None or score > cur[0] or (score == cur[0] and opt < cur[1]):
      best[ex] = (score, opt, bool(correct))
  if not best:
    return {"rank_classification_accuracy": 0.0}
  right = sum(1 for _, _, c in best.values() if c)
  return {"rank_classification_accuracy": 100.0 * right / len(best)}
