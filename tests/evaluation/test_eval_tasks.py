"""The registered evaluation tasks, through the real SeqIO pipeline (byte vocabulary)."""

import pytest
import seqio

import symtune_jax.tasks.evaluation as ev  # registers the tasks
from symtune_jax.errors import InputError
from symtune_jax.evaluation import bbh, templates

LENGTHS = {"inputs": 2048, "targets": 128}


def _take(name, split, n=None, lengths=None):
  ds = seqio.get_mixture_or_task(name).get_dataset(lengths, split=split, shuffle=False)
  if n is not None:
    ds = ds.take(n)
  return list(ds.as_numpy_iterator())


def test_registered_names():
  names = set(seqio.TaskRegistry.names())
  for bench in ev.TABLE_BENCHMARKS:
    for t in templates.get_templates(bench):
      assert f"symtune_eval_{bench}_{t.name}_v1" in names
  assert sum(n.startswith("symtune_eval_bbh_") and not n.endswith("_rankclass_v1")
             for n in names) == 27
  assert sum(n.startswith("symtune_eval_mmlu_") and n.endswith("_rankclass_v1")
             for n in names) == 57
  mixes = set(seqio.MixtureRegistry.names())
  for m in ("symtune_eval_table_mix", "symtune_eval_bbh_mix", "symtune_eval_mmlu_mix",
            "symtune_eval_bbh_rankclass_mix", "symtune_eval_mmlu_rankclass_mix",
            "symtune_eval_wtq_mix"):
    assert m in mixes
  assert len(seqio.get_mixture_or_task("symtune_eval_bbh_mix").tasks) == 27


def test_wtq_task_on_shipped_sample(monkeypatch):
  monkeypatch.setenv("SYMTUNE_SHARED_DATA", "/nonexistent")
  monkeypatch.delenv("SYMTUNE_WTQ_ROOT", raising=False)
  exs = _take("symtune_eval_wtq_question_first_v1", "test", 3, LENGTHS)
  ex = exs[0]
  assert ex["id"] == b"nt-0"
  assert ex["targets_pretokenized"] == b"2004"
  assert ex["inputs_pretokenized"].startswith(b"Answer the following question")
  assert ex["inputs_pretokenized"].endswith(b"\nAnswer:")
  assert list(ex["answers"]) == [b"2004"]
  assert ex["targets"][-1] == 1  # EOS
  vocab = seqio.get_mixture_or_task("symtune_eval_wtq_qa_v1").output_features["inputs"].vocabulary
  assert vocab.decode(ex["inputs"].tolist()[:-1]) == ex["inputs_pretokenized"].decode()
  task = seqio.get_mixture_or_task("symtune_eval_wtq_qa_v1")
  target = task.postprocess_fn(ex["targets_pretokenized"], example=ex, is_target=True)
  assert task.metric_fns[0]([target], [task.postprocess_fn(b"2004.0")]) == {
      "denotation_accuracy": 100.0}


def test_prompts_fit_the_input_length(monkeypatch):
  monkeypatch.setenv("SYMTUNE_INPUTS_LENGTH", "300")
  monkeypatch.setenv("SYMTUNE_SHARED_DATA", "/nonexistent")
  monkeypatch.delenv("SYMTUNE_WTQ_ROOT", raising=False)
  for ex in _take("symtune_eval_wtq_table_first_v1", "test", 20):
    assert len(ex["inputs"]) <= 300  # byte vocabulary: tokens = bytes + EOS
    assert ex["inputs_pretokenized"].decode().rstrip().endswith("?") or b"Answer" in ex[
        "inputs_pretokenized"]


