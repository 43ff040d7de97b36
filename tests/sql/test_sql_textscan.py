"""The executor's fast path (issue 14): what it reads from the SQL text without
sqlglot equals what the parsed tree says, it skips the other-order re-runs only
of queries that can't depend on row order, and it decides exactly as the
reference path (parse everything, re-run everything)."""

import json
import random
import re

import pytest
from sqlglot import exp

from symtune_jax.sql import audit, executor as sqlx, textscan
from symtune_jax.sql.builder import ExampleBuilder, ExampleConfig
from symtune_jax.sql.executor import Answer, Executor
from symtune_jax.sql.sampler import SHAPES, sample_query
from symtune_jax.tables.table import Table


def _queries(tables, n, seed=0):
  rng = random.Random(seed)
  out = []
  while len(out) < n:
    t = tables[rng.randrange(len(tables))]
    q = sample_query(t, rng)
    if q is not None:
      out.append((t, q))
  return out


def _reference_facts(table, query):
  tree = query.expression
  probes = [p for p in (sqlx._limit_probe(n) for n in tree.find_all(exp.Select)) if p]
  return sqlx._sources(tree, table), tree.find(exp.Limit) is not None, probes


def _check_facts(pairs):
  shapes = set()
  for table, query in pairs:
    facts = textscan.scan(query.sql, table.header)
    assert facts is not None, query.sql
    sources, has_limit, probes = _reference_facts(table, query)
    assert facts.sources is not None and list(facts.sources) == sources, query.sql
    assert facts.has_limit == has_limit, query.sql
    if facts.limit_probe is not None:  # the same text sqlglot renders for the probe
      assert probes == [facts.limit_probe], query.sql
    else:
      assert not has_limit, query.sql  # every sampled LIMIT query has a text probe
    shapes.add(query.shape)
  return shapes


def test_facts_equal_the_parsed_tree_on_every_shape(sample_tables):
  shapes = _check_facts(_queries(sample_tables, 3000))
  assert shapes == set(SHAPES)


def test_facts_equal_the_parsed_tree_on_real_tables(all_wtq_tables):
  assert _check_facts(_queries(all_wtq_tables, 5000, seed=1)) == set(SHAPES)


HEADER = ["Team", "P", "W", "Date", 'odd "name"']


@pytest.mark.parametrize("sql,sources", [
    ('SELECT "Team" FROM w', (0,)),
    ('SELECT "team", "W" FROM w WHERE "P" = 1', (0, 2)),
    ('SELECT DISTINCT "P" FROM w', (1,)),
    ('SELECT "odd ""name""" FROM w', (4,)),
    ('SELECT MIN("Date") FROM w', (3,)),
    ('SELECT max("P") FROM w', (1,)),
    ('SELECT ("W") FROM w', (2,)),
    ('SELECT (SELECT "W" FROM w WHERE "Team" = \'a\')', (2,)),
    ('SELECT (SELECT "W", "P" FROM w)', (None,)),
    ('SELECT COUNT(*) FROM w', (None,)),
    ('SELECT COUNT(DISTINCT "Team") FROM w', (None,)),
    ('SELECT "P" - "W" FROM w', (None,)),
    ('SELECT ABS((SELECT "P" FROM w WHERE "W" = 1) - (SELECT "P" FROM w WHERE "W" = 2))',
     (None,)),
    ('SELECT MAX("P") - MIN("P") FROM w', (None,)),
    ('SELECT COUNT(*) FROM (SELECT "Team" FROM w GROUP BY "Team")', (None,)),
    ('SELECT "Nope" FROM w', (None,)),
    # Left to the parser (None = "don't know"): aliases, stars, bare words, set operations.
    ('SELECT "P" AS x FROM w', None),
    ('SELECT "P" x FROM w', None),
    ('SELECT * FROM w', None),
    ('SELECT Team FROM w', None),
    ('SELECT w."P" FROM w', None),
    ('SELECT MIN("P", "W") FROM w', None),
    ('SELECT "P" FROM w UNION SELECT "W" FROM w', None),
    ('WITH x AS (SELECT 1) SELECT "P" FROM w', None),
])
def test_sources_of_hand_written_queries(sql, sources):
  facts = textscan.scan(sql, HEADER)
  assert (facts.sources if facts is not None else None) == sources
  if sources is not None:  # and what the parsed tree says
    table = Table.from_rows("t", HEADER, [["a", "1", "2", "2001-01-01", "x"]])
    assert list(sources) == sqlx._sources(sqlx._parse(sql), table)


