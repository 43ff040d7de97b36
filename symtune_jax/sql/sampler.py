"""Random SQL queries over one table (JOIN-free, SQUALL / WTQ constructs).

`sample_query(table, rng, config)` draws a query shape from the configured
distribution, then builds a query of that shape whose literals are the table's
own cells, typed by column: number columns compare with numbers, text columns
with text, date columns with ISO date strings. Shapes (`SHAPES`):

  select_where     SELECT "Team" FROM w WHERE "Rank" = 3 AND "Nation" = 'ITA'
  select_not       SELECT "Team" FROM w WHERE "Rank" <= 4 AND "Nation" <> 'ITA'
  select_not_in    SELECT COUNT(*) FROM w WHERE NOT "Nation" IN ('ITA', 'ESP')
  select_in        SELECT "Rank" FROM w WHERE "Nation" IN ('ITA', 'ESP')
  select_distinct  SELECT DISTINCT "Team" FROM w WHERE "Points" >= 20
  agg_count        SELECT COUNT(*) FROM w WHERE "Nation" = 'ITA'
  count_distinct   SELECT COUNT(DISTINCT "Team") FROM w WHERE "Points" > 10
  agg_numeric      SELECT AVG("Points") FROM w WHERE "Team" = 'Lampre'
  date_extreme     SELECT MIN("Date") FROM w / ... WHERE "Date" = (SELECT MAX("Date") FROM w)
  superlative      SELECT "Cyclist" FROM w ORDER BY "Points" DESC LIMIT 1
  argmax           SELECT "Cyclist" FROM w WHERE "Points" = (SELECT MAX("Points") FROM w)
  group_top        SELECT "Team" FROM w GROUP BY "Team" ORDER BY COUNT(*) DESC LIMIT 1
  group_having     SELECT "Team" FROM w GROUP BY "Team" HAVING COUNT(*) >= 2
  group_count      SELECT COUNT(*) FROM (SELECT "Team" FROM w GROUP BY "Team" HAVING ...)
  nested           SELECT "Cyclist" FROM w WHERE "Points" > (SELECT AVG("Points") FROM w)
  count_above_row  SELECT COUNT(*) FROM w WHERE "Points" > (SELECT "Points" FROM w WHERE ...)
  in_subquery      SELECT "Cyclist" FROM w WHERE "Team" IN (SELECT "Team" FROM w WHERE ...)
  compare_rows     SELECT "Cyclist" FROM w WHERE "Cyclist" IN ('A', 'B') ORDER BY "Points" DESC LIMIT 1
  abs_diff         SELECT ABS((SELECT "Points" FROM w WHERE ...) - (SELECT "Points" FROM w WHERE ...))
  arith            SELECT "Won" - "Lost" FROM w WHERE "Team" = 'A' / MAX(x) - MIN(x)
  text_length      SELECT "Cyclist" FROM w ORDER BY LENGTH("Cyclist") DESC LIMIT 1
  next_row         SELECT "Team" FROM w WHERE "Year" > (SELECT "Year" FROM w WHERE ...) ORDER BY "Year" ASC LIMIT 1
  previous_row     the same, the row before

Answers are fixed by the table where the sampler can see it: superlatives
prefer columns whose values are all distinct; group_top, compare_rows and
text_length only use a column when the top value is unique; next_row and
previous_row walk a column that is strictly monotone down the table, so "the
row after X" is a pure function of the rows shown (truncation keeps row order).

Literals of an AND-clause are usually drawn from one "anchor" row, so most
queries select something; the executor still skips (and counts) those that
return nothing. All randomness comes from ``rng`` (anything with a
``random()`` method: `random.Random` or a `numpy.random.Generator`), so a query
is a pure function of (table, rng state, config).

Two paths give the same text: by default queries are built as SQL text
(`query.TEXT`), a template whose placeholders are then filled with the
names, literals and numbers (`Query.template`, read by the executor once per
template); ``reference=True`` builds sqlglot trees (`query.TREE`) and renders
them. Per-table facts (`_View`) are computed once per table object;
a truncated table (`Table.select_rows`) derives its facts from the full
table's, column by column as they are used. Which shapes a table allows is
decided by a few facts (`_Facts`) and cached per (config, facts): a config is
treated as immutable once used.
"""

from __future__ import annotations

import bisect
import collections
import dataclasses
import math
import operator
from typing import Any, Callable, Mapping, NamedTuple, Sequence

from symtune_jax.errors import InputError
from symtune_jax.sql import query as q
from symtune_jax.sql.query import Query
from symtune_jax.tables.table import SOURCE_ROWS_ATTR, ColumnType, Table

DEFAULT_SHAPE_WEIGHTS: Mapping[str, float] = {
    "select_where": 2.0,
    "select_not": 1.0,
    "select_not_in": 0.8,
    "select_in": 1.0,
    "select_distinct": 0.8,
    "agg_count": 1.2,
    "count_distinct": 0.8,
    "agg_numeric": 1.2,
    "date_extreme": 3.0,
    "superlative": 1.2,
    "argmax": 1.0,
    "group_top": 1.0,
    "group_having": 0.8,
    "group_count": 0.8,
    "nested": 1.0,
    "count_above_row": 0.8,
    "in_subquery": 1.0,
    "compare_rows": 1.0,
    "abs_diff": 1.0,
    "arith": 1.0,
    "text_length": 1.0,
    "next_row": 1.5,
    "previous_row": 1.5,
}
SHAPES = tuple(DEFAULT_SHAPE_WEIGHTS)

_NUMBER_OPS = (("=", 0.3), ("!=", 0.1), (">", 0.2), ("<", 0.2), (">=", 0.1), ("<=", 0.1))
_TEXT_OPS = (("=", 0.85), ("!=", 0.15))
# (ops, total weight) with the total as `pick_weighted` sums it.
_NUMBER_OPS_TOTAL = (_NUMBER_OPS, sum(w for _, w in _NUMBER_OPS))
_TEXT_OPS_TOTAL = (_TEXT_OPS, sum(w for _, w in _TEXT_OPS))


