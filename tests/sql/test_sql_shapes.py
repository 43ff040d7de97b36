"""Query shapes: the fast text path equals sqlglot's rendering on every shape,
the new constructs mean what they say, and a run covers >= 20 shapes."""

import collections
import random

import pytest
import sqlglot
from sqlglot import exp

from symtune_jax.sql import builder as sx
from symtune_jax.sql import query as q
from symtune_jax.sql.executor import Executor, Skip
from symtune_jax.sql.sampler import SHAPES, SamplerConfig, sample_query
from symtune_jax.tables.table import Table


def _hostile() -> Table:
  """Quotes, backslashes, newlines, unicode and negative numbers in names and cells."""
  return Table.from_rows("t_hostile", ['Na"me', "it's", "Year", "Δ score", "When"], [
      ["O'Brien \\ Jr.", "a\nb", "1990", "-2.5", "1990-01-02"],
      ['say "hi"', "x, y", "1991", "3", "1991-03-04"],
      ["Zoë", "a\nb", "1993", "-0.125", "1991-03-04"],
      ["%_ LIKE", "plain", "1997", "1e3", "2001-12-31"],
      ["O'Brien \\ Jr. 2", "x, y", "2001", "12", "2002-06-01"],
  ])


def _compare_paths(same_sql, tables, shape, n, seed):
  """Samples n queries of one shape both ways from equal RNG states; returns the count."""
  cfg = SamplerConfig(shape_weights={shape: 1.0})
  made = same_sql(lambda table, rng, ref: sample_query(table, rng, cfg, reference=ref),
                  tables, random.Random(seed), n, shape)
  for fast, ref in made:
    assert fast.shape == ref.shape == shape
  return len(made)


@pytest.mark.parametrize("shape", SHAPES)
def test_fast_text_equals_sqlglot_rendering(shape, sample_tables, cyclists,
                                            same_sql_both_paths):
  tables = list(sample_tables) + [cyclists, _hostile()]
  # Few shipped tables have date columns; every other shape is made >= 50 times.
  made = _compare_paths(same_sql_both_paths, tables, shape, 300, seed=SHAPES.index(shape))
  assert made >= (10 if shape == "date_extreme" else 50)


def test_fast_text_equals_sqlglot_rendering_on_all_wtq_tables(wtq_root, same_sql_both_paths):
  tables = [sx.prepare_table(t, 100) for t in sx.load_tables(tables=wtq_root)]
  for shape in SHAPES:
    assert _compare_paths(same_sql_both_paths, tables, shape, 1500, seed=7) >= 200, shape


def test_text_builder_matches_sqlglot_on_each_node():
  t, x = q.TREE, q.TEXT
  cases = [
      lambda b: b.select([b.column('a"b')], where=b.in_list(
          b.column("c"), [b.literal("it's"), b.literal(-2.5), b.literal(3.0)], negate=True)),
      lambda b: b.select([b.aggregate("COUNT", None)], where=b.in_query(
          b.column("c"), b.select([b.column("c")], where=b.compare("!=", b.column("d"),
                                                                  b.literal("x"))))),
      lambda b: b.select([b.abs(b.sub(b.subquery(b.select([b.column("n")])),
                                      b.subquery(b.select([b.column("n")]))))], from_w=False),
      lambda b: b.select([b.column("t")], where=b.not_null(b.column("t")),
                         order=[(b.length(b.column("t")), True), (b.column("u"), False)],
                         limit=2),
      lambda b: b.count_of(b.select([b.column("g")], group=[b.column("g")],
                                    having=b.compare(">=", b.aggregate("COUNT", None),
                                                     b.number(2)))),
      lambda b: b.select([b.count_distinct(b.column("g"))], distinct=False, where=b.and_all(
          [b.conjoin([b.eq(b.column("a"), b.literal("1")), b.eq(b.column("b"), b.literal(2.0))],
                     [True]), b.eq(b.column("c"), b.literal("z"))])),
  ]
  for make in cases:
    assert make(x) == q.render(make(t))


def test_query_from_text_parses_on_demand():
  query = q.Query.of(q.TEXT.select([q.TEXT.column("a")]), "select_where")
  assert query.sql == 'SELECT "a" FROM w'
  assert isinstance(query.expression, exp.Select)


def test_query_from_text_is_the_dataclass_query():
  """`Query.from_text` (fields set directly) makes the query `Query(...)` makes:
  equal, same hash and repr, a plain str even from a condition's text, the
  tree parsed on demand."""
  cond = q.TEXT.and_all([q.TEXT.eq('"a"', "1"), q.TEXT.eq('"b"', "2")])
  assert type(cond) is not str  # the builder's AND-condition subclass
  fast = q.Query.from_text(cond, "select_where")
  slow = q.Query(sql=str(cond), shape="select_where")
  assert fast == slow and hash(fast) == hash(slow) and repr(fast) == repr(slow)
  assert type(fast.sql) is str and fast.tree is None
  assert fast.expression.sql(dialect="sqlite") == '"a" = 1 AND "b" = 2'
  with pytest.raises(AttributeError):
    fast.sql = "x"  # still frozen


