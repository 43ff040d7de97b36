"""Loaders: WikiTableQuestions, SQUALL/TAPEX JSONL, TabFact and a user's CSV/JSONL.

Every loader returns `Table`s (types inferred from the cells unless the source
types them) and raises `InputError`/`TableError` naming the file, line and
field when the input is not what was expected.

Formats (WikiTableQuestions, ppasupat/WikiTableQuestions):
  * ``csv/20N-csv/M.csv``: RFC-4180-like CSV, every field quoted, ``"`` written
    as ``\\"`` and ``\\`` as ``\\\\``; a cell may hold a quoted line break.
  * ``csv/20N-csv/M.tsv`` (if present): tab-separated, newline written as
    ``\\n``, ``|`` as ``\\p`` and ``\\`` as ``\\\\``.
  * ``data/*.tsv`` questions: ``id utterance context targetValue`` with several
    answers in ``targetValue`` separated by ``|`` (same escapes as the tsv).

Cleaning (``clean=True``, the default of every loader; ``clean=False`` keeps
the cells exactly as the file has them): each header name and cell goes
through `linearize.clean_cell`: whitespace runs (newlines, tabs, unicode line
separators) become one space and the ends are trimmed, zero-width / bidi /
control characters are removed, and ``|`` becomes ``/``, so no cell can break
a linearized table (``|`` separates TAPEX and markdown cells). Linearizers
write cells as they are (`linearize.tapex` is TAPEX's format byte for byte for
the same cells), so this is the one place cells change.

Skipping: JSONL loaders take ``on_error="raise"`` (the default: the first
corrupt line raises `InputError` with ``path:line``) or ``on_error="skip"``
(the line is skipped and counted in the optional `LoadStats`).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import os
import pathlib
import re
from typing import Any, Iterator, Sequence

from symtune_jax import files
from symtune_jax.errors import InputError, TableError
from symtune_jax.tables.linearize import clean_cell
from symtune_jax.tables.table import (ColumnType, Table, TYPE_THRESHOLD,
                                      infer_type, parse_date, parse_number)

PathLike = str | os.PathLike

_WTQ_CSV_RE = re.compile(r"(\d+)-csv[/\\](\d+)\.(?:csv|tsv|table|html)$")
_WTQ_ESCAPE_RE = re.compile(r"\\(.)")
_WTQ_ESCAPES = {"n": "\n", "p": "|", "\\": "\\"}

# csv fields longer than the stdlib's default 128 KiB limit are legitimate in
# user data; the loaders raise it once.
csv.field_size_limit(1 << 24)


@dataclasses.dataclass
class LoadStats:
  """Counts of a loader run where bad records are skipped.

  Attributes:
    loaded: records turned into tables / examples.
    skipped: records skipped, with ``errors`` holding their messages.
  """
  loaded: int = 0
  skipped: int = 0
  errors: list[str] = dataclasses.field(default_factory=list)

  def skip(self, error: Exception, max_kept: int = 100) -> None:
    self.skipped += 1
    if len(self.errors) < max_kept:
      self.errors.append(str(error))


def _check_on_error(on_error: str) -> None:
  if on_error not in ("raise", "skip"):
    raise ValueError(f"on_error must be 'raise' or 'skip', got {on_error!r}")


def wtq_unescape(text: str) -> str:
  r"""Undoes WTQ's tsv escapes: ``a\pb\nc\\d`` -> ``a|b<newline>c\d``.

  An unknown escape (``\x``) is kept as written.
  """
  if "\\" not in text:
    return text
  return _WTQ_ESCAPE_RE.sub(lambda m: _WTQ_ESCAPES.get(m.group(1), m.group(0)), text)


def wtq_table_id(path: PathLike) -> str:
  """'.../csv/203-csv/733.csv' -> '203_733'; other names -> the file stem."""
  p = os.fspath(path)
  m = _WTQ_CSV_RE.search(p)
  if m:
    return f"{m.group(1)}_{m.group(2)}"
  return pathlib.Path(p).name.split(".")[0]


def _read_text(path: PathLike) -> str:
  try:
    with open(path, encoding="utf-8-sig", newline="") as f:
      return f.read()
  except FileNotFoundError:
    raise InputError("file not found", path=os.fspath(path)) from None
  except UnicodeDecodeError as e:
    raise InputError(f"not UTF-8 text ({e.reason} at byte {e.start})",
                     path=os.fspath(path)) from None


def _cleaned(header: Sequence[str], rows: Sequence[Sequence[str]], clean: bool
             ) -> tuple[list[str], list[list[str]]]:
  """Header and rows through `clean_cell` when ``clean`` (see module docstring)."""
  if not clean:
    return list(header), [list(r) for r in rows]
  return [clean_cell(h) for h in header], [[clean_cell(c) for c in r] for r in rows]


def _table_from_records(records: Sequence[tuple[int, list[str]]], *, path: str,
                        table_id: str, allow_empty: bool, strict_header: bool,
                        caption: str = "", clean: bool = True) -> Table:
  """A table from (line, cells) records: the first is the header."""
  if not records:
    raise TableError("empty file; expected a header line and at least one row",
                     path=path, line=1)
  header_line, header = records[0]
  if not any(h.strip() for h in header):
    raise TableError("blank header line; expected column names",
                     path=path, line=header_line)
  body = records[1:]
  if not body and not allow_empty:
    raise TableError("table has a header but no rows; expected at least one row",
                     path=path, line=header_line)
  for line, row in body:
    if len(row) != len(header):
      raise TableError(
          f"row has {len(row)} cells; expected {len(header)} (the header's)",
          path=path, line=line)
  header, rows = _cleaned(header, [r for _, r in body], clean)
  return Table.from_rows(table_id, header, rows, caption=caption,
                         fix_header=not strict_header, path=path)


def _csv_records(path: PathLike, **fmt: Any) -> list[tuple[int, list[str]]]:
  """(first line of the record, cells) for each non-blank CSV record."""
  p = os.fspath(path)
  text = _read_text(p)
  reader = csv.reader(io.StringIO(text, newline=""), strict=True, **fmt)
  records = []
  start = 1
  try:
    for row in reader:
      if row and any(c.strip() for c in row) or len(row) > 1:
        records.append((start, row))
      start = reader.line_num + 1
  except csv.Error as e:
    raise InputError(f"malformed CSV ({e})", path=p, line=start) from None
  return records


def load_wtq_csv(path: PathLike, table_id: str | None = None, *,
                 strict_header: bool = False, allow_empty: bool = False,
                 clean: bool = True) -> Table:
  """Loads one official WTQ table: ``csv/20N-csv/M.csv`` (or its ``.tsv``).

  Args:
    path: the table file; a ``.tsv`` path is read with `load_wtq_tsv`.
    table_id: defaults to '20N_M' from the path ('203_733' for 203-csv/733.csv).
    strict_header: raise on blank or duplicate header names instead of
      renaming them (``column_3``, ``Year_2``).
    allow_empty: accept a table with a header and no rows.
    clean: clean the cells (module docstring); False keeps them as read.

  Returns:
    The table, column types inferred from the cells.
  """
  if os.fspath(path).endswith(".tsv"):
    return load_wtq_tsv(path, table_id, strict_header=strict_header,
                        allow_empty=allow_empty, clean=clean)
  p = os.fspath(path)
  records = _csv_records(p, escapechar="\\", doublequote=True)
  return _table_from_records(records, path=p, table_id=table_id or wtq_table_id(p),
                             allow_empty=allow_empty, strict_header=strict_header,
                             clean=clean)


def load_wtq_tsv(path: PathLike, table_id: str | None = None, *,
                 strict_header: bool = False, allow_empty: bool = False,
                 clean: bool = True) -> Table:
  r"""Loads WTQ's tab-separated table variant (``\n``, ``\p``, ``\\`` escapes)."""
  p = os.fspath(path)
  text = _read_text(p)
  records = []
  for i, line in enumerate(text.split("\n"), start=1):
    line = line.rstrip("\r")
    if not line.strip():
      continue
    records.append((i, [wtq_unescape(c) for c in line.split("\t")]))
  return _table_from_records(records, path=p, table_id=table_id or wtq_table_id(p),
                             allow_empty=allow_empty, strict_header=strict_header,
                             clean=clean)