@dataclasses.dataclass(frozen=True)
class SamplerConfig:
  """Distribution over query shapes and complexity knobs.

  Attributes:
    shape_weights: relative weight per shape (see `SHAPES`); 0 disables one.
    max_conditions: at most this many conditions in a WHERE clause (>= 1).
    or_probability: chance that two conditions are joined by OR, not AND.
    where_probability: chance of a WHERE clause where it is optional.
    max_limit: superlatives use LIMIT 1 .. max_limit.
    multi_projection_probability: chance a plain SELECT projects two columns.
    anchor_probability: chance that an AND-clause takes its literals from one
      row (so it matches at least that row under '=').
  """
  shape_weights: Mapping[str, float] = dataclasses.field(
      default_factory=lambda: dict(DEFAULT_SHAPE_WEIGHTS))
  max_conditions: int = 2
  or_probability: float = 0.2
  where_probability: float = 0.6
  max_limit: int = 3
  multi_projection_probability: float = 0.15
  anchor_probability: float = 0.8

  def __post_init__(self):
    for name, w in self.shape_weights.items():
      if name not in SHAPES:
        raise InputError(f"unknown query shape {name!r}; expected one of {', '.join(SHAPES)}",
                         field="shape_weights")
      if not w >= 0:
        raise InputError(f"weight of {name!r} is {w}; expected a number >= 0",
                         field="shape_weights")
    if not any(w > 0 for w in self.shape_weights.values()):
      raise InputError("every shape weight is 0; expected at least one > 0",
                       field="shape_weights")
    if self.max_conditions < 1:
      raise InputError(f"max_conditions is {self.max_conditions}; expected >= 1",
                       field="max_conditions")
    if self.max_limit < 1:
      raise InputError(f"max_limit is {self.max_limit}; expected >= 1", field="max_limit")


def pick(rng: Any, seq: Sequence):
  """A uniform element of a non-empty sequence (one ``rng.random()`` draw)."""
  return seq[int(rng.random() * len(seq))]


def pick_weighted(rng: Any, items: Sequence[tuple[object, float]]):
  """An item of (item, weight) pairs, with probability proportional to weight."""
  total = sum(w for _, w in items)
  r = rng.random() * total
  for item, w in items:
    r -= w
    if r < 0:
      return item
  return items[-1][0]


class _Choice:
  """`pick_weighted` over fixed (item, weight > 0) pairs, by bisection.

  `pick_weighted` subtracts the weights from ``r = u * total`` in turn and
  takes the first item where the running value is < 0. In floating point,
  each running value is a non-decreasing function of ``r`` (rounding is
  monotone) and, the weights being > 0, it goes below 0 at a later item only
  after it has at an earlier one; so item k is taken exactly when
  ``thresholds[k-1] <= r < thresholds[k]``, where ``thresholds[k]`` is the
  least float at which the running value after item k is still >= 0. The
  thresholds are found once, from the exact sum, a few ulps at most away.
  """

  __slots__ = ("items", "total", "names", "thresholds", "_last")

  def __init__(self, items: Sequence[tuple[Any, float]]):
    self.items = list(items)
    self.total = sum(w for _, w in self.items)
    self.names = [x for x, _ in self.items]
    weights = [w for _, w in self.items]
    if any(not w > 0 for w in weights):
      raise ValueError(f"weights must be > 0, got {weights}")
    self.thresholds = [_threshold(weights[:k + 1]) for k in range(len(weights))]
    self._last = len(self.names) - 1

  def pick(self, u: float) -> Any:
    """The item `pick_weighted` takes when ``rng.random()`` returns ``u``."""
    i = bisect.bisect_right(self.thresholds, u * self.total)
    return self.names[i if i <= self._last else self._last]


def _threshold(weights: Sequence[float]) -> float:
  """The least float r with ``r - weights[0] - weights[1] - ...`` (in turn) >= 0."""
  def below(r: float) -> bool:
    for w in weights:
      r -= w
    return r < 0
  t = math.fsum(weights)
  while below(t):
    t = math.nextafter(t, math.inf)
  while not below(math.nextafter(t, -math.inf)):
    t = math.nextafter(t, -math.inf)
  return t


class _Facts(NamedTuple):
  """What the shapes' feasibility depends on: a few facts per table (see `_BUILDERS`)."""
  usable: int  # usable columns, counted up to 2
  number: bool
  date: bool
  orderable: bool
  text: bool
  grouping: bool  # bool(_View.grouping)
  monotone: bool  # bool(_View.monotone)


_new_facts = tuple.__new__  # `_Facts` from its 7 fields in order


def _pick_column(base: "_View", columns: list, get, rows: Sequence[int], j: int) -> tuple:
  """Column j of a view of rows ``rows`` of ``base``'s table (``get``:
  ``itemgetter(*rows)``, None for one row or none), kept in ``columns``."""
  full = base._columns[j]  # pylint: disable=protected-access
  col = columns[j] = get(full) if get is not None else tuple([full[i] for i in rows])
  return col


class _NullCounts(dict):
  """Column j -> its empty cells, for a view of rows of another table, counted
  on first use: none where the source has none, all where it has only empty
  cells. (It holds the view's column list, not the view: no reference cycle,
  so a truncated table's view is freed as soon as the table is.)"""

  __slots__ = ("base", "columns", "get", "rows")

  def __init__(self, base: "_View", columns: list, get, rows: Sequence[int]):
    super().__init__()
    self.base, self.columns, self.get, self.rows = base, columns, get, rows

  def __missing__(self, j: int) -> int:
    base = self.base
    k = base._nulls[j]  # pylint: disable=protected-access
    if not k:
      out = 0
    elif k == base.n_rows:
      out = len(self.rows)
    else:
      col = self.columns[j]
      if col is None:
        col = _pick_column(base, self.columns, self.get, self.rows, j)
      out = col.count(None)
    self[j] = out
    return out


