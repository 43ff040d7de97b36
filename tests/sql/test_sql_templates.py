"""Abstract SQL templates: parsing, filling, the shipped set, bad files."""

import json

import numpy as np
import pytest
from sqlglot import exp

from symtune_jax.errors import InputError
from symtune_jax.sql.executor import Executor, Skip
from symtune_jax.sql.templates import fill, load_templates, parse_template


def test_fill_uses_typed_columns_and_their_cells(cyclists):
  t = parse_template("SELECT {c1:text} FROM w WHERE {c2:number} > {v1:c2} "
                     "AND {c3:date} = {v2:c3}", shape="select_where")
  assert t.columns == {"c1": "text", "c2": "number", "c3": "date"}
  rng = np.random.default_rng(0)
  for _ in range(20):
    q = fill(t, cyclists, rng)
    assert q.shape == "select_where"
    expr = q.expression
    cols = [c.name for c in expr.find_all(exp.Column)]
    assert cols[0] in ("Cyclist", "Team")
    assert cols[1] in ("Rank", "Points") and cols[2] == "Date"
    assert " > '" not in q.sql and "= '2008-06-0" in q.sql


def test_same_slot_name_is_the_same_column_and_value(cyclists):
  t = parse_template("SELECT {c1:text} FROM w WHERE {c1:text} = {v1:c1} OR {c1:text} = {v1:c1}")
  q = fill(t, cyclists, np.random.default_rng(3))
  names = {c.name for c in q.expression.find_all(exp.Column)}
  assert len(names) == 1
  lits = [l.this for l in q.expression.find_all(exp.Literal)]
  assert len(set(lits)) == 1


def test_table_that_cannot_fill_returns_none(cyclists):
  t = parse_template("SELECT {c1:date} FROM w WHERE {c2:date} = {v1:c2}")  # one date column
  assert fill(t, cyclists, np.random.default_rng(0)) is None


def test_shipped_templates_parse_fill_and_run(sample_tables):
  templates = load_templates()
  assert 30 <= len(templates) <= 100
  from symtune_jax.sql.sampler import SHAPES  # pylint: disable=g-import-not-at-top
  assert {t.shape for t in templates} == set(SHAPES)  # the grammar's shape names
  ex = Executor()
  rng = np.random.default_rng(0)
  filled = 0
  for t in templates:
    for table in sample_tables[:25]:
      q = fill(t, table, rng)
      if q is None:
        continue
      filled += 1
      out = ex.execute(table, q)
      assert not (isinstance(out, Skip) and out.reason in ("error", "timeout")), (q.sql, out)
  assert filled > 25 * len(templates) // 2
  assert ex.kept > filled // 2


def test_user_file_txt_and_jsonl(tmp_path, cyclists):
  txt = tmp_path / "t.txt"
  txt.write_text("# mine\n\nmost: SELECT {c1:any} FROM w ORDER BY {c2:number} DESC LIMIT {k}\n"
                 "SELECT COUNT(*) FROM w WHERE {c1:text} = {v1:c1}\n")
  got = load_templates(txt)
  assert [t.shape for t in got] == ["most", "template"]
  jl = tmp_path / "t.jsonl"
  jl.write_text(json.dumps({"sql": "SELECT MAX({c1:number}) FROM w", "shape": "agg"}) + "\n")
  (t,) = load_templates(jl)
  assert fill(t, cyclists, np.random.default_rng(0)).sql in (
      'SELECT MAX("Rank") FROM w', 'SELECT MAX("Points") FROM w')


@pytest.mark.parametrize("line,message", [
    ("SELECT {c1:text} FROM w WHERE", "does not parse"),
    ("SELECT {c1:txt} FROM w", "has type 'txt'"),
    ("SELECT {c1:text} FROM w WHERE {c1:text} = {v1:c2}", "refers to column slot c2"),
    ("SELECT {c1:text} FROM other", "expected only 'w'"),
    ("DELETE FROM w WHERE {c1:text} = {v1:c1}", "expected a SELECT"),
    ("SELECT {x} FROM w", "unknown slot"),
    ("SELECT {c1:text} FROM w WHERE {c1:number} > 1", "used as text and number"),
])
def test_bad_template_names_file_and_line(tmp_path, line, message):
  path = tmp_path / "bad.txt"
  path.write_text("# header\nSELECT COUNT(*) FROM w\n\n" + line + "\n")
  with pytest.raises(InputError) as e:
    load_templates(path)
  assert e.value.path == str(path) and e.value.line == 4
  assert message in str(e.value) and f"{path}:4" in str(e.value)


def test_bad_jsonl_and_missing_file(tmp_path):
  path = tmp_path / "bad.jsonl"
  path.write_text('{"sql": "SELECT 1 FROM w"}\n{"sql": 3}\n')
  with pytest.raises(InputError, match="bad.jsonl:2"):
    load_templates(path)
  with pytest.raises(InputError, match="cannot read"):
    load_templates(tmp_path / "missing.txt")
  (tmp_path / "empty.txt").write_text("# nothing\n")
  with pytest.raises(InputError, match="no templates"):
    load_templates(tmp_path / "empty.txt")


def test_fast_fill_equals_sqlglot_rendering_on_every_template(sample_tables, cyclists,
                                                             same_sql_both_paths):
  """The text bound into the pre-rendered template equals sqlglot's rendering of
  the substituted tree, with the same random draws, for every shipped template."""
  import random  # pylint: disable=g-import-not-at-top
  from symtune_jax.sql.templates import fill  # pylint: disable=g-import-not-at-top
  tables = list(sample_tables) + [cyclists]
  for n, template in enumerate(load_templates()):
    made = same_sql_both_paths(
        lambda table, rng, ref, template=template: fill(template, table, rng, reference=ref),
        tables, random.Random(n), 60, template.text)
    assert made, template.text
