"""The SQLite executor: answers, skip reasons, subsets, caching, read-only."""

import pytest

from symtune_jax.sql.executor import UNREAD, Answer, Executor, Skip
from symtune_jax.tables.table import Table


def test_answers_and_canonical_text(cyclists):
  ex = Executor()
  a = ex.execute(cyclists, 'SELECT "Cyclist" FROM w WHERE "Team" = \'Team CSC\'')
  assert a == Answer(values=("Alexandr Kolobnev", "Stéphane Goubert"),
                     text="Alexandr Kolobnev, Stéphane Goubert")
  assert ex.execute(cyclists, 'SELECT SUM("Points") FROM w').text == "138"
  assert ex.execute(cyclists, 'SELECT AVG("Points") FROM w').text == "19.714286"
  assert ex.execute(cyclists, 'SELECT MAX("Date") FROM w').text == "2008-06-08"
  assert ex.kept == 4 and not ex.skips


@pytest.mark.parametrize("sql,reason", [
    ("SELECT nope FROM w", "error"),
    ("SELECT FROM w WHERE", "error"),
    ('SELECT "Cyclist" FROM w WHERE "Points" > 100', "empty"),
    ('SELECT "Cyclist" FROM w', "too_many"),  # 8 values > max_values=5
    ('SELECT "Points" FROM w WHERE "Rank" = 6', "null"),
    ("DELETE FROM w", "not_select"),
    ("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
     "SELECT MAX(x) FROM c", "timeout"),
])
def test_skips_are_returned_and_counted_never_raised(cyclists, sql, reason):
  ex = Executor(max_values=5, max_steps=100_000)
  out = ex.execute(cyclists, sql)
  assert isinstance(out, Skip) and out.reason == reason
  assert ex.skips == {reason: 1} and ex.kept == 0


def test_database_is_read_only(cyclists):
  ex = Executor()
  out = ex.execute(cyclists, "WITH x AS (SELECT 1) INSERT INTO w (\"Rank\") SELECT 1 FROM x")
  assert isinstance(out, Skip) and out.reason == "error"
  assert ex.execute(cyclists, "SELECT COUNT(*) FROM w").text == "8"


def test_subset_of_rows_shadows_the_table_in_subqueries(cyclists):
  ex = Executor()
  rows = [0, 2, 4]  # Valverde 40, Rebellin 25, Pellizotti 15: average 26.67
  sql = 'SELECT "Cyclist" FROM w WHERE "Points" < (SELECT AVG("Points") FROM w)'
  assert ex.execute(cyclists, sql, rows=rows).text == "Davide Rebellin, Franco Pellizotti"
  # On all rows the average is 19.71.
  assert ex.execute(cyclists, sql).text == ("Franco Pellizotti, Samuel Sánchez, "
                                            "Stéphane Goubert")
  assert ex.execute(cyclists, 'SELECT COUNT(*) FROM w', rows=rows).text == "3"
  with_sql = 'WITH t AS (SELECT "Points" FROM w) SELECT MAX("Points") FROM t'
  assert ex.execute(cyclists, with_sql, rows=[3, 4]).text == "20"
  # The full table is unchanged, and its database was built once.
  assert ex.execute(cyclists, 'SELECT COUNT(*) FROM w').text == "8"
  assert len(ex._dbs) == 1  # pylint: disable=protected-access


def test_min_values(cyclists):
  ex = Executor(min_values=2)
  out = ex.execute(cyclists, 'SELECT "Cyclist" FROM w WHERE "Rank" = 1')
  assert isinstance(out, Skip) and out.reason == "empty"


def test_one_cursor_per_table_whatever_the_statement_before(cyclists):
  """Each table's queries share one cursor: a statement left with rows unread,
  one stopped by the step budget, or one that failed does not change what the
  next query answers, nor the stores of other row orders made in between."""
  sqls = [
      'SELECT "Cyclist" FROM w',  # 8 rows, more than it fetches: left unread
      'SELECT "Team" FROM w GROUP BY "Team" ORDER BY COUNT(*) DESC LIMIT 1',  # other orders
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT MAX(x) FROM c",
      "SELECT nope FROM w",
      'SELECT "Cyclist" FROM w WHERE "Points" > (SELECT AVG("Points") FROM w)',
      'SELECT COUNT(*) FROM w',
  ]
  shared = Executor(max_values=5, max_steps=100_000, fast=False)
  rows = [0, 1, 2, 3, 5]
  for sql in sqls * 2:
    for subset in (None, rows):
      fresh = Executor(max_values=5, max_steps=100_000, fast=False)
      assert shared.execute(cyclists, sql, rows=subset) == fresh.execute(cyclists, sql,
                                                                         rows=subset), sql
  db = shared._dbs[cyclists.table_id]  # pylint: disable=protected-access
  assert db.cursor.connection is db.conn