@pytest.mark.parametrize("sql", [
    'SELECT "Team" FROM w WHERE "P" = 1',
    'SELECT DISTINCT "Team" FROM w WHERE NOT "P" IN (1, 2)',
    'SELECT COUNT(*) FROM w WHERE "P" > 1 OR "W" < 2',
    'SELECT COUNT(DISTINCT "Team") FROM w',
    'SELECT MIN("Date") FROM w WHERE "P" = 3',
    'SELECT "Team" FROM w WHERE "P" = (SELECT MAX("P") FROM w WHERE "W" > 1)',
    'SELECT "Team" FROM w GROUP BY "Team" HAVING COUNT(*) >= 2',
    'SELECT COUNT(*) FROM (SELECT "Team" FROM w GROUP BY "Team" HAVING COUNT(*) > 1)',
    'SELECT "P" FROM w WHERE "Team" IN (SELECT "Team" FROM w WHERE "W" = 1)',
    'SELECT MAX("P") - MIN("P") FROM w',
    'SELECT "P" + "W" FROM w WHERE "Team" = \'a\'',
    'SELECT COUNT(*) FROM w WHERE LENGTH("Team") > 3',
])
def test_order_free_queries(sql):
  assert textscan.scan(sql, HEADER).order_free


@pytest.mark.parametrize("sql", [
    'SELECT "Team" FROM w ORDER BY "P" DESC LIMIT 1',
    'SELECT "Team" FROM w LIMIT 1',
    'SELECT "Team" FROM w LIMIT 1 OFFSET 2',
    'SELECT "Team" FROM w ORDER BY "P"',
    'SELECT (SELECT "Team" FROM w WHERE "P" = 5)',  # first-row pick
    'SELECT COUNT(*) FROM w WHERE "P" > (SELECT "P" FROM w WHERE "Team" = \'a\')',
    'SELECT "Team", MAX("P") FROM w',  # bare column of an aggregate
    'SELECT ABS("Team") + MAX("P") FROM w',
    'SELECT "Team", COUNT(*) FROM w GROUP BY "P"',
    'SELECT GROUP_CONCAT("Team") FROM w',
    'SELECT SUM("P") FROM w',  # floating-point sums depend on the order of addition
    'SELECT AVG("P") FROM w',
    'SELECT "Team" FROM w WHERE "P" > (SELECT AVG("P") FROM w)',
    'SELECT "Team" FROM w WHERE "P" = (SELECT MAX("P") FROM w GROUP BY "W")',
    'SELECT "P" FROM w UNION SELECT "W" FROM w',
    'WITH x AS (SELECT "P" FROM w) SELECT "P" FROM x',
    'SELECT ROW_NUMBER() OVER () FROM w',
    'SELECT Team, MAX(P) FROM w',
    'SELECT "Team" FROM w; SELECT 1',
])
def test_order_dependent_or_unsure_queries_keep_the_reruns(sql):
  facts = textscan.scan(sql, HEADER)
  assert facts is None or not facts.order_free


def _decisions(ex, pairs, rows_of=None):
  out = []
  for i, (t, q) in enumerate(pairs):
    rows = rows_of(t, i) if rows_of else None
    r = ex.execute(t, q, rows=rows)
    out.append((r.values, r.text) if isinstance(r, Answer) else r.reason)
  return out


