"""What the executor needs to know about a query's SQL text, without sqlglot.

The executor used to parse every query back into a sqlglot tree (about half
of the generator's CPU) to learn two things: which table column each output
column's values are cells of (`executor._sources`) and whether the query has
a LIMIT (then its boundary is probed). `scan` answers both from a small
tokenizer for the closed set of forms the sampler writes; for anything else it
answers "don't know" (None) and the executor parses as before. A test checks
on every shape and on hand-written cases that its answers equal the parsed
ones.

`order_free` says, from the tokens alone, that a query's answer cannot depend
on the order the rows are stored in (see its docstring); the executor then
skips the re-runs on the rows in other orders, which could not change the
decision.

The facts are read once per form (`scan_cached`: the query with its literals
as slots) and, for the sampler's queries, once per template
(`scan_template`); tests compare both with `scan` and with each other.
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import re
from typing import Callable, NamedTuple, Sequence

# Tokens: a quoted identifier, a string literal, a number, a word, one of the
# operators the sampler writes, or whitespace. Anything else (comments,
# brackets, backticks, '.', ';', unterminated quotes) makes `scan` give up.
_TOKEN = re.compile(r"""
    (?P<qid>"(?:[^"]|"")*")
  | (?P<str>'(?:[^']|'')*')
  | (?P<num>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op><>|>=|<=|!=|\|\||[()=<>+\-*/,])
  | (?P<ws>\s+)
