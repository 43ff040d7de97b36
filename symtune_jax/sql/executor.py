"""Runs queries on SQLite: one in-memory, read-only database per table, reused.

    >>> ex = Executor()
    >>> ex.execute(table, query)            # Answer(values=(1969.0,), text='1969')
    >>> ex.execute(table, query, rows=[0, 2])   # on rows 0 and 2 only (a truncated table)
    >>> ex.skips                            # Counter({'empty': 3, 'tie': 1})

A query never raises: errors, over-budget queries, empty results, results with
more than ``max_values`` values or with NULLs, answers that depend on row order
(``tie``) or would not split back (``unsplittable``), and tables SQLite can't
hold (``too_many_columns``) come back as `Skip(reason)` and are counted in
``Executor.skips``.

Kept answers are a function of the table alone:

* **Budget.** Each statement gets a fixed number of SQLite VM steps
  (``max_steps``), counted by a progress handler: the same query is kept or
  skipped (``timeout``) on every machine, under any load.
* **Row order.** Every query also runs on two copies of the rows stored in
  other orders (reversed, and a fixed shuffle); if the answers differ as
  multisets (a LIMIT without a total order, a first-row pick, a bare column of
  an aggregate, GROUP_CONCAT...) it is skipped as ``tie``. Each LIMIT in the
  query (at any depth, when it runs on its own) is also checked directly: with
  ORDER BY, if the rows on both sides of the LIMIT boundary share the sort key;
  without, if more rows than the LIMIT qualify and they are not all the same.
  Fast path (``fast=True``, the default; the same decisions): the re-runs are
  left out for queries whose text shows they can't depend on the row order
  (`textscan`: only COUNT / MIN / MAX aggregates, no bare columns, no LIMIT,
  sub-queries only as row sets or scalar aggregates); for a query that is
  such but for a final ``ORDER BY ... LIMIT k``, the boundary probe alone
  decides. What the checks read from the SQL (the source column of each
  answer, the LIMIT probe) comes from `textscan` rather than a sqlglot parse
  where it can tell.
* **Text as shown.** A value that is a table cell (a projected column, the MIN
  or MAX of one, a one-column scalar subquery) is answered with the cell's
  text as the table shows it (``206,964``, ``December 15, 1968``), not the
  parsed number or ISO date SQL compares; when the rows in scope show one
  parsed value in two ways it is skipped as ``ambiguous_cell``. Computed values
  (COUNT, SUM, AVG, differences) are canonical numbers (`answers.format_value`).

Storage: the rows are in table ``w`` (table order, the header columns only)
and, made the first time a query runs in another order, in ``_r`` (reverse
order) and ``_s`` (a fixed shuffle), which also hold an internal row-number
column whose name differs from every header. A query on the
whole table runs on ``w`` itself, as plain SQLite would (no wrapper to prepare:
about half the cost of a generated query). On a truncated table's rows, and on
the other orders, it sees ``w`` through ``WITH w AS NOT MATERIALIZED (SELECT
<the header columns> FROM <store> WHERE <row number> IN (...))``, in sub-queries
too; in ``w`` the row number is its rowid (``rowid``, ``_rowid_`` or ``oid``,
whichever no header shadows; a table whose headers shadow all three also gets
a ``_t`` copy with the row-number column), and ``w``'s columns are the header
columns, so a truncated table's rows are ``SELECT * FROM main.w WHERE rowid IN
(...)``.
"""

from __future__ import annotations

import collections
import dataclasses
import itertools
import math
import sqlite3
from typing import Any, Sequence

import numpy as np
import sqlglot
from sqlglot import exp

from symtune_jax.sql import answers
from symtune_jax.sql import textscan
from symtune_jax.sql.query import Query, quote_identifier, render
from symtune_jax.tables.table import ColumnType, Table

SKIP_REASONS = ("error", "timeout", "empty", "too_many", "null", "not_select", "tie",
                "unsplittable", "ambiguous_cell", "too_many_columns", "table_error")
# Default budget: SQLite VM steps per statement. Generated queries on the 2,108
# WTQ tables take a median of < 1,000 steps and at most ~17,000 (2,095 sampled);
# 2M steps is ~40-100 ms of SQLite on one core, like the old wall-clock budget,
# but the same on every machine and under any load.
DEFAULT_MAX_STEPS = 2_000_000
_ROW_KEY = "__symtune_row"
_FAILED = object()  # a probe that could not run
UNREAD = object()  # facts not read yet


@dataclasses.dataclass(frozen=True, slots=True)
class Answer:
  """A kept result: the values (row-major) and their canonical text."""
  values: tuple
  text: str

  @property
  def count(self) -> int:
    return len(self.values)


@dataclasses.dataclass(frozen=True, slots=True)
class Skip:
  """A query that is not kept, and why (one of `SKIP_REASONS`)."""
  reason: str
  detail: str = ""


def row_key_name(header: Sequence[str]) -> str:
  """An internal column name that no header name equals (SQLite compares names
  case-insensitively): '__symtune_row', else with more underscores."""
  taken = {h.lower() for h in header}
  name = _ROW_KEY
  while name.lower() in taken:
    name += "_"
  return name


