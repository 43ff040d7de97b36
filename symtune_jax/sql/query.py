"""`Query`: a sampled SQL query, its SQLite text and its shape.

Also the small expression builders the sampler and the template filler share,
in two interchangeable forms with the same methods:

  `TREE` (`TreeBuilder`)  builds sqlglot nodes (the reference path): the text is
                          sqlglot's SQLite rendering of the tree;
  `TEXT` (`TextBuilder`)  builds the same text directly as strings (the fast
                          path, ~20x cheaper), writing exactly what sqlglot
                          would (quoting, ``<>`` for ``!=``, ``NOT x IN``,
                          explicit ``ASC``). A test renders every shape both
                          ways and checks the texts are equal.

Columns are quoted header names, the table is ``w``.

    >>> q = Query.of(select([column("Team")], where=eq(column("Rank"), literal(1.0))), "select_where")
    >>> q.sql
    'SELECT "Team" FROM w WHERE "Rank" = 1'
    >>> TEXT.select([TEXT.column("Team")], where=TEXT.eq(TEXT.column("Rank"), TEXT.literal(1.0)))
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
    sql: its SQLite text, as the model reads it.
    shape: what kind of query it is (``select_where``, ``agg_count``, ...).
    expression: the sqlglot AST (the tree it was rendered from, or, for a
      query built as text, parsed from ``sql`` on first use).
    template, literals: for a query the sampler built as text, the template
      it filled (``sql == template.format(*literals)``: `sampler._TextCtx`),
      by which the executor reads the query's facts once per template
      (`textscan.scan_template`); None otherwise.
  """
  sql: str
  shape: str
  tree: exp.Expression | None = dataclasses.field(default=None, repr=False, compare=False)
  template: str | None = dataclasses.field(default=None, repr=False, compare=False)
  literals: Sequence[str] | None = dataclasses.field(default=None, repr=False, compare=False)

  @property
  def expression(self) -> exp.Expression:
    if self.tree is None:
      object.__setattr__(self, "tree", sqlglot.parse_one(self.sql, read=DIALECT))
    return self.tree

  @classmethod
  def of(cls, expression: exp.Expression | str, shape: str) -> "Query":
    """A query from a sqlglot tree (rendered) or from its text (`TextBuilder`)."""
    if isinstance(expression, str):
      return cls.from_text(expression, shape)
    return cls(sql=render(expression), shape=shape, tree=expression)

  @classmethod
  def from_text(cls, sql: str, shape: str, template: str | None = None,
                literals: Sequence[str] | None = None) -> "Query":
    """``Query(sql=str(sql), shape=shape, ...)``, its fields set directly: the
    frozen dataclass's ``__init__`` (one ``object.__setattr__`` per field)
    costs twice as much, once per sampled query."""
    out = object.__new__(cls)
    d = out.__dict__
    d["sql"], d["shape"], d["tree"] = str(sql), shape, None
    d["template"], d["literals"] = template, literals
    return out


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


def in_list(a: exp.Expression, items: Sequence[exp.Expression], negate: bool = False
            ) -> exp.Expression:
  """a IN (x, y); NOT a IN (x, y) when negated (sqlglot's rendering of NOT IN)."""
  out = exp.In(this=a, expressions=list(items))
  return exp.Not(this=out) if negate else out


def in_query(a: exp.Expression, s: exp.Select, negate: bool = False) -> exp.Expression:
  """a IN (SELECT ...); NOT a IN (SELECT ...) when negated."""
  out = exp.In(this=a, query=exp.Subquery(this=s))
  return exp.Not(this=out) if negate else out


def and_all(conds: Sequence[exp.Expression | None]) -> exp.Expression | None:
  """The AND of the conditions given (None skipped), OR-clauses parenthesised."""
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


class TreeBuilder:
  """Builds sqlglot trees: the reference path (see module docstring)."""

  column = staticmethod(column)
  literal = staticmethod(literal)
  number = staticmethod(number)
  eq = staticmethod(eq)
  compare = staticmethod(compare)
  conjoin = staticmethod(conjoin)
  and_all = staticmethod(and_all)
  not_null = staticmethod(not_null)
  select = staticmethod(select)
  subquery = staticmethod(subquery)
  aggregate = staticmethod(aggregate)
  count_distinct = staticmethod(count_distinct)
  in_list = staticmethod(in_list)
  in_query = staticmethod(in_query)

  @staticmethod
  def count_of(inner: exp.Select) -> exp.Select:
    """SELECT COUNT(*) FROM (inner)."""
    s = exp.Select(expressions=[aggregate("COUNT", None)])
    s.set("from_", exp.From(this=exp.Subquery(this=inner)))
    return s

  @staticmethod
  def sub(a: exp.Expression, b: exp.Expression) -> exp.Expression:
    return exp.Sub(this=a, expression=b)

  @staticmethod
  def add(a: exp.Expression, b: exp.Expression) -> exp.Expression:
    return exp.Add(this=a, expression=b)

  @staticmethod
  def abs(a: exp.Expression) -> exp.Expression:
    return exp.Abs(this=a)

  @staticmethod
  def length(a: exp.Expression) -> exp.Expression:
    return exp.Length(this=a)