def _wtq_sort_key(path: pathlib.Path) -> tuple[int, int, str]:
  m = _WTQ_CSV_RE.search(path.as_posix())
  if m:
    return (int(m.group(1)), int(m.group(2)), path.name)
  return (1 << 30, 0, path.as_posix())


def wtq_table_paths(root: PathLike) -> list[pathlib.Path]:
  """``root/csv/*-csv/*.csv`` in numeric order (200-csv/0.csv, 200-csv/1.csv, ...)."""
  root = pathlib.Path(root)
  if not (root / "csv").is_dir():
    raise InputError("no csv/ folder; expected the WikiTableQuestions layout "
                     "root/csv/20N-csv/M.csv", path=os.fspath(root))
  return sorted(root.glob("csv/*-csv/*.csv"), key=_wtq_sort_key)


def iter_wtq_tables(root: PathLike, *, on_error: str = "raise",
                    stats: LoadStats | None = None, clean: bool = True) -> Iterator[Table]:
  """Every official WTQ table under ``root`` (the folder holding ``csv/``), in order.

  Args:
    root: e.g. ``../shared/data/wtq/official``.
    on_error: "raise" (default) or "skip" a table that doesn't load.
    stats: counts loaded and skipped tables, if given.
    clean: clean the cells (module docstring).
  """
  _check_on_error(on_error)
  for path in wtq_table_paths(root):
    try:
      table = load_wtq_csv(path, clean=clean)
    except InputError as e:
      if on_error == "raise":
        raise
      if stats is not None:
        stats.skip(e)
      continue
    if stats is not None:
      stats.loaded += 1
    yield table


