"""Abstract SQL templates (TAPEX / SQUALL style) filled on new tables.

A template is SQLite over table ``w`` with typed slots:

  {c1:number}   a column slot: a number column (also ``text``, ``date``,
                ``orderable`` = number or date, ``any``). The same name is the
                same column; different names get different columns.
  {v1:c2}       a value slot: a cell of the column that fills ``c2``, typed by
                that column (number, ISO date or text). Value slots take their
                cells from one random row where they can, so conditions in an
                AND hold together; the same name is the same value.
  {k}           a small integer 1..3 (LIMIT, HAVING COUNT(*) > {k}).

A template file has one template per line, optionally labelled with a shape
(``label: SQL``); blank lines and ``#`` comments are skipped::

  superlative: SELECT {c1:any} FROM w ORDER BY {c2:number} DESC LIMIT 1
  SELECT COUNT(*) FROM w WHERE {c1:text} = {v1:c1}

or JSON Lines: ``{"sql": "...", "shape": "..."}``. Each template is parsed with
sqlglot when the file is loaded; one that does not parse, is not a SELECT over
``w`` or has an unknown slot raises `InputError` naming the file and line.

Filling: the template is rendered to SQLite text once, at load, and `fill`
binds the slots into that text (quoted column names, literals as sqlglot
writes them); ``fill(..., reference=True)`` substitutes into the sqlglot tree
and renders it instead. Both make the same random draws and the same text
(a test checks every shipped template).

    >>> t = parse_template("SELECT {c1:text} FROM w WHERE {c2:number} > {v1:c2}")
    >>> fill(t, table, rng).sql
    'SELECT "Team" FROM w WHERE "Points" > 25'
"""

from __future__ import annotations

import dataclasses
import importlib.resources
import os
import re
from typing import Sequence

import sqlglot
from sqlglot import exp

from symtune_jax import files
from symtune_jax.errors import InputError
from symtune_jax.sql import query as q
from symtune_jax.sql.query import Query
from symtune_jax.sql.sampler import _view, pick  # pylint: disable=protected-access
from symtune_jax.tables.table import ColumnType, Table

COLUMN_TYPES = ("number", "text", "date", "orderable", "any")
DEFAULT_TEMPLATES = "sql_templates.txt"  # in symtune_jax/data

_SLOT_RE = re.compile(r"\{([^{}]*)\}")
_COL_SLOT_RE = re.compile(r"^(c\d+):(\w+)$")
_VAL_SLOT_RE = re.compile(r"^(v\d+):(c\d+)$")
_LABEL_RE = re.compile(r"^([a-z][a-z0-9_]*)\s*:\s*(.*)$", re.S)
_COL_MARK, _VAL_MARK, _K_MARK = "__col_", "__val_", "__k_"


@dataclasses.dataclass(frozen=True)
class Template:
  """A parsed template.

  Attributes:
    text: the template as written.
    shape: its label ("template" when unlabelled).
    expression: the sqlglot tree with slots as marker identifiers / literals.
    columns: column slot name -> type, in order of first use.
    values: value slot name -> column slot name.
    pieces: the rendered text, split at the slots: text, then (kind, name)
      pairs, kind "c" (column), "v" (value) or "k" (small integer).
  """
  text: str
  shape: str
  expression: exp.Expression
  columns: dict[str, str]
  values: dict[str, str]
  pieces: tuple = ()


def parse_template(text: str, *, shape: str = "template", path: str | None = None,
                   line: int | None = None) -> Template:
  """Parses one template; raises `InputError` (with path/line) if it is not valid."""
  columns: dict[str, str] = {}
  values: dict[str, str] = {}
  k_count = 0

  def mark(m: re.Match) -> str:
    nonlocal k_count
    slot = m.group(1).strip()
    cm = _COL_SLOT_RE.match(slot)
    if cm:
      name, kind = cm.groups()
      if kind not in COLUMN_TYPES:
        raise InputError(f"column slot {{{slot}}} has type {kind!r}; expected one of "
                         f"{', '.join(COLUMN_TYPES)}", path=path, line=line)
      if columns.setdefault(name, kind) != kind:
        raise InputError(f"column slot {name} is used as {columns[name]} and {kind}",
                         path=path, line=line)
      return f'"{_COL_MARK}{name}"'
    vm = _VAL_SLOT_RE.match(slot)
    if vm:
      name, col = vm.groups()
      if values.setdefault(name, col) != col:
        raise InputError(f"value slot {name} is tied to {values[name]} and {col}",
                         path=path, line=line)
      return f"'{_VAL_MARK}{name}'"
    if slot == "k":
      k_count += 1
      return f"'{_K_MARK}{k_count}'"
    raise InputError(f"unknown slot {{{slot}}}; expected {{cN:TYPE}}, {{vN:cN}} or {{k}}",
                     path=path, line=line)

  marked = _SLOT_RE.sub(mark, text)
  for name, col in values.items():
    if col not in columns:
      raise InputError(f"value slot {name} refers to column slot {col}, which the "
                       "template does not use", path=path, line=line)
  try:
    tree = sqlglot.parse_one(marked, read=q.DIALECT)
  except sqlglot.errors.SqlglotError as e:
    msg = str(e).splitlines()[0] if str(e) else type(e).__name__
    raise InputError(f"template does not parse as SQLite: {msg}", path=path,
                     line=line) from None
  if not isinstance(tree, exp.Query):
    raise InputError(f"template is a {type(tree).__name__}; expected a SELECT query",
                     path=path, line=line)
  for t in tree.find_all(exp.Table):
    if t.name != q.TABLE_NAME:
      raise InputError(f"template reads table {t.name!r}; expected only {q.TABLE_NAME!r}",
                       path=path, line=line)
  return Template(text=text, shape=shape, expression=tree, columns=columns, values=values,
                  pieces=_pieces(q.render(tree)))


