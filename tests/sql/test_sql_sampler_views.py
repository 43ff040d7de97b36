"""The sampler's per-table facts of a truncated table, derived from the full
table's, are the facts of that table computed alone; and the queries too."""

import random

import pytest

from symtune_jax.sql import sampler
from symtune_jax.sql.sampler import SHAPES, SamplerConfig, sample_query
from symtune_jax.tables.table import Table


def _subsets(table: Table, rng: random.Random, n: int):
  """Row index lists: in table order (what truncation makes), all sizes, and a
  few reordered or repeated ones."""
  rows = list(range(table.num_rows))
  for i in range(n):
    if i % 10 == 8:
      yield [rng.choice(rows) for _ in range(rng.randint(0, len(rows)))] if rows else []
    elif i % 10 == 9:
      yield rng.sample(rows, len(rows))
    else:
      yield sorted(rng.sample(rows, rng.randint(0, len(rows))))


def _alone(table: Table) -> Table:
  """The same table, not marked as a selection of another."""
  return Table(table_id=table.table_id, header=table.header, rows=table.rows,
               types=table.types, caption=table.caption)


def _facts(v: sampler._View) -> dict:  # pylint: disable=protected-access
  m = len(v.header)
  out = {
      # Before the lists below are cached: the short-cut checks.
      "has_grouping": v._has_grouping(),  # pylint: disable=protected-access
      "has_monotone": v._has_monotone(),  # pylint: disable=protected-access
      "facts": v.facts(),
      "number": v.number, "date": v.date, "text": v.text, "usable": v.usable,
      "orderable": v.orderable, "n_rows": v.n_rows, "quoted": v.quoted(),
      "nulls": [v.has_nulls(j) for j in range(m)],
      # Empty cells per column (a derived view counts them when first read).
      "null_counts": [v._nulls[j] for j in range(m)],  # pylint: disable=protected-access
      "columns": [v.column(j) for j in range(m)],
      "nonnull": [v.nonnull_rows(j) for j in range(m)],
      "num_distinct": [v.num_distinct(j) for j in range(m)],
      "distinct": [v.distinct(j) for j in range(m)],
      "counts": [list(v.counts(j).items()) for j in range(m)],  # first-seen order too
      "unique": [v.unique_rows(j) for j in range(m)],
      "distinct_after_counts": [v.distinct(j) == list(v.counts(j)) for j in range(m)],
      "unique_set": [v.unique_row_set(j) for j in range(m)],
      "with_distinct": [v.with_distinct(k) for k in (1, 2, 3)],
      "text_lengths": [v.text_lengths(j) for j in v.text],
      "distinct_orderable": v.distinct_orderable, "grouping": v.grouping,
      "monotone": v.monotone,
  }
  assert out["has_grouping"] == bool(out["grouping"])
  for j, (lengths, n_longest, n_shortest) in zip(v.text, out["text_lengths"]):
    assert lengths == sorted(len(x) for x in v.counts(j))
    rows = v.nonnull_rows(j)
    assert n_longest == len([i for i in rows if len(v.values[i][j]) == lengths[-1]])
    assert n_shortest == len([i for i in rows if len(v.values[i][j]) == lengths[0]])
  for k in (1, 2, 3):
    assert out["with_distinct"][k - 1] == [j for j in v.usable if len(v.counts(j)) >= k]
  assert out["has_monotone"] == bool(out["monotone"])
  return out


def test_derived_views_equal_views_of_the_table_alone(sample_tables, cyclists):
  rng = random.Random(3)
  derived = 0
  for table in list(sample_tables[:40]) + [cyclists]:
    for rows in _subsets(table, rng, 30):
      shown = table.select_rows(rows)
      fresh = sampler._View(shown, derive=False)  # pylint: disable=protected-access
      view = sampler._view(shown)  # pylint: disable=protected-access
      derived += view._base is not None  # pylint: disable=protected-access
      assert _facts(view) == _facts(fresh), (table.table_id, rows)
  # A column empty in every row kept (Points is empty in row 5 only), no rows.
  for rows in ([5], [5, 5], [], [4, 5], [5, 4]):
    shown = cyclists.select_rows(rows)
    fresh = sampler._View(shown, derive=False)  # pylint: disable=protected-access
    assert _facts(sampler._view(shown)) == _facts(fresh), rows  # pylint: disable=protected-access
  assert sampler._view(cyclists.select_rows([5])).number == [0]  # pylint: disable=protected-access
  assert derived > 1000