def test_wikisql_and_sqa_tasks_from_fixtures(testdata, monkeypatch):
  monkeypatch.setenv("SYMTUNE_WIKISQL_ROOT", str(testdata / "wikisql"))
  monkeypatch.setenv("SYMTUNE_SQA_ROOT", str(testdata / "sqa"))
  w = _take("symtune_eval_wikisql_qa_v1", "validation")
  assert [list(e["answers"]) for e in w][3] == [b"Brad Lohaus", b"Art Long"]
  assert w[3]["targets_pretokenized"] == b"Brad Lohaus, Art Long"
  s = _take("symtune_eval_sqa_question_first_v1", "test")
  assert len(s) == 3
  assert b"Previous questions: where are the players from?" in s[1]["inputs_pretokenized"]
  assert list(s[0]["answers"])[1] == b"Valley HS (Las Vegas, NV)"


def test_mmlu_generation_and_rank_classification(testdata, monkeypatch):
  monkeypatch.setenv("SYMTUNE_MMLU_ROOT", str(testdata / "mmlu"))
  gen = _take("symtune_eval_mmlu_abstract_algebra_v1", "test")
  assert [e["targets_pretokenized"] for e in gen] == [b"C", b"B", b"B"]
  ranked = _take("symtune_eval_mmlu_abstract_algebra_rankclass_v1", "test")
  assert len(ranked) == 12
  assert [e["idx"].tolist() for e in ranked[:4]] == [[0, 0], [0, 1], [0, 2], [0, 3]]
  assert [bool(e["is_correct"]) for e in ranked[:4]] == [False, False, True, False]


def test_rank_classification_through_seqio_evaluator(testdata, monkeypatch):
  """Score mode as T5X runs it: a score function per pair -> the task's score metric."""
  monkeypatch.setenv("SYMTUNE_MMLU_ROOT", str(testdata / "mmlu"))
  name = "symtune_eval_mmlu_anatomy_rankclass_v1"
  evaluator = seqio.Evaluator(
      mixture_or_task_name=name, feature_converter=seqio.EncDecFeatureConverter(pack=False),
      eval_split="test", use_memory_cache=False, sequence_length=None)
  ds = evaluator.cached_model_datasets[name]
  examples = _take(name, "test")

  def score_fn(model_ds):
    # A "model" that prefers the right letter for the first question only.
    out = []
    for i, _ in enumerate(model_ds.as_numpy_iterator()):
      ex = examples[i]
      good = bool(ex["is_correct"]) if ex["idx"][0] == 0 else ex["idx"][1] == 0
      out.append((i, 0.0 if good else -5.0))
    return out

  metrics, _ = evaluator.evaluate(compute_metrics=True, score_fn=score_fn,
                                  predict_fn=None)
  result = metrics.result()[name]
  assert result["rank_classification_accuracy"] == 50.0
  assert len(list(ds.as_numpy_iterator())) == 8


def test_bbh_tasks_on_real_data(shared_data):
  gen = _take("symtune_eval_bbh_navigate_v1", "test", 2, LENGTHS)
  assert gen[0]["inputs_pretokenized"].count(b"\nA: ") == bbh.NUM_SHOTS
  assert gen[0]["targets_pretokenized"] in (b"Yes", b"No")
  ranked = _take("symtune_eval_bbh_date_understanding_rankclass_v1", "test", 12)
  assert ranked[0]["targets_pretokenized"] == b"(A)"
  assert sum(bool(e["is_correct"]) for e in ranked if e["idx"][0] == 0) == 1


def test_missing_data_fails_at_get_dataset_with_clear_error(tmp_path, monkeypatch):
  monkeypatch.setenv("SYMTUNE_MMLU_ROOT", str(tmp_path))
  task = seqio.get_mixture_or_task("symtune_eval_mmlu_anatomy_v1")  # registration is fine
  with pytest.raises(InputError, match=r"SYMTUNE_MMLU_ROOT") as e:
    task.get_dataset(LENGTHS, split="test")
  assert str(tmp_path / "data" / "dev" / "anatomy_dev.csv") in str(e.value)
  monkeypatch.setenv("SYMTUNE_INPUTS_LENGTH", "lots")
  with pytest.raises(InputError, match="SYMTUNE_INPUTS_LENGTH"):
    ev.input_length()
