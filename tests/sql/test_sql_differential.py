"""Differential test: the executor's kept answers are DuckDB's answers too.

Queries the executor keeps (answers fixed by the table alone: no ties) are
transpiled with sqlglot (sqlite -> duckdb) and run on a DuckDB copy of each
table (DOUBLE for number columns, VARCHAR otherwise, the same typed values).
Answers are compared as multisets (`audit.same_values`): integers and text
exactly, non-integers within 1e-9 relative. No tie exception is needed: a
query whose answer depends on row order is never kept.
benchmarks/sql_differential.py runs the same check on >= 100,000 queries.
"""

import duckdb
import pytest

from symtune_jax.sql import audit
from symtune_jax.sql.executor import Executor
from symtune_jax.sql.sampler import sample_query
from symtune_jax.sql.templates import load_templates, sample_from_templates
from symtune_jax.tables.table import Table


@pytest.mark.parametrize("a,b,same", [
    ([2190001.0], [2190002], False),  # integers exactly (1e-6 relative would pass)
    ([2190001.0], [2190001], True),
    ([2190001.0], [2190001.5], False),  # an integer never equals a non-integer
    ([0.1 + 0.2], [0.3], True),  # non-integers: 1e-9 relative
    ([1 / 3], [0.333333], False),
    (["a", 1.0], [1, "a"], True),  # multisets
    ([1.0, 1.0], [1.0], False),
    ([True], [1], True),
])
def test_same_values(a, b, same):
  assert audit.same_values(a, b) == same


def test_duckdb_copy_holds_the_typed_values(cyclists):
  con = duckdb.connect()
  audit.duckdb_table(con, cyclists)
  assert con.execute('SELECT SUM("Points"), MAX("Date"), COUNT("Points") FROM w').fetchall() == [
      (138.0, "2008-06-08", 7)]


def test_a_wrong_integer_is_a_mismatch(cyclists):
  class OffByOne(Executor):
    def execute(self, table, query, *, rows=None):
      out = super().execute(table, query, rows=rows)
      if hasattr(out, "values") and query.shape == "agg_count":
        out = type(out)(values=(out.values[0] + 1,), text="")
      return out
  report = audit.differential([cyclists], sample_query, 60, executor=OffByOne())
  assert report.mismatches == report.shapes["agg_count"] > 0


def _check(report, min_compared, capsys):
  with capsys.disabled():
    print(f"\n[differential] {report.to_json()}")
  assert report.compared >= min_compared, report.to_json()
  assert report.duckdb_errors == 0, report.examples[:3]
  assert report.mismatches == 0, report.examples[:3]


def test_grammar_queries_agree_on_shipped_wtq_tables(sample_tables, capsys):
  _check(audit.differential(sample_tables, sample_query, 8), 500, capsys)


def test_template_queries_agree_on_shipped_wtq_tables(sample_tables, capsys):
  templates = load_templates()
  report = audit.differential(
      sample_tables, lambda t, rng: sample_from_templates(templates, t, rng), 6)
  _check(report, 300, capsys)


def test_grammar_queries_agree_on_full_wtq(all_wtq_tables, capsys):
  tables = all_wtq_tables[100::7]  # ~290 tables across the whole set
  _check(audit.differential(tables, sample_query, 5), 600, capsys)  # ~82% of 852 sampled are kept
