"""Table linearization: TAPEX's flat format and markdown.

TAPEX (microsoft/Table-Pretraining):

    col : name | year row 1 : a | 1999 row 2 : b | 2001

Markdown:

    | name | year |
    | --- | --- |
    | a | 1999 |

Cells are written as they are: given the same cells, `tapex` is byte for byte
TAPEX's ``IndexedRowTableLinearize`` (microsoft/Table-Pretraining,
tapex/processor/table_linearize.py; lower-casing aside: TAPEX lower-cases the
cells only, ``lower=True`` here the whole text), including its final
``strip()`` (no trailing space when the last cell is empty). The only change
made here is the optional ``max_cell_chars`` cut.

Cleaning belongs to the loaders (`symtune_jax.tables.loaders`, ``clean=True``
by default, switchable off): `clean_cell` turns whitespace runs (newlines,
tabs, unicode line separators) into one space, removes zero-width and control
characters, and replaces ``|`` with ``/``, so no cell can break either format.
RTL text and emoji are kept.
"""

from __future__ import annotations

import functools
import operator
import re
from typing import Sequence

from symtune_jax.tables.table import Table

# Zero-width / bidi-control / BOM and C0/C1 control characters.
_INVISIBLE_RE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_SAFE_RE = re.compile(r"^[ -{}~]*$")  # printable ASCII without '|'
PIPE_REPLACEMENT = "/"


def clean_cell(text: str, max_chars: int | None = None) -> str:
  """A cell cleaned for linearization (what the loaders do with ``clean=True``):
  one line, single spaces, no zero-width/control characters, no ``|``, at most
  ``max_chars`` characters.

  'a|b\\n c\\u200b' -> 'a/b c'; ('abcdef', max_chars=3) -> 'abc'.
  """
  if not (_SAFE_RE.match(text) and "  " not in text
          and text[:1] != " " and text[-1:] != " "):
    text = _INVISIBLE_RE.sub(lambda m: " " if m.group(0) in "\t\n\r\x0b\x0c\x1c\x1d"
                             "\x1e\x1f\x85" else "", text)
    text = " ".join(text.replace("|", PIPE_REPLACEMENT).split())
  if max_chars is not None and len(text) > max_chars:
    text = text[:max_chars].rstrip()
  return text


# Display forms per table, computed once: linearizing the same table many
# times (one per sampled query) then only joins strings. Kept on the table
# itself (like its cached ``values``), so they go with it.
_DISPLAY_ATTR = "_display_cells"


_ROWS_ATTR = "_tapex_rows"  # `tapex_rows`' joined cells, per table


def display_forms(table: Table) -> dict:
  """The table's cache of display forms: max_cell_chars -> (header, rows)."""
  return table.cache(_DISPLAY_ATTR)


def cut_cell(text: str, max_chars: int | None) -> str:
  """``text`` cut to ``max_chars`` characters (trailing space of the cut removed)."""
  if max_chars is not None and len(text) > max_chars:
    return text[:max_chars].rstrip()
  return text


def display_cells(table: Table, max_cell_chars: int | None = None
                  ) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
  """(header, rows) as shown: the cells, cut to ``max_cell_chars``; cached per table.

  No cleaning here (the loaders clean, see `clean_cell`), so the text of a
  table is the same as TAPEX's for the same cells.
  """
  per_table = display_forms(table)
  out = per_table.get(max_cell_chars)
  if out is None:
    header = tuple(table.header)
    if max_cell_chars is None:
      rows = tuple(tuple(r) for r in table.rows)
    else:
      rows = tuple(tuple(cut_cell(c, max_cell_chars) for c in r) for r in table.rows)
    out = per_table[max_cell_chars] = (header, rows)
  return out


def tapex_header(header: Sequence[str], *, lower: bool = False) -> str:
  """['name', 'year'] -> 'col : name | year' (display-form names)."""
  text = "col : " + " | ".join(header)
  return text.lower() if lower else text