class _View:
  """Per-table facts the shapes need (typed columns, non-empty rows, uniques,
  counts, monotone columns), computed lazily and kept with the table.

  A table made by `Table.select_rows` (a truncated table) gets its columns
  from its source table's view, one column when first used, and skips work
  the source's facts decide (a column without empty cells has none in any
  subset; values all different stay different, a monotone column stays
  monotone on rows kept in order). Every fact is the same as a view computed
  from the table alone (``_View(table, derive=False)``; a test checks it).
  """

  def __init__(self, table: Table, derive: bool = True):
    self.header = header = table.header
    self.types = types = table.types
    self.values = values = table.values
    self.n_rows = n = len(table.rows)
    self._nonnull: dict[int, list[int]] = {}
    self._unique: dict[int, list[int]] = {}
    self._counts: dict[int, dict[Any, int]] = {}
    self._ndistinct: dict[int, int] = {}
    self._distinct: dict[int, list[Any]] = {}
    self._lists: dict[str, list[int]] = {}
    self._more: dict[tuple[str, int], Any] = {}
    self._facts: _Facts | None = None
    self._feasible: tuple[SamplerConfig, _Choice] | None = None
    # quoted().__getitem__, kept for `_Ctx` (made on first use).
    self.text_col: Callable[[int], str] | None = None
    source = table.__dict__.get(SOURCE_ROWS_ATTR) if derive else None  # (`Table.source_rows`)
    if source is not None and len(source[1]) == n and source[0].header is header:
      base = _view(source[0])
      rows = source[1]
      self._base, self._rows = base, rows
      self._get = get = operator.itemgetter(*rows) if n > 1 else None
      # Rows kept in table order (what truncation does): no row twice.
      self._in_order = in_order = n < 2 or all(map(operator.lt, rows, rows[1:]))
      self._columns: list[tuple | None] = [None] * len(header)
      base_nulls = base._nulls
      if any(base_nulls):
        # Counted when first read, but where a column could be empty here
        # and not there (what `same` asks): rows kept once each can't all be
        # empty in a column with fewer empty cells than rows kept.
        self._nulls = nulls = _NullCounts(base, self._columns, get, rows)
        same = True
        for j, k in base.partly_empty():
          if (k >= n or not in_order) and nulls[j] == n:
            same = False
      else:  # no empty cell anywhere: none here either
        self._nulls, same = base_nulls, True
      if same and n:  # the same columns are all empty (none, mostly): the same lists
        self.number, self.date, self.text = base.number, base.date, base.text
        self.usable, self.orderable = base.usable, base.orderable
        return
    else:
      self._base = self._rows = self._get = None
      self._in_order = False
      # Column-major copy (one C-level transpose): the facts below are per column.
      self._columns = list(zip(*values)) if values else [()] * len(self.header)
      self._nulls = [col.count(None) for col in self._columns]
    number, date, text = self.number, self.date, self.text = [], [], []
    by_type = {ColumnType.NUMBER: number, ColumnType.DATE: date, ColumnType.TEXT: text}
    nulls = self._nulls
    for j, t in enumerate(types):
      if nulls[j] != n:
        by_type[t].append(j)
    self.usable = sorted(number + date + text)
    self.orderable = sorted(number + date)

  def column(self, j: int) -> tuple:
    """The values of column j, top to bottom."""
    col = self._columns[j]
    if col is None:
      col = _pick_column(self._base, self._columns, self._get, self._rows, j)
    return col

  def partly_empty(self) -> list[tuple[int, int]]:
    """(column, empty cells) of the columns with some cells empty, not all."""
    out = self._lists.get("partly_empty")
    if out is None:
      n = self.n_rows
      out = self._lists["partly_empty"] = [(j, k) for j, k in enumerate(self._nulls) if 0 < k < n]
    return out

  def nonnull_rows(self, j: int) -> list[int]:
    rows = self._nonnull.get(j)
    if rows is None:
      if self._nulls[j]:
        rows = [i for i, x in enumerate(self.column(j)) if x is not None]
      else:
        rows = list(range(self.n_rows))
      self._nonnull[j] = rows
    return rows

  def has_nulls(self, j: int) -> bool:
    return self._nulls[j] > 0

  def counts(self, j: int) -> dict[Any, int]:
    """Value -> rows holding it, for the non-empty cells of column j (first-seen order)."""
    c = self._counts.get(j)
    if c is None:
      col = self.column(j)
      c = collections.Counter([x for x in col if x is not None] if self._nulls[j] else col)
      self._counts[j] = c
    return c

  def distinct(self, j: int) -> list[Any]:
    """The different non-empty values of column j, first-seen order (``list(counts(j))``)."""
    out = self._distinct.get(j)
    if out is None:
      c = self._counts.get(j)
      if c is not None:
        out = list(c)
      else:
        d = dict.fromkeys(self.column(j))
        if self._nulls[j]:
          del d[None]
        out = list(d)
      self._distinct[j] = out
    return out

  def num_distinct(self, j: int) -> int:
    """How many different non-empty values column j holds (``len(counts(j))``)."""
    d = self._ndistinct.get(j)
    if d is None:
      filled = self.n_rows - self._nulls[j]
      base = self._base
      if base is not None and self._in_order:
        # Rows kept once each, in order: all different (or all the same) in
        # the source table, all different (the same) here.
        bd = base.num_distinct(j)
        if bd == base.n_rows - base._nulls[j]:  # pylint: disable=protected-access
          d = filled
        elif bd <= 1:
          d = min(bd, filled)
      if d is None:
        known = self._counts.get(j) or self._distinct.get(j)
        if known is not None:
          d = len(known)
        else:
          d = len(set(self.column(j))) - (1 if self._nulls[j] else 0)
      self._ndistinct[j] = d
    return d

  def unique_rows(self, j: int) -> list[int]:
    """Rows whose value in column j occurs once in that column."""
    rows = self._unique.get(j)
    if rows is None:
      if self.num_distinct(j) == self.n_rows - self._nulls[j]:  # all different
        rows = list(self.nonnull_rows(j))
      else:
        get = self.counts(j).get  # None is never counted: get(None) is None
        rows = [i for i, x in enumerate(self.column(j)) if get(x) == 1]
      self._unique[j] = rows
    return rows

  def unique_row_set(self, j: int) -> frozenset[int]:
    """set(unique_rows(j))."""
    key = ("unique_set", j)
    out = self._more.get(key)
    if out is None:
      out = self._more[key] = frozenset(self.unique_rows(j))
    return out

  def with_distinct(self, k: int) -> list[int]:
    """Usable columns with at least k different values."""
    key = ("with_distinct", k)
    out = self._more.get(key)
    if out is None:
      out = self._more[key] = [j for j in self.usable if self.num_distinct(j) >= k]
    return out

  def text_lengths(self, j: int) -> tuple[list[int], int, int]:
    """(the lengths of column j's different values, sorted; how many rows hold
    a value of the largest length; how many of the smallest)."""
    key = ("text_lengths", j)
    out = self._more.get(key)
    if out is None:
      lengths = sorted(map(len, self.distinct(j)))
      per_row = [len(x) for x in self.column(j) if x is not None]
      out = self._more[key] = (lengths, per_row.count(lengths[-1]), per_row.count(lengths[0]))
    return out

  # The lists below are read on most queries of the shapes that use them:
  # each property looks its list up first, and makes it only when missing.

  @property
  def distinct_orderable(self) -> list[int]:
    """Orderable columns whose non-empty values are all different (no ties)."""
    out = self._lists.get("distinct_orderable")
    if out is None:
      n, nulls = self.n_rows, self._nulls
      out = self._lists["distinct_orderable"] = [
          j for j in self.orderable
          if n - nulls[j] >= 2 and self.num_distinct(j) == n - nulls[j]]
    return out

  @property
  def grouping(self) -> list[int]:
    """Text columns with a repeated value and more than one value."""
    out = self._lists.get("grouping")
    if out is None:
      n, nulls = self.n_rows, self._nulls
      out = self._lists["grouping"] = [
          j for j in self.text if 1 < self.num_distinct(j) < n - nulls[j]]
    return out

  def _has_grouping(self) -> bool:
    """bool(self.grouping), stopping at the first column. On rows kept once
    each, in order, only the source table's grouping columns can be: a column
    with all values different (or all the same) there is so here too."""
    out = self._lists.get("grouping")
    if out is not None:
      return bool(out)
    n, nulls = self.n_rows, self._nulls
    for j in (self._base.grouping if self._in_order else self.text):
      filled = n - nulls[j]
      if filled >= 3 and 1 < self.num_distinct(j) < filled:
        return True
    return False

  @property
  def monotone(self) -> list[int]:
    """Orderable columns, set in every row, strictly increasing or decreasing down the table."""
    out = self._lists.get("monotone")
    if out is None:
      out = []
      for j in self.orderable:
        if self.n_rows < 3 or self._nulls[j]:
          continue
        col = self.column(j)
        rest = col[1:]
        if all(map(operator.lt, col, rest)) or all(map(operator.gt, col, rest)):
          out.append(j)
      self._lists["monotone"] = out
    return out

  def _has_monotone(self) -> bool:
    """bool(self.monotone), stopping at the first column (a column monotone in
    the source table is monotone on rows kept in order)."""
    out = self._lists.get("monotone")
    if out is not None:
      return bool(out)
    if self.n_rows < 3:
      return False
    if self._in_order and self._base.monotone:  # set in every row there, so here
      return True
    lt, gt = operator.lt, operator.gt
    for j in self.orderable:
      if self._nulls[j]:
        continue
      col = self.column(j)
      rest = col[1:]
      if all(map(lt, col, rest)) or all(map(gt, col, rest)):
        return True
    return False

  def quoted(self) -> list[str]:
    """The SQL text of each column reference ('"Team"')."""
    out = self._lists.get("quoted")
    if out is None:
      if self._base is not None:
        out = self._base.quoted()
      else:
        out = [q.quote_identifier(h) for h in self.header]
      self._lists["quoted"] = out
    return out

  def increasing(self, j: int) -> bool:
    return self.values[0][j] < self.values[1][j]

  def kind(self, j: int) -> ColumnType:
    return self.types[j]

  def facts(self) -> _Facts:
    """The facts the shapes' feasibility depends on."""
    f = self._facts
    if f is None:
      base = self._base
      if base is not None and self.usable is base.usable and self.text is base.text:
        # The same column lists as its table's (`__init__`): the same facts but
        # the last two. (`_Facts` made from its fields in order, no keyword parsing.)
        f = base._facts or base.facts()  # pylint: disable=protected-access
        f = _new_facts(_Facts, (*f[:5], f[4] and self._has_grouping(),
                                f[3] and self._has_monotone()))
      else:
        f = _new_facts(_Facts, (min(len(self.usable), 2), bool(self.number), bool(self.date),
                                bool(self.orderable), bool(self.text),
                                bool(self.text) and self._has_grouping(),
                                bool(self.orderable) and self._has_monotone()))
      self._facts = f
    return f

  def warm(self) -> None:
    """Makes now, for every column, the facts the shapes read (each is
    otherwise made on first use; the same either way)."""
    for j in self.usable:
      self.nonnull_rows(j)
      self.num_distinct(j)
      self.distinct(j)
      self.unique_rows(j)
    for j in self.grouping:
      self.counts(j)
    for j in self.text:
      self.text_lengths(j)
    if self.monotone:  # `_row_step` looks its key rows up
      for j in self.usable:
        self.unique_row_set(j)
    self.distinct_orderable  # noqa: B018  pylint: disable=pointless-statement
    self.partly_empty()  # (what a view of some of its rows reads)
    self.with_distinct(2)
    self.with_distinct(3)
    self.text_column()

  def text_column(self) -> Callable[[int], str]:
    """j -> the column reference '"<name>"' (``quoted().__getitem__``), kept in
    ``text_col`` for `_TextCtx`."""
    col = self.text_col
    if col is None:
      col = self.text_col = self.quoted().__getitem__
    return col

  def feasible(self, cfg: SamplerConfig) -> list[tuple[str, float]]:
    """(shape, weight) for the shapes with weight > 0 this table allows."""
    return self._choice(cfg).items

  def _choice(self, cfg: SamplerConfig) -> _Choice:
    hit = self._feasible
    if hit is None or hit[0] is not cfg:
      hit = self._feasible = (cfg, _choice_for(cfg, self.facts()))
    return hit[1]


