"""Pure selection logic on hand-made unit vectors."""

import numpy as np
import pytest

from symtune_jax.errors import InputError
from symtune_jax.selection import scoring


def _unit(*rows):
  m = np.array(rows, dtype=np.float32)
  return m / np.linalg.norm(m, axis=1, keepdims=True)


def test_pairwise_is_the_mean_over_instruction_pairs():
  rng = np.random.default_rng(0)
  target = _unit(*rng.normal(size=(3, 8)))
  sources = _unit(*rng.normal(size=(5, 8)))
  owner = np.array([0, 0, 1, 2, 2])
  got = scoring.pairwise(target, sources, owner, 3)
  for t in range(3):
    for c in range(3):
      want = np.mean([target[t] @ sources[s] for s in np.flatnonzero(
          owner == c)])
      assert got[t, c] == pytest.approx(want, abs=1e-6)


def test_mean_ranking_ties_and_exclusion():
  keys = ["p3:b", "p3:a", "niv2:c", "niv2:d"]
  per_target = np.array([[0.5, 0.5, 0.9, 0.1]])
  ranking = scoring.rank(keys, per_target, exclude=["niv2:d"])
  assert [s.key for s in ranking.ranked] == ["niv2:c", "p3:a", "p3:b"]
  assert [s.rank for s in ranking.ranked] == [1, 2, 3]
  assert ranking.excluded == ("niv2:d",)


def test_near_duplicates_are_excluded():
  keys = ["a", "b"]
  ranking = scoring.rank(keys, np.array([[0.99, 0.4]]),
                        max_cosine=np.array([0.99, 0.5]))
  assert [s.key for s in ranking.ranked] == ["b"]
  assert ranking.excluded == ("a",)


def test_rank_vote_counts_each_target_instruction():
  keys = ["a", "b", "c"]
  # Two target instructions prefer b; one strongly prefers a.
  per_target = np.array([[0.2, 0.6, 0.1], [0.3, 0.5, 0.0], [0.95, 0.4, 0.2]])
  mean = scoring.rank(keys, per_target, method="mean")
  vote = scoring.rank(keys, per_target, method="vote", vote_n=2)
  assert mean.ranked[0].key == "b"  # mean 0.5 vs 0.483
  assert vote.ranked[0].key == "b"
  assert vote.ranked[0].score == 2 + 2 + 1  # ranks 1, 1, 2 of 2 -> 2+2+1


def test_top_k_errors():
  ranking = scoring.rank(["a", "b"], np.array([[0.1, 0.2]]))
  assert [s.key for s in ranking.top(1)] == ["b"]
  with pytest.raises(InputError, match="larger than the pool"):
    ranking.top(3)
  with pytest.raises(InputError, match="at least 1"):
    ranking.top(0)
  with pytest.raises(InputError, match="unknown scoring method"):
    scoring.rank(["a"], np.array([[0.1]]), method="max")


def _scored(*pairs):
  return [scoring.Scored(key=k, score=c, mean_cosine=c, rank=i + 1)
          for i, (k, c) in enumerate(pairs)]


def test_rates_methods():
  top = _scored(("a", 0.6), ("b", 0.5), ("c", 0.4))
  uniform = scoring.rates(top)
  assert uniform == pytest.approx({"a": 1 / 3, "b": 1 / 3, "c": 1 / 3})
  prop = scoring.rates(top, method="proportional",
                      num_examples={"a": 100, "b": 10_000, "c": None}, cap=300)
  assert prop == pytest.approx({"a": 100 / 700, "b": 300 / 700,
                                "c": 300 / 700})
  sim = scoring.rates(top, method="similarity", temperature=0.1)
  assert sim["a"] > sim["b"] > sim["c"]
  assert sim["a"] / sim["b"] == pytest.approx(np.exp(1.0))


def test_fixed_shares_come_off_the_top():
  top = _scored(("a", 0.6), ("sql", 0.5), ("c", 0.4))
  out = scoring.rates(top, fixed={"sql": 0.25})
  assert out == pytest.approx({"sql": 0.25, "a": 0.375, "c": 0.375})
  assert list(out) == ["sql", "a", "c"]
  with pytest.raises(InputError, match="must leave room"):
    scoring.rates(top, fixed={"x": 0.6, "y": 0.5})
  with pytest.raises(InputError, match="in \\(0, 1\\)"):
    scoring.rates(top, fixed={"x": 1.5})
  with pytest.raises(InputError, match="temperature"):
    scoring.rates(top, method="similarity", temperature=0)