def quoted_index(header: Sequence[str], index: dict[str, int] | None = None
                 ) -> dict[str, int]:
  """Each column reference as the sampler writes it (`query.quote_identifier`,
  '"Team"') -> the column ``index`` (`textscan.header_index(header)`) finds
  for it: the names `textscan.scan_template` resolves."""
  if index is None:
    index = textscan.header_index(header)
  return {quote_identifier(h): index[h.lower()] for h in header}


class _Db:
  """One table's database: rows in ``w`` (table order), and, made when a query
  first needs them, ``_r`` (reversed) and ``_s`` (shuffled)."""

  def __init__(self, table: Table, steps: list[int]):
    self.table = table
    self.key = quote_identifier(row_key_name(table.header))
    self.columns = ", ".join(map(quote_identifier, table.header))
    self._display: dict[int, dict[object, set[str]]] = {}
    # The number and date columns: a value from one may show otherwise than
    # formatted (`Executor._texts`); from the others the formatted values are the texts.
    self.not_text = frozenset(j for j, t in enumerate(table.types) if t != ColumnType.TEXT)
    self.index = textscan.header_index(table.header)
    self.quoted = quoted_index(table.header, self.index)
    self._exact_sums: dict[int, bool] = {}
    self._counts: dict[int, collections.Counter] = {}
    self._decl = ", ".join(f"{quote_identifier(h)} {'REAL' if t == ColumnType.NUMBER else 'TEXT'}"
                           for h, t in zip(table.header, table.types))
    self._stores: set[str] = set()
    self._rowid_texts: list[str] | None = None
    self.handler = None  # the executor's progress handler, once set
    # No statement cache: generated queries rarely repeat on one table, and
    # sqlite3's default cache (128 statements per connection) held more memory
    # than the tables themselves (337 -> 147 MB for 25k examples, same output).
    conn = sqlite3.connect(":memory:", check_same_thread=False, cached_statements=0)
    self.conn = conn
    try:
      # w: the rows in table order, rowid i + 1 for row i (a fresh rowid table
      # numbers inserted rows 1, 2, ...); queries on the whole table run on it.
      conn.execute(f"CREATE TABLE w ({self._decl})")
      conn.executemany(f"INSERT INTO w VALUES ({', '.join('?' * table.num_columns)})",
                       table.values)
      taken = {h.lower() for h in table.header}
      self.rowid = next((a for a in ("rowid", "_rowid_", "oid") if a not in taken), None)
      if self.rowid is None:  # every rowid alias is a header: a keyed copy in table order
        self._add("_t")
      conn.commit()
      conn.execute("PRAGMA query_only = ON")
      # One cursor for every query: `conn.execute` would make a cursor per
      # query, and sqlite3 keeps a weak reference to each in a per-connection
      # list it prunes only every 200 cursors (about 25k such references per
      # 20k examples over the WTQ tables, each visited by every full GC pass).
      self.cursor = conn.cursor()
    except BaseException:
      conn.close()
      raise
    self.steps = steps

  def rowid_texts(self) -> list[str]:
    """Row i's rowid in ``w`` (i + 1) as SQL text at [i], made once per table."""
    texts = self._rowid_texts
    if texts is None:
      texts = self._rowid_texts = [str(k + 1) for k in range(self.table.num_rows)]
    return texts

  def store(self, name: str) -> str:
    """``name`` ("_t", "_r" or "_s"), made first if it isn't yet (a pure
    function of the table: the same rows in the same order whenever made)."""
    if name not in self._stores:
      conn = self.conn
      conn.set_progress_handler(None, 0)  # the inserts are not a query's steps
      try:
        conn.execute("PRAGMA query_only = OFF")
        self._add(name)
        conn.commit()
        conn.execute("PRAGMA query_only = ON")
      finally:
        if self.handler is not None:
          conn.set_progress_handler(*self.handler)
    return name

  def _add(self, name: str) -> None:
    values = self.table.values
    n = len(values)
    if name == "_t":
      order = range(n)
    elif name == "_r":
      order = range(n - 1, -1, -1)
    else:
      order = np.random.default_rng([n, 7]).permutation(n).tolist()
    # The row number is a plain column: the rows are scanned in insertion order.
    self.conn.execute(f"CREATE TABLE {name} ({self.key} INTEGER, {self._decl})")
    self.conn.executemany(
        f"INSERT INTO {name} VALUES ({', '.join('?' * (self.table.num_columns + 1))})",
        ((i, *values[i]) for i in order))
    self._stores.add(name)

  def holds(self, condition: tuple) -> bool:
    """Whether a `textscan._order_conditions` condition holds on this table.

    ("sum", name): the column is a number column of whole numbers whose
    absolute values sum below 2**53. ("one_row", name, kind, literal): at most
    one cell of the column equals the literal as SQLite compares them: a
    string literal with a text or date column (exact text), a number with a
    number column (the neighbouring floats counted too, so a literal SQLite
    reads 1 ulp apart is covered). Anything else does not hold.
    """
    j = self.index.get(condition[1].lower())
    if j is None:
      return False
    number = self.table.types[j] == ColumnType.NUMBER
    if condition[0] == "sum":
      hit = self._exact_sums.get(j)
      return self._exact_sum(j) if hit is None else hit
    counts = self._counts.get(j)
    if counts is None:
      counts = self._column_counts(j)
    _, _, kind, text = condition
    if kind == "str" and not number:
      return counts.get(text[1:-1].replace("''", "'"), 0) <= 1
    if kind == "num" and number:
      x = float(text)
      return sum(counts.get(v, 0) for v in {x, math.nextafter(x, math.inf),
                                            math.nextafter(x, -math.inf)}) <= 1
    return False

  def _exact_sum(self, j: int) -> bool:
    """`holds` of ("sum", column j), kept."""
    number = self.table.types[j] == ColumnType.NUMBER
    column = [row[j] for row in self.table.values if row[j] is not None]
    hit = self._exact_sums[j] = number and all(
        isinstance(v, (int, float)) and math.isfinite(v) and v == int(v) for v in column
    ) and sum(abs(v) for v in column) < 2 ** 53
    return hit

  def _column_counts(self, j: int) -> collections.Counter:
    """Value -> cells of column j holding it (empty cells left out), kept."""
    counts = self._counts[j] = collections.Counter(
        row[j] for row in self.table.values if row[j] is not None)
    return counts

  def warm(self) -> None:
    """Makes now what the checks make on first use: the per-column lookups
    (the cell texts of every column that is not text, `display`, and what
    `holds` reads of each column), the rows stored in the other orders
    (`store` "_r" and "_s", which the row-order check runs on) and the
    rowid texts a truncated table's rows are selected by."""
    for j, t in enumerate(self.table.types):
      if t != ColumnType.TEXT:
        self.display(j)
      self._exact_sum(j)
      self._column_counts(j)
    self.store("_r")
    self.store("_s")
    if self.rowid is not None:
      self.rowid_texts()

  def display(self, j: int) -> dict[object, set[str]]:
    """Column j: parsed value -> the cell texts that show it."""
    out = self._display.get(j)
    if out is None:
      out = {}
      for raw, value in zip(self.table.rows, self.table.values):
        if value[j] is not None:
          out.setdefault(value[j], set()).add(raw[j])
      self._display[j] = out
    return out


