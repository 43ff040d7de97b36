"""SQL answers a researcher can trust (issue 9): ties, round trip, cells as shown,
deterministic budget, hostile column names, tables SQLite can't hold."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from symtune_jax.cli.main import main
from symtune_jax.errors import InputError
from symtune_jax.sql import answers, audit
from symtune_jax.sql.builder import ExampleBuilder, ExampleConfig
from symtune_jax.sql.executor import Answer, Executor, Skip, row_key_name
from symtune_jax.sql.sampler import sample_query
from symtune_jax.sql.splits import split_of
from symtune_jax.tables.table import Table


@pytest.fixture(scope="module")
def medals() -> Table:
  """Ties on 'P' (Sweden / Denmark / Spain share the max, as in WTQ table 200_4)."""
  return Table.from_rows("t_medals", ["Team", "P", "W", "Attendance", "Date", "Venue"], [
      ["Sweden", "5", "3", "206,964", "15 December 1968", "Ohio Stadium • Columbus, OH"],
      ["Denmark", "5", "2", "1,200", "1 March 1970", "Parken"],
      ["Spain", "5", "1", "980", "2 May 1971", "Bernabéu"],
      ["Italy", "3", "1", "12,000", "3 June 1972", "San Siro"],
      ["France", "1", "0", "7", "4 July 1973", "Stade de France"],
  ])


# --- 1. ties: an answer must be fixed by the table alone -------------------------

@pytest.mark.parametrize("sql", [
    'SELECT "Team" FROM w ORDER BY "P" DESC LIMIT 1',  # 3 rows share the max
    'SELECT "Team" FROM w ORDER BY "P" DESC LIMIT 2',
    'SELECT "Team" FROM w ORDER BY "P" DESC, "Team" DESC LIMIT 10 OFFSET 4',  # > rows: fine?
    'SELECT "Team" FROM w LIMIT 1',  # no order at all
    'SELECT "Team" FROM w WHERE "P" = 5 LIMIT 2',
    'SELECT (SELECT "Team" FROM w WHERE "P" = 5 LIMIT 1)',  # first-row pick
    'SELECT "Team", MAX("P") FROM w',  # bare column of an aggregate
    'SELECT GROUP_CONCAT("Team") FROM w WHERE "P" = 5',
    'SELECT "P" FROM w GROUP BY "P" ORDER BY COUNT(*) ASC LIMIT 1',  # P=3 and P=1 tie
    'SELECT "W" FROM (SELECT "W", "P" FROM w ORDER BY "P" DESC LIMIT 2)',
])
def test_order_dependent_answers_are_skipped_as_tie(medals, sql):
  out = Executor().execute(medals, sql)
  if "OFFSET 4" in sql:  # one row after a total order: kept
    assert isinstance(out, Answer) and out.text == "France"
  else:
    assert out == Skip("tie", out.detail), (sql, out)


def test_boundary_tie_the_reversed_order_cannot_see():
  # A, B, C tie on k; A and C project the same value: forward picks {1, 2} (A, B),
  # reversed {1, 2} (C, B), but {A, C} = {1, 1} is as right. The boundary check sees it.
  t = Table.from_rows("t_abc", ["x", "k"], [["1", "9"], ["2", "9"], ["1", "9"], ["5", "1"]])
  out = Executor().execute(t, 'SELECT "x" FROM w ORDER BY "k" DESC LIMIT 2')
  assert out == Skip("tie", "rows at the LIMIT boundary share the sort key")


@pytest.mark.parametrize("sql,text", [
    ('SELECT "Team" FROM w ORDER BY "W" DESC LIMIT 1', "Sweden"),  # unique max
    ('SELECT "Team" FROM w ORDER BY "P" DESC LIMIT 3', "Sweden, Denmark, Spain"),  # all tied in
    ('SELECT "Team" FROM w ORDER BY "P" ASC LIMIT 1', "France"),
    ('SELECT "Team" FROM w ORDER BY "P" DESC, "W" DESC LIMIT 1', "Sweden"),  # total order
    ('SELECT "P" FROM w GROUP BY "P" ORDER BY COUNT(*) DESC LIMIT 1', "5"),
    ('SELECT COUNT(*) FROM w WHERE "P" = 5', "3"),
])
def test_answers_fixed_by_the_table_are_kept(medals, sql, text):
  out = Executor().execute(medals, sql)
  assert isinstance(out, Answer) and out.text == text, out


def test_real_tie_of_issue_9_is_skipped(all_wtq_tables):
  t = next(t for t in all_wtq_tables if t.table_id == "200_4")
  ex = Executor()
  assert ex.execute(t, 'SELECT "Team" FROM w ORDER BY "P" DESC LIMIT 1').reason == "tie"
  assert ex.skips == {"tie": 1}


def test_no_kept_example_changes_with_the_row_order(all_wtq_tables):
  """Tie rate among kept examples on the real tables: 0 (re-run in 3 other orders)."""
  builder = ExampleBuilder(all_wtq_tables)
  report = audit.audit_examples(builder, seed=5, split="train", stop=2000, shuffles=1)
  assert report.examples == 2000
  assert report.ties == 0, report.samples["ties"]
  assert builder.stats.skips["tie"] > 0  # ... because the generator skipped them


# --- 2. targets split back exactly -------------------------------------------

@pytest.mark.parametrize("texts,ok", [
    (["a", "b"], True), (["1,234", "Paris"], True), (["a,", "b"], True),
    (["Columbus, OH"], False), ([" x"], False), (["x "], False), ([""], False),
    (["a", ""], False), (["a, ", "b"], False),
])
def test_splittable_is_the_round_trip(texts, ok):
  assert answers.splittable(texts) == ok
  assert (answers.split_answers(answers.join_answers(texts)) == texts) >= ok


def test_round_trip_on_random_value_lists():
  rng = np.random.default_rng(0)
  alphabet = [",", " ", "a", "1", ".", "\t"]
  for _ in range(20_000):
    texts = ["".join(rng.choice(alphabet, size=rng.integers(0, 5)))
             for _ in range(rng.integers(1, 4))]
    if answers.splittable(texts):
      assert answers.split_answers(answers.join_answers(texts)) == texts, texts


def test_cell_holding_the_separator_is_skipped(medals):
  ex = Executor()
  out = ex.execute(medals, 'SELECT "Venue" FROM w WHERE "Team" = \'Sweden\'')
  assert out.reason == "unsplittable" and ex.skips == {"unsplittable": 1}


def test_sql_task_metric_uses_the_same_split():
  from symtune_jax.tasks import sql as sql_task  # pylint: disable=g-import-not-at-top
  assert sql_task.sql_postprocessor("1,234, Paris") == ["1,234", "Paris"]
  # Order-free, duplicates counted ('3, 3' is not '3'); '1,234' is read as the
  # official WTQ evaluator reads it (a string, so '1234' does not match it).
  acc = sql_task.sql_denotation_accuracy(["1,234, Paris", "3"], ["Paris, 1,234", "3, 3"])
  assert acc == {"denotation_accuracy": 50.0}
  assert sql_task.sql_denotation_accuracy(["1,234"], ["1234"]) == {"denotation_accuracy": 0.0}


def test_targets_round_trip_on_real_tables(all_wtq_tables):
  """All examples of a 10k slice (benchmarks/sql_trust_audit.py runs 100k)."""
  builder = ExampleBuilder(all_wtq_tables)
  report = audit.audit_examples(builder, seed=0, split="train", stop=10_000,
                                check_order=False)
  assert report.examples == 10_000
  assert report.unsplittable == 0, report.samples["unsplittable"]
  assert report.select_examples > 3000
  assert report.not_shown == 0, report.samples["not_shown"]


# --- 3. answers as the table shows them -------------------------------------------

@pytest.mark.parametrize("sql,text", [
    ('SELECT "Attendance" FROM w WHERE "Team" = \'Sweden\'', "206,964"),
    ('SELECT "Date" FROM w WHERE "Team" = \'Sweden\'', "15 December 1968"),
    ('SELECT MAX("Attendance") FROM w', "206,964"),
    ('SELECT MIN("Date") FROM w', "15 December 1968"),
    ('SELECT "Team", "Attendance" FROM w WHERE "P" < 5', "Italy, 12,000, France, 7"),
    ('SELECT DISTINCT "Attendance" FROM w WHERE "W" = 1', "980, 12,000"),
    ('SELECT (SELECT "Attendance" FROM w WHERE "Team" = \'Italy\')', "12,000"),
    ('SELECT "Attendance" AS a FROM w WHERE "Team" = \'Italy\'', "12,000"),
    # Computed values: canonical numbers, exact integers.
    ('SELECT SUM("Attendance") FROM w', "221151"),
    ('SELECT AVG("P") FROM w', "3.8"),
    ('SELECT COUNT(*) FROM w', "5"),
    ('SELECT MAX("Attendance") - MIN("Attendance") FROM w', "206957"),
    ('SELECT "Attendance" + 0 FROM w WHERE "Team" = \'Sweden\'', "206964"),
    ('SELECT 2190001.0 + 1', "2190002"),
    ('SELECT 0.1 + 0.2', "0.3"),
])
def test_cells_as_shown_computed_values_canonical(medals, sql, text):
  out = Executor().execute(medals, sql)
  assert isinstance(out, Answer) and out.text == text, out


def test_a_date_shown_with_the_separator_is_skipped_never_normalised():
  t = Table.from_rows("t_us_date", ["Date", "n"], [["December 15, 1968", "1"], ["May 2, 1971", "2"]])
  out = Executor().execute(t, 'SELECT "Date" FROM w WHERE "n" = 1')
  assert out.reason == "unsplittable" and out.detail == "December 15, 1968"
  assert Executor().execute(t, 'SELECT COUNT(*) FROM w WHERE "Date" < \'1970-01-01\'').text == "1"


def test_one_value_shown_two_ways_is_ambiguous_unless_the_rows_decide():
  t = Table.from_rows("t_amb", ["n", "name"], [["1,000", "a"], ["1000", "b"], ["7", "c"]])
  ex = Executor()
  assert ex.execute(t, 'SELECT DISTINCT "n" FROM w WHERE "n" > 10').reason == "ambiguous_cell"
  assert ex.execute(t, 'SELECT "n" FROM w WHERE "name" = \'a\'', rows=[0, 2]).text == "1,000"
  assert ex.execute(t, 'SELECT "n" FROM w WHERE "name" = \'b\'', rows=[1, 2]).text == "1000"


# --- 4. a deterministic budget ------------------------------------------------------

def test_budget_counts_vm_steps_not_time(cyclists):
  slow = ("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < {n}) "
          "SELECT MAX(x) FROM c")
  ex = Executor(max_steps=200_000)
  # Some n between is the boundary; the outcome for each n never changes.
  outcomes = [[type(ex.execute(cyclists, slow.format(n=n))).__name__
               for n in (1_000, 100_000)] for _ in range(3)]
  assert outcomes == [["Answer", "Skip"]] * 3
  assert ex.skips == {"timeout": 3}


_SLOWED = textwrap.dedent("""
    import json, os, sys, threading
    os.nice(10)                     # a lower priority than the CPU hog beside it
    sys.path.insert(0, {repo!r})
    from symtune_jax.sql.builder import ExampleBuilder
    from symtune_jax.tables import sample
    stop = threading.Event()
    def hog():                      # a busy sibling thread competing for the GIL
      x = 0
      while not stop.is_set():
        x += 1
    threading.Thread(target=hog, daemon=True).start()
    sys.setprofile(lambda *a: None)  # every Python call slowed
    b = ExampleBuilder(sample.load_sample_tables())
    out = [b.example(0, "train", i) for i in range({n})]
    stop.set()
    print(json.dumps(out))
