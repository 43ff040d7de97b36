"""`seeding`: the same streams as ``random.Random(seed)``."""

import random

import pytest

from symtune_jax import seeding


@pytest.mark.parametrize("seed", [0, 1, 7, 2**31 - 1, 2**32, 2**62 - 1, 3**80, -5])
def test_from_int_is_random_seeded_with_the_int(seed):
  ours, ref = seeding.from_int(seed), random.Random(seed)
  assert type(ours) is random.Random
  assert ours.getstate() == ref.getstate()
  assert [ours.random() for _ in range(50)] == [ref.random() for _ in range(50)]
  assert ours.gauss(0, 1) == ref.gauss(0, 1)


@pytest.mark.parametrize("text", ["", "0/0/0/0", "123/2/99999/start", "ünïcode ✓", "x" * 3000])
def test_from_text_is_random_seeded_with_the_text(text):
  ours, ref = seeding.from_text(text), random.Random(text)
  assert ours.getstate() == ref.getstate()
  assert [ours.getrandbits(62) for _ in range(20)] == [ref.getrandbits(62) for _ in range(20)]
  assert ours.gauss(0, 1) == ref.gauss(0, 1)


def test_different_seeds_give_different_streams():
  assert seeding.from_int(1).random() != seeding.from_int(2).random()
  assert seeding.from_text("a").random() != seeding.from_text("b").random()
