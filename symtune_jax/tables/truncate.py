"""Truncating a table to a token budget, before anything executes on it.

`fit_to_budget` returns the table the model will see: its cells in display
form (`linearize.clean_cell`, cut to ``max_cell_chars``) and only the rows that
fit. SQL then runs on that table, so answers never come from rows or text the
model was not shown.

Lengths: each row's text is measured once (TAPEX and markdown rows are
independent pieces joined by one separator) and summed; only the final
candidate is measured whole, to check the sum, and trimmed further in the rare
case the tokenizer merges across pieces.
"""

from __future__ import annotations

import functools
import random
import threading
from typing import Callable, Sequence

import numpy as np

from symtune_jax import lengths, seeding
from symtune_jax.lengths import LengthFn
from symtune_jax.tables import linearize as lin
from symtune_jax.tables.table import Table, normalize_header


# Cells longer than this are cut (in the table returned, so SQL sees the cut
# text too): one long paragraph cell must not use up the whole budget.
DEFAULT_MAX_CELL_CHARS = 100



# The one token counter module (re-exported: tables code imports them from here).
approx_token_length = lengths.approx_token_length
utf8_length = lengths.byte_length
vocab_length_fn = lengths.vocab_length_fn


# Length functions for which the row-by-row sum is exactly the whole text's.
_ADDITIVE = {approx_token_length, utf8_length}

# (header_fn, row_fn, separator) for linearizers whose text is
# separator.join([header_fn(header)] + [row_fn(i, row) for i, row in rows]).
_PIECEWISE = {
    lin.tapex: (lin.tapex_header, lin.tapex_row, " "),
    lin.markdown: (lin.markdown_header, lin.markdown_row, "\n"),
}

# Per table and length function: measured lengths, so a table sampled for many
# queries is tokenized once. Kept on the table itself (they go with it).
_LENGTH_ATTR = "_token_lengths"


def _lengths(table: Table) -> dict:
  return table.cache(_LENGTH_ATTR)


def _separator_cost(length_fn: LengthFn, sep: str) -> int:
  """Tokens a separator adds between two pieces (0 for SentencePiece on ' ')."""
  return max(0, length_fn(f"a{sep}b") - length_fn("a") - length_fn("b"))


def _display_table(table: Table, max_cell_chars: int | None) -> Table:
  header, rows = lin.display_cells(table, max_cell_chars)
  if header is table.header and rows is table.rows:
    return table
  if header == table.header and rows == table.rows:
    # Already in display form: next time the identity check above decides.
    lin.display_forms(table)[max_cell_chars] = (table.header, table.rows)
    return table
  if header != table.header and len({h.lower() for h in header}) != len(header):
    header = normalize_header(header)
  out = Table(table_id=table.table_id, header=header, rows=rows, types=table.types,
              caption=table.caption)
  # The display form of a display-form table is itself.
  lin.display_forms(out).update({None: (out.header, out.rows),
                                 max_cell_chars: (out.header, out.rows)})
  return out


def _displayed(table: Table, max_cell_chars: int | None) -> Table:
  """Marks a table made of display-form cells as its own display form (no re-cleaning)."""
  lin.display_forms(table).update({None: (table.header, table.rows),
                                   max_cell_chars: (table.header, table.rows)})
  return table


def _measure(table: Table, length_fn: LengthFn, header_fn, row_fn, sep: str,
             lower: bool) -> tuple[int, list[int], int, int]:
  """(header length, content length per row, separator cost, row-by-row length
  of the whole table), cached."""
  per_table = _lengths(table)
  key = (length_fn, header_fn, lower)
  hit = per_table.get(key)
  if hit is None:
    header, rows = lin.display_cells(table)
    sep_cost = _separator_cost(length_fn, sep)
    head = length_fn(header_fn(header, lower=lower))
    # A row's text is "<prefix> <cells>": the prefix ('row 12 :') depends on
    # the row's new position and is measured apart (see _prefix_lengths).
    # Each TAPEX row adds two separators (before 'row i :' and after it).
    if header_fn is lin.tapex_header:
      row_lens = [length_fn((" | ".join(r)).lower() if lower else " | ".join(r))
                  + 2 * sep_cost for r in rows]
    else:
      row_lens = [length_fn(row_fn(0, r, lower=lower)) + sep_cost for r in rows]
    total = head + sum(row_lens) + sum(_prefix_table(length_fn, header_fn, len(rows))
                                       [:len(rows)])
    hit = per_table[key] = (head, row_lens, sep_cost, total)
  return hit


