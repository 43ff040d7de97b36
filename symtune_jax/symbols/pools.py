"""Symbol pools: the arbitrary labels that replace class names in symbol tuning.

A pool has three categories of symbols: integers, letter codes (A..Z, AA, AB,
...) and words. Each label of a prompt draws its own category at random, and
the labels of one prompt are distinct (Wei et al. 2023, section 2).

Two pools are defined and share nothing, so evaluation symbols are never seen
in tuning:

  tuning:     integers 0..9999, letter codes A..ZZ (702), the 10,000 most
              frequent alphabetic English words of `wordfreq`.
  evaluation: integers 10000..99999, letter codes AAA..ZZZ (17,576), and
              alphabetic words of length >= 3 ranked beyond the tuning words
              (up to `EVAL_WORDS` of them).

Words are lower-case and letter codes upper-case, so the categories cannot
collide either. Pools are built lazily on first use and cached.
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np

from symtune_jax.errors import InputError

CATEGORIES = ("integer", "letters", "word")
TUNING_WORDS = 10_000
EVAL_WORDS = 20_000
_WORDFREQ_SCAN = 80_000


def letter_code(index: int) -> str:
  """Spreadsheet-style code of a 0-based index.

  Example: 0 -> "A", 25 -> "Z", 26 -> "AA", 27 -> "AB", 702 -> "AAA".
  """
  if index < 0:
    raise ValueError(f"letter code index must be >= 0, got {index}")
  out = []
  n = index + 1
  while n:
    n, rem = divmod(n - 1, 26)
    out.append(chr(ord("A") + rem))
  return "".join(reversed(out))


@dataclasses.dataclass(frozen=True)
class SymbolPool:
  """A set of symbols in three categories.

  Attributes:
    name: "tuning", "evaluation" or a user name.
    int_range: half-open integer range [lo, hi) of integer symbols.
    letter_range: half-open range of `letter_code` indices.
    words: the word symbols.
  """
  name: str
  int_range: tuple[int, int]
  letter_range: tuple[int, int]
  words: tuple[str, ...]

  def category_size(self, category: str) -> int:
    if category == "integer":
      return self.int_range[1] - self.int_range[0]
    if category == "letters":
      return self.letter_range[1] - self.letter_range[0]
    if category == "word":
      return len(self.words)
    raise ValueError(f"unknown symbol category {category!r}; expected one of {CATEGORIES}")

  def __len__(self) -> int:
    return sum(self.category_size(c) for c in CATEGORIES)

  def symbol(self, category: str, i: int) -> str:
    """The i-th symbol of a category (0-based)."""
    if category == "integer":
      return str(self.int_range[0] + i)
    if category == "letters":
      return letter_code(self.letter_range[0] + i)
    return self.words[i]

  def all_symbols(self) -> frozenset[str]:
    """Every symbol of the pool (builds ~100k strings: for tests and checks)."""
    return frozenset(self.symbol(c, i) for c in CATEGORIES for i in range(self.category_size(c)))

  def sample(self, rng: np.random.Generator, n: int) -> tuple[str, ...]:
    """`n` distinct symbols; each draws its own category uniformly at random.

    Example: sample(rng, 3) -> ("4821", "QF", "lantern").

    Raises:
      InputError: if the pool cannot name `n` distinct labels.
    """
    if n > len(self):
      raise InputError(f"{n} classes but the {self.name!r} symbol pool has only {len(self)} "
                       "symbols; use a larger pool", field="label_names")
    sizes = [self.category_size(c) for c in CATEGORIES]
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < n:
      c = int(rng.integers(len(CATEGORIES)))
      if sizes[c] == 0:
        continue
      s = self.symbol(CATEGORIES[c], int(rng.integers(sizes[c])))
      if s not in seen:
        seen.add(s)
        out.append(s)
    return tuple(out)


@functools.cache
def _word_lists() -> tuple[tuple[str, ...], tuple[str, ...]]:
  import wordfreq  # pylint: disable=g-import-not-at-top

  ranked = wordfreq.top_n_list("en", _WORDFREQ_SCAN)
  tuning: list[str] = []
  seen: set[str] = set()
  rest_from = len(ranked)
  for r, w in enumerate(ranked):
    if w.isascii() and w.isalpha() and w.islower() and w not in seen:
      tuning.append(w)
      seen.add(w)
      if len(tuning) == TUNING_WORDS:
        rest_from = r + 1
        break
  evaluation: list[str] = []
  for w in ranked[rest_from:]:
    if (len(w) >= 3 and w.isascii() and w.isalpha() and w.islower() and w not in seen):
      evaluation.append(w)
      seen.add(w)
      if len(evaluation) == EVAL_WORDS:
        break
  return tuple(tuning), tuple(evaluation)


@functools.cache
def tuning_pool() -> SymbolPool:
  """Integers 0..9999, codes A..ZZ, the 10k most frequent English words."""
  return SymbolPool("tuning", (0, 10_000), (0, 702), _word_lists()[0])


@functools.cache
def evaluation_pool() -> SymbolPool:
  """Integers 10000..99999, codes AAA..ZZZ, rarer words; disjoint from `tuning_pool`."""
  return SymbolPool("evaluation", (10_000, 100_000), (702, 702 + 26**3), _word_lists()[1])


def get_pool(name: str) -> SymbolPool:
  """`tuning_pool()` or `evaluation_pool()` by name."""
  if name == "tuning":
    return tuning_pool()
  if name == "evaluation":
    return evaluation_pool()
  raise InputError(f"unknown symbol pool {name!r}; expected 'tuning' or 'evaluation'",
                   field="pool")
