"""Differential test: generated queries give the same answers on SQLite and DuckDB.

The queries are transpiled with sqlglot (sqlite -> duckdb) and run on a DuckDB
copy of each table (DOUBLE for number columns, VARCHAR otherwise, the same
typed values). Answers are compared as multisets of values, numbers within
1e-6 relative. Two known differences between the engines are normalised, and
only those: ORDER BY .. LIMIT over tied keys may pick different tied rows
(both are right; such queries are compared on the sort keys they return), and
DuckDB returns groups in no fixed order (multisets handle it).
"""

import collections
import math

import duckdb
import numpy as np
import pytest
import sqlglot
from sqlglot import exp

from symtune_jax.sql.executor import Executor, Skip
from symtune_jax.sql.sampler import sample_query
from symtune_jax.sql.templates import load_templates, sample_from_templates
from symtune_jax.tables.table import ColumnType


def _duck_table(con, table):
  cols = ", ".join('"' + h.replace('"', '""') + '" ' +
                   ("DOUBLE" if t == ColumnType.NUMBER else "VARCHAR")
                   for h, t in zip(table.header, table.types))
  con.execute("DROP TABLE IF EXISTS w")
  con.execute(f"CREATE TABLE w ({cols})")
  if table.values:
    marks = ", ".join("?" * table.num_columns)
    con.executemany(f"INSERT INTO w VALUES ({marks})", [list(r) for r in table.values])


def _key(v):
  if isinstance(v, (int, float)) and not isinstance(v, bool):
    return ("n", round(float(v), 6))
  return ("s", str(v))


def _same(a, b) -> bool:
  ka, kb = sorted(map(_key, a)), sorted(map(_key, b))
  if len(ka) != len(kb):
    return False
  for x, y in zip(ka, kb):
    if x[0] != y[0]:
      return False
    if x[0] == "n":
      if not math.isclose(x[1], y[1], rel_tol=1e-6, abs_tol=1e-6):
        return False
    elif x != y:
      return False
  return True


def _tied_limit(tree) -> bool:
  return tree.args.get("limit") is not None and tree.args.get("order") is not None


def _order_keys_query(tree):
  """The same query projecting its ORDER BY keys (to compare tied LIMIT results)."""
  t = tree.copy()
  t.set("expressions", [o.this.copy() for o in t.args["order"].expressions])
  return t


def _agreement(tables, draw, n_queries: int):
  ex = Executor(max_values=10)
  con = duckdb.connect()
  stats = collections.Counter()
  disagreements = []
  rng = np.random.default_rng(1234)
  per_table = max(1, n_queries // len(tables))
  for table in tables:
    if table.num_rows == 0:
      continue
    _duck_table(con, table)
    for _ in range(per_table):
      query = draw(table, rng)
      if query is None:
        continue
      lite = ex.run(table, query.sql)
      if isinstance(lite, Skip):
        stats["sqlite_" + lite.reason] += 1
        continue
      lite = [v for row in lite for v in row]
      if not lite or len(lite) > 10:
        continue
      duck_sql = sqlglot.transpile(query.sql, read="sqlite", write="duckdb")[0]
      try:
        duck = [v for row in con.execute(duck_sql).fetchall() for v in row]
      except duckdb.Error as e:
        disagreements.append((query.sql, duck_sql, lite, f"duckdb error: {e}"))
        continue
      stats["compared"] += 1
      if _same(lite, duck):
        stats["agree"] += 1
        continue
      if _tied_limit(query.expression):
        keys = _order_keys_query(query.expression)
        lite_k = ex.run(table, keys.sql(dialect="sqlite"))
        duck_k = con.execute(keys.sql(dialect="duckdb")).fetchall()
        if not isinstance(lite_k, Skip) and _same([v for r in lite_k for v in r],
                                                  [v for r in duck_k for v in r]):
          stats["agree_tied"] += 1
          continue
      disagreements.append((query.sql, duck_sql, lite, duck))
  return stats, disagreements


def _report(stats, disagreements, capsys):
  rate = (stats["agree"] + stats["agree_tied"]) / max(1, stats["compared"])
  with capsys.disabled():
    print(f"\n[differential] {dict(stats)}; agreement {100 * rate:.1f}%")
  return rate


def test_grammar_queries_agree_on_shipped_wtq_tables(sample_tables, capsys):
  stats, bad = _agreement(sample_tables, sample_query, 400)
  assert stats["compared"] >= 250, stats
  rate = _report(stats, bad, capsys)
  assert not bad, bad[:5]
  assert rate == 1.0


def test_template_queries_agree_on_shipped_wtq_tables(sample_tables, capsys):
  templates = load_templates()
  stats, bad = _agreement(sample_tables,
                          lambda t, rng: sample_from_templates(templates, t, rng), 300)
  assert stats["compared"] >= 150, stats
  _report(stats, bad, capsys)
  assert not bad, bad[:5]


def test_grammar_queries_agree_on_full_wtq(wtq_tables, capsys):
  tables = wtq_tables(150)[50:]  # beyond the first tables, most not in the sample
  stats, bad = _agreement(tables, sample_query, 300)
  assert stats["compared"] >= 150, stats
  _report(stats, bad, capsys)
  assert not bad, bad[:5]
