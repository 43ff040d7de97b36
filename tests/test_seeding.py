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


@pytest.mark.parametrize("seed", [0, 7, 2**62 - 1, 3**80])
def test_reseeding_an_object_gives_the_fresh_stream(seed):
  """A used generator reseeded in place (`from_int` / `from_text` with ``rng``)
  draws what a new one does: its whole state is replaced, the cached gauss too."""
  used = random.Random(99)
  used.random()
  used.gauss(0, 1)  # leaves gauss_next set
  assert seeding.from_int(seed, used) is used
  ref = random.Random(seed)
  assert used.getstate() == ref.getstate()
  assert [used.random() for _ in range(700)] == [ref.random() for _ in range(700)]  # past a twist
  text = f"{seed}/1/2/3"
  assert seeding.from_text(text, used) is used
  ref = random.Random(text)
  assert used.getstate() == ref.getstate()
  assert [used.getrandbits(62) for _ in range(20)] == [ref.getrandbits(62) for _ in range(20)]
  fresh = seeding.unseeded()
  assert type(fresh) is random.Random
  assert seeding.from_int(seed, fresh).getstate() == random.Random(seed).getstate()
