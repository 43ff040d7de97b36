"""`Query`: a sampled SQL query as a sqlglot expression, its SQLite text and its shape.

Also the small expression builders the sampler and the template filler share.
They construct sqlglot nodes directly (no string pasting, and no builder-method
copies, which cost ~7x more): columns are quoted header names, the table is ``w``.

    >>> q = Query.of(select([column("Team")], where=eq(column("Rank"), literal(1.0))), "select_where")
    >>> q.sql
    'SELECT "Team" FROM w WHERE "Rank" = 1'
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Sequence

import sqlglot
from sqlglot import exp

from symtune_jax.sql.answers import format_value

DIALECT = "sqlite"
TABLE_NAME = "w"


@functools.cache
def _generator():
  return sqlglot.Dialect.get_or_raise(DIALECT).generator()


def render(expression: exp.Expression) -> str:
  """The SQLite text of an expression (one cached generator per process).

  The generator does not copy the tree (a third of the rendering time): it
  only reads it.
  """
  return _generator().generate(expression, copy=False)


@dataclasses.dataclass(frozen=True)
class Query:
  """A SQL query over table ``w``.

  Attributes:
    expression: the sqlglot AST.
    sql: its SQLite text, as the model reads it.
    shape: what kind of query it is (``select_where``, ``agg_count``, ...).
  """
  expression: exp.Expression
  sql: str
  shape: str

  @classmethod
  def of(cls, expression: exp.Expression, shape: str) -> "Query":
    return cls(expression=expression, sql=render(expression), shape=shape)


# --- builders ----------------------------------------------------------------

def column(name: str) -> exp.Column:
  """A quoted column reference: 'Team' -> "Team"."""
  return exp.Column(this=exp.Identifier(this=name, quoted=True))


def table_w() -> exp.From:
  return exp.From(this=exp.Table(this=exp.Identifier(this=TABLE_NAME, quoted=False)))


def literal(value: float | str) -> exp.Expression:
  """A typed literal: 3.0 -> 3, -2.5 -> -2.5 (Neg node), 'x' -> 'x'."""
  if isinstance(value, float):
    text = format_value(value)
    if text.startswith("-"):
      return exp.Neg(this=exp.Literal.number(text[1:]))
    return exp.Literal.number(text)
  return exp.Literal.string(value)


def number(n: int) -> exp.Literal:
  return exp.Literal.number(str(n))


def eq(a: exp.Expression, b: exp.Expression) -> exp.EQ:
  return exp.EQ(this=a, expression=b)


COMPARATORS = {
    "=": exp.EQ, "!=": exp.NEQ, ">": exp.GT, "<": exp.LT, ">=": exp.GTE, "<=": exp.LTE,
}


def compare(op: str, a: exp.Expression, b: exp.Expression) -> exp.Expression:
  return COMPARATORS[op](this=a, expression=b)


def conjoin(conditions: Sequence[exp.Expression], use_or: Sequence[bool] = ()) -> exp.Expression:
  """[c1, c2, c3], [True] -> (c1 OR c2) AND c3: left-nested, parenthesised where mixed.

  ``use_or[i]`` joins condition i+1 with OR, else AND.
  """
  out = conditions[0]
  for i, c in enumerate(conditions[1:]):
    cls = exp.Or if i < len(use_or) and use_or[i] else exp.And
    if i > 0 and not isinstance(out, cls):
      out = exp.Paren(this=out)  # (a OR b) AND c: the text must keep the tree's grouping
    out = cls(this=out, expression=c)
  return out


def not_null(a: exp.Expression) -> exp.Expression:
  return exp.Not(this=exp.Is(this=a, expression=exp.Null()))


def select(projections: Sequence[exp.Expression], *, where: exp.Expression | None = None,
           distinct: bool = False, group: Sequence[exp.Expression] = (),
           having: exp.Expression | None = None,
           order: Sequence[tuple[exp.Expression, bool]] = (),
           limit: int | None = None, from_w: bool = True) -> exp.Select:
  """A SELECT over ``w``; ``order`` is (expression, descending) pairs."""
  s = exp.Select(expressions=list(projections))
  if from_w:
    s.set("from_", table_w())
  if distinct:
    s.set("distinct", exp.Distinct())
  if where is not None:
    s.set("where", exp.Where(this=where))
  if group:
    s.set("group", exp.Group(expressions=list(group)))
  if having is not None:
    s.set("having", exp.Having(this=having))
  if order:
    # nulls_first = SQLite's own default, so sqlglot prints no NULLS FIRST/LAST.
    s.set("order", exp.Order(expressions=[
        exp.Ordered(this=e, desc=d, nulls_first=not d) for e, d in order]))
  if limit is not None:
    s.set("limit", exp.Limit(expression=number(limit)))
  return s


def subquery(s: exp.Select) -> exp.Subquery:
  return exp.Subquery(this=s)


AGGREGATES = {"SUM": exp.Sum, "AVG": exp.Avg, "MIN": exp.Min, "MAX": exp.Max}


def aggregate(name: str, arg: exp.Expression) -> exp.Expression:
  """AGG(arg) for SUM/AVG/MIN/MAX, COUNT(arg) for COUNT; COUNT(*) with arg None."""
  if name == "COUNT":
    return exp.Count(this=exp.Star() if arg is None else arg)
  return AGGREGATES[name](this=arg)


def count_distinct(arg: exp.Expression) -> exp.Count:
  return exp.Count(this=exp.Distinct(expressions=[arg]))
