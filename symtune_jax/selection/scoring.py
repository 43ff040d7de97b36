"""INSTA selection over embeddings: scores, rank vote, top-k and rates.

Pure functions of numpy arrays and plain data (no model, no SeqIO), so they
are tested in plain Python. Embeddings are unit vectors: a dot product is a
cosine.

* ``mean``: a source's score is the mean cosine over every (target
  instruction, source instruction) pair.
* ``vote``: each target instruction ranks the sources by its mean cosine to
  their instructions; the top ``vote_n`` get ``vote_n - rank + 1`` points
  (rank 1 = best); a source's score is its points summed over the target's
  instructions, ties broken by the mean score.

Ties are always broken by the card key, so a ranking is deterministic.
"""

from __future__ import annotations

import collections
import dataclasses
import math
from typing import Mapping, Sequence

import numpy as np

from symtune_jax.errors import InputError

METHODS = ("mean", "vote")
RATE_METHODS = ("uniform", "proportional", "similarity")
# Sources this close to a target instruction are the target itself.
NEAR_DUPLICATE_COSINE = 0.95


@dataclasses.dataclass(frozen=True)
class Scored:
  """One ranked source task."""
  key: str          # card key, "<source>:<name>"
  score: float      # the method's score (mean cosine, or rank-vote points)
  mean_cosine: float
  rank: int         # 1-based


@dataclasses.dataclass(frozen=True)
class Ranking:
  """Sources ranked for one target, and what was excluded as the target."""
  method: str
  ranked: tuple[Scored, ...]
  excluded: tuple[str, ...]

  def top(self, k: int) -> tuple[Scored, ...]:
    if k < 1:
      raise InputError(f"k must be at least 1, got {k}", field="k")
    if k > len(self.ranked):
      raise InputError(
          f"k={k} is larger than the pool of {len(self.ranked)} selectable "
          "tasks; pass a smaller --k or a larger pool", field="k")
    return self.ranked[:k]


def pairwise(target: np.ndarray, sources: np.ndarray,
             owner: np.ndarray, n_cards: int) -> np.ndarray:
  """Mean cosine of each target instruction to each card's instructions.

  Args:
    target: ``float32[t, d]`` unit vectors of the target's instructions.
    sources: ``float32[s, d]`` unit vectors of all source instructions.
    owner: ``int[s]``, the card index of each source instruction (cards'
      instructions are contiguous and in card order).
    n_cards: number of cards.

  Returns:
    ``float64[t, n_cards]``.
  """
  cos = target.astype(np.float64) @ sources.astype(np.float64).T  # [t, s]
  sums = np.zeros((target.shape[0], n_cards))
  np.add.at(sums.T, owner, cos.T)
  counts = np.bincount(owner, minlength=n_cards)
  return sums / np.maximum(counts, 1)


def rank(keys: Sequence[str], per_target: np.ndarray, *, method: str = "mean",
         vote_n: int = 10, exclude: Sequence[str] = (),
         max_cosine: np.ndarray | None = None,
         near_duplicate: float = NEAR_DUPLICATE_COSINE) -> Ranking:
  """Ranks cards for a target.

  Args:
    keys: card keys, one per column of ``per_target``.
    per_target: ``[t, n]`` mean cosine of each target instruction to each card
      (see `pairwise`).
    method: ``mean`` or ``vote``.
    vote_n: how many sources each target instruction votes for.
    exclude: card keys that are the target (or its dataset): never ranked.
    max_cosine: optional ``[n]`` highest cosine between any target instruction
      and any of the card's instructions; cards above ``near_duplicate`` are
      near-duplicates of the target and excluded.
    near_duplicate: the cosine threshold for that.

  Returns:
    The `Ranking`, best first.
  """
  if method not in METHODS:
    raise InputError(f"unknown scoring method {method!r}; use one of "
                     f"{METHODS}", field="method")
  n = len(keys)
  if per_target.shape[1] != n:
    raise ValueError(f"{per_target.shape[1]} score columns for {n} cards")
  drop = set(exclude)
  if max_cosine is not None:
    drop |= {k for k, c in zip(keys, max_cosine) if c > near_duplicate}
  keep = [i for i, k in enumerate(keys) if k not in drop]
  mean = per_target.mean(axis=0)
  if method == "mean":
    score = mean
  else:
    score = np.zeros(n)
    for row in per_target:
      order = sorted(keep, key=lambda i: (-row[i], keys[i]))[:vote_n]
      for r, i in enumerate(order):
        score[i] += vote_n - r
  order = sorted(keep, key=lambda i: (-score[i], -mean[i], keys[i]))
  ranked = tuple(Scored(key=keys[i], score=float(score[i]),
                        mean_cosine=float(mean[i]), rank=r + 1)
                 for r, i in enumerate(order))
  excluded = tuple(sorted(k for k in keys if k in drop))
  return Ranking(method=method, ranked=ranked, excluded=excluded)