""", re.VERBOSE)

# Top-level clause keywords that end a projection list.
_CLAUSES = frozenset({"FROM", "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "WINDOW", "OFFSET"})
# Set operations / constructs the fast path leaves to the parser.
_GIVE_UP = frozenset({"UNION", "INTERSECT", "EXCEPT", "WITH", "AS", "ALL", "CASE", "OVER",
                      "COLLATE", "ESCAPE", "NULLS", "FILTER", "VALUES", "RECURSIVE"})
# Functions whose value is never a cell to `executor._column_of` (MIN / MAX
# of one column are, and are handled apart).
_COMPUTED = frozenset({"COUNT", "SUM", "AVG", "TOTAL", "ABS", "LENGTH"})
# Tokens after which a '(SELECT' is a set of rows, not one value.
_ROW_SET = frozenset({"IN", "FROM"})
# Order-dependent or order-sensitive (floating sums) words: their presence
# keeps the re-runs.
_ORDER_WORDS = frozenset({"LIMIT", "OFFSET", "SUM", "AVG", "TOTAL", "GROUP_CONCAT",
                          "STRING_AGG", "RANDOM", "ROW_NUMBER", "RANK", "OVER",
                          "FIRST_VALUE", "LAST_VALUE", "NTH_VALUE", "LAG", "LEAD", "ORDER"})
# Aggregates that pick or count and are exact on any order.
_EXACT_AGGREGATES = frozenset({"COUNT", "MIN", "MAX"})
# Sums: exact on any order when every partial sum is (whole numbers, small enough).
_SUMS = frozenset({"SUM", "AVG", "TOTAL"})


@dataclasses.dataclass(slots=True)
class _Tok:
  kind: str   # qid, str, num, word, op
  text: str   # words upper-cased; a qid's name unquoted
  depth: int  # parentheses around it
  start: int = 0  # its span in the SQL text
  end: int = 0


class Facts(NamedTuple):
  """What `scan` found (a named tuple: made for every query, cheaply).

  Attributes:
    has_limit: a LIMIT keyword occurs (the executor then parses and probes).
    sources: per output column, the index in ``header`` of the column whose
      cells it shows, or None (a computed value); None when `scan` can't tell
      (the executor parses).
    order_free: the answer provably doesn't depend on the row order (see
      `_order_free`).
    limit_probe: for a query whose only LIMIT ends it, after a top-level
      ORDER BY: (SQL, k, number of sort keys) as `executor._limit_probe`
      returns for it; None when there is none or `scan` can't tell.
    probe_decides: the query is order-free but for its final ORDER BY ...
      LIMIT k (`_probe_decides`): its answer depends on the row order exactly
      when the probe finds the rows k and k + 1 sharing the sort key.
    order_free_if: where ``order_free`` is False, the conditions on the
      table's data (`_order_conditions`) under which it is True; None if none
      would do. Names are unquoted, literals as written.
    probe_decides_if: the same for ``probe_decides``.
  """
  has_limit: bool
  sources: tuple | None
  order_free: bool
  limit_probe: tuple | None = None
  probe_decides: bool = False
  order_free_if: tuple | None = None
  probe_decides_if: tuple | None = None


def _tokens(sql: str) -> list[_Tok] | None:
  out, pos, depth = [], 0, 0
  for m in _TOKEN.finditer(sql):
    if m.start() != pos:
      return None  # a character no token takes
    pos = m.end()
    kind = m.lastgroup
    if kind == "ws":
      continue
    text = m.group()
    if kind == "op":
      if text == ")":
        depth -= 1
        if depth < 0:
          return None
      elif text == "(":
        out.append(_Tok(kind, text, depth, m.start(), pos))
        depth += 1
        continue
    elif kind == "word":
      text = text.upper()
    elif kind == "qid":
      text = text[1:-1].replace('""', '"')
    out.append(_Tok(kind, text, depth, m.start(), pos))
  return out if depth == 0 and pos == len(sql) else None


_UNKNOWN = object()


def _closing(toks: list[_Tok], i: int) -> int:
  """Index of the ')' matching the '(' at i."""
  d = toks[i].depth
  for k in range(i + 1, len(toks)):
    if toks[k].kind == "op" and toks[k].text == ")" and toks[k].depth == d:
      return k
  return -1


def _split_items(toks: list[_Tok], depth: int, *, stop_at_clause: bool = False
                 ) -> list[list[_Tok]]:
  """``toks`` split at the commas of ``depth``; with ``stop_at_clause``, up to
  the first clause word (FROM, WHERE, ...) of that depth. 'a, f(b, c)' -> [[a], [f(b, c)]]."""
  items, cur = [], []
  for t in toks:
    if stop_at_clause and t.depth == depth and t.kind == "word" and t.text in _CLAUSES:
      break
    if t.depth == depth and t.kind == "op" and t.text == ",":
      items.append(cur)
      cur = []
    else:
      cur.append(t)
  items.append(cur)
  return items


def _without_direction(key: list[_Tok]) -> list[_Tok]:
  """A sort key without its trailing ASC / DESC."""
  if key and key[-1].kind == "word" and key[-1].text in ("ASC", "DESC"):
    return key[:-1]
  return key


def _projection(toks: list[_Tok]) -> list[list[_Tok]] | None:
  """The projection items of the SELECT ``toks`` (whose first token is SELECT)."""
  if not toks or toks[0].text != "SELECT" or toks[0].kind != "word":
    return None
  d = toks[0].depth
  i = 1
  if i < len(toks) and toks[i].kind == "word" and toks[i].text == "DISTINCT":
    i += 1
  items = _split_items(toks[i:], d, stop_at_clause=True)
  return items if all(items) else None


def _operand_end(item: list[_Tok], i: int) -> int:
  """End (exclusive) of the operand starting at i, or -1."""
  t = item[i]
  if t.kind in ("qid", "num", "str"):
    return i + 1
  if t.kind == "op" and t.text == "(":
    k = _closing(item, i)
    return -1 if k < 0 else k + 1
  if (t.kind == "word" and (t.text in _COMPUTED or t.text in ("MIN", "MAX"))
      and i + 1 < len(item) and item[i + 1].text == "(" and item[i + 1].kind == "op"):
    k = _closing(item, i + 1)
    return -1 if k < 0 else k + 1
  return -1


def _item_source(item: list[_Tok], lookup: Callable[[str], int | None]):
  """The column an item shows (as `executor._column_of`), None, or _UNKNOWN.

  ``lookup``: a quoted name -> its column index (None if no column has it).
  """
  first = item[0]
  if len(item) == 1:
    return lookup(first.text) if first.kind == "qid" else _UNKNOWN
  if first.kind == "op" and first.text == "(" and _closing(item, 0) == len(item) - 1:
    inner = item[1:-1]
    if inner and inner[0].kind == "word" and inner[0].text == "SELECT":
      items = _projection(inner)
      if items is None:
        return _UNKNOWN
      return _item_source(items[0], lookup) if len(items) == 1 else None
    return _item_source(inner, lookup) if inner else _UNKNOWN
  if first.kind == "word" and first.text in ("MIN", "MAX") and len(item) == 4:
    if (item[1].kind == "op" and item[1].text == "(" and item[2].kind == "qid"
        and item[3].kind == "op" and item[3].text == ")"):
      return lookup(item[2].text)
    return _UNKNOWN
  # A computed value: one function call of `_COMPUTED`, or operands joined by
  # arithmetic operators (an exp.Binary: never a cell).
  i, operands = 0, 0
  while True:
    end = _operand_end(item, i)
    if end < 0:
      return _UNKNOWN
    if item[i].kind == "word" and item[i].text in ("MIN", "MAX") and end - i != 4:
      return _UNKNOWN  # MIN(a, b) and the like: leave to the parser
    operands += 1
    if end == len(item):
      break
    op = item[end]
    if not (op.kind == "op" and op.text in ("+", "-", "*", "/")) or end + 1 >= len(item):
      return _UNKNOWN
    i = end + 1
  if operands == 1 and not (item[0].kind == "word" and item[0].text in _COMPUTED):
    return _UNKNOWN
  return None


def _order_free(toks: list[_Tok]) -> bool:
  """True when the answer cannot depend on the order the rows are stored in.

  Holds for a SELECT (no set operation, no WITH) where no order-dependent
  construct occurs anywhere (`_ORDER_WORDS`: LIMIT / OFFSET / ORDER BY, window
  functions, GROUP_CONCAT, and SUM / AVG / TOTAL, whose floating-point sums
  depend on the order of addition), where the only aggregates are COUNT, MIN
  and MAX (exact on any order), where no SELECT mixes an aggregate with a
  column outside it, except GROUP BY keys (a bare column of an aggregate is
  taken from an arbitrary row), and where every sub-query is a set of rows
  (after IN / FROM) or a scalar aggregate (one row whatever the order). Then
  the rows each part of the query sees are the same set on any storage order,
  and each value computed from them is a function of that set.
  """
  return _order_conditions(toks, conditional=False) is not None


def _order_conditions(toks: list[_Tok], *, conditional: bool = True) -> tuple | None:
  """`_order_free` given facts of the table's data: the conditions, or None.

  With ``conditional``, two more forms are order-free given a condition the
  executor checks on the table:

  * ``SUM("c")`` / ``AVG("c")`` / ``TOTAL("c")``: ``("sum", "c")``, column c
    holds only whole numbers whose absolute values sum below 2**53 (every
    partial sum is then exact, so the sum is the same in any order);
  * a scalar sub-query ``(SELECT "n" FROM w WHERE "k" = <literal>)``:
    ``("one_row", "k", kind, literal)``, at most one cell of column k equals
    the literal (the sub-query has one row, or none, in any order).

  Not with a derived table (``FROM (SELECT ...)``), whose columns may not be
  w's. () means order-free as it stands.
  """
  words = {t.text for t in toks if t.kind == "word"}
  blocked = _ORDER_WORDS - _SUMS if conditional else _ORDER_WORDS
  if not words.isdisjoint(blocked) or not words.isdisjoint(_GIVE_UP):
    return None
  if not toks or toks[0].kind != "word" or toks[0].text != "SELECT":
    return None
  conditions = []
  aggregates = _EXACT_AGGREGATES
  if conditional and not words.isdisjoint(_SUMS):
    aggregates = _EXACT_AGGREGATES | _SUMS
    for i, t in enumerate(toks):
      if t.kind == "word" and t.text in _SUMS:
        if not (i + 3 < len(toks) and toks[i + 1].kind == "op" and toks[i + 1].text == "("
                and toks[i + 2].kind == "qid"
                and toks[i + 3].kind == "op" and toks[i + 3].text == ")"):
          return None
        conditions.append(("sum", toks[i + 2].text))
  derived = False
  for i, t in enumerate(toks):
    if not (t.kind == "word" and t.text == "SELECT"):
      continue
    if i > 0:
      prev = toks[i - 1]
      if not (prev.kind == "op" and prev.text == "(") or i < 2:
        return None
      before = toks[i - 2]
      if before.kind == "word" and before.text in _ROW_SET:
        derived = derived or before.text == "FROM"
      elif not _scalar_aggregate(toks, i, aggregates):
        # A scalar sub-query: one aggregate, no GROUP BY; or one row by the data.
        one = _one_row(toks, i) if conditional else None
        if one is None:
          return None
        conditions.append(one)
    if not _no_bare_columns(toks, i, aggregates):
      return None
  if conditions and derived:
    return None
  return tuple(conditions)


def _one_row(toks: list[_Tok], i: int) -> tuple | None:
  """``("one_row", k, kind, literal)`` for ``( SELECT "n" FROM w WHERE "k" = literal )``
  starting at SELECT ``toks[i]``, else None."""
  if i + 8 >= len(toks) or _closing(toks, i - 1) != i + 8:
    return None
  sel, n, frm, w, where, k, eq, lit = toks[i:i + 8]
  if not (n.kind == "qid" and frm.kind == "word" and frm.text == "FROM" and w.kind == "word"
          and w.text == "W" and where.kind == "word" and where.text == "WHERE"
          and k.kind == "qid" and eq.kind == "op" and eq.text == "="
          and lit.kind in ("str", "num")):
    return None
  return ("one_row", k.text, lit.kind, lit.text)


def _select_span(toks: list[_Tok], i: int) -> list[_Tok]:
  """The tokens of the SELECT starting at i (up to its closing parenthesis)."""
  d = toks[i].depth
  k = i
  while k < len(toks) and toks[k].depth >= d:
    k += 1
  return toks[i:k]


def _scalar_aggregate(toks: list[_Tok], i: int,
                      aggregates: frozenset = _EXACT_AGGREGATES) -> bool:
  span = _select_span(toks, i)
  d = span[0].depth
  if any(t.depth == d and t.kind == "word" and t.text in ("GROUP", "HAVING") for t in span):
    return False
  items = _projection(span)
  if items is None or len(items) != 1:
    return False
  item = items[0]
  return (len(item) >= 3 and item[0].kind == "word" and item[0].text in aggregates
          and item[1].kind == "op" and item[1].text == "("
          and _closing(item, 1) == len(item) - 1)


def _own(span: list[_Tok]) -> list[tuple[int, _Tok]]:
  """(index, token) of a SELECT span's own tokens: nested SELECTs left out."""
  out, k = [], 0
  while k < len(span):
    t = span[k]
    if (k > 0 and t.kind == "word" and t.text == "SELECT"):
      # Skip the nested SELECT up to its closing parenthesis.
      d = t.depth
      while k < len(span) and span[k].depth >= d:
        k += 1
      continue
    out.append((k, t))
    k += 1
  return out