def _check_same_decisions(tables):
  pairs = _queries(tables, 2500, seed=7)
  fast, ref = Executor(), Executor(fast=False)

  def subset(t, i):  # every third query on a truncated table
    return None if i % 3 or t.num_rows < 3 else list(range(0, t.num_rows, 2))

  assert _decisions(fast, pairs, subset) == _decisions(ref, pairs, subset)
  assert fast.skips == ref.skips and fast.skips["tie"] > 0


def test_fast_and_reference_executors_decide_the_same(sample_tables):
  _check_same_decisions(sample_tables)


def test_fast_and_reference_executors_decide_the_same_on_real_tables(all_wtq_tables):
  _check_same_decisions(all_wtq_tables)


def test_examples_byte_identical_to_the_reference_path(sample_tables):
  fast = ExampleBuilder(sample_tables, ExampleConfig())
  ref = ExampleBuilder(sample_tables, ExampleConfig())
  ref.executor = Executor(min_values=fast.executor.min_values,
                          max_values=fast.executor.max_values,
                          max_steps=fast.executor.max_steps, fast=False)
  for i in range(400):
    a, b = fast.example(11, "train", i), ref.example(11, "train", i)
    assert json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True,
                                                                      default=str)
  assert fast.stats.skips == ref.stats.skips


def test_no_tie_kept_with_the_fast_path(all_wtq_tables):
  """The independent audit (plain SQLite, other row orders) still finds no tie."""
  builder = ExampleBuilder(all_wtq_tables)
  assert builder.executor.fast
  report = audit.audit_examples(builder, seed=17, split="train", stop=1500, shuffles=2)
  assert report.examples == 1500
  assert report.ties == 0, report.samples["ties"]


@pytest.mark.parametrize("sql,decides", [
    ('SELECT "Team" FROM w ORDER BY "P" DESC LIMIT 1', True),
    ('SELECT "Team" FROM w WHERE NOT "W" IS NULL ORDER BY LENGTH("Team") DESC LIMIT 2', True),
    ('SELECT "Team" FROM w WHERE "Team" IN (\'a\', \'b\') ORDER BY "P" ASC LIMIT 1', True),
    ('SELECT "Team" FROM w GROUP BY "Team" ORDER BY COUNT(*) DESC LIMIT 1', True),
    ('SELECT "Team" FROM w WHERE "P" > 3 ORDER BY "P" ASC LIMIT 1', True),
    # The probe alone can't tell: the other row orders still run.
    ('SELECT DISTINCT "Team" FROM w ORDER BY "P" DESC LIMIT 1', False),
    ('SELECT "Team" FROM w GROUP BY "Team" ORDER BY "P" DESC LIMIT 1', False),
    ('SELECT "Team" FROM w WHERE "P" > (SELECT "P" FROM w WHERE "W" = 1) ORDER BY "P" LIMIT 1',
     False),
    ('SELECT "Team" FROM w ORDER BY (SELECT "P" FROM w LIMIT 1) LIMIT 1', False),
    ('SELECT "Team" FROM w ORDER BY "P" LIMIT 1 OFFSET 1', False),
    ('SELECT "Team" FROM w LIMIT 1', False),
    ('SELECT "Team" FROM w ORDER BY 1 LIMIT 1', False),
    ('SELECT SUM("P") FROM w ORDER BY "P" LIMIT 1', False),
    ('SELECT "Team" FROM (SELECT "Team", "P" FROM w ORDER BY "P" LIMIT 2) ORDER BY "P" LIMIT 1',
     False),
])
def test_probe_decides(sql, decides):
  facts = textscan.scan(sql, HEADER)
  assert bool(facts is not None and facts.probe_decides) == decides