@functools.lru_cache(maxsize=64)
def _prefix_lengths(length_fn: LengthFn, n: int) -> tuple[int, ...]:
  """Lengths of 'row i :' for i = 1..n (TAPEX row prefixes)."""
  return tuple(length_fn(f"row {i} :") for i in range(1, n + 1))


def _prefix_table(length_fn: LengthFn, header_fn, n: int) -> Sequence[int]:
  """The prefix cost of positions 0.. (at least n of them; 'row i :' for TAPEX, else 0)."""
  if header_fn is not lin.tapex_header:
    return _zeros(max(64, -(-n // 64) * 64))
  # In blocks of 64 so the cache serves tables of similar size.
  return _prefix_lengths(length_fn, max(64, -(-n // 64) * 64))


@functools.lru_cache(maxsize=64)
def _zeros(n: int) -> tuple[int, ...]:
  return (0,) * n


def fit_to_budget(table: Table, budget: int, length_fn: LengthFn = approx_token_length,
                  *, rng: np.random.Generator | random.Random | None = None,
                  order_seed: int | None = None,
                  linearize: Callable[..., str] = lin.tapex,
                  max_cell_chars: int | None = DEFAULT_MAX_CELL_CHARS,
                  lower: bool = False, verify: bool = True) -> Table:
  """The largest table (rows dropped) whose linearization fits ``budget``.

  Example: a 3-row table, budget fits 2 rows, no rng -> rows 1 and 2.

  Args:
    table: the table.
    budget: most tokens the linearized table may take, under ``length_fn``.
    length_fn: text -> tokens, e.g. ``vocab_length_fn(vocab)``; by default
      `approx_token_length`.
    rng: if given, drop random rows (the kept rows stay in table order);
      otherwise drop rows from the end. A `numpy.random.Generator` draws
      ``rng.permutation(n)``, a `random.Random` shuffles ``range(n)``.
    order_seed: instead of ``rng``: the order of ``random.Random(order_seed)``,
      made only when the table does not fit whole (cheaper per call).
    linearize: `linearize.tapex`, `linearize.markdown` (measured row by row)
      or any ``table -> str`` (then found by bisection on the row count).
    max_cell_chars: cut longer cells (None: keep them whole).
    lower: measure the lower-cased text (when the linearizer is called with
      ``lower=True``).
    verify: for a length function that is not additive (SentencePiece), check
      the sum of the cached per-row lengths by encoding the kept table once
      (and trim if the tokenizer merged across rows). False: trust the sum
      (each row is encoded once per table, never per call); for callers that
      measure the whole input exactly afterwards.

  Returns:
    A table in display form (`linearize.clean_cell`; ``linearize(result)``
    is the model's text and SQL on ``result`` only sees what that text shows),
    with every row if they fit, else the most rows that fit (possibly none:
    if even the header alone is over budget, it is returned without rows).
  """
  if budget < 0:
    raise ValueError(f"budget must be >= 0, got {budget}")
  shown = _display_table(table, max_cell_chars)
  n = shown.num_rows
  fns = _PIECEWISE.get(linearize)

  def text_len(rows: Sequence[int]) -> int:
    kept = shown.select_rows(sorted(int(i) for i in rows))
    return length_fn(linearize(kept, lower=lower) if fns else linearize(kept))

  if fns is None:
    # Generic linearizer: bisection on how many rows of the order to keep.
    if text_len(range(n)) <= budget:
      return shown
    order = _order(n, rng, order_seed)
    lo, hi = 0, n  # lo rows fit (or none do), hi rows don't.
    while hi - lo > 1:
      mid = (lo + hi) // 2
      if text_len(order[:mid]) <= budget:
        lo = mid
      else:
        hi = mid
    return _displayed(shown.select_rows(sorted(order[:lo])), max_cell_chars)

  header_fn, row_fn, sep = fns
  head, row_lens, _, total = _measure(shown, length_fn, header_fn, row_fn, sep, lower)
  exact = length_fn in _ADDITIVE
  if total <= budget and (exact or not verify
                          or _full_length(shown, length_fn, linearize, lower) <= budget):
    return shown
  prefix = _prefix_table(length_fn, header_fn, n)
  order, k = _rows_that_fit(n, rng, order_seed, row_lens, prefix, head, budget)
  # The sum is exact for byte-level and whitespace-split length functions;
  # otherwise check it. If the tokenizer made the text longer than the sum,
  # guess from the overshoot, then bisect between the known fit and misfit.
  if k > 0 and not exact and verify:
    over = text_len(order[:k]) - budget
    if over > 0:
      lo, hi = 0, k  # lo rows fit (0 by convention), hi rows don't.
      guess = k
      while guess > 0 and over > 0:
        guess -= 1
        over -= row_lens[order[guess]] + prefix[guess]  # (what row `guess` added)
      while hi - lo > 1:
        mid = guess if lo < guess < hi else (lo + hi) // 2
        guess = -1
        if text_len(order[:mid]) <= budget:
          lo = mid
        else:
          hi = mid
      k = lo
  return _displayed(shown.select_rows(sorted(order[:k])), max_cell_chars)


# Per thread: the generator `_rows_that_fit` reseeds for each order (only there,
# and it draws to the end before anything else runs: no other use can interleave).
_SCRATCH = threading.local()


def _rows_that_fit(n: int, rng, order_seed: int | None, row_lens: Sequence[int],
                   prefix: Sequence[int], head: int, budget: int) -> tuple[list[int], int]:
  """(order, k): the rows ``order[:k]`` fit with ``head`` in ``budget``, the
  next one does not (``order`` holds at least the first k).

  Rows are taken in the order one at a time: the row at position p costs
  ``row_lens[row] + prefix[p]``. With ``order_seed`` (and no ``rng``) the order
  is ``random.Random(order_seed)``'s partial Fisher-Yates shuffle, drawn as far
  as it is read: position i takes the row at i + int(random() * (n - i)) among
  those not placed yet (one draw per row read), so keeping k rows of a long
  table costs k + 1 draws, and the first k rows are the same however many are
  drawn (`_order` draws them all).
  """
  used = head
  if rng is None and order_seed is not None:
    rng = getattr(_SCRATCH, "rng", None)
    if rng is None:
      rng = _SCRATCH.rng = seeding.unseeded()
    draw = seeding.from_int(order_seed, rng).random  # random.Random(order_seed)'s
    pool = list(range(n))
    for i in range(n):
      j = i + int(draw() * (n - i))
      row = pool[j]
      pool[j] = pool[i]
      pool[i] = row
      used += row_lens[row] + prefix[i]
      if used > budget:
        return pool, i
    return pool, n
  order = _order(n, rng, None)
  for i, row in enumerate(order):
    used += row_lens[row] + prefix[i]
    if used > budget:
      return order, i
  return order, n


def _order(n: int, rng, order_seed: int | None) -> list[int]:
  """Every row, in the order they are kept in (`fit_to_budget`'s ``rng`` and
  ``order_seed``): table order without either."""
  if rng is None and order_seed is not None:
    return _rows_that_fit(n, None, order_seed, _zeros(n), _zeros(n), 0, 0)[0]  # (no row costs: all drawn)
  if rng is None or not n:
    return list(range(n))
  if hasattr(rng, "permutation"):
    return [int(i) for i in rng.permutation(n)]
  order = list(range(n))
  rng.shuffle(order)
  return order


def _full_length(table: Table, length_fn: LengthFn, linearize, lower: bool) -> int:
  per_table = _lengths(table)
  key = ("full", length_fn, linearize, lower)
  if key not in per_table:
    per_table[key] = length_fn(linearize(table, lower=lower))
  return per_table[key]