# Per config (by identity) and facts: the choice among the feasible shapes, so
# a new (truncated) table costs a dict look-up, not a call per shape.
_FEASIBLE: dict[int, tuple[SamplerConfig, dict[_Facts, _Choice]]] = {}
_FEASIBLE_MAX_CONFIGS = 64


def _choice_for(cfg: SamplerConfig, facts: _Facts) -> _Choice:
  per_cfg = _FEASIBLE.get(id(cfg))
  if per_cfg is None or per_cfg[0] is not cfg:
    if len(_FEASIBLE) >= _FEASIBLE_MAX_CONFIGS:
      _FEASIBLE.clear()
    per_cfg = _FEASIBLE[id(cfg)] = (cfg, {})
  hit = per_cfg[1].get(facts)
  if hit is None:
    hit = per_cfg[1][facts] = _Choice([(s, w) for s, w in cfg.shape_weights.items()
                                       if w > 0 and _BUILDERS[s][0](facts)])
  return hit


# One _View per table object, kept on the table itself (like its cached
# ``values``): the sampler sees the same (prepared) table for most attempts, and
# a truncated table's view goes with the table. Tables compare by identity, so
# a rebuilt table gets its own.
_VIEW_ATTR = "_sql_sampler_view"


def _view(table: Table) -> _View:
  v = table.__dict__.get(_VIEW_ATTR)
  if v is None:
    v = _View(table)
    object.__setattr__(table, _VIEW_ATTR, v)
  return v