def _no_bare_columns(toks: list[_Tok], i: int,
                     aggregates: frozenset = _EXACT_AGGREGATES) -> bool:
  """In an aggregating SELECT (an aggregate call of its own, or GROUP BY), every
  column of the projection is inside an aggregate or is a whole GROUP BY key
  (a bare column of an aggregate is taken from an arbitrary row)."""
  span = _select_span(toks, i)
  d = span[0].depth
  items = _projection(span)
  if items is None:
    return False
  own = _own(span)
  group_keys = None
  for n, (k, t) in enumerate(own):
    if t.depth == d and t.kind == "word" and t.text == "GROUP":
      keys, cur = [], []
      for _, u in own[n + 2:]:  # after GROUP BY
        if u.depth == d and u.kind == "word" and u.text in _CLAUSES:
          break
        if u.depth == d and u.kind == "op" and u.text == ",":
          keys.append(tuple(cur))
          cur = []
          continue
        cur.append((u.kind, u.text))
      keys.append(tuple(cur))
      group_keys = set(keys)
  aggregated = group_keys is not None or any(
      t.kind == "word" and t.text in aggregates and k + 1 < len(span)
      and span[k + 1].kind == "op" and span[k + 1].text == "(" for k, t in own)
  if not aggregated:
    return True
  for item in items:
    if group_keys is not None and tuple((t.kind, t.text) for t in item) in group_keys:
      continue
    k = 0
    while k < len(item):
      t = item[k]
      if (t.kind == "op" and t.text == "(" and k + 1 < len(item)
          and item[k + 1].kind == "word" and item[k + 1].text == "SELECT"):
        k = _closing(item, k) + 1  # a sub-query: checked on its own
        if k <= 0:
          return False
        continue
      if (t.kind == "word" and t.text in aggregates and k + 1 < len(item)
          and item[k + 1].kind == "op" and item[k + 1].text == "("):
        k = _closing(item, k + 1) + 1
        if k <= 0:
          return False
        continue
      if t.kind == "qid" or (t.kind == "word" and not (
          k + 1 < len(item) and item[k + 1].kind == "op" and item[k + 1].text == "(")):
        return False  # a column (quoted or bare word) outside any aggregate
      k += 1
  return True


