"""WikiSQL (salesforce/WikiSQL) questions, answered by executing their SQL.

Official files (``data/`` after ``tar xvjf data.tar.bz2``): ``{split}.jsonl``
with one question per line ``{"phase", "table_id", "question", "sql": {"sel",
"agg", "conds": [[column, operator, value], ...]}}`` and
``{split}.tables.jsonl`` with ``{"id", "header", "types", "rows"}``. The
gold denotation is the result of the gold SQL on the table (the official
``evaluate.py`` runs it on ``{split}.db``); `execute` does the same in Python:
text comparisons ignore case, ``real`` columns compare as numbers.

Splits: ``validation`` = dev, ``test`` = test. Root: ``$SYMTUNE_WIKISQL_ROOT``
(the folder holding ``dev.jsonl``, ``dev.tables.jsonl``, ...).
"""

from __future__ import annotations

import pathlib
from typing import Any, Iterator, Sequence

from symtune_jax import files
from symtune_jax.errors import InputError
from symtune_jax.evaluation import data_roots
from symtune_jax.evaluation.table_prompt import TableQuestion
from symtune_jax.tables.linearize import clean_cell
from symtune_jax.tables.table import ColumnType, Table

AGG_OPS = ("", "MAX", "MIN", "COUNT", "SUM", "AVG")
COND_OPS = ("=", ">", "<", "OP")
SPLIT_NAMES = {"train": "train", "validation": "dev", "test": "test"}
SPLITS = ("validation", "test")


def _number(value: Any) -> float | None:
  try:
    return float(str(value).replace(",", "").strip())
  except ValueError:
    return None


def _format(value: Any) -> str:
  if isinstance(value, float):
    return str(int(value)) if value.is_integer() else f"{value:.10g}"
  return str(value)


def execute(sql: dict[str, Any], header: Sequence[str], types: Sequence[str],
            rows: Sequence[Sequence[Any]]) -> list[str]:
  """Runs a WikiSQL logical form on a table; returns the answer values.

  {'sel': 0, 'agg': 0, 'conds': [[1, 0, '1998']]} on rows [['a', '1998']] ->
  ['a']; with agg 3 (COUNT) -> ['1'].
  """
  sel, agg = int(sql["sel"]), int(sql["agg"])
  if not 0 <= sel < len(header):
    raise InputError(f"sel {sel} out of range for {len(header)} columns", field="sel")
  if not 0 <= agg < len(AGG_OPS):
    raise InputError(f"agg {agg} is not one of 0..{len(AGG_OPS) - 1}", field="agg")
  selected = []
  for row in rows:
    ok = True
    for col, op, value in sql.get("conds", []):
      col, op = int(col), int(op)
      if not 0 <= col < len(header) or not 0 <= op < len(COND_OPS) - 1:
        raise InputError(f"bad condition {[col, op, value]!r}", field="conds")
      cell = row[col]
      if types[col] == "real":
        a, b = _number(cell), _number(value)
        if a is None or b is None:
          ok = False
          break
      else:
        a, b = str(cell).strip().lower(), str(value).strip().lower()
      if not ((op == 0 and a == b) or (op == 1 and a > b) or (op == 2 and a < b)):
        ok = False
        break
    if ok:
      selected.append(row[sel])
  op = AGG_OPS[agg]
  if op == "":
    return [_format(v) for v in selected]
  if op == "COUNT":
    return [str(len(selected))]
  numbers = [n for n in (_number(v) for v in selected) if n is not None]
  if not numbers:
    return []
  if op == "MAX":
    return [_format(max(numbers))]
  if op == "MIN":
    return [_format(min(numbers))]
  if op == "SUM":
    return [_format(float(sum(numbers)))]
  return [_format(sum(numbers) / len(numbers))]


_read_jsonl = files.iter_jsonl


def _field(obj: dict[str, Any], key: str, path: pathlib.Path, line: int) -> Any:
  if key not in obj:
    raise InputError(f"missing {key!r}", path=str(path), line=line, field=key)
  return obj[key]


def load_tables(path: pathlib.Path) -> dict[str, tuple[Table, list[str], list[list[Any]]]]:
  """``*.tables.jsonl`` -> {id: (Table, types, raw rows)}."""
  tables = {}
  for line, obj in _read_jsonl(path):
    tid = str(_field(obj, "id", path, line))
    header = [str(h) for h in _field(obj, "header", path, line)]
    types = [str(t) for t in _field(obj, "types", path, line)]
    rows = _field(obj, "rows", path, line)
    if len(types) != len(header) or any(len(r) != len(header) for r in rows):
      raise InputError("types and every row must have one entry per header column",
                       path=str(path), line=line, field="rows")
    col_types = [ColumnType.NUMBER if t == "real" else ColumnType.TEXT for t in types]
    # Cells cleaned as the loaders do (linearizers write cells as they are).
    table = Table.from_rows(tid, [clean_cell(h) for h in header],
                            [[clean_cell(_format(c)) for c in r] for r in rows],
                            types=col_types, caption=str(obj.get("caption", "")),
                            path=f"{path}:{line}")
    tables[tid] = (table, types, rows)
  return tables


def load_questions(split: str, root: pathlib.Path | None = None,
                   limit: int | None = None) -> Iterator[TableQuestion]:
  """Yields the split's questions with the gold SQL's result as answers."""
  if split not in SPLIT_NAMES:
    raise ValueError(f"unknown WikiSQL split {split!r}; known: {sorted(SPLIT_NAMES)}")
  root = data_roots.WIKISQL.path() if root is None else pathlib.Path(root)
  name = SPLIT_NAMES[split]
  qpath = data_roots.WIKISQL.require_file(f"{name}.jsonl", root)
  tpath = data_roots.WIKISQL.require_file(f"{name}.tables.jsonl", root)
  tables = load_tables(tpath)
  n = 0
  for line, obj in _read_jsonl(qpath):
    if limit is not None and n >= limit:
      return
    tid = str(_field(obj, "table_id", qpath, line))
    if tid not in tables:
      raise InputError(f"table {tid!r} is not in {tpath.name}", path=str(qpath),
                       line=line, field="table_id")
    table, types, rows = tables[tid]
    sql = _field(obj, "sql", qpath, line)
    try:
      answers = execute(sql, table.header, types, rows)
    except InputError as e:
      raise InputError(str(e), path=str(qpath), line=line, field="sql") from None
    except (KeyError, TypeError, ValueError) as e:
      raise InputError(f"malformed sql: {e}", path=str(qpath), line=line,
                       field="sql") from None
    n += 1
    yield TableQuestion(id=f"{name}-{line - 1}", question=str(_field(obj, "question", qpath, line)),
                        table=table, answers=tuple(answers))