""")


def test_examples_identical_in_a_slowed_process(sample_tables):
  import json  # pylint: disable=g-import-not-at-top
  n = 40
  repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
  hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
          for _ in range(1)]  # a CPU hog beside the slowed process
  try:
    # (No preexec_fn: it would run Python in the forked child of a process
    # that may hold JAX's threads.)
    proc = subprocess.run([sys.executable, "-c", _SLOWED.format(repo=repo, n=n)],
                          capture_output=True, text=True, check=True, timeout=600)
  finally:
    for h in hogs:
      h.kill()
      h.wait()
  slowed = json.loads(proc.stdout)
  b = ExampleBuilder(sample_tables)
  assert slowed == [b.example(0, "train", i) for i in range(n)]


# --- 5. any column name is safe ----------------------------------------------------

HOSTILE = ["rowid", "ROWID", "_rowid_", "oid", 'say "hi"', "[x]", "with space", "Größe",
           "SELECT", "w", "__symtune_row", "__SYMTUNE_ROW_", "order"]


def test_internal_row_key_never_clashes():
  assert row_key_name(["a"]) == "__symtune_row"
  assert row_key_name(["__SYMTUNE_ROW", "__symtune_row_"]) == "__symtune_row__"


@pytest.mark.parametrize("header,alias", [
    (HOSTILE, None),  # every rowid alias is a header: the keyed copy in table order
    ([h for h in HOSTILE if h not in ("_rowid_", "oid")], "_rowid_"),
    ([h for h in HOSTILE if h.lower() != "rowid"], "rowid"),
])
def test_hostile_column_names_give_the_subset_answers(header, alias):
  rng = np.random.default_rng(0)
  rows = [[str(int(rng.integers(1, 6))) if j % 2 else f"v{int(rng.integers(0, 4))}"
           for j in range(len(header))] for _ in range(12)]
  table = Table.from_rows("t_hostile", header, rows)
  ex, fresh_ex = Executor(), Executor()
  compared = 0
  for trial in range(300):
    subset = sorted(rng.choice(12, size=int(rng.integers(1, 12)), replace=False).tolist())
    fresh = table.select_rows(subset)
    fresh = Table(table_id=f"fresh{trial}", header=fresh.header, rows=fresh.rows,
                  types=fresh.types)
    query = sample_query(fresh, rng)
    if query is None:
      continue
    got = ex.execute(table, query, rows=subset)
    want = fresh_ex.execute(fresh, query)
    assert got == want, (query.sql, subset)
    compared += isinstance(got, Answer)
    fresh_ex.close()
  assert compared > 50
  assert ex._db(table).rowid == alias  # pylint: disable=protected-access
  for j, name in enumerate(table.header):  # each column reads back its own cells
    quoted = '"' + name.replace('"', '""') + '"'
    out = ex.run(table, f"SELECT {quoted} FROM w", rows=[3, 5])
    assert [r[0] for r in out] == [table.values[3][j], table.values[5][j]], name


# --- 6. tables SQLite can't hold, empty tables ---------------------------------------

def _wide(n_cols: int) -> Table:
  return Table.from_rows("t_wide", [f"c{j}" for j in range(n_cols)],
                         [[str(i * j) for j in range(n_cols)] for i in range(3)])


def test_too_many_columns_is_a_skip_not_an_exception():
  ex = Executor()
  out = ex.execute(_wide(2001), 'SELECT "c1" FROM w')
  assert isinstance(out, Skip) and out.reason == "too_many_columns"
  assert ex.skips == {"too_many_columns": 1}
  assert ex.execute(_wide(1999), 'SELECT "c1998" FROM w WHERE "c1" = 2').text == "3996"


def test_builder_names_the_reason_when_no_table_works():
  wide = _wide(2001)
  with pytest.raises(InputError, match="too_many_columns"):
    ExampleBuilder([wide], ExampleConfig(max_attempts=2, table_budget=10 ** 6)).example(
        0, split_of(wide.table_id), 0)
  with pytest.raises(InputError, match="no_rows"):  # the header alone is over the budget
    ExampleBuilder([wide], ExampleConfig(max_attempts=2)).example(0, split_of(wide.table_id), 0)
  empty = Table.from_rows("t_empty", ["a", "b"], [["", ""], [" ", ""]])
  with pytest.raises(InputError, match="empty_columns") as e:
    ExampleBuilder([empty], ExampleConfig(max_attempts=2)).example(0, split_of("t_empty"), 0)
  assert "too small" not in str(e.value)


def test_cli_reports_a_too_wide_table_without_traceback(tmp_path, capsys):
  path = tmp_path / "wide.csv"
  n = 2001
  path.write_text(",".join(f"c{j}" for j in range(n)) + "\n" +
                  "\n".join(",".join(str(i + j) for j in range(n)) for i in range(3)) + "\n")
  code = main(["generate", "sql", "--tables", str(path), "--split", split_of("wide"), "--num", "2",
               "--table-budget", "1000000", "--out", str(tmp_path / "out"), "--format", "jsonl", "--no-progress"])
  err = capsys.readouterr().err
  assert code != 0 and "too_many_columns" in err and "Traceback" not in err