def scan(sql: str, header: Sequence[str]) -> Facts | None:
  """`Facts` about ``sql`` over a table with columns ``header``; None if unsure."""
  return _scan(sql, _column_lookup(header_index(header)))[0]


def _scan(sql: str, lookup: Callable[[str], int | None]) -> tuple[Facts | None, list | None]:
  """(`Facts`, the `_render` pieces of its LIMIT probe, if any)."""
  toks = _tokens(sql)
  if toks is None:
    return None, None
  words = {t.text for t in toks if t.kind == "word"}
  has_limit = "LIMIT" in words
  sources = None
  if (toks and toks[0].kind == "word" and toks[0].text == "SELECT"
      and words.isdisjoint(_GIVE_UP)):
    items = _projection(toks)
    if items is not None:
      found = [_item_source(item, lookup) for item in items]
      if not any(f is _UNKNOWN for f in found):
        sources = tuple(found)
  probe = _limit_probe(sql, toks) if has_limit else None
  pieces = None
  if probe is not None:
    pieces = probe[0]
    probe = (_render(pieces, sql), probe[1], probe[2])
  order_free = _order_free(toks)
  decides = None if probe is None else _probe_conditions(toks, conditional=True)
  return Facts(has_limit=has_limit, sources=sources, order_free=order_free,
               limit_probe=probe, probe_decides=decides == (),
               order_free_if=None if order_free else _order_conditions(toks) or None,
               probe_decides_if=decides or None), pieces


def _probe_decides(toks: list[_Tok]) -> bool:
  """``SELECT ... ORDER BY keys LIMIT k`` (a `_limit_probe` query) whose part
  before ORDER BY is `_order_free`, with no DISTINCT, and, when grouped, sort
  keys that are GROUP BY keys or COUNT / MIN / MAX calls.

  Then the rows before ORDER BY are one fixed set of rows (or groups) on any
  storage order, each with fixed sort keys; ORDER BY ... LIMIT k takes the
  first k of them, and the set taken (so the bag of values shown) is fixed
  unless rows k and k + 1 (1-based) share the sort key, which the probe checks
  exactly (rows within the first k may come in either order: the same bag).
  """
  return _probe_conditions(toks, conditional=False) == ()