@pytest.mark.parametrize("sql,reason", [
    ('SELECT "Team" FROM w ORDER BY "P" DESC LIMIT 1', "tie"),  # 3 rows share the max
    ('SELECT "Team" FROM w ORDER BY "P" DESC LIMIT 3', None),  # the 3 tied rows, all of them
    ('SELECT "Team" FROM w ORDER BY "P" DESC LIMIT 2', "tie"),
    ('SELECT "Team" FROM w ORDER BY "P" ASC LIMIT 1', None),
    ('SELECT "P" FROM w GROUP BY "P" ORDER BY COUNT(*) ASC LIMIT 1', "tie"),
    ('SELECT "P" FROM w GROUP BY "P" ORDER BY COUNT(*) DESC LIMIT 1', None),
])
def test_probe_alone_decides_ties_as_the_reference(sql, reason):
  t = Table.from_rows("t_ties", ["Team", "P"], [
      ["Sweden", "5"], ["Denmark", "5"], ["Spain", "5"], ["Italy", "3"], ["France", "1"]])
  assert textscan.scan(sql, t.header).probe_decides
  for ex in (Executor(), Executor(fast=False)):
    out = ex.execute(t, sql)
    assert (out.reason if hasattr(out, "reason") else None) == reason, (sql, out)


# --- the per-form cache (scan_cached) gives scan's answers --------------------------

def _same_as_scan(sql, header):
  want = textscan.scan(sql, header)
  index = textscan.header_index(header)
  assert textscan.scan_cached(sql, index) == want, sql
  assert textscan.scan_cached(sql, index) == want, sql  # from the cache this time
  return want


def test_cached_scan_equals_scan_on_every_shape(sample_tables):
  shapes = set()
  for table, query in _queries(sample_tables, 3000, seed=3):
    assert _same_as_scan(query.sql, table.header) is not None, query.sql
    shapes.add(query.shape)
  assert shapes == set(SHAPES)
  # A form seen on one table answers for another: sources are per table.
  sql = 'SELECT "b", COUNT(*) FROM w GROUP BY "b"'
  assert textscan.scan_cached(sql, textscan.header_index(["a", "B"])).sources == (1, None)
  assert textscan.scan_cached(sql, textscan.header_index(["b"])).sources == (0, None)
  assert textscan.scan_cached(sql, textscan.header_index(["c"])).sources == (None, None)


def test_cached_scan_equals_scan_on_real_tables(all_wtq_tables):
  for table, query in _queries(all_wtq_tables, 5000, seed=4):
    assert _same_as_scan(query.sql, table.header) is not None, query.sql


def test_cached_scan_equals_scan_on_hand_written_queries():
  sqls = [p if isinstance(p, str) else p[0] for mark in (test_sources_of_hand_written_queries,
                                   test_order_free_queries,
                                   test_order_dependent_or_unsure_queries_keep_the_reruns,
                                   test_probe_decides)
          for p in mark.pytestmark[0].args[1]]
  assert len(sqls) > 60
  for sql in sqls:
    _same_as_scan(sql, HEADER)



@pytest.mark.parametrize("sql", [
    'SELECT "Team" FROM w WHERE "W" = 5 AND "P" > 2 ORDER BY "P" DESC LIMIT 1',
    'SELECT "Team" FROM w WHERE "W" = 0 ORDER BY "P" ASC LIMIT 0',
    'SELECT "Team" FROM w WHERE "P" > (SELECT "P" FROM w WHERE "W" = 7) AND "W" < 9 '
    'ORDER BY "P" ASC LIMIT 1',  # a one-row condition on a number, read from its slot
    'SELECT "Team" FROM w WHERE "W" IN (1, 2, 3) ORDER BY "W" LIMIT 2 OFFSET 1',
    'SELECT "Team" FROM w WHERE "W" = 1 ORDER BY "P" LIMIT 1',  # the same text as the LIMIT
])
def test_a_limit_that_reads_like_a_number_slot_still_has_a_form(sql):
  form = textscan.skeleton(sql)
  assert form is not None, sql
  facts = _same_as_scan(sql, HEADER)
  # The form is shared with the same query written with other numbers.
  other = sql.replace("5", "6").replace("7", "8").replace("9", "4")
  if other != sql:
    assert textscan.skeleton(other)[0] == form[0]
    _same_as_scan(other, HEADER)
  assert facts is not None