class _Ctx:
  """What a shape builder works with: the table's view, a builder, rng, config,
  and the texts (or tree nodes) of column references, literals and numbers:
  ``col(j)``, ``literal(value)``, ``lit(row, j)``, ``number(n)``."""

  __slots__ = ("v", "b", "rng", "cfg", "rand")

  def __init__(self, v: _View, b, rng, cfg: SamplerConfig):
    self.v, self.b, self.rng, self.cfg = v, b, rng, cfg
    self.rand = rng.random  # the one draw every choice is made of

  def lit(self, i: int, j: int):
    return self.literal(self.v.values[i][j])  # pylint: disable=no-member

  def pick(self, seq: Sequence):
    return seq[int(self.rand() * len(seq))]

  # (A chance p is ``c.rand() < p``, written out: no call per draw.)


class _TreeCtx(_Ctx):
  """`_Ctx` of the reference path: sqlglot nodes (`query.TREE`)."""

  __slots__ = ("col", "literal")

  def __init__(self, v: _View, rng, cfg: SamplerConfig):
    super().__init__(v, q.TREE, rng, cfg)
    header, column = v.header, q.TREE.column
    self.col = lambda j: column(header[j])  # trees need new nodes each time
    self.literal = q.TREE.literal

  def number(self, n: int):
    return q.TREE.number(n)


# The text path builds a template: each column reference, literal and number
# is a placeholder, numbered by its text in the order first made (the same
# text, the same number), the texts kept in `_TextCtx.lits`, and
# ``template.format(*lits)`` is the SQL. A name's placeholder is "{k!s}", a
# string's "{k}", a number's "{k:}" ("-{k:}" for a negative one, its text kept
# without the sign, as `textscan.skeleton` reads it): each formats a str as
# itself, so the template tells each literal's kind and which are the same
# text, and `textscan.scan_template` reads the SQL's facts once per template.
_PLACEHOLDERS = 64  # made once: "{0!s}", ...
_PH_NAME = tuple(f"{{{k}!s}}" for k in range(_PLACEHOLDERS))
_PH_STRING = tuple(f"{{{k}}}" for k in range(_PLACEHOLDERS))
_PH_NUMBER = tuple(f"{{{k}:}}" for k in range(_PLACEHOLDERS))
_PH_NEGATIVE = tuple(f"-{{{k}:}}" for k in range(_PLACEHOLDERS))

# A cell value's literal (`query.TEXT.literal`) as the template takes it: (its
# text, without a leading '-'; its placeholders), kept: tables repeat their
# cells across queries. Cells are floats, ISO dates and text; no two of them
# are equal with different texts (0.0 and -0.0 are both '0').
_LITERALS: dict[Any, tuple[str, tuple[str, ...]]] = {}
_LITERALS_MAX = 200_000


def _placeholder(kind: tuple[str, ...], k: int) -> str:
  """Placeholder k of ``kind`` (``_PH_NAME``, ...), also past the ones made once."""
  if k < _PLACEHOLDERS:
    return kind[k]
  first = kind[0]  # "{0!s}" -> "{<k>!s}"
  return first[:first.index("{") + 1] + str(k) + first[first.index("0") + 1:]


class _TextCtx(_Ctx):
  """`_Ctx` of the text path: placeholders of a template (above), their texts
  in ``lits``. (Each method numbers its text itself: a call less per literal.)"""

  __slots__ = ("lits", "quoted")

  def __init__(self, v: _View, rng, cfg: SamplerConfig):  # pylint: disable=super-init-not-called
    # (`_Ctx.__init__`'s fields set here: a call less per query)
    self.v, self.b, self.rng, self.cfg, self.rand = v, q.TEXT, rng, cfg, rng.random
    self.lits: list[str] = []
    self.quoted = v.text_col or v.text_column()  # j -> '"<name>"'

  def col(self, j: int) -> str:
    text, lits = self.quoted(j), self.lits
    if text in lits:
      k = lits.index(text)
    else:
      k = len(lits)
      lits.append(text)
    return _PH_NAME[k] if k < _PLACEHOLDERS else _placeholder(_PH_NAME, k)

  def literal(self, value: float | str) -> str:
    hit = _LITERALS.get(value)
    if hit is None:
      text = q.TEXT.literal(value)
      hit = ((text[1:], _PH_NEGATIVE) if text[0] == "-"
             else (text, _PH_STRING if text[0] == "'" else _PH_NUMBER))
      if len(_LITERALS) >= _LITERALS_MAX:
        _LITERALS.clear()
      _LITERALS[value] = hit
    text, lits = hit[0], self.lits
    if text in lits:
      k = lits.index(text)
    else:
      k = len(lits)
      lits.append(text)
    return hit[1][k] if k < _PLACEHOLDERS else _placeholder(hit[1], k)

  def number(self, n: int) -> str:
    text, kind = str(n), _PH_NUMBER
    if text[0] == "-":
      text, kind = text[1:], _PH_NEGATIVE
    lits = self.lits
    if text in lits:
      k = lits.index(text)
    else:
      k = len(lits)
      lits.append(text)
    return kind[k] if k < _PLACEHOLDERS else _placeholder(kind, k)


def _others(cols: Sequence[int], exclude: Sequence[int]) -> list[int]:
  """[c for c in cols if c not in exclude], for ``cols`` holding each column
  once (a view's column lists): a copy less the excluded (a few, in C)."""
  out = list(cols)
  for j in exclude:
    if j in out:
      out.remove(j)
  return out


def _condition(c: _Ctx, j: int, row: int | None):
  """'col op literal' with a literal from row ``row`` (or a random non-empty one)."""
  v, rand = c.v, c.rand
  value = None if row is None else v.values[row][j]
  if value is None:
    rows = v.nonnull_rows(j)
    value = v.values[rows[int(rand() * len(rows))]][j]
  # pick_weighted(c.rng, ops), with the total summed once.
  ops, total = _TEXT_OPS_TOTAL if v.types[j] == ColumnType.TEXT else _NUMBER_OPS_TOTAL
  r = rand() * total
  op = ops[-1][0]
  for name, w in ops:
    r -= w
    if r < 0:
      op = name
      break
  return c.b.compare(op, c.col(j), c.literal(value))


