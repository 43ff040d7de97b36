"""Metrics, postprocessors, templates and template selection (plain Python)."""

import pytest

from symtune_jax.errors import InputError
from symtune_jax.evaluation import (bbh, fewshot, mmlu, numeric, tabfact, template_selection,
                                    templates)
from symtune_jax.evaluation import rank_classification as rc
from symtune_jax.evaluation.table_prompt import TableQuestion, render_table_question
from symtune_jax.tables.table import Table


@pytest.mark.parametrize("text,value", [
    ("The answer is 51.", 51.0), ("$1,250.50 in total", 1250.5), ("3/4", 0.75),
    ("-7", -7.0), ("x = 2 then 9", 9.0), ("none", None), (42.0, 42.0)])
def test_extract_number(text, value):
  assert numeric.extract_number(text) == value


def test_numeric_accuracy():
  assert numeric.numeric_accuracy([51.0, 3.5, 2.0], ["51", "3.50 apples", "two"]) == {
      "numeric_accuracy": pytest.approx(200 / 3)}
  with pytest.raises(ValueError):
    numeric.numeric_accuracy([1.0], [])


def test_tabfact_verdicts_and_accuracy():
  assert [tabfact.tabfact_postprocessor(t) for t in ["Yes.", "false", b"refuted", "maybe"]] == [
      1, 0, 0, -1]
  assert tabfact.tabfact_accuracy([1, 0, 1, 0], [1, 0, 0, -1]) == {"tabfact_accuracy": 50.0}


def test_bbh_postprocessing_and_exact_match():
  ex = {"targets_pretokenized": b"(C)"}
  assert bbh.bbh_postprocessor("So the answer is (C) Paris.", example=ex) == "(c)"
  assert bbh.bbh_postprocessor("(C)", example=ex, is_target=True) == "(c)"
  free = {"targets_pretokenized": b"] )"}
  assert bbh.bbh_postprocessor("] )\nQ: next", example=free) == "] )"
  assert bbh.exact_match(["True", "(a)"], ["true", "(b)"]) == {"exact_match": 50.0}


def test_mmlu_letters():
  assert [mmlu.answer_letter(t) for t in [" B. 4", "(c)", "Answer: D", "none", "A"]] == [
      "B", "C", "D", "", "A"]
  assert mmlu.mmlu_accuracy(["A", "B"], ["A", "C"]) == {"accuracy": 50.0}


def test_rank_classification_expand_and_metric():
  mc = rc.MultipleChoice("q", "Is it?", ("yes", "no", "maybe"), 1)
  pairs = list(rc.expand(mc, index=4))
  assert [p["idx"] for p in pairs] == [[4, 0], [4, 1], [4, 2]]
  assert [p["is_correct"] for p in pairs] == [False, True, False]
  targets = [rc.rank_classification_postprocessor(p["targets"], example=p, is_target=True)
             for p in pairs]
  targets += [((5, 0), True), ((5, 1), False)]
  # Example 4: option 1 has the best score (right); example 5: option 1 (wrong).
  scores = [-3.0, -1.0, -2.0, -5.0, -4.0]
  assert rc.rank_classification_accuracy(targets, scores) == {
      "rank_classification_accuracy": 50.0}
  assert rc.rank_classification_postprocessor(-1.5) == -1.5
  with pytest.raises(ValueError):
    rc.MultipleChoice("q", "x", ("a",), 2)


def test_fit_shots_keeps_most_shots_that_fit():
  render = lambda shots: " ".join(shots) + " query"
  shots = ["a b c"] * 5
  words = lambda s: len(s.split())
  assert fewshot.fit_shots(render, shots, 100, words) == (render(shots), 5)
  assert fewshot.fit_shots(render, shots, 7, words)[1] == 2
  assert fewshot.fit_shots(render, shots, 2, words) == ("query"[0:0] + " query", 0)


def test_templates_render_and_errors():
  t = templates.get_template("svamp", "qa")
  assert t.render({"body": "A has 3.", "question": "How many?", "answer": "3"}) == (
      "Question: A has 3. How many?\nAnswer:", "3")
  with pytest.raises(InputError, match="needs fields"):
    t.render({"body": "x"})
  with pytest.raises(InputError, match="known"):
    templates.get_template("wtq", "nope")
  for bench, ts in templates.TEMPLATES.items():
    assert len(ts) >= 3, bench
    assert len({x.name for x in ts}) == len(ts)


def test_table_prompt_drops_rows_not_question():
  table = Table.from_rows("t", ["year", "city"], [[str(2000 + i), f"city{i}"] for i in range(50)])
  q = TableQuestion("q1", "where was it in 2001?", table, ("city1",))
  words = lambda s: len(s.split())
  inputs, targets = render_table_question(templates.get_template("wtq", "table_first"), q,
                                          max_input_tokens=60, length_fn=words)
  assert targets == "city1"
  assert words(inputs) <= 60
  assert inputs.startswith("col : year | city row 1 : 2000 | city0")
  assert inputs.endswith("Answer the question based on the table above: where was it in 2001?")
  assert "row 50" not in inputs


def test_select_best_template():
  assert template_selection.select_best_template({"qa": 31.0, "table_first": 35.5}) == (
      "table_first", 35.5)
  # Tie: the template listed first for the benchmark wins.
  assert template_selection.select_best_template(
      {"qa": 10.0, "question_first": 10.0}, "wtq")[0] == "question_first"
  sel = template_selection.select_per_benchmark({
      "symtune_eval_wtq_qa_v1": 30.0, "symtune_eval_wtq_table_first_v1": 35.0,
      "symtune_eval_svamp_plain_v1": 12.0, "symtune_eval_bbh_navigate_v1": 99.0})
  assert [(s.benchmark, s.template, s.score) for s in sel] == [
      ("svamp", "plain", 12.0), ("wtq", "table_first", 35.0)]
  assert template_selection.parse_template_task("symtune_eval_tabfact_yes_no_v1") == (
      "tabfact", "yes_no")
  with pytest.raises(InputError):
    template_selection.select_best_template({})
