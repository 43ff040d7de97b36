"""The grammar sampler: shapes, typed literals, round-trips, determinism, config."""

import collections

import numpy as np
import pytest
import sqlglot
from sqlglot import exp

from symtune_jax.errors import InputError
from symtune_jax.sql.executor import Executor, Skip
from symtune_jax.sql.sampler import SHAPES, SamplerConfig, feasible_shapes, sample_query
from symtune_jax.tables.table import ColumnType, Table


def _queries(tables, n, config=None, seed=0, reference=False):
  rng = np.random.default_rng(seed)
  out = []
  for i in range(n):
    table = tables[i % len(tables)]
    q = sample_query(table, rng, config, reference=reference)
    if q is not None:
      out.append((table, q))
  return out


def test_every_shape_is_sampled_and_mostly_kept_on_real_tables(sample_tables):
  pairs = _queries(sample_tables, 1500)
  assert len(pairs) >= 1400
  ex = Executor()
  kept = collections.Counter()
  for table, q in pairs:
    if not isinstance(ex.execute(table, q), Skip):
      kept[q.shape] += 1
  assert set(kept) == set(SHAPES)
  assert sum(kept.values()) / len(pairs) > 0.6
  assert ex.skips["error"] == 0 and ex.skips["timeout"] == 0, ex.skips


def test_sql_round_trips_through_sqlglot(sample_tables):
  for _, q in _queries(sample_tables, 400):
    parsed = sqlglot.parse_one(q.sql, read="sqlite")
    assert parsed.sql(dialect="sqlite") == q.sql
    assert q.sql.startswith("SELECT ")


def test_literals_are_typed_by_column(sample_tables):
  """Number columns compare with numbers, text with text, dates with ISO strings."""
  checked = 0
  for table, q in _queries(sample_tables, 600):
    types = dict(zip(table.header, table.types))
    for cmp in q.expression.find_all(exp.EQ, exp.NEQ, exp.GT, exp.LT, exp.GTE, exp.LTE):
      col, lit = cmp.this, cmp.expression
      if not isinstance(col, exp.Column):
        continue
      if isinstance(lit, exp.Neg):
        lit = lit.this
      if not isinstance(lit, exp.Literal):
        continue  # a sub-query
      t = types[col.name]
      checked += 1
      if t == ColumnType.NUMBER:
        assert not lit.is_string, q.sql
      else:
        assert lit.is_string, q.sql
        if t == ColumnType.DATE:
          assert len(lit.this) == 10 and lit.this[4] == "-", q.sql
        else:  # the literal is a cell of that column
          assert lit.this in table.column(table.header.index(col.name)), q.sql
  assert checked > 300


def test_same_rng_state_same_query(sample_tables):
  a = [q.sql for _, q in _queries(sample_tables, 200, seed=7)]
  b = [q.sql for _, q in _queries(sample_tables, 200, seed=7)]
  c = [q.sql for _, q in _queries(sample_tables, 200, seed=8)]
  assert a == b and a != c


def test_shape_weights_select_the_shapes(cyclists):
  cfg = SamplerConfig(shape_weights={"superlative": 1.0, "arith": 0.0})
  shapes = {q.shape for _, q in _queries([cyclists], 100, cfg)}
  assert shapes == {"superlative"}


def test_max_conditions_bounds_the_where_clause(cyclists):
  cfg = SamplerConfig(shape_weights={"select_where": 1.0}, max_conditions=3)
  counts = collections.Counter()
  for _, q in _queries([cyclists], 300, cfg):
    where = q.expression.args["where"].this
    counts[len(list(where.find_all(exp.EQ, exp.NEQ, exp.GT, exp.LT, exp.GTE, exp.LTE)))] += 1
  assert set(counts) == {1, 2, 3}


def test_text_only_table_gets_only_shapes_it_allows():
  t = Table.from_rows("t", ["a", "b"], [["x", "y"], ["z", "y"]])
  assert set(feasible_shapes(t)) == {"select_where", "select_not", "select_not_in",
                                     "select_in", "select_distinct", "agg_count",
                                     "count_distinct", "text_length"}
  assert {q.shape for _, q in _queries([t], 50)} <= set(feasible_shapes(t))
  empty = Table.from_rows("e", ["a"], [])
  assert sample_query(empty, np.random.default_rng(0)) is None


def test_mixed_and_or_keeps_its_grouping_in_the_text(cyclists):
  cfg = SamplerConfig(shape_weights={"select_where": 1.0}, max_conditions=3,
                      or_probability=0.5)
  def structure(tree):
    return repr(tree.transform(lambda n: n.this if isinstance(n, exp.Paren) else n))

  mixed = 0
  for _, q in _queries([cyclists], 200, cfg, reference=True):  # the built trees
    where = q.expression.args["where"].this
    mixed += bool(list(where.find_all(exp.And))) and bool(list(where.find_all(exp.Or)))
    reparsed = sqlglot.parse_one(q.sql, read="sqlite")
    assert structure(reparsed) == structure(q.expression), q.sql
  assert mixed > 20


@pytest.mark.parametrize("kwargs,field", [
    ({"shape_weights": {"joins": 1.0}}, "shape_weights"),
    ({"shape_weights": {"arith": -1.0}}, "shape_weights"),
    ({"shape_weights": {"arith": 0.0}}, "shape_weights"),
    ({"max_conditions": 0}, "max_conditions"),
    ({"max_limit": 0}, "max_limit"),
])
def test_bad_config_names_the_field(kwargs, field):
  with pytest.raises(InputError) as e:
    SamplerConfig(**kwargs)
  assert e.value.field == field
