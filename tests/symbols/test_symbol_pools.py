"""Symbol pools: disjointness, categories, distinct labels, capacity errors."""

import numpy as np
import pytest

from symtune_jax.errors import InputError
from symtune_jax.symbols import pools


def test_letter_codes():
  assert [pools.letter_code(i) for i in (0, 25, 26, 27, 701, 702)] == [
      "A", "Z", "AA", "AB", "ZZ", "AAA"]
  with pytest.raises(ValueError):
    pools.letter_code(-1)


def test_tuning_and_evaluation_pools_are_disjoint():
  tuning, evaluation = pools.tuning_pool(), pools.evaluation_pool()
  t, e = tuning.all_symbols(), evaluation.all_symbols()
  assert not t & e
  assert len(t) == len(tuning) and len(e) == len(evaluation)  # no duplicates inside a pool
  assert tuning.category_size("word") == 10_000
  assert tuning.int_range == (0, 10_000) and evaluation.int_range == (10_000, 100_000)
  assert {"the", "and", "0", "9999", "A", "ZZ"} <= t
  assert {"10000", "99999", "AAA"} <= e and "the" not in e
  assert all(len(w) >= 3 and w.isalpha() for w in evaluation.words)


def test_sample_distinct_mixed_categories():
  pool = pools.tuning_pool()
  seen_categories = set()
  for i in range(200):
    s = pool.sample(np.random.default_rng(i), 5)
    assert len(set(s)) == 5
    for x in s:
      seen_categories.add("integer" if x.isdigit() else "letters" if x.isupper() else "word")
  assert seen_categories == {"integer", "letters", "word"}


def test_too_many_classes_for_pool():
  tiny = pools.SymbolPool("tiny", (0, 2), (0, 1), ("cat",))
  assert set(tiny.sample(np.random.default_rng(0), 4)) == {"0", "1", "A", "cat"}
  with pytest.raises(InputError, match="only 4 symbols"):
    tiny.sample(np.random.default_rng(0), 5)
  with pytest.raises(InputError):
    pools.get_pool("nope")
