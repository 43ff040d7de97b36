"""Runs queries on SQLite: one in-memory, read-only database per table, reused.

    >>> ex = Executor()
    >>> ex.execute(table, query)            # Answer(values=(1969.0,), text='1969')
    >>> ex.execute(table, query, rows=[0, 2])   # on rows 0 and 2 only (a truncated table)
    >>> ex.skips                            # Counter({'empty': 3, 'too_many': 1})

A query never raises: errors, timeouts, empty results, results with more than
``max_values`` values or with NULLs come back as `Skip(reason)` and are
counted in ``Executor.skips``. Each query gets a time budget, enforced by a
SQLite progress handler, and at most ``max_values + 1`` values are fetched.

Executing on a subset of rows (the rows a truncated table keeps) reuses the
full table's database: the query runs under
``WITH w AS (SELECT * FROM main.w WHERE rowid IN (...))``, which shadows the
stored table, so sub-queries see the subset too.
"""

from __future__ import annotations

import collections
import dataclasses
import sqlite3
import time
from typing import Sequence

from symtune_jax.sql.answers import answer_text
from symtune_jax.sql.query import Query
from symtune_jax.tables.table import Table

SKIP_REASONS = ("error", "timeout", "empty", "too_many", "null", "not_select")


@dataclasses.dataclass(frozen=True)
class Answer:
  """A kept result: the values (row-major) and their canonical text."""
  values: tuple
  text: str

  @property
  def count(self) -> int:
    return len(self.values)


@dataclasses.dataclass(frozen=True)
class Skip:
  """A query that is not kept, and why (one of `SKIP_REASONS`)."""
  reason: str
  detail: str = ""


@dataclasses.dataclass
class _Db:
  table: Table
  conn: sqlite3.Connection
  deadline: float = 0.0


class Executor:
  """Executes queries against tables, caching one SQLite database per table.

  Args:
    min_values: fewest values a kept answer has (>= 1).
    max_values: most values a kept answer has.
    time_budget_s: wall-clock budget per query.
    cache_size: databases kept (least recently used are closed); all 2,108
      WTQ tables take about 80 MB.
    check_every: SQLite VM steps between two deadline checks.
  """

  def __init__(self, *, min_values: int = 1, max_values: int = 10,
               time_budget_s: float = 0.05, cache_size: int = 4096,
               check_every: int = 2000):
    if min_values < 1 or max_values < min_values:
      raise ValueError(f"need 1 <= min_values <= max_values, got {min_values}, {max_values}")
    self.min_values, self.max_values = min_values, max_values
    self.time_budget_s = time_budget_s
    self.cache_size = cache_size
    self.check_every = check_every
    self.skips: collections.Counter[str] = collections.Counter()
    self.kept = 0
    self._dbs: collections.OrderedDict[str, _Db] = collections.OrderedDict()

  # --- databases ---------------------------------------------------------------
  def _db(self, table: Table) -> _Db:
    key = table.table_id
    db = self._dbs.get(key)
    if db is not None and (db.table is table or (
        db.table.header == table.header and db.table.rows == table.rows)):
      self._dbs.move_to_end(key)
      return db
    if db is not None:
      db.conn.close()
    conn = table.to_sqlite()
    db = _Db(table, conn)
    conn.set_progress_handler(lambda: int(time.perf_counter() > db.deadline), self.check_every)
    self._dbs[key] = db
    while len(self._dbs) > self.cache_size:
      _, old = self._dbs.popitem(last=False)
      old.conn.close()
    return db

  def close(self) -> None:
    for db in self._dbs.values():
      db.conn.close()
    self._dbs.clear()

  # --- execution ---------------------------------------------------------------
  def run(self, table: Table, sql: str, *, rows: Sequence[int] | None = None
          ) -> list[tuple] | Skip:
    """Raw rows of ``sql`` (at most ``max_values + 1``), or a `Skip`; not counted."""
    sql = sql.strip()
    head = sql[:6].upper()
    if not (head.startswith(("SELECT", "WITH ", "(")) or head == "WITH"):
      return Skip("not_select", sql[:40])
    db = self._db(table)
    if rows is not None and len(rows) != table.num_rows:
      ids = ",".join(str(int(i) + 1) for i in sorted(rows))
      subset = f"WITH w AS (SELECT * FROM main.w WHERE rowid IN ({ids}))"
      if head.startswith("WITH"):
        sql = f"{subset}, {sql[4:].lstrip()}"
      else:
        sql = f"{subset} {sql}"
    db.deadline = time.perf_counter() + self.time_budget_s
    try:
      cur = db.conn.execute(sql)
      out = cur.fetchmany(self.max_values + 1)
      cur.close()
    except sqlite3.OperationalError as e:
      if "interrupted" in str(e):
        return Skip("timeout", sql[:40])
      return Skip("error", str(e))
    except (sqlite3.Error, OverflowError, ValueError) as e:
      return Skip("error", str(e))
    return out

  def execute(self, table: Table, query: Query | str, *,
              rows: Sequence[int] | None = None) -> Answer | Skip:
    """Runs a query on ``table`` (or on its rows ``rows``, 0-based, table order).

    Returns:
      `Answer` with 1..max_values values, none NULL; else `Skip(reason)`,
      also counted in ``self.skips``.
    """
    result = self._classify(self.run(table, query if isinstance(query, str) else query.sql,
                                     rows=rows))
    if isinstance(result, Skip):
      self.skips[result.reason] += 1
    else:
      self.kept += 1
    return result

  def _classify(self, out: list[tuple] | Skip) -> Answer | Skip:
    if isinstance(out, Skip):
      return out
    values = tuple(v for row in out for v in row)
    if not values:
      return Skip("empty")
    if len(values) > self.max_values:
      return Skip("too_many")
    if len(values) < self.min_values:
      return Skip("empty", f"{len(values)} < {self.min_values} values")
    try:
      text = answer_text(values)
    except ValueError:
      return Skip("null")
    return Answer(values=values, text=text)
