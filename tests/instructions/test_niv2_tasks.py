"""NIV2 SeqIO tasks through the real pipeline, and the ROUGE-L / EM metrics."""

import pytest
import seqio

from symtune_jax.errors import InputError
from symtune_jax.evaluation import rouge
from symtune_jax.instructions import niv2
from symtune_jax.tasks import instructions

LENGTHS = {"inputs": 512, "targets": 32}


def _texts(task, split):
  vocab = task.output_features["inputs"].vocabulary
  ds = task.get_dataset(LENGTHS, split=split, shuffle=False)
  return [(vocab.decode(ex["inputs"].tolist()), ex["targets_pretokenized"],
           ex["answers"]) for ex in ds.as_numpy_iterator()]


@pytest.fixture
def repeat_task(testdata):
  name = instructions.register_niv2_task("task9001_symtune_fixture_repeat",
                                         root=testdata / "niv2")
  yield seqio.get_mixture_or_task(name)
  seqio.TaskRegistry.remove(name)


def test_registration_is_lazy_and_idempotent(testdata):
  name = instructions.register_niv2_task("task9999_not_a_file")
  try:
    assert name == "symtune_niv2_task9999_not_a_file_v1"
    assert instructions.register_niv2_task("task9999_not_a_file") == name
  finally:
    seqio.TaskRegistry.remove(name)


def test_examples_from_official_task_file(repeat_task):
  train = _texts(repeat_task, "train")
  assert len(train) == 10
  text, target, answers = train[0]
  assert text == niv2.format_input(
      "Repeat the given phrase as many times as the input asks, separating "
      "the copies with spaces.", "Repeat cat three times")
  assert target == b"cat cat cat" and answers.tolist() == [b"cat cat cat"]
  assert len(_texts(repeat_task, "validation")) == 1
  assert len(_texts(repeat_task, "test")) == 11


def test_env_root_and_multiple_answers(testdata, monkeypatch):
  monkeypatch.setenv(niv2.TASKS_DIR_ENV, str(testdata / "niv2" / "tasks"))
  name = instructions.register_niv2_task("task9002_symtune-fixture_sentiment")
  try:
    assert name == "symtune_niv2_task9002_symtune_fixture_sentiment_v1"
    task = seqio.get_mixture_or_task(name)
    rows = _texts(task, "test")
    assert rows[1][2].tolist() == [b"Positive", b"positive"]
    ex = {"answers": rows[1][2]}
    targets = [task.postprocess_fn(b"", example=ex, is_target=True)]
    preds = [task.postprocess_fn(b"positive")]
    metrics = {}
    for fn in task.metric_fns:
      metrics.update(fn(targets, preds))
    assert metrics == {"rougeL": 100.0, "exact_match": 100.0}
  finally:
    seqio.TaskRegistry.remove(name)


def test_missing_task_file_is_a_clear_error(testdata):
  name = instructions.register_niv2_task("task9998_absent",
                                         root=testdata / "niv2")
  try:
    task = seqio.get_mixture_or_task(name)
    with pytest.raises(InputError, match="task9998_absent.*not found"):
      task.get_dataset(LENGTHS, split="train", shuffle=False)
  finally:
    seqio.TaskRegistry.remove(name)


def test_rouge_and_exact_match():
  assert rouge.rouge_l("the cat sat", ["a cat sat down", "dog"]) == \
      pytest.approx(2 * (2 / 3) * (2 / 4) / (2 / 3 + 2 / 4))
  assert rouge.exact("The cat!", ["cat"]) and not rouge.exact("cats", ["cat"])
  # Non-ASCII outputs are scored, not dropped.
  assert rouge.rouge_l("猫 です", ["猫 です"]) == 1.0
  assert rouge.rouge_l_metric([["yes", "Yes."], "no"], ["yes", "maybe"]) == {
      "rougeL": 50.0}
  assert rouge.exact_match_metric([[b"Paris"]], [b"paris."]) == {
      "exact_match": 100.0}
  with pytest.raises(ValueError):
    rouge.rouge_l_metric(["a"], [])