def test_a_limit_too_long_for_a_form_is_scanned_whole():
  sql = 'SELECT "Team" FROM w WHERE "W" = 5 AND "P" > 2 ORDER BY "P" LIMIT 1000'
  assert textscan.skeleton(sql) is not None  # no slot reads 1000
  sql = 'SELECT "Team" FROM w WHERE "W" IN (' + ", ".join(map(str, range(1001))) + ") LIMIT 1000"
  assert textscan.skeleton(sql) is None
  _same_as_scan(sql, HEADER)


# Pieces whose literals a careless skeleton would get wrong: quotes inside
# quotes, numbers touching words or dots, names that read as keywords or
# brackets, LIMIT written in other cases and spacings, equal literals in
# GROUP BY keys and projections.
_PIECES = ['"Team"', '"P"', '"p"', '"("', '")"', '"LIMIT"', '"BY"', '"q0"', '"odd ""name"""',
           "'a'", "'a'", "'it''s'", "'\"'", '\'"P"\'', "'s0'", "1", "1", "2", "0", "1.5", ".5",
           "1e3", "1.", "3", "LIMIT", "limit", "OFFSET", "(", ")", ",", "SELECT", "SELECT",
           "FROM", "w", "WHERE", "GROUP", "BY", "ORDER", "HAVING", "DISTINCT", "COUNT", "MIN",
           "MAX", "SUM", "ABS", "LENGTH", "IN", "NOT", "AND", "DESC", "*", "=", "-", "+", ">",
           ".", "x1", "_a", "'", '"', "q0", "s0"]


def test_cached_scan_equals_scan_on_fuzzed_text():
  rng = random.Random(0)
  seen = 0
  for _ in range(20000):
    pieces = [rng.choice(_PIECES) for _ in range(rng.randrange(1, 16))]
    sql = "".join(p + rng.choice(["", " ", " ", "  ", "\n"]) for p in pieces).strip()
    if rng.random() < 0.5:
      sql = "SELECT " + sql
    seen += _same_as_scan(sql, HEADER) is not None
  assert seen > 1000  # enough of them tokenize for the facts to be compared


def test_cached_scan_equals_scan_on_mutated_queries(sample_tables):
  rng = random.Random(1)
  for table, query in _queries(sample_tables, 3000, seed=5):
    sql = query.sql
    for _ in range(3):
      i = rng.randrange(len(sql) + 1)
      sql = sql[:i] + rng.choice(_PIECES + [" ", "", "9"]) + sql[i + rng.randrange(3):]
      _same_as_scan(sql, table.header)


# --- the LIMIT probe stands for the query it decides ------------------------------

@pytest.mark.parametrize("sql,fetches", [
    ('SELECT "Team" FROM w ORDER BY "P" DESC LIMIT 1', 1),  # the probe alone
    ('SELECT "Team", "W" FROM w ORDER BY "P" ASC LIMIT 2', 1),
    ('SELECT "Team" FROM w ORDER BY "W" DESC LIMIT 2', 2),  # top 2 share W = 9: order is the query's
    ('SELECT "Team" FROM w ORDER BY "W" DESC LIMIT 1', 2),  # tie at the boundary
    ('SELECT "Team" FROM w ORDER BY "W" ASC LIMIT 3', 2),  # tie at the boundary (W = 5)
    ('SELECT "Team" FROM w WHERE "P" > 99 ORDER BY "P" LIMIT 1', 1),  # empty
])
def test_folded_probe_decides_as_the_reference(sql, fetches):
  table = Table.from_rows("t_fold", ["Team", "P", "W"], [
      ["a", "1", "9"], ["b", "2", "9"], ["c", "3", "5"], ["d", "4", "5"], ["e", "5", "7"]])
  ex, ref = Executor(), Executor(fast=False)
  assert textscan.scan(sql, table.header).probe_decides
  calls = []
  fetch = ex._fetch
  ex._fetch = lambda *a: calls.append(a[1]) or fetch(*a)
  for rows in (None, [0, 1, 2, 4]):
    calls.clear()
    got, want = ex.execute(table, sql, rows=rows), ref.execute(table, sql, rows=rows)
    assert type(got) is type(want), (sql, rows, got, want)
    assert (got if isinstance(got, Answer) else got.reason) == (
        want if isinstance(want, Answer) else want.reason), (sql, rows)
    if rows is None:
      assert len(calls) == fetches, calls


