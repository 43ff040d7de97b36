"""Random SQL queries over one table, built as sqlglot expressions.

`sample_query(table, rng, config)` draws a query shape from the configured
distribution, then builds a query of that shape whose literals are the table's
own cells, typed by column: number columns compare with numbers, text columns
with text, date columns with ISO date strings. Shapes:

  select_where     SELECT "Team" FROM w WHERE "Rank" = 3 AND "Nation" = 'ITA'
  select_distinct  SELECT DISTINCT "Team" FROM w WHERE "Points" >= 20
  agg_count        SELECT COUNT(*) FROM w WHERE "Nation" = 'ITA'
  agg_numeric      SELECT AVG("Points") FROM w WHERE "Team" = 'Lampre'
  superlative      SELECT "Cyclist" FROM w ORDER BY "Points" DESC LIMIT 1
  group_having     SELECT "Team" FROM w GROUP BY "Team" HAVING COUNT(*) >= 2
  nested           SELECT "Cyclist" FROM w WHERE "Points" > (SELECT AVG("Points") FROM w)
  arith            SELECT (SELECT "Points" FROM w WHERE "Cyclist" = 'A') - (SELECT ...)

Literals of an AND-clause are usually drawn from one "anchor" row, so most
queries select something; the executor still skips (and counts) those that
return nothing. All randomness comes from the given `numpy.random.Generator`,
so a query is a pure function of (table, rng state, config).
"""

from __future__ import annotations

import dataclasses
from typing import Callable, Mapping, Sequence

import numpy as np
from sqlglot import exp

from symtune_jax.errors import InputError
from symtune_jax.sql import query as q
from symtune_jax.sql.query import Query
from symtune_jax.tables.table import ColumnType, Table

DEFAULT_SHAPE_WEIGHTS: Mapping[str, float] = {
    "select_where": 3.0,
    "select_distinct": 1.0,
    "agg_count": 2.0,
    "agg_numeric": 2.0,
    "superlative": 2.0,
    "group_having": 1.0,
    "nested": 1.5,
    "arith": 1.5,
}
SHAPES = tuple(DEFAULT_SHAPE_WEIGHTS)

_NUMBER_OPS = (("=", 0.3), ("!=", 0.1), (">", 0.2), ("<", 0.2), (">=", 0.1), ("<=", 0.1))
_TEXT_OPS = (("=", 0.85), ("!=", 0.15))


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


def pick(rng: np.random.Generator, seq: Sequence):
  """A uniform element of a non-empty sequence (one ``rng.random()`` draw)."""
  return seq[int(rng.random() * len(seq))]


def pick_weighted(rng: np.random.Generator, items: Sequence[tuple[object, float]]):
  """An item of (item, weight) pairs, with probability proportional to weight."""
  total = sum(w for _, w in items)
  r = rng.random() * total
  for item, w in items:
    r -= w
    if r < 0:
      return item
  return items[-1][0]


class _View:
  """Per-table facts the shapes need: typed columns, non-empty rows, uniques."""

  def __init__(self, table: Table):
    self.table = table
    self.values = table.values
    self.n_rows = table.num_rows
    self._nonnull: dict[int, list[int]] = {}
    self._unique: dict[int, list[int]] = {}
    self.number: list[int] = []
    self.date: list[int] = []
    self.text: list[int] = []
    for j, t in enumerate(table.types):
      if all(r[j] is None for r in self.values):
        continue
      {ColumnType.NUMBER: self.number, ColumnType.DATE: self.date,
       ColumnType.TEXT: self.text}[t].append(j)
    self.usable = sorted(self.number + self.date + self.text)
    self.orderable = sorted(self.number + self.date)

  def nonnull_rows(self, j: int) -> list[int]:
    rows = self._nonnull.get(j)
    if rows is None:
      rows = [i for i, r in enumerate(self.values) if r[j] is not None]
      self._nonnull[j] = rows
    return rows

  def has_nulls(self, j: int) -> bool:
    return len(self.nonnull_rows(j)) < self.n_rows

  def unique_rows(self, j: int) -> list[int]:
    """Rows whose value in column j occurs once in that column."""
    rows = self._unique.get(j)
    if rows is None:
      counts: dict[object, int] = {}
      for r in self.values:
        counts[r[j]] = counts.get(r[j], 0) + 1
      rows = [i for i, r in enumerate(self.values) if r[j] is not None and counts[r[j]] == 1]
      self._unique[j] = rows
    return rows

  def col(self, j: int) -> exp.Column:
    return q.column(self.table.header[j])

  def lit(self, i: int, j: int) -> exp.Expression:
    return q.literal(self.values[i][j])

  def kind(self, j: int) -> ColumnType:
    return self.table.types[j]


def _others(cols: Sequence[int], exclude: Sequence[int]) -> list[int]:
  return [c for c in cols if c not in exclude]