def load_wtq_questions(path: PathLike, *, on_error: str = "raise",
                       stats: LoadStats | None = None) -> Iterator[dict[str, Any]]:
  r"""WTQ questions from an official ``data/*.tsv`` file.

  Each yields ``{"id": "nt-0", "utterance": "...", "context": "csv/204-csv/590.csv",
  "table_id": "204_590", "targetValue": ["Bangkok, Thailand"]}``: the answers are
  split at ``|`` and unescaped (``\p`` -> ``|``, ``\n`` -> newline, ``\\`` -> ``\``).
  """
  _check_on_error(on_error)
  p = os.fspath(path)
  text = _read_text(p)
  lines = text.split("\n")
  header = lines[0].rstrip("\r").split("\t") if lines else []
  expected = ["id", "utterance", "context", "targetValue"]
  if header[:4] != expected:
    raise InputError(f"header is {header!r}; expected {expected!r} (tab-separated)",
                     path=p, line=1)
  for i, line in enumerate(lines[1:], start=2):
    line = line.rstrip("\r")
    if not line.strip():
      continue
    fields = line.split("\t")
    if len(fields) != len(header):
      e = InputError(f"{len(fields)} tab-separated fields; expected {len(header)}",
                     path=p, line=i)
      if on_error == "raise":
        raise e
      if stats is not None:
        stats.skip(e)
      continue
    qid, utterance, context, target = fields[:4]
    if stats is not None:
      stats.loaded += 1
    yield {"id": qid, "utterance": wtq_unescape(utterance), "context": context,
           "table_id": wtq_table_id(context),
           "targetValue": [wtq_unescape(a) for a in target.split("|")]}


def load_tabfact_csv(path: PathLike, table_id: str | None = None, *,
                     strict_header: bool = False, clean: bool = True) -> Table:
  """A TabFact table: ``all_csv/1-10121127-1.html.csv``, ``#``-separated, no quoting.

  The table id defaults to the name without ``.html.csv`` ('1-10121127-1').
  """
  p = os.fspath(path)
  text = _read_text(p)
  records = [(i, line.rstrip("\r").split("#"))
             for i, line in enumerate(text.split("\n"), start=1) if line.strip()]
  name = pathlib.Path(p).name
  tid = table_id or (name[:-len(".html.csv")] if name.endswith(".html.csv")
                     else name.split(".")[0])
  return _table_from_records(records, path=p, table_id=tid, allow_empty=False,
                             strict_header=strict_header, clean=clean)


def load_csv(path: PathLike, table_id: str | None = None, *, delimiter: str = ",",
             strict_header: bool = False, allow_empty: bool = False,
             caption: str = "", clean: bool = True) -> Table:
  """A user's CSV file: RFC 4180 (``""`` inside quotes), first record the header.

  Args:
    path: the file (UTF-8, an optional BOM is dropped).
    table_id: defaults to the file name without extension.
    delimiter: field separator (``"\\t"`` for TSV).
    strict_header: raise on blank/duplicate header names instead of renaming.
    allow_empty: accept a header with no rows.
    caption: optional caption.
    clean: clean the cells (module docstring).

  Raises:
    TableError: a ragged row (names path:line), an empty file, a bad header.
  """
  p = os.fspath(path)
  records = _csv_records(p, delimiter=delimiter)
  return _table_from_records(records, path=p,
                             table_id=table_id or pathlib.Path(p).name.split(".")[0],
                             allow_empty=allow_empty, strict_header=strict_header,
                             caption=caption, clean=clean)