# --- the fast path: the same text, built as strings ------------------------------

class _Or(str):
  """Text of an OR condition (conjoin / and_all parenthesise it like the tree path)."""


class _And(str):
  """Text of an AND condition."""


_FROM_W = " FROM " + TABLE_NAME
_OP_TEXT = {"=": "=", "!=": "<>", ">": ">", "<": "<", ">=": ">=", "<=": "<="}


def quote_identifier(name: str) -> str:
  """'Team' -> '"Team"'; an inner '"' is doubled, as sqlglot writes it."""
  return '"' + name.replace('"', '""') + '"'


def quote_string(value: str) -> str:
  """"it's" -> "'it''s'" (SQLite string literal, as sqlglot writes it)."""
  return "'" + value.replace("'", "''") + "'"


class TextBuilder:
  """Builds the SQLite text directly; every method returns what sqlglot would
  render for the `TreeBuilder` node of the same name."""

  @staticmethod
  def column(name: str) -> str:
    return quote_identifier(name)

  @staticmethod
  def literal(value: float | str) -> str:
    if isinstance(value, float):
      return format_value(value)
    return quote_string(value)

  @staticmethod
  def number(n: int) -> str:
    return str(n)

  @staticmethod
  def eq(a: str, b: str) -> str:
    return f"{a} = {b}"

  @staticmethod
  def compare(op: str, a: str, b: str) -> str:
    return f"{a} {_OP_TEXT[op]} {b}"

  @staticmethod
  def conjoin(conditions: Sequence[str], use_or: Sequence[bool] = ()) -> str:
    out = conditions[0]
    for i, c in enumerate(conditions[1:]):
      is_or = i < len(use_or) and bool(use_or[i])
      if i > 0 and isinstance(out, _Or) != is_or:
        out = f"({out})"
      out = _Or(f"{out} OR {c}") if is_or else _And(f"{out} AND {c}")
    return out

  @staticmethod
  def and_all(conds: Sequence[str | None]) -> str | None:
    conds = [c for c in conds if c is not None]
    if not conds:
      return None
    out = conds[0]
    for c in conds[1:]:
      if isinstance(out, _Or):
        out = f"({out})"
      if isinstance(c, _Or):
        c = f"({c})"
      out = _And(f"{out} AND {c}")
    return out

  @staticmethod
  def not_null(a: str) -> str:
    return f"NOT {a} IS NULL"

  @staticmethod
  def select(projections: Sequence[str], *, where: str | None = None,
             distinct: bool = False, group: Sequence[str] = (),
             having: str | None = None, order: Sequence[tuple[str, bool]] = (),
             limit: int | None = None, from_w: bool = True) -> str:
    # Clause by clause with `+` (no list of parts to join: half the cost on
    # the sampler's short queries).
    out = ("SELECT DISTINCT " if distinct else "SELECT ") + ", ".join(projections)
    if from_w:
      out += _FROM_W
    if where is not None:
      out += " WHERE " + where
    if group:
      out += " GROUP BY " + ", ".join(group)
    if having is not None:
      out += " HAVING " + having
    if order:
      out += " ORDER BY " + ", ".join([f"{e} DESC" if d else f"{e} ASC" for e, d in order])
    if limit is not None:
      out += f" LIMIT {limit}"
    return out

  @staticmethod
  def subquery(s: str) -> str:
    return f"({s})"

  @staticmethod
  def aggregate(name: str, arg: str | None) -> str:
    if name == "COUNT":
      return "COUNT(*)" if arg is None else f"COUNT({arg})"
    if name not in AGGREGATES:
      raise KeyError(name)
    return f"{name}({arg})"

  @staticmethod
  def count_distinct(arg: str) -> str:
    return f"COUNT(DISTINCT {arg})"

  @staticmethod
  def in_list(a: str, items: Sequence[str], negate: bool = False) -> str:
    out = f"{a} IN ({', '.join(items)})"
    return "NOT " + out if negate else out

  @staticmethod
  def in_query(a: str, s: str, negate: bool = False) -> str:
    out = f"{a} IN ({s})"
    return "NOT " + out if negate else out

  @staticmethod
  def count_of(inner: str) -> str:
    return f"SELECT COUNT(*) FROM ({inner})"

  @staticmethod
  def sub(a: str, b: str) -> str:
    return f"{a} - {b}"

  @staticmethod
  def add(a: str, b: str) -> str:
    return f"{a} + {b}"

  @staticmethod
  def abs(a: str) -> str:
    return f"ABS({a})"

  @staticmethod
  def length(a: str) -> str:
    return f"LENGTH({a})"


TREE = TreeBuilder()
TEXT = TextBuilder()