def _where(c: _Ctx, exclude: Sequence[int], n: int | None = None):
  """(WHERE condition on 1..max_conditions columns not in ``exclude``, columns used)."""
  v, cfg, rand = c.v, c.cfg, c.rand
  cols = _others(v.usable, exclude) if exclude else v.usable
  if not cols:
    return None, []
  if n is None:
    n = 1 + int(rand() * cfg.max_conditions)
  n = min(n, len(cols))
  anchor = int(rand() * v.n_rows) if rand() < cfg.anchor_probability else None
  chosen: list[int] = []
  m = len(cols)
  while len(chosen) < n:
    j = cols[int(rand() * m)]
    if j not in chosen:
      chosen.append(j)
  if n == 1:  # most WHERE clauses: one condition, nothing to join
    return _condition(c, chosen[0], anchor), chosen
  conds = [_condition(c, j, anchor) for j in chosen]
  use_or = [rand() < cfg.or_probability for _ in conds[1:]]
  return c.b.conjoin(conds, use_or), chosen


def _maybe_where(c: _Ctx, exclude: Sequence[int]):
  if c.rand() < c.cfg.where_probability:
    return _where(c, exclude)[0]
  return None


def _unique_key(c: _Ctx, exclude: Sequence[int], need: int) -> tuple[int, int] | None:
  """(key column, row): a cell unique in its column, in a row where column ``need`` is set."""
  keys = _others(c.v.usable, exclude)
  if not keys:
    return None
  for _ in range(3):
    k = c.pick(keys)
    rows = c.v.unique_rows(k)
    if c.v.has_nulls(need):
      values = c.v.values
      rows = [i for i in rows if values[i][need] is not None]
    if rows:
      return k, c.pick(rows)
  return None


def _scalar(c: _Ctx, n: int, k: int, row: int):
  """(SELECT "n" FROM w WHERE "k" = <cell of row>): one row, as k's cell is unique."""
  return c.b.subquery(c.b.select([c.col(n)], where=c.b.eq(c.col(k), c.lit(row, k))))


def _count_star(c: _Ctx):
  return c.b.aggregate("COUNT", None)


# --- shapes --------------------------------------------------------------------

def _select_where(c: _Ctx):
  v = c.v
  where, used = _where(c, ())
  proj = _others(v.usable, used) or v.usable
  cols = [c.pick(proj)]
  if c.rand() < c.cfg.multi_projection_probability and len(proj) > 1:
    j = c.pick(proj)
    if j != cols[0]:
      cols.append(j)
  return c.b.select([c.col(j) for j in cols], where=where)


def _distinct_values(c: _Ctx, j: int, n: int) -> list[Any]:
  """Up to n different values of column j (random rows)."""
  values = c.v.distinct(j)
  out: list[Any] = []
  for _ in range(n):
    x = c.pick(values)
    if x not in out:
      out.append(x)
  return out


def _select_not(c: _Ctx):
  """A condition that holds for a row (from an anchor row), AND a column != another value."""
  v = c.v
  t = c.pick(v.usable)
  values = _distinct_values(c, t, 2)
  if v.num_distinct(t) < 2:
    return None
  anchor = c.pick(v.nonnull_rows(t))
  other = [x for x in values if x != v.values[anchor][t]]
  if not other:
    return None
  neq = c.b.compare("!=", c.col(t), c.literal(other[0]))
  rest = _others(v.usable, (t,))
  if rest and c.rand() < 0.7:
    k = c.pick(rest)
    cond = _condition(c, k, anchor)
    where = c.b.and_all([cond, neq])
  else:
    k, where = t, neq
  if c.rand() < 0.3:
    return c.b.select([_count_star(c)], where=where)
  proj = _others(v.usable, (t, k)) or v.usable
  return c.b.select([c.col(c.pick(proj))], where=where)


def _select_not_in(c: _Ctx):
  v = c.v
  cols = v.with_distinct(3)
  if not cols:
    return None
  t = c.pick(cols)
  items = _distinct_values(c, t, 2 + int(c.rng.random() * 2))
  cond = c.b.in_list(c.col(t), [c.literal(x) for x in items], negate=True)
  if c.rand() < 0.5:
    return c.b.select([_count_star(c)], where=cond)
  extra = _where(c, (t,), n=1)[0] if c.rand() < 0.6 else None
  proj = _others(v.usable, (t,)) or v.usable
  return c.b.select([c.col(c.pick(proj))], where=c.b.and_all([extra, cond]))


def _select_in(c: _Ctx):
  v = c.v
  cols = v.with_distinct(2)
  if not cols:
    return None
  t = c.pick(cols)
  items = _distinct_values(c, t, 2 + int(c.rng.random() * 2))
  cond = c.b.in_list(c.col(t), [c.literal(x) for x in items])
  if c.rand() < 0.25:
    return c.b.select([_count_star(c)], where=cond)
  proj = _others(v.usable, (t,)) or v.usable
  return c.b.select([c.col(c.pick(proj))], where=cond)


def _select_distinct(c: _Ctx):
  v = c.v
  j = c.pick(v.usable)
  where = _where(c, (j,))[0] if c.rand() < 0.5 else None
  if v.has_nulls(j):
    where = c.b.and_all([where, c.b.not_null(c.col(j))])
  return c.b.select([c.col(j)], where=where, distinct=True)


def _agg_count(c: _Ctx):
  return c.b.select([_count_star(c)], where=_where(c, ())[0])


def _count_distinct(c: _Ctx):
  j = c.pick(c.v.usable)
  return c.b.select([c.b.count_distinct(c.col(j))], where=_maybe_where(c, (j,)))


def _agg_numeric(c: _Ctx):
  v = c.v
  j = c.pick(v.number)
  name = c.pick(("SUM", "AVG", "MIN", "MAX"))
  return c.b.select([c.b.aggregate(name, c.col(j))], where=_maybe_where(c, (j,)))


def _date_extreme(c: _Ctx):
  """Earliest / latest date: the date itself, or a cell of its row."""
  v = c.v
  d = c.pick(v.date)
  name = c.pick(("MIN", "MAX"))
  proj = _others(v.usable, (d,))
  if not proj or c.rand() < 0.4:
    return c.b.select([c.b.aggregate(name, c.col(d))], where=_maybe_where(c, (d,)))
  inner = c.b.select([c.b.aggregate(name, c.col(d))])
  return c.b.select([c.col(c.pick(proj))],
                    where=c.b.eq(c.col(d), c.b.subquery(inner)))


