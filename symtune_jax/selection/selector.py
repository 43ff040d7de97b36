"""INSTA: ``(target instructions, cards, encoder, k, method) -> Selection``.

Encodes every instruction of the pool and of the target (through the
encoder's cache), scores each card with `scoring.rank`, and keeps the top k.
"""

from __future__ import annotations

import dataclasses
from typing import Sequence

import numpy as np

from symtune_jax.errors import InputError
from symtune_jax.instructions.card import TaskCard
from symtune_jax.selection import scoring


@dataclasses.dataclass(frozen=True)
class Selection:
  """The result of selecting for one target.

  Attributes:
    target: the target card.
    ranking: every selectable card, ranked.
    top: the first k of the ranking that are not reserved.
    cards: key -> card, for the pool.
    per_target: ``[t, n]`` mean cosine of each target instruction to each
      pool card (columns in ``keys`` order), for plots.
    keys: the pool's card keys, in column order.
    instruction_cosine: ``[t, s]`` cosine of each target instruction to each
      pool instruction (cards' instructions contiguous, in ``keys`` order).
    owner: ``int[s]``, the column of each pool instruction's card.
  """
  target: TaskCard
  ranking: scoring.Ranking
  top: tuple[scoring.Scored, ...]
  cards: dict[str, TaskCard]
  per_target: np.ndarray
  keys: tuple[str, ...]
  instruction_cosine: np.ndarray | None = None
  owner: np.ndarray | None = None

  def column(self, key: str) -> np.ndarray:
    return self.per_target[:, self.keys.index(key)]

  def template_scores(self, key: str) -> list[tuple[str, float]]:
    """The card's instructions (templates) with their score, best first.

    A template's score is its mean cosine to the target's instructions; the
    card's (dataset's) ``mean`` score is the mean of these.
    """
    col = self.keys.index(key)
    rows = np.flatnonzero(self.owner == col)
    texts = self.cards[key].instructions
    scores = self.instruction_cosine[:, rows].mean(axis=0)
    return sorted(zip(texts, (float(x) for x in scores)),
                  key=lambda p: (-p[1], p[0]))


def select_tasks(target: TaskCard, pool: Sequence[TaskCard], encoder, *,
                 k: int, method: str = "mean", vote_n: int = 10,
                 exclude: Sequence[str] = (), reserved: Sequence[str] = (),
                 near_duplicate: float = scoring.NEAR_DUPLICATE_COSINE
                 ) -> Selection:
  """Ranks ``pool`` for ``target`` by instruction similarity; keeps top k.

  Args:
    target: the target's card (its instructions are what counts).
    pool: the source cards.
    encoder: an object with ``encode(texts) -> unit vectors``
      (`symtune_jax.selection.encoder.Encoder`).
    k: how many sources to keep.
    method: ``mean`` or ``vote`` (see `select`).
    vote_n: sources each target instruction votes for (``vote``).
    exclude: card keys to leave out (the target and its dataset).
    reserved: card keys that get a fixed share anyway (symbolic families):
      ranked, but not counted among the k selected.
    near_duplicate: cards with an instruction this close (cosine) to one of
      the target's are the target in disguise and left out.

  Returns:
    The `Selection`.
  """
  pool = [c for c in pool if c.key != target.key]
  if not pool:
    raise InputError("the pool of source tasks is empty; choose other "
                     "--pool sources", field="pool")
  keys = [c.key for c in pool]
  if len(set(keys)) != len(keys):
    dup = sorted({k for k in keys if keys.count(k) > 1})[:3]
    raise InputError(f"the pool holds the same card twice: {dup}",
                     field="pool")
  texts = [t for c in pool for t in c.instructions]
  owner = np.repeat(np.arange(len(pool)),
                    [len(c.instructions) for c in pool])
  vectors = encoder.encode(list(target.instructions) + texts)
  tvec, svec = vectors[:len(target.instructions)], vectors[
      len(target.instructions):]
  per_target = scoring.pairwise(tvec, svec, owner, len(pool))
  cos = tvec @ svec.T
  max_cosine = np.full(len(pool), -np.inf)
  np.maximum.at(max_cosine, owner, cos.max(axis=0))
  ranking = scoring.rank(keys, per_target, method=method, vote_n=vote_n,
                        exclude=exclude, max_cosine=max_cosine,
                        near_duplicate=near_duplicate)
  free = tuple(s for s in ranking.ranked if s.key not in set(reserved))
  top = scoring.Ranking(ranking.method, free, ranking.excluded).top(k)
  return Selection(target=target, ranking=ranking, top=top,
                   cards={c.key: c for c in pool}, per_target=per_target,
                   keys=tuple(keys), instruction_cosine=cos, owner=owner)
