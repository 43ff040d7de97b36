"""Contamination report: 13-gram overlap (GPT-3/FLAN rule) and shared tables."""

import json

from symtune_jax.evaluation import contamination as c

TABLE = "col : year | city | country row 1 : 2004 | bangkok | thailand row 2 : 2008 | rome | italy"


def test_words_and_ngrams():
  assert c.words("Col : Year | 2,004!") == ["col", "year", "2", "004"]
  assert len(c.ngrams(c.words(TABLE), 13)) == len(c.words(TABLE)) - 12
  assert c.ngrams([], 13) == set()
  assert len(c.ngrams(["a", "b"], 13)) == 1  # short text: its whole word sequence


def test_index_hits_on_13_shared_words_only():
  index = c.NgramIndex(13)
  index.add("Execute: SELECT city FROM w\n" + TABLE)
  # 13 consecutive words in common (punctuation and case don't matter) -> a hit.
  assert index.hits("which city? COL: year, city, country; row 1: 2004 bangkok thailand row 2 "
                    "2008 ROME")
  # 12 in common -> no hit.
  assert not index.hits("q col year city country row 1 2004 bangkok thailand row 2 2008 x")
  assert not index.hits("")


def test_report_counts_shared_tables_and_overlap():
  train = [c.TrainSide("sql", ["SQL: SELECT 1\n" + TABLE, "other text"], frozenset({"t1", "t9"})),
           c.TrainSide("niv2", ["a question about apples and pears and plums"]),
           c.TrainSide("broken", error="no data for task broken")]
  evals = [c.EvalSide("wtq test", [("where? " + TABLE, "t1"), ("when?", "t1"),
                                   ("unrelated words only here", "t2")]),
           c.EvalSide("svamp test", [("a question about apples and pears and plums", None)])]
  rep = c.report(train, evals)
  pairs = {(p["component"], p["evaluation"]): p for p in rep["pairs"]}
  p = pairs[("sql", "wtq test")]
  assert (p["shared_tables"], p["shared_table_ids"], p["shared_table_examples"]) == (1, ["t1"], 2)
  assert (p["eval_examples_with_ngram"], p["eval_examples"]) == (1, 3)
  assert p["ngram_overlap"] == round(1 / 3, 4)
  assert pairs[("niv2", "svamp test")]["ngram_overlap"] == 1.0  # short text, exact match
  assert pairs[("niv2", "wtq test")]["shared_tables"] == 0
  assert pairs[("broken", "wtq test")]["error"] == "no data for task broken"
  text = c.format_report(rep)
  assert "33.33% (1)" in text and "not scored (1 components)" in text
  json.dumps(rep)  # JSON-able


def test_cli_help_explains():
  import argparse  # pylint: disable=g-import-not-at-top
  from symtune_jax.cli import contamination as cmd  # pylint: disable=g-import-not-at-top
  parser = argparse.ArgumentParser()
  cmd.add_parser(parser.add_subparsers())
  text = parser._subparsers._group_actions[0].choices["contamination"].format_help()  # pylint: disable=protected-access
  assert "13-gram" in text and "--json" in text and "--num-train" in text


def test_cli_sql_task_against_wtq(shared_data, tmp_path, monkeypatch, capsys):
  """The SQL task's pool shares no table with WTQ test; with the eval tables kept it does."""
  from symtune_jax.cli.main import main  # pylint: disable=g-import-not-at-top
  from symtune_jax.tasks import sql as sql_tasks  # pylint: disable=g-import-not-at-top
  monkeypatch.setenv("SYMTUNE_WTQ_ROOT", str(shared_data / "wtq" / "official"))
  out = tmp_path / "r.json"
  try:
    sql_tasks.configure(wtq_root=shared_data / "wtq" / "official")
    args = ["contamination", "symtune_sql_execution_v1", "--eval", "wtq", "--num-train", "5",
            "--num-eval", "300", "--no-progress", "--json", str(out)]
    assert main(args) == 0
    (after,) = json.loads(out.read_text())["pairs"]
    assert main(args + ["--sql-keep-eval-tables"]) == 0
    (before,) = json.loads(out.read_text())["pairs"]
  finally:
    sql_tasks.configure(exclude_eval_tables=True)
    sql_tasks._SETTINGS.wtq_root = None  # pylint: disable=protected-access
    sql_tasks._builder_for.cache_clear()  # pylint: disable=protected-access
  assert after["shared_tables"] == 0 and after["shared_table_examples"] == 0
  assert before["shared_tables"] > 0.5 * before["eval_tables"]
  assert "ngram overlap" in capsys.readouterr().out