def _probe_conditions(toks: list[_Tok], *, conditional: bool) -> tuple | None:
  """`_probe_decides` given facts of the table's data (`_order_conditions` of
  the part before ORDER BY): the conditions, or None."""
  top = [n for n, t in enumerate(toks) if t.depth == 0 and t.kind == "word"]
  order = next(n for n in top if toks[n].text == "ORDER")
  head = toks[:order]
  if any(t.kind == "word" and t.text == "DISTINCT" and t.depth == 0 for t in head):
    return None
  conditions = _order_conditions(head, conditional=conditional)
  if conditions is None:
    return None
  keys = _split_items(toks[order + 2:len(toks) - 2], 0)  # between ORDER BY and LIMIT k
  grouped = any(toks[n].text == "GROUP" for n in top if n < order)
  group_keys = set()
  if grouped:
    g = next(n for n in top if toks[n].text == "GROUP")
    group_keys = {tuple((t.kind, t.text) for t in part)
                  for part in _split_items(toks[g + 2:order], 0, stop_at_clause=True)}
  for key in keys:
    key = _without_direction(key)
    if not key or any(t.kind == "word" and t.text == "SELECT" for t in key):
      return None
    if grouped:
      whole_call = (len(key) >= 3 and key[0].kind == "word" and key[0].text in _EXACT_AGGREGATES
                    and key[1].kind == "op" and key[1].text == "("
                    and _closing(key, 1) == len(key) - 1)
      if not whole_call and tuple((t.kind, t.text) for t in key) not in group_keys:
        return None
  return conditions


def _limit_probe(sql: str, toks: list[_Tok]) -> tuple[list, int, int] | None:
  """`executor._limit_probe` of ``SELECT ... ORDER BY keys LIMIT k`` (the only
  LIMIT, at the end): the projection plus the sort keys, LIMIT k + 1, as
  (`_render` pieces, k, number of keys)."""
  if not toks or toks[0].kind != "word" or toks[0].text != "SELECT":
    return None
  if any(t.kind == "word" and t.text in _GIVE_UP for t in toks):
    return None
  limits = [i for i, t in enumerate(toks) if t.kind == "word" and t.text in ("LIMIT", "OFFSET")]
  if len(limits) != 1 or toks[limits[0]].depth != 0 or toks[limits[0]].text != "LIMIT":
    return None
  i = limits[0]
  if i + 2 != len(toks) or toks[i + 1].kind != "num" or not toks[i + 1].text.isdigit():
    return None
  k = int(toks[i + 1].text)
  if k < 1:
    return None
  top = [n for n, t in enumerate(toks) if t.depth == 0 and t.kind == "word"]
  orders = [n for n in top if toks[n].text == "ORDER"]
  froms = [n for n in top if toks[n].text == "FROM"]
  if len(orders) != 1 or len(froms) != 1:
    return None
  if (toks[orders[0] + 1].kind, toks[orders[0] + 1].text) != ("word", "BY"):
    return None
  pieces: list = []  # the probe: spans of ``sql`` and inserted text
  f = toks[froms[0]]
  pieces.append((0, len(sql[:f.start].rstrip())))
  for key in _split_items(toks[orders[0] + 2:i], 0):
    key = _without_direction(key)
    if not key or (len(key) == 1 and key[0].kind in ("num", "word")):
      return None  # ORDER BY 2, or a bare word that may be an alias: the parser decides
    pieces += [", ", (key[0].start, key[-1].end)]
  pieces += [" ", (f.start, toks[i + 1].start), str(k + 1), (toks[i + 1].end, len(sql))]
  return pieces, k, (len(pieces) - 5) // 2


def _render(pieces: list, sql: str) -> str:
  """The text of `_limit_probe` pieces: spans of ``sql`` and inserted text
  (`_plan` renders them for every query of a form)."""
  return "".join([p if isinstance(p, str) else sql[p[0]:p[1]] for p in pieces])


# --- the same facts, once per query form ---------------------------------------------
#
# Generated queries come in a few thousand forms that differ only in their
# literals and column names: `scan_cached` tokenizes a form once. The skeleton
# of a query writes its k-th distinct quoted name as "q<k>", its k-th distinct
# string literal as 's<k>' and its k-th distinct number as <k>, but keeps a
# number after the word LIMIT or OFFSET as written; every other character is
# kept. Quotes are matched left to right by the tokenizer's own patterns, and a
# number only where no letter, digit, '_' or '.' touches it; a query with a
# digit left outside the literals (a number touching a word, a name like x1)
# or with a kept number that reads like a slot is scanned whole. So each
# literal replaced is one token of `_tokens`, the skeleton has the query's
# tokens, kinds and nesting, two tokens of it are equal exactly when they are
# in the query, and the facts read from it are the query's: each source is a
# name's slot (resolved per table), and the LIMIT probe's spans of the
# skeleton are read from the query at the same tokens. Tests compare it with
# `scan` on every shape and on fuzzed text.
#
# The pattern: each alternative starts with one given character, so the regex
# engine skips the text between literals at C speed (with a leading assertion
# it tries the whole pattern at every position: half the cost again). A
# number: an ASCII digit (or '.') no letter, digit, '_' or '.' precedes, then
# any digits. Last, a run of ASCII digits where no number starts (a digit
# touching a word or a dot): `skeleton` gives up on the query there, since
# such a run is never a literal; so, in ASCII text, no digit is left between
# the literals, and only a query with other characters is searched for
# digits (`_DIGIT`) after the split.
_NOT_AFTER = r"(?![A-Za-z0-9_.])"
_EXPONENT = r"(?:[eE][+-]?\d+)?"
_LITERAL = re.compile("(" + "|".join(
    [r'"[^"]*(?:""[^"]*)*"', r"'[^']*(?:''[^']*)*'"]
    + [rf"{d}(?<![A-Za-z0-9_.]{d})\d*(?:\.\d*)?{_EXPONENT}{_NOT_AFTER}" for d in "0123456789"]
    + [rf"\.(?<![A-Za-z0-9_.]\.)\d+{_EXPONENT}{_NOT_AFTER}"]
    + [rf"{d}[0-9]*" for d in "0123456789"]) + ")")