def _superlative(c: _Ctx):
  v = c.v
  pool = v.distinct_orderable if v.distinct_orderable and c.rand() < 0.85 else v.orderable
  o = c.pick(pool)
  proj = _others(v.usable, (o,))
  if not proj:
    return None
  p = c.pick(proj)
  where = _maybe_where(c, (o, p))
  if v.has_nulls(o):
    where = c.b.and_all([where, c.b.not_null(c.col(o))])
  limit = 1 if c.rand() < 0.7 else 1 + int(c.rng.random() * c.cfg.max_limit)
  return c.b.select([c.col(p)], where=where, order=[(c.col(o), c.rand() < 0.5)], limit=limit)


def _argmax(c: _Ctx):
  v = c.v
  n = c.pick(v.orderable)
  proj = _others(v.usable, (n,))
  if not proj:
    return None
  p = c.pick(proj)
  inner_where = _maybe_where(c, (n,)) if c.rand() < 0.5 else None
  inner = c.b.select([c.b.aggregate(c.pick(("MAX", "MIN")), c.col(n))], where=inner_where)
  return c.b.select([c.col(p)], where=c.b.eq(c.col(n), c.b.subquery(inner)))


def _top_count(counts: Mapping[Any, int], desc: bool) -> bool:
  """True when the largest (smallest) count is held by one value only."""
  ordered = sorted(counts.values(), reverse=desc)
  return len(ordered) == 1 or ordered[0] != ordered[1]


def _group_top(c: _Ctx):
  """The most (least) frequent value, only where it is unique (no tie)."""
  v = c.v
  g = c.pick(v.grouping)
  desc = c.rand() < 0.8
  if not _top_count(v.counts(g), desc):
    desc = not desc
    if not _top_count(v.counts(g), desc):
      return None
  where = c.b.not_null(c.col(g)) if v.has_nulls(g) else None
  return c.b.select([c.col(g)], where=where, group=[c.col(g)],
                    order=[(_count_star(c), desc)], limit=1)


def _group_having(c: _Ctx):
  v = c.v
  g = c.pick(v.grouping)
  where = c.b.not_null(c.col(g)) if v.has_nulls(g) else None
  having = c.b.compare(c.pick((">=", ">")), _count_star(c),
                       c.number(1 + int(c.rng.random() * 3)))
  return c.b.select([c.col(g)], where=where, group=[c.col(g)], having=having)


def _group_count(c: _Ctx):
  """How many values occur more than k times (a grouped sub-query, counted)."""
  v = c.v
  g = c.pick(v.grouping)
  having = c.b.compare(c.pick((">=", ">")), _count_star(c),
                       c.number(1 + int(c.rng.random() * 3)))
  where = c.b.not_null(c.col(g)) if v.has_nulls(g) else None
  inner = c.b.select([c.col(g)], where=where, group=[c.col(g)], having=having)
  return c.b.count_of(inner)


def _nested(c: _Ctx):
  v = c.v
  n = c.pick(v.number)
  proj = _others(v.usable, (n,))
  cond = c.b.compare(c.pick((">", "<")), c.col(n),
                     c.b.subquery(c.b.select([c.b.aggregate("AVG", c.col(n))])))
  if not proj or c.rand() < 0.35:
    return c.b.select([_count_star(c)], where=cond)
  return c.b.select([c.col(c.pick(proj))], where=cond)


def _count_above_row(c: _Ctx):
  v = c.v
  n = c.pick(v.orderable)
  key = _unique_key(c, (n,), n)
  if key is None:
    return None
  cond = c.b.compare(c.pick((">", "<", ">=", "<=")), c.col(n), _scalar(c, n, *key))
  if c.rand() < 0.6:
    return c.b.select([_count_star(c)], where=cond)
  proj = _others(v.usable, (n, key[0]))
  if not proj:
    return None
  return c.b.select([c.col(c.pick(proj))], where=cond)


def _in_subquery(c: _Ctx):
  """Rows whose g is among the g of the rows meeting a condition."""
  v = c.v
  g = c.pick(v.grouping)
  others = _others(v.usable, (g,))
  if not others:
    return None
  j = c.pick(others)
  row = c.pick(v.nonnull_rows(j))
  inner = c.b.select([c.col(g)], where=c.b.eq(c.col(j), c.lit(row, j)))
  negate = c.rand() < 0.25
  cond = c.b.in_query(c.col(g), inner, negate=negate)
  if negate or c.rand() < 0.4:
    return c.b.select([_count_star(c)], where=cond)
  proj = _others(v.usable, (g, j)) or others
  return c.b.select([c.col(c.pick(proj))], where=cond)


def _two_rows(c: _Ctx, n: int) -> tuple[int, int, int] | None:
  """(key column, row a, row b): two rows with unique keys and different values in n."""
  first = _unique_key(c, (n,), n)
  if first is None:
    return None
  k, a = first
  values = c.v.values
  va = values[a][n]
  others = [i for i in c.v.unique_rows(k)
            if i != a and values[i][n] is not None and values[i][n] != va]
  if not others:
    return None
  return k, a, c.pick(others)


def _compare_rows(c: _Ctx):
  """Of two rows, the one with the larger (smaller) value: `k IN (a, b) ORDER BY n`."""
  n = c.pick(c.v.orderable)
  rows = _two_rows(c, n)
  if rows is None:
    return None
  k, a, b = rows
  cond = c.b.in_list(c.col(k), [c.lit(a, k), c.lit(b, k)])
  return c.b.select([c.col(k)], where=cond, order=[(c.col(n), c.rand() < 0.5)], limit=1)


def _abs_diff(c: _Ctx):
  """|value in row a - value in row b| (how many more / apart)."""
  n = c.pick(c.v.number)
  rows = _two_rows(c, n)
  if rows is None:
    return None
  k, a, b = rows
  diff = c.b.sub(_scalar(c, n, k, a), _scalar(c, n, k, b))
  return c.b.select([c.b.abs(diff)], from_w=False)