def test_warmed_views_equal_views_made_on_first_use(sample_tables, cyclists):
  """`sampler.warm` makes every column's facts now: they, and those of the
  selections derived from the warmed view, equal the ones made on first use."""
  rng = random.Random(5)
  for table in list(sample_tables[:40]) + [cyclists]:
    warmed = _alone(table)
    sampler.warm(warmed)
    view = sampler._view(warmed)  # pylint: disable=protected-access
    assert len(view._nonnull) == len(view.usable)  # pylint: disable=protected-access
    assert _facts(view) == _facts(sampler._View(table, derive=False))  # pylint: disable=protected-access
    for rows in _subsets(table, rng, 10):
      shown = warmed.select_rows(rows)
      fresh = sampler._View(shown, derive=False)  # pylint: disable=protected-access
      assert _facts(sampler._view(shown)) == _facts(fresh), (table.table_id, rows)  # pylint: disable=protected-access


def test_selection_of_a_selection_points_at_the_first_table(cyclists):
  a = cyclists.select_rows([1, 2, 4, 6, 7])
  b = a.select_rows([0, 2, 4])
  assert a.source_rows == (cyclists, (1, 2, 4, 6, 7))
  assert b.source_rows == (cyclists, (1, 4, 7))
  assert b.rows == tuple(cyclists.rows[i] for i in (1, 4, 7))
  assert b.values == tuple(cyclists.values[i] for i in (1, 4, 7))
  assert cyclists.source_rows is None


@pytest.mark.parametrize("shape", SHAPES)
def test_queries_on_a_truncated_table_equal_those_on_the_table_alone(shape, sample_tables):
  cfg = SamplerConfig(shape_weights={shape: 1.0})
  rng = random.Random(SHAPES.index(shape))
  made = 0
  for i in range(300):
    table = sample_tables[i % len(sample_tables)]
    rows = sorted(rng.sample(range(table.num_rows), rng.randint(1, table.num_rows)))
    shown = table.select_rows(rows)
    state = rng.getstate()
    fast = sample_query(shown, rng, cfg)
    alone_rng = random.Random()
    alone_rng.setstate(state)
    ref = sample_query(_alone(shown), alone_rng, cfg)
    assert rng.getstate() == alone_rng.getstate()
    assert (fast is None) == (ref is None)
    if fast is not None:
      assert fast.sql == ref.sql
      made += 1
  assert made > (10 if shape == "date_extreme" else 50), made


class _Fixed:
  """An rng whose random() returns one value."""

  def __init__(self, u):
    self.u = u

  def random(self):
    return self.u


def test_choice_by_bisection_is_pick_weighted():
  """Also at the floats around each boundary, where rounding decides."""
  import math  # pylint: disable=g-import-not-at-top
  rng = random.Random(1)
  weight_lists = [list(sampler.DEFAULT_SHAPE_WEIGHTS.values()), [0.1] * 30, [1e-9, 1e9, 0.3],
                  [0.3, 0.1, 0.2, 0.2, 0.1, 0.1], [0.85, 0.15]]
  weight_lists += [[rng.choice([0.1, 0.2, 0.3, 0.8, 1.2, 1.5, 3.0, rng.random() + 1e-3])
                    for _ in range(rng.randint(1, 25))] for _ in range(200)]
  for weights in weight_lists:
    items = list(enumerate(weights))
    choice = sampler._Choice(items)  # pylint: disable=protected-access
    us = [rng.random() for _ in range(50)] + [0.0, math.nextafter(1.0, 0.0)]
    for t in choice.thresholds:
      u = t / choice.total
      for _ in range(4):
        u = math.nextafter(u, 0.0)
      for _ in range(9):
        if 0.0 <= u < 1.0:
          us.append(u)
        u = math.nextafter(u, 1.0)
    for u in us:
      assert choice.pick(u) == sampler.pick_weighted(_Fixed(u), items), (weights, u)


def test_others_is_the_column_list_less_the_excluded(sample_tables):
  """`sampler._others` (a copy less the excluded) equals filtering each column
  of a view's lists, whatever is excluded (repeats, columns not in the list)."""
  rng = random.Random(0)
  checked = 0
  for table in sample_tables:
    v = sampler._view(table)  # pylint: disable=protected-access
    for cols in (v.usable, v.number, v.orderable, v.text):
      assert len(set(cols)) == len(cols)  # each column once: what `_others` needs
      for _ in range(5):
        exclude = tuple(rng.choice(range(-1, table.num_columns + 1))
                        for _ in range(rng.randint(0, 3)))
        assert sampler._others(cols, exclude) == [j for j in cols if j not in exclude]  # pylint: disable=protected-access
        checked += 1
  assert checked > 100