# What a number literal never touches: a digit run beside one is a stray run.
_TOUCHING = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.")
_DIGIT = re.compile(r"\d")
_SLOTS = 64  # slot texts made once: '"q0"', "'s0'", '0', ...
_NAME_SLOTS = tuple(f'"q{k}"' for k in range(_SLOTS))
_STRING_SLOTS = tuple(f"'s{k}'" for k in range(_SLOTS))
_NUMBER_SLOTS = tuple(str(k) for k in range(_SLOTS))
_FORMS: dict[str, tuple[Facts | None, list | None]] = {}  # form -> (facts, probe plan)
_MAX_FORMS = 1 << 16

Slots = tuple[list[str], list[str], list[str]]  # quoted names, strings, numbers


def skeleton(sql: str) -> tuple[str, Slots, list[str], list[str]] | None:
  """(the query's skeleton, its literals by slot, the query's pieces, the
  skeleton's pieces), or None when a digit is left outside the literals (a
  number touching a word or a dot, a name like x1) or a kept LIMIT number
  is not a whole number below 1000. Where a kept number reads like a number
  slot, the number slots start above the kept numbers: 'SELECT "a" FROM w
  WHERE "b" > 7 OR "b" < 9 LIMIT 1' -> 'SELECT "q0" FROM w WHERE "q1" > 2 OR
  "q1" < 3 LIMIT 1', numbers [None, None, '7', '9'] (slot k + 2 at index k + 2).

  'SELECT "Team" FROM w WHERE "Rank" = 3 AND "Team" <> \'ITA\' LIMIT 2' ->
  ('SELECT "q0" FROM w WHERE "q1" = 0 AND "q0" <> \'s0\' LIMIT 2',
   (['"Team"', '"Rank"'], ["'ITA'"], ['3']), [...], [...]); the pieces are the
  texts between the literals and the literals, alternately.
  """
  parts = _LITERAL.split(sql)
  orig = parts[:]
  names: dict[str, int] = {}
  strings: dict[str, int] = {}
  numbers: dict[str, int] = {}
  kept = at = None  # the kept numbers; where the slotted ones are
  for i in range(1, len(parts), 2):
    lit = parts[i]
    c = lit[0]
    if c == '"':
      k = names.setdefault(lit, len(names))
      parts[i] = _NAME_SLOTS[k] if k < _SLOTS else f'"q{k}"'
    elif c == "'":
      k = strings.setdefault(lit, len(strings))
      parts[i] = _STRING_SLOTS[k] if k < _SLOTS else f"'s{k}'"
    else:
      before = parts[i - 1]
      if before[-1:] in _TOUCHING or parts[i + 1][:1] in _TOUCHING:
        return None  # a stray digit run (`_LITERAL`): a digit outside the literals
      if before[-1:].isspace() and before.rstrip()[-6:].upper().endswith(("LIMIT", "OFFSET")):
        kept = [lit] if kept is None else kept + [lit]  # LIMIT k: kept as written
        continue
      k = numbers.setdefault(lit, len(numbers))
      parts[i] = _NUMBER_SLOTS[k] if k < _SLOTS else str(k)
      at = [i] if at is None else at + [i]
  if not sql.isascii() and _DIGIT.search("\0".join(parts[0::2])):  # (other digits)
    return None
  slotted = list(numbers)
  if kept and not set(map(str, range(len(numbers)))).isdisjoint(kept):
    # A kept number reads like a slot: the slots start above the kept numbers
    # instead (slot k is written k + base, and found at index k + base).
    if not all(k.isascii() and k.isdigit() for k in kept) or max(map(len, kept)) > 3:
      return None
    base = 1 + max(map(int, kept))
    for i in at:
      parts[i] = str(numbers[orig[i]] + base)
    slotted = [None] * base + slotted
  return "".join(parts), (list(names), list(strings), slotted), orig, parts


