"""Truncation to a token budget."""

import numpy as np
import pytest

from symtune_jax.tables import linearize, truncate
from symtune_jax.tables.table import ColumnType, Table


def _table(n=30):
  return Table.from_rows("t", ["id", "name", "score"],
                         [[str(i), f"player number {i}", str(i * 7)] for i in range(n)])


def test_approx_token_length():
  assert truncate.approx_token_length("col : a | 1,999") == 7
  assert truncate.approx_token_length("") == 0


def test_fits_whole_table():
  t = _table(3)
  out = truncate.fit_to_budget(t, 10_000)
  assert out.rows == t.rows


@pytest.mark.parametrize("length_fn", [truncate.approx_token_length, len,
                                       lambda s: len(s.encode("utf-8"))])
@pytest.mark.parametrize("lin", [linearize.tapex, linearize.markdown])
@pytest.mark.parametrize("budget", [20, 60, 150, 400])
def test_budget_respected_and_maximal(length_fn, lin, budget):
  t = _table()
  out = truncate.fit_to_budget(t, budget, length_fn, linearize=lin)
  assert length_fn(lin(out)) <= budget or out.num_rows == 0
  assert out.rows == t.rows[:out.num_rows]  # dropped from the end
  if out.num_rows < t.num_rows:
    assert length_fn(lin(t.select_rows(range(out.num_rows + 1)))) > budget


def test_random_rows_with_rng_are_deterministic():
  t = _table(200)
  a = truncate.fit_to_budget(t, 300, rng=np.random.default_rng(1))
  b = truncate.fit_to_budget(t, 300, rng=np.random.default_rng(1))
  c = truncate.fit_to_budget(t, 300, rng=np.random.default_rng(2))
  assert a.rows == b.rows and a.rows != c.rows
  ids = [int(r[0]) for r in a.rows]
  assert ids == sorted(ids) and ids != list(range(len(ids)))
  assert truncate.approx_token_length(linearize.tapex(a)) <= 300


def test_generic_linearizer_bisection():
  t = _table(50)
  lin = lambda table: "\n".join(",".join(r) for r in (table.header,) + table.rows)
  out = truncate.fit_to_budget(t, 200, len, linearize=lin)
  assert len(lin(out)) <= 200 < len(lin(t.select_rows(range(out.num_rows + 1))))


class _JoinCostLength:
  """A length function that is not additive: each ' row ' boundary costs 3 more."""

  def __init__(self):
    self.calls = 0

  def __call__(self, text):
    self.calls += 1
    return len(text.split()) + 3 * text.count(" row ")


def test_non_additive_length_fn_is_checked_and_corrected():
  t = _table(40)
  fn = _JoinCostLength()
  out = truncate.fit_to_budget(t, 100, fn)
  assert fn(linearize.tapex(out)) <= 100
  assert fn(linearize.tapex(t.select_rows(range(out.num_rows + 1)))) > 100
  assert 0 < out.num_rows < 40


def test_result_is_display_form_so_sql_sees_what_model_sees():
  t = Table.from_rows("t", ["a|b", "n"], [["x|y\nz", "1"], ["w" * 300, "2"]])
  out = truncate.fit_to_budget(t, 10_000, max_cell_chars=100)
  # Cells are cleaned by the loaders, not here: only the cut shows.
  assert out.header == ("a|b", "n")
  assert out.rows == (("x|y\nz", "1"), ("w" * 100, "2"))
  assert out.types == (ColumnType.TEXT, ColumnType.NUMBER)
  assert linearize.tapex(out) == linearize.tapex(t, max_cell_chars=100)
  got = out.to_sqlite().execute('SELECT "a|b" FROM w WHERE n = 2').fetchone()
  assert got == ("w" * 100,)


def test_header_over_budget_gives_no_rows():
  out = truncate.fit_to_budget(_table(), 2)
  assert out.num_rows == 0 and out.header == ("id", "name", "score")


def test_dropped_rows_gone_before_sql():
  t = _table(100)
  out = truncate.fit_to_budget(t, 120)
  conn = out.to_sqlite()
  assert conn.execute("SELECT COUNT(*) FROM w").fetchone() == (out.num_rows,)
  assert conn.execute("SELECT MAX(id) FROM w").fetchone() == (float(out.num_rows - 1),)


def test_vocab_length_fn():
  class Vocab:
    def encode(self, s):
      return list(s.encode("utf-8"))
  v = Vocab()
  fn = truncate.vocab_length_fn(v)
  assert fn is truncate.vocab_length_fn(v)
  assert fn("h\u00e9") == 3


def test_vocab_length_fn_with_seqio_byte_vocab():
  seqio = pytest.importorskip("seqio")
  fn = truncate.vocab_length_fn(seqio.ByteVocabulary())
  t = _table(60)
  out = truncate.fit_to_budget(t, 256, fn)
  assert 0 < out.num_rows < 60 and fn(linearize.tapex(out)) <= 256


def test_byte_length_is_the_byte_vocabulary_count():
  """`lengths.byte_length` counts an ASCII text without encoding it: the same
  count as ``seqio.ByteVocabulary().encode`` for ASCII, accented, CJK and
  emoji texts, and for the prompts a WTQ table makes."""
  seqio = pytest.importorskip("seqio")
  vocab = seqio.ByteVocabulary()
  texts = ["", "a", "col : name | year row 1 : a | 1999", "h\u00e9", "caf\u00e9 | \u6771\u4eac",
           "\U0001f600 x", "\x7f\x00", linearize.tapex(_table(60))]
  for text in texts:
    assert truncate.utf8_length(text) == len(vocab.encode(text)) == len(text.encode("utf-8")), text


def test_negative_budget():
  with pytest.raises(ValueError):
    truncate.fit_to_budget(_table(), -1)


def _lazy_order(n, seed):
  """The order `fit_to_budget` keeps rows in for ``order_seed``: a Fisher-Yates
  shuffle where position i takes i + int(random() * (n - i))."""
  import random  # pylint: disable=g-import-not-at-top
  draw = random.Random(seed).random
  pool = list(range(n))
  for i in range(n):
    j = i + int(draw() * (n - i))
    pool[i], pool[j] = pool[j], pool[i]
  return pool


@pytest.mark.parametrize("length_fn", [truncate.approx_token_length, truncate.utf8_length, len])
@pytest.mark.parametrize("lin", [linearize.tapex, linearize.markdown])
def test_rows_kept_are_the_longest_prefix_of_the_order_that_fits(length_fn, lin):
  """Against the plain definition: rows are taken in the seed's order, one at a
  time, until the next one makes the linearized table longer than the budget."""
  import random  # pylint: disable=g-import-not-at-top
  rng = random.Random(5)
  for trial in range(60):
    n = rng.choice([1, 2, 7, 8, 9, 17, 40, 130, 300])
    t = Table.from_rows("t", ["id", "name", "score"],
                        [[str(i), "x" * rng.randint(0, 30), str(rng.randint(0, 99))]
                         for i in range(n)])
    budget = rng.randint(0, length_fn(lin(t)) + 20)
    seed = rng.getrandbits(62) if trial % 4 else None
    out = truncate.fit_to_budget(t, budget, length_fn, linearize=lin, order_seed=seed)
    order = _lazy_order(n, seed) if seed is not None else list(range(n))
    k = 0
    while k < n and length_fn(lin(t.select_rows(sorted(order[:k + 1])))) <= budget:
      k += 1
    assert out.rows == t.select_rows(sorted(order[:k])).rows, (n, budget, seed)
