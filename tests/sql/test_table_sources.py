"""Table sources: evaluation tables never in SQL data, exclude files, duplicate ids."""

import json
import logging
import shutil

import pytest

from symtune_jax import settings
from symtune_jax.cli.main import main
from symtune_jax.errors import InputError
from symtune_jax.sql import builder as sx
from symtune_jax.sql import table_sources as ts
from symtune_jax.tables import loaders

_NO_OTHER_ROOTS = dict(sqa_root="/nonexistent/sqa", wikisql_root="/nonexistent/wikisql",
                       tabfact_root="/nonexistent/tabfact")


def _wtq_root(tmp_path, testdata, dev_tables=("csv/299-csv/733.csv",)):
  """A tiny WTQ root: the two test tables as 299_128 and 299_733 (ids in no real
  split), a dev file naming ``dev_tables``."""
  root = tmp_path / "wtq"
  (root / "csv" / "299-csv").mkdir(parents=True)
  for name in ("128.csv", "733.csv"):
    shutil.copy(testdata / "tables" / "wtq" / "csv" / "203-csv" / name,
                root / "csv" / "299-csv" / name)
  (root / "data").mkdir()
  lines = ["id\tutterance\tcontext\ttargetValue"]
  lines += [f"nt-{i}\tq?\t{c}\ta" for i, c in enumerate(dev_tables)]
  (root / "data" / "random-split-1-dev.tsv").write_text("\n".join(lines) + "\n")
  return root


def test_wtq_dev_tables_are_left_out_by_default(tmp_path, testdata):
  root = _wtq_root(tmp_path, testdata)
  with settings.override(wtq_root=root, **_NO_OTHER_ROOTS):
    assert _from_files(ts.eval_table_ids()) == {
        "wtq validation (data/random-split-1-dev.tsv)": frozenset({"299_733"})}
    stats = ts.TableLoadStats()
    kept = ts.load_tables(tables=root, stats=stats)
    assert [t.table_id for t in kept] == ["299_128"]
    assert stats.reasons["eval_table"] == 1
    both = ts.load_tables(tables=root, exclude_eval=False)
    assert sorted(t.table_id for t in both) == ["299_128", "299_733"]


def _from_files(ids):
  return {k: v for k, v in ids.items() if "shipped" not in k}


def test_the_demo_question_file_is_not_an_evaluation_split_but_the_shipped_list_is(tmp_path):
  # The shipped sample's data/sample.tsv holds training questions: it adds nothing; the
  # shipped WTQ dev/test id list applies on every machine, official files or not.
  expected = ts.shipped_wtq_eval_ids()
  for root in (settings.PACKAGE_DATA / "wtq_sample", tmp_path / "absent"):
    with settings.override(wtq_root=root, **_NO_OTHER_ROOTS):
      ids = ts.eval_table_ids()
      assert _from_files(ids) == {}
      assert set(ids.values()) == set(expected.values())
      kept = {t.table_id for t in ts.load_tables(tables=settings.PACKAGE_DATA / "wtq_sample")}
  assert (len(expected["validation"]), len(expected["test"])) == (346, 421)
  sample_ids = {t.table_id for t in sx.load_tables(tables=settings.PACKAGE_DATA / "wtq_sample",
                                                   exclude_eval=False)}
  assert kept == sample_ids - expected["validation"] - expected["test"]
  assert len(kept) < len(sample_ids)  # some demo tables are WTQ dev tables


def test_shipped_wtq_eval_ids_match_the_official_files(shared_data):
  root = shared_data / "wtq" / "official"
  with settings.override(wtq_root=root, **_NO_OTHER_ROOTS):
    ids = ts.eval_table_ids()
  shipped = ts.shipped_wtq_eval_ids()
  assert ids["wtq validation (data/random-split-1-dev.tsv)"] == shipped["validation"]
  assert ids["wtq test (data/pristine-unseen-tables.tsv)"] == shipped["test"]


def test_sqa_wikisql_and_tabfact_tables_when_their_roots_are_set(tmp_path, testdata):
  tabfact = tmp_path / "tabfact"
  tabfact.mkdir()
  (tabfact / "val_examples.json").write_text(json.dumps({"1-10121127-1.html.csv": [[], []]}))
  with settings.override(wtq_root=tmp_path / "none", sqa_root=testdata / "sqa",
                         wikisql_root=testdata / "wikisql", tabfact_root=tabfact):
    ids = _from_files(ts.eval_table_ids())
  assert ids["sqa validation (random-split-1-dev.tsv)"] == {"203_149"}
  assert "1-10007452-3" in ids["wikisql validation (dev.tables.jsonl)"]
  assert "wikisql test (test.tables.jsonl)" in ids
  assert ids["tabfact validation (val_examples.json)"] == {"1-10121127-1"}