def _condition(v: _View, rng: np.random.Generator, j: int, row: int | None) -> exp.Expression:
  """'col op literal' with a literal from row ``row`` (or a random non-empty one)."""
  if row is None or v.values[row][j] is None:
    row = pick(rng, v.nonnull_rows(j))
  ops = _TEXT_OPS if v.kind(j) == ColumnType.TEXT else _NUMBER_OPS
  return q.compare(pick_weighted(rng, ops), v.col(j), v.lit(row, j))


def _where(v: _View, rng: np.random.Generator, cfg: SamplerConfig,
           exclude: Sequence[int], n: int | None = None) -> tuple[exp.Expression | None, list[int]]:
  """A WHERE condition on 1..max_conditions columns not in ``exclude``."""
  cols = _others(v.usable, exclude)
  if not cols:
    return None, []
  if n is None:
    n = 1 + int(rng.random() * cfg.max_conditions)
  n = min(n, len(cols))
  anchor = int(rng.random() * v.n_rows) if rng.random() < cfg.anchor_probability else None
  chosen: list[int] = []
  while len(chosen) < n:
    j = pick(rng, cols)
    if j not in chosen:
      chosen.append(j)
  conds = [_condition(v, rng, j, anchor) for j in chosen]
  use_or = [rng.random() < cfg.or_probability for _ in conds[1:]]
  return q.conjoin(conds, use_or), chosen


def _and(*conds: exp.Expression | None) -> exp.Expression | None:
  conds = [c for c in conds if c is not None]
  if not conds:
    return None
  out = conds[0]
  for c in conds[1:]:
    if isinstance(out, exp.Or):
      out = exp.Paren(this=out)
    if isinstance(c, exp.Or):
      c = exp.Paren(this=c)
    out = exp.And(this=out, expression=c)
  return out


def _maybe_where(v, rng, cfg, exclude):
  if rng.random() < cfg.where_probability:
    return _where(v, rng, cfg, exclude)[0]
  return None


# --- shapes --------------------------------------------------------------------

def _select_where(v: _View, rng, cfg) -> exp.Select | None:
  where, used = _where(v, rng, cfg, ())
  proj = _others(v.usable, used) or v.usable
  cols = [pick(rng, proj)]
  if rng.random() < cfg.multi_projection_probability and len(proj) > 1:
    j = pick(rng, proj)
    if j != cols[0]:
      cols.append(j)
  return q.select([v.col(j) for j in cols], where=where)


def _select_distinct(v: _View, rng, cfg) -> exp.Select | None:
  j = pick(rng, v.usable)
  where = _where(v, rng, cfg, (j,))[0] if rng.random() < 0.5 else None
  if v.has_nulls(j):
    where = _and(where, q.not_null(v.col(j)))
  return q.select([v.col(j)], where=where, distinct=True)


def _agg_count(v: _View, rng, cfg) -> exp.Select | None:
  if rng.random() < 0.75:
    where = _where(v, rng, cfg, ())[0]
    return q.select([q.aggregate("COUNT", None)], where=where)
  j = pick(rng, v.usable)
  return q.select([q.count_distinct(v.col(j))], where=_maybe_where(v, rng, cfg, (j,)))


def _agg_numeric(v: _View, rng, cfg) -> exp.Select | None:
  j = pick(rng, v.orderable)
  name = pick(rng, ("SUM", "AVG", "MIN", "MAX") if v.kind(j) == ColumnType.NUMBER
              else ("MIN", "MAX"))
  return q.select([q.aggregate(name, v.col(j))], where=_maybe_where(v, rng, cfg, (j,)))


def _superlative(v: _View, rng, cfg) -> exp.Select | None:
  o = pick(rng, v.orderable)
  proj = _others(v.usable, (o,))
  if not proj:
    return None
  p = pick(rng, proj)
  where = _maybe_where(v, rng, cfg, (o, p))
  if v.has_nulls(o):
    where = _and(where, q.not_null(v.col(o)))
  limit = 1 if rng.random() < 0.7 else 1 + int(rng.random() * cfg.max_limit)
  return q.select([v.col(p)], where=where, order=[(v.col(o), rng.random() < 0.5)], limit=limit)


def _group_having(v: _View, rng, cfg) -> exp.Select | None:
  g = pick(rng, v.usable)
  where = q.not_null(v.col(g)) if v.has_nulls(g) else None
  if rng.random() < 0.5:
    having = q.compare(pick(rng, (">=", ">")), q.aggregate("COUNT", None),
                       q.number(1 + int(rng.random() * 3)))
    return q.select([v.col(g)], where=where, group=[v.col(g)], having=having)
  return q.select([v.col(g)], where=where, group=[v.col(g)],
                  order=[(q.aggregate("COUNT", None), rng.random() < 0.8)], limit=1)


