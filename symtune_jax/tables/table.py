"""The typed, immutable `Table` that every table loader returns.

A table has a header, rows of cell strings (what the model sees) and a type per
column: NUMBER, DATE or TEXT. Number and date columns also carry a parsed value
per cell (a float, or an ISO date string), which is what SQL executes on, so the
answer to a query always matches the text the model reads.

    >>> t = Table.from_rows("t1", ["name", "year"], [["a", "1999"], ["b", "2001"]])
    >>> t.types
    (<ColumnType.TEXT: 'text'>, <ColumnType.NUMBER: 'number'>)
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import operator
import re
import sqlite3
from typing import Any, Callable, Sequence

from symtune_jax.errors import TableError

# A cell that parses as a number: optional sign, digits with optional thousands
# separators, optional decimals, optional percent sign.
_NUMBER_RE = re.compile(r"^[-+]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?%?$")
_ISO_DATE_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_MONTHS = {m: i + 1 for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august",
     "september", "october", "november", "december"])}
_MONTHS.update({m[:3]: i for m, i in list(_MONTHS.items())})
_TEXT_DATE_RE = re.compile(
    r"^(?:(\d{1,2})\s+([A-Za-z]+)\.?,?\s+(\d{4})|([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4}))$")

# Where a `Table.select_rows` result keeps (source table, row indices) in its
# ``__dict__`` (`Table.source_rows`; hot paths read the dict directly).
SOURCE_ROWS_ATTR = "_source_rows"

# Share of non-empty cells that must parse for a column to take that type.
TYPE_THRESHOLD = 0.9


class ColumnType(str, enum.Enum):
  NUMBER = "number"
  DATE = "date"
  TEXT = "text"


def parse_number(cell: str) -> float | None:
  """'1,234.5' -> 1234.5; '12%' -> 12.0; 'abc' -> None."""
  s = cell.strip()
  if not s or not _NUMBER_RE.match(s) or not any(c.isdigit() for c in s):
    return None
  return float(s.replace(",", "").rstrip("%"))


def parse_date(cell: str) -> str | None:
  """'2004-05-01' / '1 May 2004' / 'May 1, 2004' -> '2004-05-01'; else None."""
  s = cell.strip()
  m = _ISO_DATE_RE.match(s)
  if m:
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
  else:
    m = _TEXT_DATE_RE.match(s)
    if not m:
      return None
    if m.group(1):
      d, mon, y = int(m.group(1)), m.group(2).lower(), int(m.group(3))
    else:
      mon, d, y = m.group(4).lower(), int(m.group(5)), int(m.group(6))
    if mon not in _MONTHS:
      return None
    mo = _MONTHS[mon]
  if not (1 <= mo <= 12 and 1 <= d <= 31):
    return None
  return f"{y:04d}-{mo:02d}-{d:02d}"


def infer_type(cells: Sequence[str]) -> ColumnType:
  """The type most cells of a column parse as (empty cells don't vote)."""
  values = [c for c in cells if c.strip()]
  if not values:
    return ColumnType.TEXT
  need = TYPE_THRESHOLD * len(values)
  if _parse_at_least(values, parse_number, need):
    return ColumnType.NUMBER
  if _parse_at_least(values, parse_date, need):
    return ColumnType.DATE
  return ColumnType.TEXT


def _parse_at_least(cells: Sequence[str], parse: Callable[[str], Any], need: float) -> bool:
  """Whether at least ``need`` of ``cells`` parse: stops at the first failure
  too many (a text column fails in its first few cells, not after all of them)."""
  allowed = len(cells) - need
  failed = 0
  for c in cells:
    if parse(c) is None:
      failed += 1
      if failed > allowed:
        return False
  return True


def normalize_header(header: Sequence[str], *, path: str | None = None,
                     fix: bool = True) -> tuple[str, ...]:
  """Cleans header names; blank and duplicate names are renamed or rejected.

  With ``fix`` (the default for loaders of real data, where WTQ has 57 tables
  with blank and 89 with duplicate headers): newlines become spaces, a blank
  name becomes ``column_<i>`` (1-based) and a repeated name gets ``_2``, ``_3``.
  Without ``fix`` those raise `TableError` naming the column.

  ['Year', '', 'Year'] -> ('Year', 'column_2', 'Year_2')
  """
  out: list[str] = []
  seen: set[str] = set()
  for i, name in enumerate(header):
    clean = " ".join(str(name).split())
    if not clean:
      if not fix:
        raise TableError(f"column {i + 1} has a blank header; expected a name",
                         path=path, line=1, field=f"column {i + 1}")
      clean = f"column_{i + 1}"
    if clean.lower() in seen:
      if not fix:
        raise TableError(f"duplicate header {clean!r}; expected unique names",
                         path=path, line=1, field=clean)
      k = 2
      while f"{clean}_{k}".lower() in seen:
        k += 1
      clean = f"{clean}_{k}"
    seen.add(clean.lower())
    out.append(clean)
  return tuple(out)


@dataclasses.dataclass(frozen=True, eq=False)
class Table:
  """An immutable table with typed columns.

  Attributes:
    table_id: a stable id (WTQ: '203_733' for csv/203-csv/733.csv).
    header: column names (unique, non-blank).
    rows: cell strings, one tuple per row, each as long as the header.
    types: one `ColumnType` per column.
    caption: optional caption / page title.
  """
  table_id: str
  header: tuple[str, ...]
  rows: tuple[tuple[str, ...], ...]
  types: tuple[ColumnType, ...]
  caption: str = ""

  def __post_init__(self):
    if not self.header:
      raise TableError("table has no columns", field=self.table_id)
    if len(self.types) != len(self.header):
      raise TableError(f"{len(self.types)} types for {len(self.header)} columns",
                       field=self.table_id)
    if len({h.lower() for h in self.header}) != len(self.header):
      raise TableError(f"duplicate column names in {self.header}", field=self.table_id)
    for i, row in enumerate(self.rows):
      if len(row) != len(self.header):
        raise TableError(
            f"row {i + 1} has {len(row)} cells; expected {len(self.header)}",
            field=self.table_id)

  @classmethod
  def from_rows(cls, table_id: str, header: Sequence[str],
                rows: Sequence[Sequence[str]], *,
                types: Sequence[ColumnType | str] | None = None,
                caption: str = "", fix_header: bool = True,
                path: str | None = None) -> "Table":
    """Builds a table from strings, inferring column types unless given."""
    hdr = normalize_header(header, path=path, fix=fix_header)
    body = tuple(tuple("" if c is None else str(c) for c in r) for r in rows)
    for i, row in enumerate(body):
      if len(row) != len(hdr):
        raise TableError(f"row has {len(row)} cells; expected {len(hdr)} (the header's)",
                         path=path, line=i + 2)
    if types is None:
      tys = tuple(infer_type([r[j] for r in body]) for j in range(len(hdr)))
    else:
      tys = tuple(ColumnType(t) for t in types)
    return cls(table_id=table_id, header=hdr, rows=body, types=tys, caption=caption)

  @property
  def num_rows(self) -> int:
    return len(self.rows)

  @property
  def num_columns(self) -> int:
    return len(self.header)

  def column(self, j: int) -> tuple[str, ...]:
    return tuple(r[j] for r in self.rows)

  @functools.cached_property
  def values(self) -> tuple[tuple[float | str | None, ...], ...]:
    """Typed cell values, row-major: floats, ISO dates, text; None if empty/unparsable."""
    parsers = []
    for t in self.types:
      if t == ColumnType.NUMBER:
        parsers.append(parse_number)
      elif t == ColumnType.DATE:
        parsers.append(parse_date)
      else:
        parsers.append(lambda c: c if c.strip() else None)
    return tuple(tuple(p(c) for p, c in zip(parsers, row)) for row in self.rows)

  def select_rows(self, indices: Sequence[int]) -> "Table":
    """A table with only the given rows, in the given order (types kept).

    The new table remembers where its rows come from (`source_rows`), so
    per-table facts can be derived from the full table's. It is not checked
    again: its header and rows are this (valid) table's.
    """
    idx = tuple(indices)
    if len(idx) > 1:
      get = operator.itemgetter(*idx)  # a tuple of those items, in C
    else:
      def get(seq):
        return tuple([seq[i] for i in idx])
    t = object.__new__(Table)
    d = t.__dict__
    d["table_id"], d["header"], d["types"], d["caption"] = (
        self.table_id, self.header, self.types, self.caption)
    d["rows"] = get(self.rows)
    values = self.__dict__.get("values")
    if values is not None:
      d["values"] = get(values)
    source = self.__dict__.get(SOURCE_ROWS_ATTR)
    if source is None:
      d[SOURCE_ROWS_ATTR] = (self, idx)
    else:  # rows of rows of a table: rows of that table
      d[SOURCE_ROWS_ATTR] = (source[0], get(source[1]))
    return t

  def cache(self, name: str) -> dict:
    """A dict kept on the table for one module's per-table cache (it goes with
    the table, as its cached ``values`` do); made empty on first use."""
    d = self.__dict__
    out = d.get(name)
    if out is None:
      out = d[name] = {}
    return out

  @property
  def source_rows(self) -> "tuple[Table, tuple[int, ...]] | None":
    """(table, row indices) this table was selected from (`select_rows`), or None.

    The table is the first one selected from (never itself a selection), so
    ``self.rows == tuple(table.rows[i] for i in indices)``.
    """
    return self.__dict__.get(SOURCE_ROWS_ATTR)

  # --- SQLite ---------------------------------------------------------------
  TABLE_NAME = "w"

  def sqlite_columns(self) -> tuple[str, ...]:
    """SQLite column names: the header names themselves (quoted in SQL)."""
    return self.header

  def to_sqlite(self) -> sqlite3.Connection:
    """An in-memory, read-only SQLite database with this table as ``w``.

    Number columns are REAL, date columns ISO TEXT, text columns TEXT; cells
    that don't parse are NULL. Built once per call; callers cache it.
    """
    conn = sqlite3.connect(":memory:", check_same_thread=False, cached_statements=0)
    decl = []
    for name, t in zip(self.header, self.types):
      qname = '"' + name.replace('"', '""') + '"'
      decl.append(f"{qname} {'REAL' if t == ColumnType.NUMBER else 'TEXT'}")
    conn.execute(f"CREATE TABLE {self.TABLE_NAME} ({', '.join(decl)})")
    marks = ", ".join("?" * self.num_columns)
    conn.executemany(f"INSERT INTO {self.TABLE_NAME} VALUES ({marks})", self.values)
    conn.commit()
    conn.execute("PRAGMA query_only = ON")
    return conn

  def __repr__(self) -> str:
    return (f"Table({self.table_id!r}, {self.num_rows}x{self.num_columns}, "
            f"header={list(self.header)!r})")
