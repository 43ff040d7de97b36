"""Independent checks of generated SQL examples: row order, round trip, answers as shown.

    >>> report = audit_examples(ExampleBuilder(tables), seed=0, split="train", stop=10_000)
    >>> report.to_json()
    {'examples': 10000, 'ties': 0, 'unsplittable': 0, 'not_shown': 0, ...}

For each kept example it re-runs the query, on plain SQLite copies of the table
(``Table.to_sqlite``, none of the executor's checks), on the same rows stored in other orders (reversed, and
``shuffles`` random permutations): a different answer (as a multiset) is a
``tie`` the generator should have skipped. It splits each target with
`answers.split_answers` and joins it back (``unsplittable`` when that is not
the target, or when the count is not ``num_answers``), and checks that each
answer of a query projecting plain columns is a cell of the rows shown
(``not_shown``). Used by tests/sql/test_sql_trust.py and
benchmarks/sql_trust_audit.py (the 100k-example figures).
"""

from __future__ import annotations

import collections
import dataclasses
import sqlite3
from typing import Any, Sequence

import numpy as np
import sqlglot
from sqlglot import exp

from symtune_jax.sql import answers
from symtune_jax.sql.executor import Answer, DEFAULT_MAX_STEPS, Executor
from symtune_jax.sql.query import Query
from symtune_jax.tables.table import ColumnType, Table


@dataclasses.dataclass
class AuditReport:
  """Counts over the examples audited, and a few examples of each problem."""
  examples: int = 0
  ties: int = 0
  unsplittable: int = 0
  select_examples: int = 0
  not_shown: int = 0
  shapes: collections.Counter = dataclasses.field(default_factory=collections.Counter)
  samples: dict[str, list] = dataclasses.field(
      default_factory=lambda: collections.defaultdict(list))

  def note(self, kind: str, item: Any) -> None:
    if len(self.samples[kind]) < 5:
      self.samples[kind].append(item)

  def to_json(self) -> dict[str, Any]:
    return {"examples": self.examples, "ties": self.ties, "unsplittable": self.unsplittable,
            "select_examples": self.select_examples, "not_shown": self.not_shown,
            "shapes": dict(sorted(self.shapes.items())),
            "samples": {k: v for k, v in self.samples.items()}}


class _Recorder:
  """Wraps an executor: remembers the (table, rows, query) of the last kept answer."""

  def __init__(self, inner: Executor):
    self.inner = inner
    self.last: tuple[Table, Sequence[int] | None, Query | str] | None = None

  def execute(self, table, query, *, rows=None, **kwargs):
    out = self.inner.execute(table, query, rows=rows, **kwargs)
    if isinstance(out, Answer):
      self.last = (table, None if rows is None else list(rows), query)
    return out

  def __getattr__(self, name):
    return getattr(self.inner, name)


def _bag(table: Table, sql: str, max_steps: int) -> collections.Counter | str:
  """The multiset of values of ``sql`` on a plain SQLite copy of ``table`` (as ``w``)."""
  conn = table.to_sqlite()
  calls = [0]

  def handler() -> int:
    calls[0] += 1
    return int(calls[0] * 1000 > max_steps)

  conn.set_progress_handler(handler, 1000)
  try:
    out = conn.execute(sql).fetchall()
  except sqlite3.Error as e:
    return f"error: {e}"
  finally:
    conn.close()
  return collections.Counter(answers.format_value(v) for row in out for v in row)


def _plain_columns(query: Query | str) -> bool:
  tree = query.expression if isinstance(query, Query) else None
  return (isinstance(tree, exp.Select) and bool(tree.expressions)
          and all(isinstance(p, exp.Column) for p in tree.expressions))


def audit_examples(builder, *, seed: int = 0, split: str = "train", start: int = 0,
                   stop: int = 1000, shuffles: int = 2, check_order: bool = True
                   ) -> AuditReport:
  """Generates examples start..stop-1 with ``builder`` and audits each (see module doc).

  ``check_order=False`` leaves out the re-runs in other row orders (the costly part).
  """
  report = AuditReport()
  recorder = _Recorder(builder.executor)
  builder.executor = recorder
  try:
    for i in range(start, stop):
      recorder.last = None
      ex = builder.example(seed, split, i)
      table, rows, query = recorder.last
      report.examples += 1
      report.shapes[ex["shape"]] += 1
      shown_rows = list(range(table.num_rows)) if rows is None else rows
      sql = query if isinstance(query, str) else query.sql
      # Row order: the same rows in other orders give the same multiset.
      base = None
      rng = np.random.default_rng([seed, i])
      orders = [shown_rows, shown_rows[::-1]] + [
          list(rng.permutation(shown_rows)) for _ in range(shuffles)]
      for order in orders if check_order else ():
        got = _bag(table.select_rows(order), sql, DEFAULT_MAX_STEPS)
        if base is None:
          base = got
        elif got != base:
          report.ties += 1
          report.note("ties", (ex["table_id"], sql))
          break
      # Round trip of the target.
      parts = answers.split_answers(ex["targets"])
      if answers.join_answers(parts) != ex["targets"] or len(parts) != ex["num_answers"]:
        report.unsplittable += 1
        report.note("unsplittable", (ex["table_id"], ex["targets"]))
      # Answers of plain-column queries are cells as shown.
      if _plain_columns(query):
        report.select_examples += 1
        cells = {c for r in shown_rows for c in table.rows[r]}
        if not all(a in cells for a in parts):
          report.not_shown += 1
          report.note("not_shown", (ex["table_id"], sql, ex["targets"]))
  finally:
    builder.executor = recorder.inner
  return report