def _plan(pieces: list, parts: list[str], form: str) -> list[str | int]:
  """`_render` of ``pieces`` (spans of ``form`` and inserted text) for any query
  of this form, as text and piece indices: a query's probe is the plan's texts
  with each index i replaced by the query's piece i (its literal). The form's
  pieces (``parts``, `skeleton`) and a query's are the same texts between the
  literals; a span never starts or ends inside a literal."""
  starts = list(itertools.accumulate(map(len, parts), initial=0))
  out: list[str | int] = []

  def text(t: str) -> None:
    if out and out[-1].__class__ is str:
      out[-1] += t
    elif t:
      out.append(t)

  for p in pieces:
    if isinstance(p, str):
      text(p)
      continue
    a, b = p
    n = bisect.bisect_right(starts, a) - 1
    while a < b:
      lo, hi = starts[n], starts[n + 1]
      if n % 2:  # a literal: whole, from the query
        if a != lo or b < hi:
          raise AssertionError(f"span {p} cuts a literal of {form!r}")
        out.append(n)
      else:
        text(parts[n][a - lo:min(b, hi) - lo])
      a = hi
      n += 1
  return out


def header_index(header: Sequence[str]) -> dict[str, int]:
  """Lower-cased name -> the first column index with it (SQLite compares names
  case-insensitively)."""
  out: dict[str, int] = {}
  for j, h in enumerate(header):
    out.setdefault(h.lower(), j)
  return out


def _column_lookup(index: dict[str, int]) -> Callable[[str], int | None]:
  """A quoted name -> its column index in a `header_index`, or None."""
  return lambda name: index.get(name.lower())


def scan_cached(sql: str, index: dict[str, int]) -> Facts | None:
  """`scan(sql, header)`, for ``index = header_index(header)``; each form scanned once."""
  skel = skeleton(sql)
  if skel is None:
    return _scan(sql, _column_lookup(index))[0]
  form, slots, orig, parts = skel
  facts, plan = _form(form, parts)
  if facts is None:
    return None
  sources, probe = facts.sources, facts.limit_probe
  if sources is not None:
    get, names = index.get, slots[0]
    sources = tuple([None if k is None else get(names[k][1:-1].replace('""', '"').lower())
                     for k in sources])
  if probe is not None:
    probe = ("".join([x if x.__class__ is str else orig[x] for x in plan]), probe[1], probe[2])
  free_if, decides_if = facts.order_free_if, facts.probe_decides_if
  if free_if is not None:
    free_if = _resolve(free_if, slots)
  if decides_if is not None:
    decides_if = _resolve(decides_if, slots)
  return _new_facts(Facts, (facts.has_limit, sources, facts.order_free, probe,
                           facts.probe_decides, free_if, decides_if))


def _form(form: str, parts: list[str]) -> tuple[Facts | None, list | None]:
  """(a skeleton's facts, its probe plan), scanned once per form (``parts``:
  `skeleton`'s pieces of it)."""
  hit = _FORMS.get(form)
  if hit is None:
    facts, pieces = _scan(form, lambda name: int(name[1:]))
    # The probe's text as constant text and the query's literals (by piece index).
    plan = None if facts is None or facts.limit_probe is None else _plan(pieces, parts, form)
    hit = (facts, plan)
    if len(_FORMS) >= _MAX_FORMS:
      _FORMS.clear()
    _FORMS[form] = hit
  return hit


# --- the same, once per template of the sampler --------------------------------------
#
# The sampler's text path makes each query as ``template.format(*literals)``
# (`sampler._TextCtx`), where a placeholder "{k!s}" is a quoted name, "{k}" a
# string literal, "{k:}" a number ("-{k:}" a negative one: the '-' is the
# template's, as `skeleton` reads it), and placeholders of the same text have
# the same k. Two queries of one template then have the same skeleton: the
# texts between their literals are the template's, each placeholder is one
# literal of its kind there (a quoted literal ends at its own closing quote; a
# number is a run of digits between the template's characters, which decide
# whether it touches a word), and the slots, numbered by first occurrence,
# follow the same placeholders. So `_template_entry` reads the first query of a
# template with `skeleton` and `_form`, and keeps for each slot and piece the
# literal index it takes its text from; the next queries need only a look-up.
# It checks that each placeholder is exactly one literal of the first query's
# skeleton, and each other literal a number after LIMIT or OFFSET (kept as
# written, the same in every query of the template); else (None) the queries
# of that template are read as text (`scan_cached`). Tests compare the two on
# every shape and on literals made to be awkward.
_PLACEHOLDER = re.compile(r"(-?)\{(\d+)(?:!s|:)?\}")
_TEMPLATES: dict[str, tuple | None] = {}
_MAX_TEMPLATES = 1 << 16
_MISSING = object()