class Executor:
  """Executes queries against tables, caching one SQLite database per table.

  Args:
    min_values: fewest values a kept answer has (>= 1).
    max_values: most values a kept answer has.
    max_steps: SQLite VM steps per statement (rounded up to ``check_every``);
      a statement over it is skipped as ``timeout``.
    cache_size: databases kept (least recently used are closed); all 2,108
      WTQ tables take about 160 MB.
    check_every: SQLite VM steps between two progress-handler calls.
    check_order: run each query on the rows in other orders too, and check each
      ORDER BY ... LIMIT boundary (``tie``); off only for raw experiments.
    fast: read what the checks need from the SQL text (`textscan`) instead of
      parsing it, and skip the other-order runs of queries that provably can't
      depend on the row order; the same decisions and texts as with False
      (the reference path, which parses every query and re-runs every query).

  With ``memo_size`` > 0, a query on a whole table seen before gives its
  result again without running (``memo_size`` results kept, then all dropped;
  about 0.5 KB each), counted in ``kept`` / ``skips`` again. Off by default:
  in a process whose garbage collector runs, its entries cost the collector
  more than they save (`builder.ExampleBuilder.for_generation` turns it on).
  """

  def __init__(self, *, min_values: int = 1, max_values: int = 10,
               max_steps: int = DEFAULT_MAX_STEPS, cache_size: int = 4096,
               check_every: int = 1000, check_order: bool = True, fast: bool = True):
    if min_values < 1 or max_values < min_values:
      raise ValueError(f"need 1 <= min_values <= max_values, got {min_values}, {max_values}")
    if max_steps < 1 or check_every < 1:
      raise ValueError(f"need max_steps, check_every >= 1, got {max_steps}, {check_every}")
    self.min_values, self.max_values = min_values, max_values
    self.max_steps = max_steps
    self.cache_size = cache_size
    self.check_every = check_every
    self.check_order = check_order
    self.fast = fast
    self.skips: collections.Counter[str] = collections.Counter()
    self.kept = 0
    # Results of queries on whole tables, id(table) -> (table, {SQL: result}):
    # a query's result is a function of the table and its text, and generated
    # queries repeat more as a run goes on (2% of the attempts in the first
    # 20k examples on the WTQ tables, 12% by 80-100k). All dropped when
    # ``memo_size`` results are kept. Each entry holds its table, so its id
    # names no other table while its results are kept; per table, the results
    # are keyed by their SQL alone (no key pair per result: fewer objects for
    # the collector to visit, and none made per look-up).
    self._memo: dict[int, tuple[Table, dict[str, Answer | Skip]]] = {}
    self._memo_count = 0
    self.memo_size = 0
    self._dbs: collections.OrderedDict[str, _Db] = collections.OrderedDict()
    # Progress-handler calls of the running statement; [calls, limit].
    self._steps = [0, -(-max_steps // check_every)]

  # --- databases ---------------------------------------------------------------
  def _db(self, table: Table) -> _Db | Skip:
    key = table.table_id
    db = self._dbs.get(key)
    if db is not None and (db.table is table or (
        db.table.header == table.header and db.table.rows == table.rows
        and db.table.types == table.types)):
      # Least recently used first, once the cache is half full: below that
      # nothing is closed soon, and the order costs a move per look-up (three
      # per query). Which database is closed never changes a result.
      if len(self._dbs) > self.cache_size >> 1:
        self._dbs.move_to_end(key)
      return db
    if db is not None:
      db.conn.close()
      del self._dbs[key]
    try:
      db = _Db(table, self._steps)
    except sqlite3.Error as e:
      if "too many columns" in str(e):
        return Skip("too_many_columns", f"{table.num_columns} columns; SQLite holds fewer")
      return Skip("table_error", str(e))
    steps = self._steps

    def handler() -> int:
      steps[0] += 1
      return int(steps[0] > steps[1])

    db.handler = (handler, self.check_every)
    db.conn.set_progress_handler(handler, self.check_every)
    self._dbs[key] = db
    while len(self._dbs) > self.cache_size:
      _, old = self._dbs.popitem(last=False)
      old.conn.close()
    return db

  def prepare(self, table: Table) -> None:
    """Builds ``table``'s database, its rows in the other orders and its lookups now
    (else each is built on first use; `_Db.warm`)."""
    db = self._db(table)
    if not isinstance(db, Skip):
      db.warm()

  def clear_memo(self) -> None:
    """Drops every kept whole-table result (see ``memo_size``)."""
    self._memo.clear()
    self._memo_count = 0

  def close(self) -> None:
    for db in self._dbs.values():
      db.conn.close()
    self._dbs.clear()

  # --- execution ---------------------------------------------------------------
  @staticmethod
  def _wrap(db: _Db, sql: str, rows: Sequence[int] | None, store: str = "_t") -> str:
    whole = rows is None or len(rows) == db.table.num_rows
    if store == "_t" and db.rowid is not None:
      if whole:
        return sql  # on table w itself
      ids = ",".join(map(db.rowid_texts().__getitem__, sorted(rows)))
      # (``*``: main.w holds the header columns only, in order; shorter to prepare)
      w = f"w AS NOT MATERIALIZED (SELECT * FROM main.w WHERE {db.rowid} IN ({ids}))"
    else:
      where = ""
      if not whole:
        ids = ",".join(str(int(i)) for i in sorted(rows))
        where = f" WHERE {db.key} IN ({ids})"
      # NOT MATERIALIZED: a query that reads w twice (a sub-query) reads the
      # stored rows in place, not a copy made per statement (same rows, same order).
      w = f"w AS NOT MATERIALIZED (SELECT {db.columns} FROM {db.store(store)}{where})"
    head = sql[:15].upper()
    if head.startswith("WITH"):
      rest = sql[4:].lstrip()
      if rest[:9].upper() == "RECURSIVE":
        return f"WITH RECURSIVE {w}, {rest[9:].lstrip()}"
      return f"WITH {w}, {rest}"
    return f"WITH {w} {sql}"

  def _fetch(self, db: _Db, sql: str, limit: int) -> list[tuple] | Skip:
    self._steps[0] = 0
    try:
      cur = db.cursor  # the statement before is reset by this execute
      cur.execute(sql)
      out = cur.fetchmany(limit)
    except sqlite3.OperationalError as e:
      if "interrupted" in str(e):
        return Skip("timeout", f"over {self.max_steps} SQLite VM steps")
      return Skip("error", str(e))
    except (sqlite3.Error, OverflowError, ValueError, MemoryError) as e:
      return Skip("error", str(e))
    return out

  # --- the first statements of many queries, back to back ---------------------------
  def run_ahead(self, runs: Sequence[tuple[Table, Query | str, Sequence[int] | None, Any]]
                ) -> list[tuple | None]:
    """Runs now, one after the other, the statement `execute` runs first for
    each (table, query, rows, facts) of ``runs`` (its arguments); returns, per
    run, what to give `execute` as ``ahead`` (None where nothing ran).

    The answers are the same either way: a statement's result depends on the
    table and its text alone, and `execute` takes the result only for the
    statement it would run (the same database, SQL, rows and fetch limit),
    else it runs its own. What changes is the order: statements back to back
    keep SQLite's code and the tables in the CPU's caches (with Python work
    between every two they cost more); `ExampleBuilder.examples` runs each
    round's first statements this way.
    """
    out: list[tuple | None] = []
    seen: set[tuple[int, str]] = set()  # whole-table queries: the first runs, the rest
    memo, dbs, most = self._memo, self._dbs, self.max_values + 1  # (the fetch limit)
    # Most runs: a sampled query (no LIMIT, facts not read yet) on a table
    # whose database is open, and no cache order to keep: the statement is the
    # SQL itself (on a truncated table's rows, `_wrap`ped), found here without
    # `_first_statement`'s calls. (A wrong guess would cost a run, never an
    # answer: `execute` checks.)
    plain = self.fast and self.check_order and len(dbs) <= self.cache_size >> 1
    for table, query, rows, facts in runs:  # find its result kept by `execute`
      sql = query if isinstance(query, str) else query.sql
      if rows is None and self.memo_size:
        kept = memo.get(id(table))
        key = (id(table), sql)
        if (kept is not None and kept[0] is table and sql in kept[1]) or key in seen:
          out.append(None)  # `execute` has its result (or will have)
          continue
        seen.add(key)
      if (plain and facts is UNREAD and sql.startswith("SELECT ")
          and not sql[-1].isspace() and "LIMIT" not in sql):
        db = dbs.get(table.table_id)
        if db is not None and db.table is table and db.rowid is not None:
          out.append((db, sql, rows, most, self._fetch(
              db, sql if rows is None else self._wrap(db, sql, rows), most)))
          continue
      first = self._first_statement(table, sql, rows, facts)
      if first is not None:
        db, sql, limit = first
        first = (db, sql, rows, limit, self._fetch(db, self._wrap(db, sql, rows), limit))
      out.append(first)
    return out

  def _first_statement(self, table: Table, sql: str, rows: Sequence[int] | None,
                       facts: Any) -> tuple[_Db, str, int] | None:
    """(database, SQL before `_wrap`, fetch limit) of the statement
    `_execute` runs first, where it is known without running anything; else None."""
    if isinstance(facts, Skip) or (facts is UNREAD and self.fast and self.check_order
                                   and "LIMIT" in sql):
      return None
    if (self.fast and self.check_order and facts is not UNREAD and facts is not None
        and facts.probe_decides):
      probe_sql, k, n_keys = facts.limit_probe
      if 1 <= k <= self.max_values and n_keys >= 1:
        db = self._db(table)
        return None if isinstance(db, Skip) else (db, probe_sql, k + 1)
    got = self._selectable(table, sql)
    if isinstance(got, Skip):
      return None
    text, db = got
    return db, text, self.max_values + 1

  @staticmethod
  def _ran_ahead(ahead: tuple | None, table: Table, sql: str, rows: Sequence[int] | None,
                 limit: int) -> bool:
    """Whether ``ahead`` (`run_ahead`'s) ran this very statement: ``sql`` (before
    `_wrap`) on ``table``'s database, on ``rows``, fetching ``limit`` rows."""
    return (ahead is not None and ahead[2] is rows and ahead[3] == limit and ahead[1] == sql
            and ahead[0].table is table)

  def _fetch_first(self, db: _Db, sql: str, rows: Sequence[int] | None, limit: int,
                   ahead: tuple | None) -> list[tuple] | Skip:
    """`_fetch` of ``sql`` on ``rows``, or its result from `run_ahead` if
    ``ahead`` ran this very statement."""
    if self._ran_ahead(ahead, db.table, sql, rows, limit):
      return ahead[4]
    return self._fetch(db, self._wrap(db, sql, rows), limit)

  def run(self, table: Table, sql: str, *, rows: Sequence[int] | None = None,
          store: str = "_t") -> list[tuple] | Skip:
    """Raw rows of ``sql`` (at most ``max_values + 1``), or a `Skip`; not counted.

    ``store`` "_r" / "_s" runs it on the rows stored reversed / shuffled.
    """
    got = self._selectable(table, sql)
    if isinstance(got, Skip):
      return got
    sql, db = got
    return self._fetch(db, self._wrap(db, sql, rows, store), self.max_values + 1)

  def _selectable(self, table: Table, sql: str) -> tuple[str, _Db] | Skip:
    """(``sql`` stripped, ``table``'s database), or a `Skip`: not a SELECT, or
    no database for the table."""
    if not (sql.startswith("SELECT ") and not sql[-1].isspace()):  # (what the sampler writes)
      sql = sql.strip()
      head = sql[:6].upper()
      if not (head.startswith(("SELECT", "WITH ", "(")) or head == "WITH"):
        return Skip("not_select", sql[:40])
    db = self._db(table)
    if isinstance(db, Skip):
      return db
    return sql, db

  def read(self, table: Table, query: Query | str) -> textscan.Facts | None | Skip:
    """What the executor reads from ``query`` for ``table`` (`textscan.scan_cached`,
    with the data's conditions checked), for `execute`'s ``facts``."""
    db = self._db(table)
    if isinstance(db, Skip):
      return db
    return self._read(db, query)

  @staticmethod
  def _read(db: _Db, query: Query | str) -> textscan.Facts | None:
    """`read` on the table's database ``db``."""
    if query.__class__ is str:
      facts = textscan.scan_cached(query, db.index)
    elif query.template is not None:  # a sampled query: read per template
      facts = textscan.scan_template(query.sql, query.template, query.literals, db.index,
                                      db.quoted)
    else:
      facts = textscan.scan_cached(query.sql, db.index)
    if facts is not None and (facts.order_free_if or facts.probe_decides_if):
      facts = _given(db, facts)
    return facts

  def execute(self, table: Table, query: Query | str, *,
              rows: Sequence[int] | None = None, facts=UNREAD,
              ahead: tuple | None = None) -> Answer | Skip:
    """Runs a query on ``table`` (or on its rows ``rows``, 0-based, table order).

    ``facts``: `read`'s answer for it, if read already; ``ahead``: `run_ahead`'s
    for these arguments, if any.

    Returns:
      `Answer` with 1..max_values values, none NULL, fixed by the table alone
      (see the module docstring); else `Skip(reason)`, also counted in
      ``self.skips``.
    """
    if rows is None and self.memo_size:  # on the whole table: same query, same result
      sql = query if isinstance(query, str) else query.sql
      kept = self._memo.get(id(table))
      results = kept[1] if kept is not None and kept[0] is table else None
      result = None if results is None else results.get(sql)
      if result is None:
        result = self._execute(table, query, rows, facts, ahead)
        if self._memo_count >= self.memo_size:
          self.clear_memo()
          results = None
        if results is None:
          results = {}
          self._memo[id(table)] = (table, results)
        results[sql] = result
        self._memo_count += 1
    else:
      result = self._execute(table, query, rows, facts, ahead)
    if isinstance(result, Skip):
      self.skips[result.reason] += 1
    else:
      self.kept += 1
    return result

  def _execute(self, table: Table, query: Query | str,
               rows: Sequence[int] | None, facts=UNREAD,
               ahead: tuple | None = None) -> Answer | Skip:
    sql = query if isinstance(query, str) else query.sql
    out, probed, db = None, None, None
    if isinstance(facts, Skip):
      return facts
    if not self.fast:
      facts = None
    elif facts is UNREAD and self.check_order and "LIMIT" in sql:
      facts = self.read(table, query)
      if isinstance(facts, Skip):
        return facts
    if facts is not UNREAD and facts is not None and facts.probe_decides and self.check_order:
      db = self._db(table)
      out, probed = self._folded(db, facts.limit_probe, rows, ahead)
    folded = out is not None
    if not folded:  # `run`, keeping the database for the checks below
      limit = self.max_values + 1
      if (ahead is not None and ahead[2] is rows and ahead[3] == limit and ahead[1] == sql
          and ahead[0].table is table):  # (`_ran_ahead`, inline; no `_selectable` then)
        db, out = ahead[0], ahead[4]
      else:
        got = self._selectable(table, sql)
        if isinstance(got, Skip):
          return got
        text, db = got
        out = self._fetch_first(db, text, rows, limit, ahead)
      if isinstance(out, Skip):
        return out
    values = out[0] if len(out) == 1 else tuple(itertools.chain.from_iterable(out))
    if not values:
      return Skip("empty")
    if len(values) > self.max_values:
      return Skip("too_many")
    if len(values) < self.min_values:
      return Skip("empty", f"{len(values)} < {self.min_values} values")
    if len(values) == 1:  # most answers: one value, often a text cell (as it is)
      v = values[0]
      shown = [v if v.__class__ is str else answers.format_value(v)]
    else:
      shown = list(map(answers.format_value, values))
    if None in shown:
      return Skip("null")
    # What the SQL text tells without sqlglot (None: parse as before).
    if facts is UNREAD:
      template = None if query.__class__ is str else query.template
      if template is not None:  # a sampled query (`_read`, inline)
        facts = textscan.scan_template(sql, template, query.literals, db.index, db.quoted)
        if facts is not None and (facts.order_free_if or facts.probe_decides_if):
          facts = _given(db, facts)
      else:
        facts = self._read(db, query)
    tree = None if facts is not None else _parse(query)
    if self.check_order and not folded:
      if facts is None or not facts.order_free:
        if facts is not None and facts.has_limit and facts.limit_probe is None:
          tree = _parse(query)
        tie = self._order_dependent(db, sql, tree, rows, out, facts=facts, probed=probed)
        if tie is not None:
          return tie
    if facts is not None and facts.sources is not None:
      sources = facts.sources
    else:
      if tree is None:
        tree = _parse(query)
      sources = _sources(tree, db.table) if tree is not None else None
    if sources is None or db.not_text.isdisjoint(sources):  # no value from a number or date column
      texts = shown
    else:
      texts = self._texts(db, sources, out, rows, shown)
      if isinstance(texts, Skip):
        return texts
    if not answers.splittable(texts):
      return Skip("unsplittable", answers.join_answers(texts)[:80])
    return Answer(values, answers.SEPARATOR.join(texts))  # (`answers.join_answers`)

  # --- row-order independence ------------------------------------------------------
  def _order_dependent(self, db: _Db, sql: str, tree: exp.Expression | None,
                       rows: Sequence[int] | None, out: list[tuple], *,
                       facts: textscan.Facts | None = None,
                       probed: list[tuple] | None = None) -> Skip | None:
    """A `Skip` ('tie') when the answer depends on the row order, else None.

    ``facts``: what `textscan.scan` read from the text (whether it has a LIMIT,
    its probe), None when unknown (then ``tree`` tells); ``probed``: the rows
    of its probe, when `_folded` ran it already.
    """
    if facts is not None and facts.probe_decides:
      # Order-free but for the final ORDER BY ... LIMIT: the probe alone decides
      # (textscan._probe_decides), unless it can't run.
      decided = self._probe(db, facts.limit_probe, rows, probed)
      if decided is not _FAILED:
        return decided
    bag = None
    for store in ("_r", "_s"):
      back = self._fetch(db, self._wrap(db, sql.strip(), rows, store), self.max_values + 1)
      if isinstance(back, Skip):
        return back
      if back == out:
        continue  # the same rows in the same order: the same bag
      if bag is None:
        bag = _bag(out)
      if _bag(back) != bag:
        return Skip("tie", "the answer changes with the row order")
    if facts is not None and not facts.has_limit:
      return None
    if facts is not None and facts.limit_probe is not None:
      probes = [facts.limit_probe]
    elif tree is not None and tree.find(exp.Limit) is not None:
      probes = (_limit_probe(node) for node in tree.find_all(exp.Select))
    else:
      probes = []
    for probe in probes:
      if probe is None:
        continue
      decided = self._probe(db, probe, rows)
      if isinstance(decided, Skip):
        return decided
      # _FAILED (e.g. a correlated sub-query): the other row orders cover it
    return None

  def _folded(self, db: _Db, probe: tuple[str, int, int], rows: Sequence[int] | None,
              ahead: tuple | None = None) -> tuple[list[tuple] | None, list[tuple] | None]:
    """The rows of a query the LIMIT probe alone decides (``probe_decides``),
    read off its probe, which then needs no run of its own; None where the
    probe can't stand for the query; and the probe's rows (None if it failed),
    which then decide the tie without a second run.

    The probe is the query with its sort keys appended to each row and LIMIT
    k + 1. When rows k and k + 1 don't share the sort key (no tie: else None)
    and the first k rows' keys are all different, the query's rows are the
    probe's first k in the same order, without the keys. Where the probe fails
    (an error, the step budget), the query runs as usual.
    """
    _, k, n_keys = probe
    if not 1 <= k <= self.max_values or n_keys < 1:
      return None, None
    got = self._fetch_first(db, probe[0], rows, k + 1, ahead)
    if isinstance(got, Skip):
      return None, None
    top = got[:k]
    if _boundary_tie(got, k, n_keys):
      return None, got  # a tie at the boundary: the query runs, then the probe decides
    if k > 1 and len({r[-n_keys:] for r in top}) < len(top):
      return None, got  # rows within the first k share a key: their order is the query's
    return [r[:-n_keys] for r in top], got

  def _probe(self, db: _Db, probe: tuple[str, int, int], rows: Sequence[int] | None,
             got: list[tuple] | None = None) -> Skip | None | object:
    """Skip('tie') if the LIMIT boundary of ``probe`` (`_limit_probe`) picks
    among rows the SQL doesn't order, None if not, _FAILED if it didn't run.
    ``got``: its rows, if it ran already."""
    probe_sql, k, n_keys = probe
    if got is None:
      got = self._fetch(db, self._wrap(db, probe_sql, rows), 1 << 30)
    if isinstance(got, Skip):
      return _FAILED
    if n_keys:  # ORDER BY: rows k-1 and k end in their sort keys
      if _boundary_tie(got, k, n_keys):
        return Skip("tie", "rows at the LIMIT boundary share the sort key")
    elif len(set(got)) > 1 and (len(got) > k or k == 0):
      return Skip("tie", "LIMIT without ORDER BY picks among different rows")
    return None

  # --- answer text ---------------------------------------------------------------
  def _texts(self, db: _Db, sources: Sequence[int | None] | None, out: list[tuple],
             rows: Sequence[int] | None, formatted: list[str]) -> list[str] | Skip:
    """The answer text of each value of ``out`` (``formatted``: each value's
    `answers.format_value`, row-major): a table cell's text as the table shows
    it where the value is one, else the formatted value. For ``sources`` with
    a number or date column (`db.not_text`); for the others `_execute` takes
    the formatted values as they are."""
    texts = formatted[:]
    types, n_sources, at = db.table.types, len(sources), 0
    for row in out:
      for p, v in enumerate(row):
        j = sources[p] if p < n_sources else None
        if j is not None and types[j] != ColumnType.TEXT:
          shown = db.display(j).get(v)
          if shown is not None and len(shown) > 1 and rows is not None:
            keep = set(rows)
            shown = {raw[j] for i, (raw, val) in enumerate(zip(db.table.rows, db.table.values))
                     if i in keep and val[j] == v}
          if shown is not None and len(shown) > 1:
            return Skip("ambiguous_cell", f"{v!r} shows as {sorted(shown)[:3]}")
          if shown:
            texts[at + p] = next(iter(shown))
      at += len(row)
    return texts


def _boundary_tie(got: list[tuple], k: int, n_keys: int) -> bool:
  """Whether probe rows k and k + 1 (1-based) end in the same ``n_keys`` sort keys."""
  return len(got) > k >= 1 and got[k - 1][-n_keys:] == got[k][-n_keys:]


def _given(db: _Db, facts: textscan.Facts) -> textscan.Facts:
  """``facts`` with ``order_free`` / ``probe_decides`` set where their
  conditions on the data hold on ``db``'s table (any subset of its rows too)."""
  if facts.order_free_if and all(map(db.holds, facts.order_free_if)):
    facts = facts._replace(order_free=True)
  if facts.probe_decides_if and all(map(db.holds, facts.probe_decides_if)):
    facts = facts._replace(probe_decides=True)
  return facts


def _parse(query: Query | str) -> exp.Expression | None:
  if isinstance(query, Query):
    return query.expression
  try:
    return sqlglot.parse_one(query, read="sqlite")
  except (sqlglot.errors.SqlglotError, RecursionError, ValueError):
    return None


def _bag(rows: list[tuple]) -> collections.Counter:
  return collections.Counter(answers.format_value(v) for row in rows for v in row)


def _int_literal(node: exp.Expression | None) -> int | None:
  if node is None:
    return 0
  if isinstance(node, (exp.Limit, exp.Offset)):
    node = node.expression
  if isinstance(node, exp.Literal) and not node.is_string:
    try:
      return int(node.this)
    except ValueError:
      return None
  return None


def _limit_probe(node: exp.Select) -> tuple[str, int, int] | None:
  """A query that shows whether ``node``'s LIMIT picks among rows the SQL doesn't order.

  With ORDER BY: (SQL, k, keys), whose rows k-1 and k (0-based) end in the sort
  keys of the rows on both sides of the LIMIT boundary. Without: (SQL of every
  qualifying row, k, 0), with k = 0 when there is an OFFSET (any skip picks).
  None without a LIMIT of integer literals.
  """
  order, limit = node.args.get("order"), node.args.get("limit")
  if limit is None:
    return None
  k, offset = _int_literal(limit), _int_literal(node.args.get("offset"))
  if k is None or offset is None:
    return None
  projections = node.expressions
  if order is None:
    probe = node.copy()
    probe.set("limit", None)
    probe.set("offset", None)
    try:
      return render(probe), (0 if offset else k), 0
    except sqlglot.errors.SqlglotError:
      return None
  if k < 1:
    return None
  aliases = {p.alias.lower(): p.this for p in projections if isinstance(p, exp.Alias)}
  keys = []
  for o in order.expressions:
    key = o.this
    if isinstance(key, exp.Literal) and not key.is_string:  # ORDER BY 2
      try:
        key = projections[int(key.this) - 1]
      except (ValueError, IndexError):
        return None
      key = key.this if isinstance(key, exp.Alias) else key
    elif isinstance(key, exp.Column) and not key.table and key.name.lower() in aliases:
      key = aliases[key.name.lower()]
    keys.append(key.copy())
  probe = node.copy()
  probe.set("expressions", [p.copy() for p in projections] + keys)
  probe.set("limit", exp.Limit(expression=exp.Literal.number(str(k + 1))))
  try:
    return render(probe), k, len(keys)
  except sqlglot.errors.SqlglotError:
    return None


def _column_of(node: exp.Expression, table: Table) -> int | None:
  """The table column whose cells ``node``'s values are, if it only picks cells."""
  while isinstance(node, (exp.Alias, exp.Paren)):
    node = node.this
  if isinstance(node, (exp.Min, exp.Max)) and not node.expressions:
    node = node.this
    while isinstance(node, exp.Paren):
      node = node.this
  if isinstance(node, exp.Subquery):
    inner = node.this
    if isinstance(inner, exp.Select) and len(inner.expressions) == 1:
      return _column_of(inner.expressions[0], table)
    return None
  if isinstance(node, exp.Column) and isinstance(node.this, exp.Identifier):
    name = node.name.lower()
    for j, h in enumerate(table.header):
      if h.lower() == name:
        return j
  return None


def _sources(tree: exp.Expression, table: Table) -> list[int | None] | None:
  """Per output column: the table column its values are cells of, or None."""
  while isinstance(tree, exp.Subquery):
    tree = tree.this
  if isinstance(tree, exp.Select):
    out: list[int | None] = []
    for p in tree.expressions:
      if isinstance(p, exp.Star):
        out.extend(range(table.num_columns))
      else:
        out.append(_column_of(p, table))
    return out
  if isinstance(tree, exp.SetOperation):
    left, right = _sources(tree.left, table), _sources(tree.right, table)
    if left is None or right is None or len(left) != len(right):
      return None
    return [a if a == b else None for a, b in zip(left, right)]
  return None