def _get_field(obj: dict[str, Any], key: str, kind: type | tuple[type, ...], *,
               path: str, line: int) -> Any:
  if key not in obj:
    raise InputError(f"missing key {key!r}", path=path, line=line, field=key)
  value = obj[key]
  if not isinstance(value, kind):
    names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
    raise InputError(f"expected {names}, got {type(value).__name__}",
                     path=path, line=line, field=key)
  return value


def _iter_json_lines(path: str) -> Iterator[tuple[int, str]]:
  try:
    f = open(path, encoding="utf-8-sig")
  except FileNotFoundError:
    raise InputError("file not found", path=path) from None
  with f:
    i = 0
    while True:
      i += 1
      try:
        line = f.readline()
      except UnicodeDecodeError as e:
        raise InputError(f"not UTF-8 text ({e.reason})", path=path, line=i) from None
      if not line:
        return
      if line.strip():
        yield i, line


def _jsonl_tables(path: PathLike, parse, on_error: str,
                  stats: LoadStats | None) -> Iterator[Table]:
  _check_on_error(on_error)
  p = os.fspath(path)
  for i, line in _iter_json_lines(p):
    try:
      table = parse(files.parse_jsonl_object(line, p, i), p, i)
    except InputError as e:
      if on_error == "raise":
        raise
      if stats is not None:
        stats.skip(e)
      continue
    if stats is not None:
      stats.loaded += 1
    yield table


def _cell(value: Any) -> str:
  if value is None:
    return ""
  if isinstance(value, float) and value.is_integer():
    return str(int(value))
  return str(value)


def _user_table(obj: dict[str, Any], path: str, line: int, *,
                strict_header: bool, allow_empty: bool, clean: bool = True) -> Table:
  table_id = _get_field(obj, "table_id", (str, int), path=path, line=line)
  header = _get_field(obj, "header", list, path=path, line=line)
  rows = _get_field(obj, "rows", list, path=path, line=line)
  if not header:
    raise TableError("empty header; expected column names", path=path, line=line,
                     field="header")
  if not rows and not allow_empty:
    raise TableError("no rows; expected at least one", path=path, line=line,
                     field="rows")
  body = []
  for k, row in enumerate(rows):
    if not isinstance(row, list):
      raise InputError(f"row {k + 1} is a {type(row).__name__}; expected a list",
                       path=path, line=line, field="rows")
    if len(row) != len(header):
      raise TableError(f"row {k + 1} has {len(row)} cells; expected {len(header)}",
                       path=path, line=line, field="rows")
    body.append([_cell(c) for c in row])
  types = obj.get("types")
  if types is not None:
    if not isinstance(types, list) or len(types) != len(header):
      raise InputError(f"expected a list of {len(header)} types", path=path,
                       line=line, field="types")
    try:
      types = [ColumnType(t) for t in types]
    except ValueError:
      raise InputError(f"types {types!r}; expected each of "
                       f"{[t.value for t in ColumnType]}", path=path, line=line,
                       field="types") from None
  header, body = _cleaned([_cell(h) for h in header], body, clean)
  try:
    return Table.from_rows(str(table_id), header, body,
                           types=types, caption=str(obj.get("caption") or ""),
                           fix_header=not strict_header, path=path)
  except TableError as e:
    raise TableError(str(e).split(": ", 1)[-1], path=path, line=line,
                     field=e.field or "header") from None


def load_jsonl(path: PathLike, *, on_error: str = "raise",
               stats: LoadStats | None = None, strict_header: bool = False,
               allow_empty: bool = False, clean: bool = True) -> Iterator[Table]:
  """A user's tables, one JSON object per line.

  Each line: ``{"table_id": "t1", "header": ["a", "b"], "rows": [["1", "x"]]}``
  with optional ``"types"`` (``number``/``date``/``text`` per column; inferred
  otherwise) and ``"caption"``. Cells may be strings, numbers or null (empty).

  Args:
    path: the file.
    on_error: "raise" (default: a corrupt or invalid line raises `InputError`
      naming path:line and the field) or "skip" (skip it, count it in stats).
    stats: counts loaded and skipped lines, if given.
    strict_header: raise on blank/duplicate header names instead of renaming.
    allow_empty: accept tables without rows.
    clean: clean the cells (module docstring).
  """
  return _jsonl_tables(
      path, lambda o, p, i: _user_table(o, p, i, strict_header=strict_header,
                                        allow_empty=allow_empty, clean=clean),
      on_error, stats)