def test_row_steps_give_the_neighbouring_row(cyclists):
  """next_row / previous_row: the row after (before) the reference row, in table order."""
  ex = Executor()
  seen = collections.Counter()
  for shape, step in (("next_row", 1), ("previous_row", -1)):
    cfg = SamplerConfig(shape_weights={shape: 1.0})
    rng = random.Random(3)
    for _ in range(60):
      query = sample_query(cyclists, rng, cfg)
      cmp = query.expression.args["where"].this
      order_col = cyclists.header.index(cmp.this.name)
      ref = ex.run(cyclists, "SELECT " + cmp.expression.sql(dialect="sqlite"))
      row = [r[order_col] for r in cyclists.values].index(ref[0][0])
      proj = cyclists.header.index(query.expression.expressions[0].name)
      answer = ex.execute(cyclists, query)
      expected = cyclists.values[row + step][proj]
      if expected is None:
        assert isinstance(answer, Skip)
        continue
      assert answer.values == (expected,), query.sql
      seen[shape] += 1
  assert seen["next_row"] > 30 and seen["previous_row"] > 30


def test_row_steps_hold_on_a_truncated_table(cyclists):
  """On the rows a truncated table keeps, 'next' is the next row kept."""
  ex = Executor()
  kept = [0, 2, 5, 7]
  shown = cyclists.select_rows(kept)
  rng = random.Random(5)
  cfg = SamplerConfig(shape_weights={"next_row": 1.0})
  checked = 0
  for _ in range(40):
    query = sample_query(shown, rng, cfg)
    on_subset = ex.execute(cyclists, query, rows=kept)
    on_shown = ex.execute(shown, query)
    assert on_subset == on_shown, query.sql
    checked += not isinstance(on_shown, Skip)
  assert checked > 20


@pytest.mark.parametrize("shape", ["group_top", "compare_rows", "text_length", "superlative"])
def test_answers_do_not_depend_on_row_order(shape, sample_tables):
  """The same query on the table with its rows reversed gives the same answer."""
  cfg = SamplerConfig(shape_weights={shape: 1.0})
  rng = random.Random(11)
  ex = Executor()
  same = differ = 0
  for i in range(400):
    table = sample_tables[i % len(sample_tables)]
    query = sample_query(table, rng, cfg)
    if query is None or "LIMIT 1" not in query.sql:
      continue
    a = ex.execute(table, query)
    if isinstance(a, Skip):
      continue
    rev = table.select_rows(list(range(table.num_rows))[::-1])
    b = Executor().execute(rev, query)
    same += a == b
    differ += a != b
  # group_top, compare_rows and text_length are built tie-free; superlatives
  # prefer tie-free columns (the rest is the executor's tie check's job).
  assert same > 50
  assert differ <= (0.2 * same if shape == "superlative" else 0), shape


def test_constructs_of_the_new_shapes(sample_tables):
  """Each construct the coverage issue names appears in the shape meant for it."""
  wanted = {
      "select_not": "<>", "select_not_in": "NOT ", "select_in": " IN (",
      "count_distinct": "COUNT(DISTINCT", "group_top": "ORDER BY COUNT(*)",
      "in_subquery": "IN (SELECT", "abs_diff": "ABS(", "text_length": "LENGTH(",
      "compare_rows": " IN (", "date_extreme": "", "next_row": "ORDER BY",
      "previous_row": "ORDER BY",
  }
  for shape, needle in wanted.items():
    cfg = SamplerConfig(shape_weights={shape: 1.0})
    rng = random.Random(1)
    sqls = [x.sql for x in (sample_query(sample_tables[i % len(sample_tables)], rng, cfg)
                            for i in range(100)) if x is not None]
    assert sqls and all(needle in s for s in sqls), (shape, sqls[:3])
    for s in sqls:
      sqlglot.parse_one(s, read="sqlite")  # valid SQLite


def test_a_run_covers_twenty_shapes_each_over_one_percent(wtq_root):
  """The default config on all WTQ tables: >= 20 shapes, each >= 1% of kept examples."""
  builder = sx.ExampleBuilder(sx.load_tables(tables=wtq_root))
  for i in range(4000):
    builder.example(0, "train", i)
  shapes = builder.stats.shapes
  total = sum(shapes.values())
  assert total == 4000
  share = {s: n / total for s, n in shapes.items()}
  assert len([s for s in SHAPES if share.get(s, 0) >= 0.01]) >= 20, share
  assert min(share.get(s, 0) for s in SHAPES) >= 0.01, share


def test_views_of_dropped_tables_are_freed(cyclists):
  """The per-table cache must not keep truncated tables alive."""
  import gc  # pylint: disable=g-import-not-at-top
  import weakref  # pylint: disable=g-import-not-at-top
  from symtune_jax.sql import sampler  # pylint: disable=g-import-not-at-top
  shown = cyclists.select_rows([0, 1, 2, 5])
  sample_query(shown, random.Random(0))
  ref = weakref.ref(shown)
  del shown
  gc.collect()
  assert ref() is None
  assert sampler._view(cyclists) is sampler._view(cyclists)  # pylint: disable=protected-access