_MARK_RE = re.compile(f'"{_COL_MARK}(\\w+)"|\'{_VAL_MARK}(\\w+)\'|\'{_K_MARK}(\\d+)\'')


def _pieces(rendered: str) -> tuple:
  """'SELECT "__col_c1" FROM w LIMIT '__k_1'' -> ('SELECT ', ('c', 'c1'), ' FROM w LIMIT ', ('k', '1'), '')."""
  out: list = []
  pos = 0
  for m in _MARK_RE.finditer(rendered):
    out.append(rendered[pos:m.start()])
    if m.group(1):
      out.append(("c", m.group(1)))
    elif m.group(2):
      out.append(("v", m.group(2)))
    else:
      out.append(("k", m.group(3)))
    pos = m.end()
  out.append(rendered[pos:])
  return tuple(out)


def _lines(path: str) -> list[tuple[int, str]]:
  try:
    with open(path, encoding="utf-8") as f:
      return list(enumerate(f.read().splitlines(), start=1))
  except OSError as e:
    raise InputError(f"cannot read template file: {e.strerror}", path=path) from None
  except UnicodeDecodeError as e:
    raise InputError(f"template file is not UTF-8 ({e.reason})", path=path) from None


def load_templates(path: str | os.PathLike | None = None) -> list[Template]:
  """Templates from a .txt or .jsonl file (default: the shipped set)."""
  if path is None:
    ref = importlib.resources.files("symtune_jax") / "data" / DEFAULT_TEMPLATES
    with importlib.resources.as_file(ref) as p:
      return load_templates(p)
  path = os.fspath(path)
  out = []
  is_jsonl = path.endswith((".jsonl", ".json"))
  for n, raw in _lines(path):
    line = raw.strip()
    if not line or line.startswith("#"):
      continue
    if is_jsonl:
      obj = files.parse_jsonl_object(line, path, n)
      if not isinstance(obj.get("sql"), str):
        raise InputError('expected an object with a string "sql"', path=path, line=n,
                         field="sql")
      sql, shape = obj["sql"], str(obj.get("shape", "template"))
    else:
      m = _LABEL_RE.match(line)
      if m and not m.group(1).lower() in ("select", "with"):
        shape, sql = m.groups()
      else:
        shape, sql = "template", line
    out.append(parse_template(sql, shape=shape, path=path, line=n))
  if not out:
    raise InputError("no templates in file; expected one SQL template per line", path=path)
  return out


def _fits(kind: str, t: ColumnType) -> bool:
  if kind == "any":
    return True
  if kind == "orderable":
    return t in (ColumnType.NUMBER, ColumnType.DATE)
  return t.value == kind


def fill(template: Template, table: Table, rng, *, reference: bool = False) -> Query | None:
  """The template with its slots filled from ``table``; None if the table can't fill it.

  ``rng``: `random.Random` or `numpy.random.Generator` (only ``random()``).
  ``reference``: substitute into the sqlglot tree and render it (same text).
  """
  values = table.values
  if not values:
    return None
  view = _view(table)
  usable = view.usable
  cols: dict[str, int] = {}
  for name, kind in template.columns.items():
    options = [j for j in usable if _fits(kind, table.types[j]) and j not in cols.values()]
    if not options:
      return None
    cols[name] = pick(rng, options)
  anchor = int(rng.random() * len(values))
  vals: dict[str, float | str] = {}
  used_rows: dict[str, set[int]] = {}
  for name, col in template.values.items():
    j = cols[col]
    taken = used_rows.setdefault(col, set())
    row = anchor if anchor not in taken and values[anchor][j] is not None else None
    if row is None:
      rows = [i for i in view.nonnull_rows(j) if i not in taken]
      if not rows:
        return None
      row = pick(rng, rows)
    taken.add(row)
    vals[name] = values[row][j]

  if not reference:
    out = []
    for piece in template.pieces:
      if isinstance(piece, str):
        out.append(piece)
      elif piece[0] == "c":
        out.append(q.quote_identifier(table.header[cols[piece[1]]]))
      elif piece[0] == "v":
        out.append(q.TEXT.literal(vals[piece[1]]))
      else:
        out.append(str(1 + int(rng.random() * 3)))
    return Query.of("".join(out), template.shape)

  def sub(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Identifier) and node.this.startswith(_COL_MARK):
      return exp.Identifier(this=table.header[cols[node.this[len(_COL_MARK):]]], quoted=True)
    if isinstance(node, exp.Literal) and node.is_string:
      if node.this.startswith(_VAL_MARK):
        return q.literal(vals[node.this[len(_VAL_MARK):]])
      if node.this.startswith(_K_MARK):
        return q.number(1 + int(rng.random() * 3))
    return node

  return Query.of(template.expression.transform(sub), template.shape)


def sample_from_templates(templates: Sequence[Template], table: Table,
                          rng, tries: int = 3, *, reference: bool = False) -> Query | None:
  """Fills a random template (up to ``tries`` templates) on ``table``."""
  for _ in range(tries):
    out = fill(pick(rng, templates), table, rng, reference=reference)
    if out is not None:
      return out
  return None