# --- order-free given the data: exact sums, one-row sub-queries --------------------

_DATA = Table.from_rows("t_data", ["Team", "P", "X", "D"], [
    ["a", "1", "0.1", "2001-01-01"], ["b", "2", "0.2", "2001-01-02"],
    ["b", "3", "0.3", "2001-01-02"], ["c", "4", "1e17", "2001-01-03"]])


@pytest.mark.parametrize("sql,conditions,holds", [
    ('SELECT SUM("P") FROM w', (("sum", "P"),), True),
    ('SELECT AVG("P") FROM w WHERE "Team" = \'b\'', (("sum", "P"),), True),
    ('SELECT "Team" FROM w WHERE "P" > (SELECT AVG("P") FROM w)', (("sum", "P"),), True),
    ('SELECT SUM("X") FROM w', (("sum", "X"),), False),  # 0.1 + 0.2: not exact
    ('SELECT TOTAL("Team") FROM w', (("sum", "Team"),), False),  # not a number column
    ('SELECT COUNT(*) FROM w WHERE "P" > (SELECT "P" FROM w WHERE "Team" = \'a\')',
     (("one_row", "Team", "str", "'a'"),), True),
    ('SELECT COUNT(*) FROM w WHERE "P" > (SELECT "P" FROM w WHERE "Team" = \'b\')',
     (("one_row", "Team", "str", "'b'"),), False),  # two rows hold 'b'
    ('SELECT ABS((SELECT "X" FROM w WHERE "P" = 1) - (SELECT "X" FROM w WHERE "P" = 4.0))',
     (("one_row", "P", "num", "1"), ("one_row", "P", "num", "4.0")), True),
    ('SELECT (SELECT "P" FROM w WHERE "D" = \'2001-01-02\')',
     (("one_row", "D", "str", "'2001-01-02'"),), False),
    ('SELECT (SELECT "Team" FROM w WHERE "P" = \'1\')',
     (("one_row", "P", "str", "'1'"),), False),  # SQLite converts '1' for a number column
    ('SELECT (SELECT "Team" FROM w WHERE "Nope" = 1)', (("one_row", "Nope", "num", "1"),), False),
])
def test_order_free_given_the_data(sql, conditions, holds):
  facts = textscan.scan(sql, _DATA.header)
  assert not facts.order_free and facts.order_free_if == conditions
  assert textscan.scan_cached(sql, textscan.header_index(_DATA.header)) == facts
  ex, ref = Executor(), Executor(fast=False)
  db = ex._db(_DATA)
  assert sqlx._given(db, facts).order_free == holds
  calls = []
  fetch = ex._fetch
  ex._fetch = lambda *a: calls.append(a[1]) or fetch(*a)
  got, want = ex.execute(_DATA, sql), ref.execute(_DATA, sql)
  assert (got if isinstance(got, Answer) else got.reason) == (
      want if isinstance(want, Answer) else want.reason)
  if isinstance(want, Answer) or want.reason == "tie":  # (not skipped before the order check)
    assert (len(calls) == 1) == holds  # no runs in other orders where the data decides


@pytest.mark.parametrize("sql", [
    'SELECT SUM("P" + 1) FROM w',
    'SELECT SUM(DISTINCT "P") FROM w',
    'SELECT COUNT(*) FROM (SELECT SUM("P") FROM w GROUP BY "Team")',  # derived table
    'SELECT (SELECT "P" FROM w WHERE "Team" = \'a\' AND "P" = 1)',
    'SELECT (SELECT "P" FROM w WHERE "Team" > \'a\')',
    'SELECT (SELECT "P" FROM x WHERE "Team" = \'a\')',
    'SELECT SUM("P"), "Team" FROM w',  # bare column
])
def test_no_data_condition_makes_these_order_free(sql):
  facts = textscan.scan(sql, _DATA.header)
  assert not facts.order_free and facts.order_free_if is None