def _arith(c: _Ctx):
  v = c.v
  n = c.pick(v.number)
  r = c.rng.random()
  if r < 0.35:
    where = _maybe_where(c, (n,))
    diff = c.b.sub(c.b.aggregate("MAX", c.col(n)), c.b.aggregate("MIN", c.col(n)))
    return c.b.select([diff], where=where)
  if r < 0.75 and len(v.number) > 1:
    m = c.pick(_others(v.number, (n,)))
    op = c.b.sub if c.rand() < 0.6 else c.b.add
    where, _ = _where(c, (n, m), n=1)
    return c.b.select([op(c.col(n), c.col(m))], where=where)
  rows = _two_rows(c, n)
  if rows is None:
    return None
  k, a, b = rows
  return c.b.select([c.b.add(_scalar(c, n, k, a), _scalar(c, n, k, b))], from_w=False)


def _text_length(c: _Ctx):
  """Longest / shortest text (unique), or how many are longer than some length."""
  v = c.v
  t = c.pick(v.text)
  lengths, n_longest, n_shortest = v.text_lengths(t)
  if c.rand() < 0.35:
    k = lengths[int(c.rng.random() * len(lengths))]
    cond = c.b.compare(c.pick((">", "<")), c.b.length(c.col(t)), c.number(k))
    return c.b.select([_count_star(c)], where=cond)
  desc = c.rand() < 0.7
  if (n_longest if desc else n_shortest) != 1:  # rows holding the longest (shortest) text
    return None
  proj = t if c.rand() < 0.6 else c.pick(v.usable)
  where = c.b.not_null(c.col(t)) if v.has_nulls(t) else None
  return c.b.select([c.col(proj)], where=where, order=[(c.b.length(c.col(t)), desc)],
                    limit=1)


def _row_step(c: _Ctx, after: bool):
  """The row after (before) the row where key = value, by a column monotone down the table."""
  v = c.v
  o = c.pick(v.monotone)
  rows = range(0, v.n_rows - 1) if after else range(1, v.n_rows)
  row = rows[int(c.rng.random() * len(rows))]
  # Going down the table = ascending in o if o increases down the table.
  ascending = v.increasing(o) == after
  others = _others(v.usable, (o,))
  keys = [k for k in others if row in v.unique_row_set(k)]
  p = c.pick(others or [o])
  if keys and c.rand() < 0.7:
    k = c.pick(keys)
    ref = _scalar(c, o, k, row)
  else:
    ref = c.lit(row, o)
  cond = c.b.compare(">" if ascending else "<", c.col(o), ref)
  return c.b.select([c.col(p)], where=cond, order=[(c.col(o), not ascending)], limit=1)


def _next_row(c: _Ctx):
  return _row_step(c, after=True)


def _previous_row(c: _Ctx):
  return _row_step(c, after=False)


_BUILDERS: dict[str, tuple[Callable[[_Facts], bool], Callable[[_Ctx], Any]]] = {
    "select_where": (lambda f: f.usable > 0, _select_where),
    "select_not": (lambda f: f.usable > 0, _select_not),
    "select_not_in": (lambda f: f.usable > 0, _select_not_in),
    "select_in": (lambda f: f.usable > 0, _select_in),
    "select_distinct": (lambda f: f.usable > 0, _select_distinct),
    "agg_count": (lambda f: f.usable > 0, _agg_count),
    "count_distinct": (lambda f: f.usable > 0, _count_distinct),
    "agg_numeric": (lambda f: f.number, _agg_numeric),
    "date_extreme": (lambda f: f.date, _date_extreme),
    "superlative": (lambda f: f.orderable and f.usable > 1, _superlative),
    "argmax": (lambda f: f.orderable and f.usable > 1, _argmax),
    "group_top": (lambda f: f.grouping, _group_top),
    "group_having": (lambda f: f.grouping, _group_having),
    "group_count": (lambda f: f.grouping, _group_count),
    "nested": (lambda f: f.number, _nested),
    "count_above_row": (lambda f: f.orderable and f.usable > 1, _count_above_row),
    "in_subquery": (lambda f: f.grouping and f.usable > 1, _in_subquery),
    "compare_rows": (lambda f: f.orderable and f.usable > 1, _compare_rows),
    "abs_diff": (lambda f: f.number and f.usable > 1, _abs_diff),
    "arith": (lambda f: f.number, _arith),
    "text_length": (lambda f: f.text, _text_length),
    "next_row": (lambda f: f.monotone, _next_row),
    "previous_row": (lambda f: f.monotone, _previous_row),
}


_DEFAULT_CONFIG = SamplerConfig()


def feasible_shapes(table: Table, config: SamplerConfig | None = None) -> list[str]:
  """Shapes with weight > 0 that this table's columns allow."""
  cfg = config or SamplerConfig()
  return [s for s, _ in _view(table).feasible(cfg)]


def warm(table: Table, config: SamplerConfig | None = None) -> None:
  """Makes now what sampling on ``table`` makes on first use: its view, the
  shapes it allows, every column's facts (`ExampleBuilder.warm`)."""
  v = _view(table)
  v.feasible(config or _DEFAULT_CONFIG)
  v.warm()


def sample_query(table: Table, rng: Any, config: SamplerConfig | None = None, *,
                 reference: bool = False) -> Query | None:
  """A random query over ``table`` (as ``w``), or None if none could be built.

  The shape is drawn among those the table allows (a table without number
  columns cannot have superlatives), with the configured weights.

  Args:
    table: the table.
    rng: `random.Random` or `numpy.random.Generator` (only ``random()`` is used).
    config: the shape distribution and knobs.
    reference: build a sqlglot tree and render it (the reference path) instead
      of the text directly; the SQL is the same.
  """
  cfg = config or _DEFAULT_CONFIG
  if not table.rows:
    return None
  # The per-call path, one call per query: the view and its shape choice are
  # read where cached (what `_view` and `_View._choice` return), and made
  # through them otherwise.
  v = table.__dict__.get(_VIEW_ATTR) or _view(table)
  hit = v._feasible  # pylint: disable=protected-access
  if hit is not None and hit[0] is cfg:
    choice = hit[1]
  else:
    choice = v._choice(cfg)  # pylint: disable=protected-access
  if not choice.items:
    return None
  i = bisect.bisect_right(choice.thresholds, rng.random() * choice.total)  # (`_Choice.pick`)
  shape = choice.names[i if i <= choice._last else choice._last]  # pylint: disable=protected-access
  if reference:
    built = _BUILDERS[shape][1](_TreeCtx(v, rng, cfg))
    return None if built is None else Query.of(built, shape)
  c = _TextCtx(v, rng, cfg)
  built = _BUILDERS[shape][1](c)
  if built is None:
    return None
  lits = c.lits
  return Query.from_text(built.format(*lits), shape, built, lits)