def unranked(keys: Sequence[str]) -> tuple[Scored, ...]:
  """Every key, unscored and sorted: the selection that keeps all tasks.

  Flan-style instruction tuning (method A) trains on every training task of a
  meta-dataset instead of the top k for a target; `rates` then gives their
  ``uniform`` or ``proportional`` rates (there are no scores for
  ``similarity``). Sorting makes the order independent of the input's.

  Example: ``["niv2:b", "niv2:a"] -> (Scored("niv2:a", 0.0, 0.0, 1),
  Scored("niv2:b", 0.0, 0.0, 2))``.
  """
  dup = sorted(k for k, n in collections.Counter(keys).items() if n > 1)
  if dup:
    raise InputError(f"the same card twice: {dup[:3]}", field="pool")
  return tuple(Scored(key=k, score=0.0, mean_cosine=0.0, rank=i + 1)
               for i, k in enumerate(sorted(keys)))


def rates(selected: Sequence[Scored], *, method: str = "uniform",
          num_examples: Mapping[str, int | None] | None = None,
          cap: int = 3000, temperature: float = 0.05,
          fixed: Mapping[str, float] | None = None) -> dict[str, float]:
  """Mixing rates (summing to 1) for the selected tasks plus fixed shares.

  Args:
    selected: the top-k ranked sources.
    method: ``uniform``; ``proportional`` to ``min(num_examples, cap)``
      (unknown / unbounded counts as ``cap``, as FLAN caps its submixes);
      ``similarity``: softmax of the mean cosine / ``temperature``.
    num_examples: card key -> example count, for ``proportional``.
    cap: the example cap for ``proportional``.
    temperature: for ``similarity``; smaller is peakier.
    fixed: card key -> fixed share (e.g. ``{"symbolic:sql_execution": 0.25}``)
      taken off the top; the selected tasks share the rest. A fixed task that
      was also selected keeps only its fixed share.

  Returns:
    key -> rate, rates summing to 1 (fixed keys first, then rank order).
  """
  fixed = dict(fixed or {})
  for key, share in fixed.items():
    if not 0 < share < 1:
      raise InputError(f"the fixed share of {key} must be in (0, 1), got "
                       f"{share}", field="symbolic-share")
  rest = 1.0 - sum(fixed.values())
  if rest <= 0:
    raise InputError(f"fixed shares sum to {sum(fixed.values()):.3f}; they "
                     "must leave room (< 1) for the selected tasks",
                     field="symbolic-share")
  chosen = [s for s in selected if s.key not in fixed]
  if method not in RATE_METHODS:
    raise InputError(f"unknown rates method {method!r}; use one of "
                     f"{RATE_METHODS}", field="rates")
  if not chosen:
    weights = np.zeros(0)
  elif method == "uniform":
    weights = np.ones(len(chosen))
  elif method == "proportional":
    if cap < 1:
      raise InputError(f"the example cap must be >= 1, got {cap}", field="cap")
    counts = num_examples or {}
    weights = np.array([min(cap, counts.get(s.key) or cap) for s in chosen],
                       dtype=np.float64)
  else:
    if not temperature > 0:
      raise InputError(f"temperature must be > 0, got {temperature}",
                       field="temperature")
    logits = np.array([s.mean_cosine for s in chosen]) / temperature
    weights = np.exp(logits - logits.max())
  out = dict(fixed)
  if not chosen:
    total = sum(out.values())
    return {k: v / total for k, v in out.items()}
  weights = weights / weights.sum() * rest
  for s, w in zip(chosen, weights):
    out[s.key] = float(w)
  assert math.isclose(sum(out.values()), 1.0, rel_tol=1e-9)
  return out
