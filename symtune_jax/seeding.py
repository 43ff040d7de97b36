"""`random.Random` objects seeded as ``random.Random(seed)`` seeds them, minus
the Python-level checks on the way (for code that makes one per attempt).

``random.Random(x)`` runs ``Random.seed`` in Python, which for an int hands it
to the C seeding, and for a str first appends the SHA-512 of its UTF-8 bytes
and reads the whole as one big-endian int (version 2). Here the C seeding is
called with that int directly: the same state, the same stream (tests compare
them with ``random.Random(x)``).

Given an existing ``rng``, both reseed that object instead of making one: the C
seeding replaces its whole state (as ``rng.seed(x)`` does), and a process that
seeds one generator per attempt is spared allocating, zeroing and freeing 2.5 KB
for each (see `ExampleBuilder.examples`). Only for objects no one else draws from.

    >>> from_int(7).random() == random.Random(7).random()
    True
    >>> from_text("0/1/2/3").random() == random.Random("0/1/2/3").random()
    True
"""

from __future__ import annotations

import random

import _random

_new = random.Random.__new__  # an unseeded object (seeded below)
_seed = _random.Random.seed  # the C seeding, from an int
try:  # the digest `random.Random.seed` takes
  from _sha512 import sha512 as _sha512  # pylint: disable=g-import-not-at-top
except ImportError:  # (a Python built without it: random.py falls back the same way)
  from hashlib import sha512 as _sha512  # pylint: disable=g-import-not-at-top


def from_int(seed: int, rng: random.Random | None = None) -> random.Random:
  """``random.Random(seed)`` for an int ``seed`` (``rng``: that object, reseeded)."""
  if rng is None:
    rng = _new(random.Random)
  _seed(rng, seed)
  rng.gauss_next = None  # (what `random.Random.seed` sets too)
  return rng


def from_text(text: str, rng: random.Random | None = None) -> random.Random:
  """``random.Random(text)`` for a str ``text`` (seed version 2; ``rng``: that
  object, reseeded)."""
  key = text.encode()
  if rng is None:
    rng = _new(random.Random)
  _seed(rng, int.from_bytes(key + _sha512(key).digest()))
  rng.gauss_next = None
  return rng


def unseeded() -> random.Random:
  """A `random.Random` to reseed with `from_int` or `from_text` before any draw."""
  return _new(random.Random)