def test_probe_decides_given_one_row():
  sql = ('SELECT "Team" FROM w WHERE "P" > (SELECT "P" FROM w WHERE "Team" = \'a\') '
         'ORDER BY "P" ASC LIMIT 1')
  facts = textscan.scan(sql, _DATA.header)
  assert not facts.probe_decides
  assert facts.probe_decides_if == (("one_row", "Team", "str", "'a'"),)
  assert sqlx._given(Executor()._db(_DATA), facts).probe_decides
  assert Executor().execute(_DATA, sql).text == "b"


def test_other_orders_stored_only_when_a_query_needs_them():
  big = Table.from_rows("t_big", ["k", "v"], [[f"r{i}", str(i % 7)] for i in range(3000)])
  ex = Executor()
  db = ex._db(big)
  assert ex.execute(big, 'SELECT COUNT(*) FROM w WHERE "v" = 3').text == "429"
  assert ex.execute(big, 'SELECT SUM("v") FROM w WHERE "k" = \'r5\'').text == "5"
  assert db._stores == set()  # order-free (SUM over whole numbers too): no other order
  got = ex.execute(big, 'SELECT GROUP_CONCAT("k") FROM w WHERE "k" = \'r6\'')
  assert got.text == "r6" and db._stores == {"_r", "_s"}  # stored for the re-runs


def test_storing_other_orders_is_not_a_query_step():
  big = Table.from_rows("t_big", ["k", "v"], [[f"r{i}", str(i % 7)] for i in range(3000)])
  ex = Executor()
  db = ex._db(big)
  ex._steps[0] = 10 ** 9  # as after a query that ran out of steps: any check interrupts
  assert db.store("_r") == "_r"  # the inserts run without the step budget
  assert ex.run(big, 'SELECT COUNT(*), MIN("k") FROM w', store="_r") == [(3000, "r0")]
  assert ex.run(big, 'SELECT COUNT(*) FROM w', store="_r", rows=[0, 1]) == [(2,)]


# --- the skeleton's tokenizer against the plain one it replaces -------------------

# The literal pattern as first written (one alternative per kind, behind an
# assertion) and the digit check after it: `textscan.skeleton` splits with a
# faster pattern that also captures stray digit runs and gives up there; its
# answers must be these, on any text.
_PLAIN_LITERAL = re.compile(r"""
    (?=["'0-9.])
    ("[^"]*(?:""[^"]*)*"
  | '[^']*(?:''[^']*)*'
  | (?<![A-Za-z0-9_.])(?:\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)(?![A-Za-z0-9_.]))
""", re.VERBOSE)


def _plain_skeleton(sql: str):
  """`textscan.skeleton` with the plain pattern and a digit search over the
  texts between the literals (the reference)."""
  parts = _PLAIN_LITERAL.split(sql)
  if re.search(r"\d", "\0".join(parts[0::2])):
    return None
  fast = textscan._LITERAL  # pylint: disable=protected-access
  try:
    textscan._LITERAL = _PLAIN_LITERAL  # pylint: disable=protected-access
    return textscan.skeleton(sql)
  finally:
    textscan._LITERAL = fast  # pylint: disable=protected-access


def test_skeleton_equals_the_plain_tokenizer_on_fuzzed_text(sample_tables):
  rng = random.Random(7)
  extra = ["٣", "x١", "1٣", "١", "e5", "1e", "12.", "..", "1_", "_1", "9x", "x9", "0.5e-3", "7.e2"]
  texts = [query.sql for _, query in _queries(sample_tables, 2000, seed=11)]
  for _ in range(30000):
    pieces = [rng.choice(_PIECES + extra) for _ in range(rng.randrange(1, 14))]
    texts.append("".join(p + rng.choice(["", " ", " ", "\n"]) for p in pieces).strip())
  given = 0
  for sql in texts:
    want = _plain_skeleton(sql)
    assert textscan.skeleton(sql) == want, sql
    given += want is not None
  assert 2000 < given < len(texts)  # both answers occur