def _unique_key(v: _View, rng, exclude: Sequence[int], need: int) -> tuple[int, int] | None:
  """(key column, row): a cell unique in its column, in a row where column ``need`` is set."""
  keys = _others(v.usable, exclude)
  if not keys:
    return None
  for _ in range(3):
    k = pick(rng, keys)
    rows = [i for i in v.unique_rows(k) if v.values[i][need] is not None]
    if rows:
      return k, pick(rng, rows)
  return None


def _scalar(v: _View, n: int, k: int, row: int) -> exp.Subquery:
  """(SELECT "n" FROM w WHERE "k" = <cell of row>) — one row, as k's cell is unique."""
  return q.subquery(q.select([v.col(n)], where=q.eq(v.col(k), v.lit(row, k))))


def _nested(v: _View, rng, cfg) -> exp.Select | None:
  n = pick(rng, v.orderable)
  proj = _others(v.usable, (n,))
  if not proj:
    return None
  p = pick(rng, proj)
  r = rng.random()
  is_number = v.kind(n) == ColumnType.NUMBER
  if r < 0.35 and is_number:
    inner = q.select([q.aggregate("AVG", v.col(n))])
    cond = q.compare(pick(rng, (">", "<")), v.col(n), q.subquery(inner))
  elif r < 0.65:
    inner_where = _maybe_where(v, rng, cfg, (n,))
    inner = q.select([q.aggregate(pick(rng, ("MAX", "MIN")), v.col(n))], where=inner_where)
    cond = q.eq(v.col(n), q.subquery(inner))
  else:
    key = _unique_key(v, rng, (n,), n)
    if key is None:
      return None
    cond = q.compare(pick(rng, (">", "<", ">=", "<=")), v.col(n), _scalar(v, n, *key))
    if rng.random() < 0.4:
      return q.select([q.aggregate("COUNT", None)], where=cond)
  return q.select([v.col(p)], where=cond)


def _arith(v: _View, rng, cfg) -> exp.Select | None:
  if not v.number:
    return None
  n = pick(rng, v.number)
  r = rng.random()
  if r < 0.3:
    where = _maybe_where(v, rng, cfg, (n,))
    diff = exp.Sub(this=q.aggregate("MAX", v.col(n)), expression=q.aggregate("MIN", v.col(n)))
    return q.select([diff], where=where)
  if r < 0.65 and len(v.number) > 1:
    m = pick(rng, _others(v.number, (n,)))
    op = exp.Sub if rng.random() < 0.6 else exp.Add
    where, _ = _where(v, rng, cfg, (n, m), n=1)
    return q.select([op(this=v.col(n), expression=v.col(m))], where=where)
  first = _unique_key(v, rng, (n,), n)
  if first is None:
    return None
  k, row_a = first
  others = [i for i in v.unique_rows(k) if i != row_a and v.values[i][n] is not None]
  if not others:
    return None
  row_b = pick(rng, others)
  op = exp.Sub if rng.random() < 0.7 else exp.Add
  expr = op(this=_scalar(v, n, k, row_a), expression=_scalar(v, n, k, row_b))
  return q.select([expr], from_w=False)


_BUILDERS: dict[str, tuple[Callable[[_View], bool], Callable]] = {
    "select_where": (lambda v: bool(v.usable), _select_where),
    "select_distinct": (lambda v: bool(v.usable), _select_distinct),
    "agg_count": (lambda v: bool(v.usable), _agg_count),
    "agg_numeric": (lambda v: bool(v.orderable), _agg_numeric),
    "superlative": (lambda v: bool(v.orderable) and len(v.usable) > 1, _superlative),
    "group_having": (lambda v: bool(v.usable), _group_having),
    "nested": (lambda v: bool(v.orderable) and len(v.usable) > 1, _nested),
    "arith": (lambda v: bool(v.number), _arith),
}


def feasible_shapes(table: Table, config: SamplerConfig | None = None) -> list[str]:
  """Shapes with weight > 0 that this table's columns allow."""
  cfg = config or SamplerConfig()
  v = _View(table)
  return [s for s, w in cfg.shape_weights.items() if w > 0 and _BUILDERS[s][0](v)]


def sample_query(table: Table, rng: np.random.Generator,
                 config: SamplerConfig | None = None) -> Query | None:
  """A random query over ``table`` (as ``w``), or None if none could be built.

  The shape is drawn among those the table allows (a table without number
  columns cannot have superlatives), with the configured weights.
  """
  cfg = config or SamplerConfig()
  if table.num_rows == 0:
    return None
  v = _View(table)
  shapes = [(s, w) for s, w in cfg.shape_weights.items() if w > 0 and _BUILDERS[s][0](v)]
  if not shapes:
    return None
  shape = pick_weighted(rng, shapes)
  expression = _BUILDERS[shape][1](v, rng, cfg)
  if expression is None:
    return None
  return Query.of(expression, shape)