def tapex_row(index: int, cells: Sequence[str], *, lower: bool = False) -> str:
  """(1, ['a', '1999']) -> 'row 1 : a | 1999' (display-form cells, 1-based index)."""
  text = f"row {index} : " + " | ".join(cells)
  return text.lower() if lower else text


def tapex(table: Table, *, max_cell_chars: int | None = None,
          lower: bool = False) -> str:
  """TAPEX linearization (``IndexedRowTableLinearize``, see module docstring).

  Table(['name', 'year'], [['a', '1999'], ['b', '2001']]) ->
  'col : name | year row 1 : a | 1999 row 2 : b | 2001'; a last cell that is
  empty leaves no trailing space (TAPEX strips the whole text).

  Args:
    table: the table.
    max_cell_chars: cut each cell to this many characters (None: no limit).
    lower: lower-case the text (as TAPEX's released models expect).
  """
  header, rows = display_cells(table, max_cell_chars)
  parts = ["col : " + " | ".join(header)]
  parts += [f"row {i} : " + " | ".join(r) for i, r in enumerate(rows, start=1)]
  text = " ".join(parts).strip()
  return text.lower() if lower else text


def tapex_rows(table: Table, rows: Sequence[int]) -> str:
  """``tapex(table.select_rows(rows))``, from each row's cell text kept on ``table``.

  For callers that show many subsets of one table (truncation keeps other rows
  on each attempt): the cells of a row are joined once per table, not per
  subset. ``rows``: indices into ``table.rows``, in the order shown.

  Table(['name', 'year'], [['a', '1999'], ['b', '2001']]), [1] ->
  'col : name | year row 1 : b | 2001'
  """
  per_table = table.cache(_ROWS_ATTR)
  joined = per_table.get(None)
  if joined is None:
    header, cells = display_cells(table)
    joined = per_table[None] = (" | ".join(header), tuple(" | ".join(r) for r in cells))
  head, texts = joined
  if not rows:
    return ("col : " + head).strip()
  # The header, then 'row k :' and row texts alternately, put in place by
  # slice (in C) and joined by spaces once: the same text as joining
  # 'row k : <text>' pieces.
  k = len(rows)
  parts = [None] * (2 * k + 1)
  parts[0] = "col : " + head
  parts[1::2] = _row_labels(-(-k // 64) * 64)[:k]
  parts[2::2] = operator.itemgetter(*rows)(texts) if k > 1 else (texts[rows[0]],)
  return " ".join(parts).strip()


@functools.lru_cache(maxsize=64)
def _row_labels(n: int) -> tuple[str, ...]:
  """('row 1 :', ..., 'row n :') for `tapex_rows`; n in blocks of 64, so tables
  of similar size share one. (Made whole and kept, never grown in place: two
  threads can't interleave their labels.)"""
  return tuple(f"row {k} :" for k in range(1, n + 1))


def markdown_header(header: Sequence[str], *, lower: bool = False) -> str:
  """['name', 'year'] -> '| name | year |\\n| --- | --- |'."""
  text = ("| " + " | ".join(header) + " |\n|" + " --- |" * len(header))
  return text.lower() if lower else text


def markdown_row(index: int, cells: Sequence[str], *, lower: bool = False) -> str:
  """(1, ['a', '1999']) -> '| a | 1999 |' (the index is not shown)."""
  del index
  text = "| " + " | ".join(cells) + " |"
  return text.lower() if lower else text


def markdown(table: Table, *, max_cell_chars: int | None = None,
             lower: bool = False) -> str:
  """Markdown linearization, one line per row.

  Table(['name', 'year'], [['a', '1999']]) ->
  '| name | year |\\n| --- | --- |\\n| a | 1999 |'
  """
  header, rows = display_cells(table, max_cell_chars)
  lines = [markdown_header(header)]
  lines.extend("| " + " | ".join(r) + " |" for r in rows)
  text = "\n".join(lines)
  return text.lower() if lower else text