def squall_column_type(squall_type: str) -> ColumnType:
  """Maps a SQUALL column type to a `ColumnType` (a hint, checked on the cells).

  'number', 'number(text)' -> NUMBER; 'date', 'date(text)' -> DATE; list types
  ('<c, number>'), 'text', 'time', 'score', 'unitnum', ... -> TEXT.
  """
  base = squall_type.strip().split("(", 1)[0].strip()
  if base == "number":
    return ColumnType.NUMBER
  if base == "date":
    return ColumnType.DATE
  return ColumnType.TEXT


def _checked_type(hint: ColumnType, cells: Sequence[str]) -> ColumnType:
  """The hinted type if enough cells parse as it, else the type the cells show."""
  if hint == ColumnType.TEXT:
    return ColumnType.TEXT
  parse = parse_number if hint == ColumnType.NUMBER else parse_date
  values = [c for c in cells if c.strip()]
  if sum(parse(c) is not None for c in values) >= TYPE_THRESHOLD * len(values):
    return hint
  return infer_type(cells)


def _squall_table(obj: dict[str, Any], path: str, line: int, clean: bool = True) -> Table:
  table_id = str(_get_field(obj, "table_id", (str, int), path=path, line=line))
  headers = _get_field(obj, "headers", list, path=path, line=line)
  types = _get_field(obj, "types", list, path=path, line=line)
  contents = _get_field(obj, "contents", list, path=path, line=line)
  if not len(headers) == len(types) == len(contents):
    raise InputError(f"{len(headers)} headers, {len(types)} types and "
                     f"{len(contents)} contents; expected equal lengths",
                     path=path, line=line, field="contents")
  # Columns 'id' and 'agg' are SQUALL's bookkeeping, not table content.
  keep = [j for j, t in enumerate(types) if t not in ("id", "agg")]
  header, columns, hints = [], [], []
  for j in keep:
    col = contents[j]
    if (not isinstance(col, list) or not col or not isinstance(col[0], dict)
        or not isinstance(col[0].get("data"), list)):
      raise InputError(f"column {j + 1} has no raw data list; expected "
                       "[{'col': 'cN', 'data': [...]}, ...]", path=path, line=line,
                       field="contents")
    header.append(_cell(headers[j]))
    columns.append([_cell(v) for v in col[0]["data"]])
    hints.append(squall_column_type(str(types[j])))
  if not header:
    raise TableError("no columns besides 'id' and 'agg'", path=path, line=line,
                     field="headers")
  n = len(columns[0])
  for j, col in enumerate(columns):
    if len(col) != n:
      raise TableError(f"column {header[j]!r} has {len(col)} cells; expected {n}",
                       path=path, line=line, field="contents")
  col_types = [_checked_type(h, c) for h, c in zip(hints, columns)]
  header, rows = _cleaned(header, [list(r) for r in zip(*columns)], clean)
  try:
    return Table.from_rows(table_id, header, rows, types=col_types, path=path)
  except TableError as e:
    raise TableError(str(e).split(": ", 1)[-1], path=path, line=line,
                     field=e.field or "headers") from None


def load_squall_jsonl(path: PathLike, *, on_error: str = "raise",
                      stats: LoadStats | None = None, clean: bool = True) -> Iterator[Table]:
  """Tables in SQUALL/TAPEX typed form (``../shared/data/wtq/tables.jsonl``).

  Each line has ``headers``, ``types``, ``contents`` (per column a list of
  SQLite columns, the first the raw ``cN`` TEXT) and ``table_id``. The 'id' and
  'agg' columns are dropped; cells are the raw text (lower-cased, as SQUALL
  stores it; null -> ""); SQUALL types are hints, see `squall_column_type`.

  Args:
    path: the JSONL file.
    on_error: "raise" (default) or "skip" a corrupt line (counted in stats).
    stats: counts loaded and skipped lines, if given.
    clean: clean the cells (module docstring).
  """
  return _jsonl_tables(path, lambda o, p, i: _squall_table(o, p, i, clean), on_error, stats)