def test_execute_takes_a_result_run_ahead_only_for_its_own_statement(cyclists):
  ex, ref = Executor(), Executor()
  sqls = ['SELECT "Cyclist" FROM w WHERE "Team" = \'Team CSC\'',
          'SELECT "Cyclist" FROM w ORDER BY "Points" DESC LIMIT 1',  # the probe runs first
          'SELECT COUNT(*) FROM w']
  runs = [(cyclists, sql, rows, ex.read(cyclists, sql) if "LIMIT" in sql else UNREAD)
          for sql in sqls for rows in (None, [0, 1, 2, 4])]
  ahead = ex.run_ahead(runs)
  assert all(a is not None for a in ahead)
  calls = []
  fetch = ex._fetch  # pylint: disable=protected-access
  ex._fetch = lambda *a: calls.append(a[1]) or fetch(*a)  # pylint: disable=protected-access
  for (table, sql, rows, facts), a in zip(runs, ahead):
    assert ex.execute(table, sql, rows=rows, facts=facts, ahead=a) == ref.execute(
        table, sql, rows=rows)
  assert not calls  # every first statement came from run_ahead
  # Another statement's result is not taken: the query runs itself.
  table, sql, rows, facts = runs[1]
  assert rows is not None  # (on the whole table the answer is kept: see below)
  got = ex.execute(table, sql, rows=rows, facts=facts, ahead=ahead[-1])
  assert got == ref.execute(table, sql, rows=rows) and len(calls) == 1
  # Nor the same statement's on another table.
  other = Table.from_rows("t_other", cyclists.header, [r[:] for r in cyclists.rows][3:])
  sql = sqls[0]
  (elsewhere,) = ex.run_ahead([(other, sql, None, UNREAD)])
  assert elsewhere is not None and elsewhere[1] == sql
  got = ex.execute(cyclists, sql, ahead=elsewhere)
  assert got == ref.execute(cyclists, sql) != ref.execute(other, sql) and len(calls) == 3


def test_warm_lookups_equal_those_made_on_first_use(sample_tables, cyclists):
  """`Executor.prepare` makes each column's lookups now (cell texts, what
  `holds` reads) and the rows in the other orders: the same as made on first use."""
  warm, cold = Executor(), Executor()
  for table in list(sample_tables[:40]) + [cyclists]:
    warm.prepare(table)
    w, c = warm._db(table), cold._db(table)  # pylint: disable=protected-access
    assert len(w._counts) == table.num_columns  # pylint: disable=protected-access
    for j, name in enumerate(table.header):
      cells = {v for row in table.values for v in (row[j],) if v is not None}
      conditions = [("sum", name)] + [
          ("one_row", name, "num", repr(v)) if isinstance(v, float)
          else ("one_row", name, "str", "'" + str(v).replace("'", "''") + "'")
          for v in sorted(cells, key=repr)[:5]]
      assert [w.holds(x) for x in conditions] == [c.holds(x) for x in conditions]
      assert w.display(j) == c.display(j)
    # The rows in the other orders are stored now, as made on first use.
    assert {"_r", "_s"} <= w._stores and not {"_r", "_s"} & c._stores  # pylint: disable=protected-access
    for name in ("_r", "_s"):
      assert (w.conn.execute(f"SELECT * FROM {name}").fetchall()
              == c.conn.execute(f"SELECT * FROM {c.store(name)}").fetchall())
    if w.rowid is not None:
      assert w._rowid_texts == c.rowid_texts()  # pylint: disable=protected-access


def test_a_query_on_a_whole_table_runs_once(cyclists):
  """With a memo, a query seen before on the same whole table gives its result
  again without running (kept or skipped, and counted again either way)."""
  ex = Executor(max_values=2)
  ex.memo_size = 1 << 16
  calls = []
  fetch = ex._fetch  # pylint: disable=protected-access
  ex._fetch = lambda *a: calls.append(a[1]) or fetch(*a)  # pylint: disable=protected-access
  kept = 'SELECT "Cyclist" FROM w WHERE "Team" = \'Team CSC\''
  skipped = 'SELECT "Cyclist" FROM w'  # too many values
  first = [ex.execute(cyclists, sql) for sql in (kept, skipped)]
  n = len(calls)
  assert [ex.execute(cyclists, sql) for sql in (kept, skipped)] == first
  assert len(calls) == n  # nothing ran again
  assert ex.kept == 2 and ex.skips == {"too_many": 2}
  assert ex.run_ahead([(cyclists, kept, None, UNREAD)]) == [None]  # nothing to run ahead
  ex.execute(cyclists, kept, rows=[0, 1, 2, 3, 4, 5, 6, 7])  # rows given: it runs
  assert len(calls) == n + 1
  other = Table.from_rows(cyclists.table_id, cyclists.header, [r[:] for r in cyclists.rows][:3])
  assert ex.execute(other, kept) == Executor(max_values=2).execute(other, kept)  # another table
  # Without one (the default) it runs each time.
  plain = Executor(max_values=2)
  fetched = []
  fetch_plain = plain._fetch  # pylint: disable=protected-access
  plain._fetch = lambda *a: fetched.append(a[1]) or fetch_plain(*a)  # pylint: disable=protected-access
  assert plain.execute(cyclists, kept) == plain.execute(cyclists, kept) == first[0]
  assert len(fetched) == 2
  # A full memo is dropped whole: what it held runs again, and gives the same.
  small = Executor(max_values=2)
  small.memo_size = 2
  ran = []
  fetch_small = small._fetch  # pylint: disable=protected-access
  small._fetch = lambda *a: ran.append(a[1]) or fetch_small(*a)  # pylint: disable=protected-access
  third = 'SELECT COUNT(*) FROM w'
  got = [small.execute(cyclists, sql) for sql in (kept, skipped, kept, third, kept)]
  assert got == [first[0], first[1], first[0], Executor().execute(cyclists, third), first[0]]
  assert len(ran) == 4  # kept, skipped, third (the memo full: dropped), kept again