def test_exclude_file_forms_and_errors(tmp_path):
  lines = tmp_path / "ids.txt"
  lines.write_text("# held out\n203_733  # a comment\n\ncsv/204-csv/590.csv\n")
  assert ts.read_table_ids(lines) == {"203_733", "204_590"}
  listed = tmp_path / "ids.json"
  listed.write_text('["a", "b"]')
  assert ts.read_table_ids(listed) == {"a", "b"}
  bad = tmp_path / "bad.json"
  bad.write_text('["a", ')
  with pytest.raises(InputError, match="bad.json.*corrupt JSON"):
    ts.read_table_ids(bad)
  with pytest.raises(InputError, match="not found"):
    ts.read_table_ids(tmp_path / "missing.txt")


def test_exclude_file_from_gin_setting_and_everything_excluded(tmp_path, testdata):
  root = _wtq_root(tmp_path, testdata, dev_tables=())
  ids = tmp_path / "ids.txt"
  ids.write_text("299_128\n")
  with settings.override(wtq_root=root, sql_exclude_tables=ids, **_NO_OTHER_ROOTS):
    stats = ts.TableLoadStats()
    assert [t.table_id for t in ts.load_tables(tables=root, stats=stats)] == ["299_733"]
    assert stats.reasons["excluded"] == 1
    ids.write_text("299_128\n299_733\n")
    with pytest.raises(InputError, match="all 2 tables are excluded"):
      ts.load_tables(tables=root)


def test_generate_exclude_tables_flag(tmp_path, testdata, capsys):
  tables = tmp_path / "tables"
  tables.mkdir()
  rows = "\n".join(f"{i},{i * 7},x{i}" for i in range(12))
  for name in ("keep_a", "keep_b", "gone"):
    (tables / f"{name}.csv").write_text("n,m,s\n" + rows + "\n")
  ids = tmp_path / "ids.txt"
  ids.write_text("gone\n")
  out = tmp_path / "out"
  with settings.override(**_NO_OTHER_ROOTS, wtq_root=tmp_path / "none"):
    assert main(["generate", "sql", "--num", "40", "--out", str(out), "--format", "jsonl",
                 "--no-progress", "--tables", str(tables), "--split", "train",
                 "--exclude-tables", str(ids)]) == 0
  err = capsys.readouterr().err
  manifest = json.loads((out / "manifest.json").read_text())
  assert manifest["exclude_tables"] == str(ids) and manifest["exclude_eval_tables"]
  used = {json.loads(line)["table_id"] for p in out.glob("sql-train.jsonl-*")
          for line in p.read_text().splitlines()}
  assert "gone" not in used, err


def test_duplicate_table_ids_are_named_in_a_warning(tmp_path, caplog):
  (tmp_path / "a.csv").write_text("x,y\n1,2\n")
  (tmp_path / "t1.csv").write_text("x,y\n3,4\n")
  (tmp_path / "b.jsonl").write_text(
      json.dumps({"table_id": "t1", "header": ["x"], "rows": [["5"]]}) + "\n"
      + json.dumps({"table_id": "a", "header": ["x"], "rows": [["6"]]}) + "\n"
      + json.dumps({"table_id": "a", "header": ["x"], "rows": [["7"]]}) + "\n")
  stats = ts.TableLoadStats()
  with caplog.at_level(logging.WARNING):
    tables = ts.load_table_path(tmp_path, stats)
  assert sorted(t.table_id for t in tables) == ["a", "t1"]
  assert stats.reasons["duplicate_id"] == 3
  text = caplog.text
  assert "'t1'" in text and "t1.csv" in text and "b.jsonl" in text
  assert "'a'" in text and "a.csv" in text and "b.jsonl (2 times)" in text
  # The first file in name order wins: a.csv's row.
  assert next(t for t in tables if t.table_id == "a").rows[0][0] == "1"


def test_no_wtq_evaluation_table_in_sql_training(shared_data):
  """Official WTQ: none of the 421 test and 346 dev tables is used (was 371 and 308)."""
  root = shared_data / "wtq" / "official"
  test = {q["table_id"] for q in
          loaders.load_wtq_questions(root / "data" / "pristine-unseen-tables.tsv")}
  dev = {q["table_id"] for q in loaders.load_wtq_questions(root / "data" /
                                                           "random-split-1-dev.tsv")}
  assert (len(test), len(dev)) == (421, 346)
  with settings.override(wtq_root=root):
    before = sx.ExampleBuilder(sx.load_tables(tables=root, exclude_eval=False))
    after = sx.ExampleBuilder(sx.load_tables(tables=root))
  pool = lambda b: {t.table_id for t in b.tables("train")}  # noqa: E731
  assert len(pool(before) & test) > 300 and len(pool(before) & dev) > 250
  assert not pool(after) & (test | dev)
  used = {after.example(0, "train", i)["table_id"] for i in range(300)}
  assert not used & (test | dev)


def test_exclude_file_through_gin(tmp_path, testdata):
  import gin  # pylint: disable=g-import-not-at-top
  root = _wtq_root(tmp_path, testdata, dev_tables=())
  ids = tmp_path / "ids.txt"
  ids.write_text("299_733\n")
  gin.clear_config()
  try:
    gin.parse_config(f"symtune.settings.sql_exclude_tables = '{ids}'")
    with settings.override(**_NO_OTHER_ROOTS):
      assert [t.table_id for t in ts.load_tables(tables=root)] == ["299_128"]
  finally:
    gin.clear_config()