# --- differential check against DuckDB -------------------------------------------------

FLOAT_REL_TOL = 1e-9


def _value_key(v: Any) -> tuple:
  """('i', 2190001) for integral numbers (compared exactly), ('f', 2.5), ('s', 'x')."""
  if isinstance(v, bool):
    return ("i", int(v))
  if isinstance(v, int):
    return ("i", v)
  if v is not None and type(v).__name__ == "Decimal":
    v = float(v)
  if isinstance(v, float):
    if v != v or v in (float("inf"), float("-inf")):
      return ("x", repr(v))
    if v.is_integer():
      return ("i", int(v))
    return ("f", v)
  if v is None:
    return ("n", "")
  return ("s", str(v))


def same_values(a: Sequence[Any], b: Sequence[Any]) -> bool:
  """Equal as multisets: integers and text exactly, non-integers within 1e-9 relative.

  An integral value never equals a non-integral one (2190001 vs 2190001.5).
  """
  ka, kb = sorted(map(_value_key, a)), sorted(map(_value_key, b))
  if len(ka) != len(kb):
    return False
  for x, y in zip(ka, kb):
    if x[0] != y[0]:
      return False
    if x[0] == "f":
      if abs(x[1] - y[1]) > FLOAT_REL_TOL * max(abs(x[1]), abs(y[1])):
        return False
    elif x != y:
      return False
  return True


def duckdb_table(con, table: Table) -> None:
  """Table ``w`` in DuckDB: DOUBLE for number columns, VARCHAR else, the same typed values."""
  cols = ", ".join('"' + h.replace('"', '""') + '" ' +
                   ("DOUBLE" if t == ColumnType.NUMBER else "VARCHAR")
                   for h, t in zip(table.header, table.types))
  con.execute("DROP TABLE IF EXISTS w")
  con.execute(f"CREATE TABLE w ({cols})")
  values = table.values
  row = "(" + ", ".join("?" * table.num_columns) + ")"
  step = max(1, 2000 // max(1, table.num_columns))
  for i in range(0, len(values), step):
    chunk = values[i:i + step]
    con.execute(f"INSERT INTO w VALUES {', '.join([row] * len(chunk))}",
                [v for r in chunk for v in r])


@dataclasses.dataclass
class DifferentialReport:
  """Kept queries compared on SQLite (the executor) and DuckDB."""
  tables: int = 0
  sampled: int = 0
  kept: int = 0
  compared: int = 0
  mismatches: int = 0
  duckdb_errors: int = 0
  shapes: collections.Counter = dataclasses.field(default_factory=collections.Counter)
  examples: list = dataclasses.field(default_factory=list)

  def to_json(self) -> dict[str, Any]:
    return {"tables": self.tables, "sampled": self.sampled, "kept": self.kept,
            "compared": self.compared, "mismatches": self.mismatches,
            "duckdb_errors": self.duckdb_errors, "shapes": dict(sorted(self.shapes.items())),
            "examples": self.examples[:10]}


def differential(tables: Sequence[Table], draw, per_table: int, *, seed: int = 1234,
                 executor: Executor | None = None) -> DifferentialReport:
  """Draws ``per_table`` queries per table (``draw(table, rng)``); for each one the
  executor keeps, compares SQLite's values with DuckDB's (sqlglot sqlite -> duckdb)."""
  import duckdb  # pylint: disable=g-import-not-at-top
  ex = executor or Executor()
  con = duckdb.connect()
  report = DifferentialReport()
  rng = np.random.default_rng(seed)
  for table in tables:
    if table.num_rows == 0 or table.num_columns > 1000:
      continue
    report.tables += 1
    loaded = False
    for _ in range(per_table):
      query = draw(table, rng)
      if query is None:
        continue
      report.sampled += 1
      answer = ex.execute(table, query)
      if not isinstance(answer, Answer):
        continue
      report.kept += 1
      if not loaded:
        duckdb_table(con, table)
        loaded = True
      duck_sql = sqlglot.transpile(query.sql, read="sqlite", write="duckdb")[0]
      try:
        duck = [v for row in con.execute(duck_sql).fetchall() for v in row]
      except duckdb.Error as e:
        report.duckdb_errors += 1
        report.examples.append({"table": table.table_id, "sql": query.sql, "duckdb": duck_sql,
                                "sqlite": list(answer.values), "error": str(e)[:200]})
        continue
      report.compared += 1
      report.shapes[query.shape] += 1
      if not same_values(answer.values, duck):
        report.mismatches += 1
        report.examples.append({"table": table.table_id, "sql": query.sql, "duckdb": duck_sql,
                                "sqlite": list(answer.values), "duck": duck})
  con.close()
  return report