def scan_template(sql: str, template: str, literals: Sequence[str], index: dict[str, int],
                  quoted: dict[str, int]) -> Facts | None:
  """`scan_cached(sql, index)` for a query the sampler made as ``sql =
  template.format(*literals)`` (above); ``quoted``: each column reference as
  the sampler writes it -> the column `header_index` finds for it
  (`executor.quoted_index`), by which each output's name is found (a name not
  in it: `scan_cached`)."""
  hit = _TEMPLATES.get(template, _MISSING)
  if hit is _MISSING:
    hit = _template_entry(sql, template, literals)
    if len(_TEMPLATES) >= _MAX_TEMPLATES:
      _TEMPLATES.clear()
    _TEMPLATES[template] = hit
  if hit is None:
    return scan_cached(sql, index)
  facts, sources, probe, free_if, decides_if = hit
  if facts is None:
    return None
  if sources is not None:  # each output's name by its literal index, resolved here
    try:
      if len(sources) == 1:  # (most queries: one output; no list made)
        m = sources[0]
        sources = (None if m is None else quoted[literals[m]],)
      else:
        sources = tuple([None if m is None else quoted[literals[m]] for m in sources])
    except KeyError:  # (a name the sampler didn't quote from the header)
      return scan_cached(sql, index)
  if probe is not None:
    probe = ("".join([x if x.__class__ is str else literals[x] for x in probe[0]]),
             probe[1], probe[2])
  if free_if is not None:
    free_if = _fill(free_if, literals)
  if decides_if is not None:
    decides_if = _fill(decides_if, literals)
  return _new_facts(Facts, (facts.has_limit, sources, facts.order_free, probe,
                           facts.probe_decides, free_if, decides_if))


def _fill(conditions: tuple, literals: Sequence[str]) -> tuple:
  """`_order_conditions` with literal indices (`_template_entry`) -> with the literals."""
  out = []
  for c in conditions:
    name = literals[c[1]][1:-1].replace('""', '"')
    out.append(("sum", name) if c[0] == "sum" else ("one_row", name, c[2], literals[c[3]]))
  return tuple(out)


def _template_entry(sql: str, template: str, literals: Sequence[str]) -> tuple | None:
  """What `scan_template` needs of ``template``, read from its query ``sql``:
  (the form's facts; its sources, probe pieces and conditions with literal
  indices in place of slots), or None where the template can't stand for the
  text (above)."""
  skel = skeleton(sql)
  if skel is None:
    return None
  form, (names, strings, numbers), orig, parts = skel
  # Where each placeholder's literal starts in sql: (start, literal index).
  starts, at, pos = {}, 0, 0
  for m in _PLACEHOLDER.finditer(template):
    at += m.start() - pos + len(m.group(1))
    k = int(m.group(2))
    if k >= len(literals) or at in starts:
      return None
    starts[at] = k
    at += len(literals[k])
    pos = m.end()
  if at + len(template) - pos != len(sql) or len(set(starts.values())) != len(literals):
    return None
  fill, at = [], 0
  first: dict[str, int] = {}  # literal text -> the index of its first piece
  for i, part in enumerate(orig):
    if i % 2:
      k = starts.pop(at, None)
      if k is None:  # a number of the template's own: a LIMIT / OFFSET number only
        before = orig[i - 1].rstrip().upper()
        if not (part.isdigit() and before.endswith(("LIMIT", "OFFSET"))):
          return None
      elif literals[k] != part:
        return None
      else:
        fill.append((i, k))
        first.setdefault(part, k)
    at += len(part)
  if starts:
    return None
  facts, plan = _form(form, parts)
  if facts is None:
    return (None,) * 5
  # Each slot's literal index (the first piece with its text); every slot is
  # a placeholder's (a number of the template's own is a LIMIT / OFFSET number).
  try:
    names = [first[t] for t in names]
    strings = [first[t] for t in strings]
    numbers = [None if t is None else first[t] for t in numbers]
  except KeyError:
    return None
  sources = probe = None
  if facts.sources is not None:
    sources = tuple([None if k is None else names[k] for k in facts.sources])
  if plan is not None:  # the probe's text: constant text and literal indices
    at = dict(fill)
    probe = ([x if x.__class__ is str else (at[x] if x in at else orig[x]) for x in plan],
             *facts.limit_probe[1:])

  def conditions(cs: tuple | None) -> tuple | None:  # (`_resolve`, by literal index)
    if cs is None:
      return None
    return tuple([("sum", names[int(c[1][1:])]) if c[0] == "sum" else
                  ("one_row", names[int(c[1][1:])], c[2],
                   strings[int(c[3][2:-1])] if c[2] == "str" else numbers[int(c[3])])
                  for c in cs])

  free_if, decides_if = conditions(facts.order_free_if), conditions(facts.probe_decides_if)
  if None in [c[-1] for c in (free_if or ()) + (decides_if or ())]:
    return None  # (a number slot without a literal: none is ever read)
  return facts, sources, probe, free_if, decides_if


_new_facts = tuple.__new__  # a `Facts` from its 7 fields in order (no keyword parsing)


def _resolve(conditions: tuple, slots: Slots) -> tuple:
  """`_order_conditions` read from a skeleton, with the query's names and literals."""
  names, strings, numbers = slots
  out = []
  for c in conditions:
    name = names[int(c[1][1:])][1:-1].replace('""', '"')
    if c[0] == "sum":
      out.append(("sum", name))
    else:
      lit = strings[int(c[3][2:-1])] if c[2] == "str" else numbers[int(c[3])]
      out.append(("one_row", name, c[2], lit))
  return tuple(out)
