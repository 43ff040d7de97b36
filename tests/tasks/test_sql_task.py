"""`symtune_sql_execution_v1` through the real SeqIO pipeline (byte vocabulary, offline)."""

import logging
import os
import re
import subprocess
import sys

import numpy as np
import pytest
import seqio
from seqio import test_utils

import symtune_jax.tasks  # noqa: F401  (registers the tasks)
from symtune_jax.sql.builder import ExampleBuilder, ExampleConfig, load_tables
from symtune_jax.tables import truncate
from symtune_jax.tasks import registry
from symtune_jax.tasks import sql as sql_tasks

LENGTHS = {"inputs": 4096, "targets": 128}


@pytest.fixture(autouse=True)
def small_splits(monkeypatch):
  # The ~100 shipped tables, whatever ../shared/data holds.
  monkeypatch.setenv("SYMTUNE_SHARED_DATA", "/nonexistent")
  monkeypatch.delenv("SYMTUNE_WTQ_ROOT", raising=False)
  old = dict(sql_tasks._SETTINGS.num_examples)  # pylint: disable=protected-access
  sql_tasks.configure(num_examples={"train": 12, "validation": 6, "test": 6})
  yield
  sql_tasks.configure(num_examples=old)


def test_registered_with_denotation_metric():
  task = seqio.get_mixture_or_task(sql_tasks.TASK_NAME)
  assert [f.__name__ for f in task.metric_fns] == ["sql_denotation_accuracy"]
  assert task.source.num_input_examples("train") == 12
  assert set(task.splits) == {"train", "validation", "test"}
  # Idempotent registration: registering the name again keeps the task.
  assert registry.add_task(sql_tasks.TASK_NAME, source=None) == sql_tasks.TASK_NAME
  assert seqio.get_mixture_or_task(sql_tasks.TASK_NAME) is task
  assert "no_trim_check_" + sql_tasks.TASK_NAME in [
      getattr(p, "__name__", "") for p in task.preprocessors]


_TRIM_SCRIPT = """
import seqio, tensorflow as tf
import symtune_jax.tasks
from symtune_jax import settings
from symtune_jax.tasks import sql as sql_tasks
sql_tasks.configure(num_examples={"train": 12, "validation": 6, "test": 6})
task = seqio.get_mixture_or_task(sql_tasks.TASK_NAME)
with settings.override(inputs_length=1024):  # the same run, told its length
  got = list(task.get_dataset({"inputs": 1024, "targets": 128}, split="validation",
                              shuffle=False).as_numpy_iterator())
  assert got and all(len(g["inputs"]) <= 1024 for g in got)
try:
  list(task.get_dataset({"inputs": 256, "targets": 128}, split="validation",
                        shuffle=False).as_numpy_iterator())
except tf.errors.InvalidArgumentError as e:
  print("FAILED:", e.message)
"""


def test_an_input_longer_than_the_run_allows_fails_naming_both_lengths():
  """Built for the default 2,048 tokens, run at 256: SeqIO would trim, so it fails.

  In a subprocess: a tf.data pipeline that failed can leave TensorFlow's
  generator threads blocked for later tests of the same process.
  """
  env = {k: v for k, v in os.environ.items() if not k.startswith("SYMTUNE_")}
  env.update(SYMTUNE_VOCAB="byte", SYMTUNE_SHARED_DATA="/nonexistent",
             TF_CPP_MIN_LOG_LEVEL="3")
  out = subprocess.run([sys.executable, "-c", _TRIM_SCRIPT], env=env, capture_output=True,
                       text=True, timeout=600, check=False)
  assert out.returncode == 0, out.stderr[-3000:]
  assert re.search(r"symtune_sql_execution_v1: inputs longer than the run.{1,3}s inputs "
                   r"feature length 256 .* builds inputs for 2048 tokens", out.stdout), out.stdout


def test_dataset_matches_the_pure_builder():
  task = seqio.get_mixture_or_task(sql_tasks.TASK_NAME)
  ds = task.get_dataset(LENGTHS, split="validation", shuffle=False)
  got = list(ds.as_numpy_iterator())
  config = ExampleConfig(max_input_length=sql_tasks.DEFAULT_MAX_INPUT_LENGTH)
  builder = ExampleBuilder(load_tables(), config, length_fn=truncate.utf8_length)
  want = [builder.example(0, "validation", i) for i in range(6)]
  assert [g["inputs_pretokenized"].decode() for g in got] == [w["inputs"] for w in want]
  assert [g["targets_pretokenized"].decode() for g in got] == [w["targets"] for w in want]
  vocab = task.output_features["targets"].vocabulary
  for g in got:
    assert g["targets"][-1] == 1  # EOS
    assert vocab.decode(g["targets"][:-1].tolist()) == g["targets_pretokenized"].decode()
  assert set(got[0]) == {"inputs", "targets", "inputs_pretokenized", "targets_pretokenized"}


def test_shards_partition_the_split():
  source = seqio.get_mixture_or_task(sql_tasks.TASK_NAME).source
  whole = [e["targets"] for e in source.get_dataset("train", shuffle=False).as_numpy_iterator()]
  parts = [list(source.get_dataset("train", shuffle=False,
                                    shard_info=seqio.ShardInfo(k, 3)).as_numpy_iterator())
           for k in range(3)]
  assert [len(p) for p in parts] == [4, 4, 4]
  # Shard k holds the k-th contiguous index range.
  assert [e["targets"] for p in parts for e in p] == whole
  assert source.list_shards("train") == ["train[0:12]"]
  sql_tasks.configure(examples_per_shard=5)
  try:
    assert source.list_shards("train") == ["train[0:4]", "train[4:8]", "train[8:12]"]
  finally:
    sql_tasks.configure(examples_per_shard=1000)


def test_seqio_test_utils_end_to_end():
  task = seqio.get_mixture_or_task(sql_tasks.TASK_NAME)
  ds = task.get_dataset(LENGTHS, split="test", shuffle=False)
  ex = next(ds.as_numpy_iterator())
  test_utils.assert_dataset(
      ds.take(1),
      {"inputs_pretokenized": ex["inputs_pretokenized"],
       "targets_pretokenized": ex["targets_pretokenized"],
       "inputs": ex["inputs"].tolist(), "targets": ex["targets"].tolist()})
  target = ex["targets_pretokenized"].decode()
  metrics = test_utils.test_postprocessing(
      sql_tasks.TASK_NAME,
      raw_data={"validation": {"inputs": "x", "targets": target + ", Team CSC, 0"}},
      predict_output=["0, team csc, " + target],  # order and case don't matter
      score_output=[0.0],
      target_feature_name="targets")
  assert metrics == {"denotation_accuracy": 100.0}


def test_metric_counts_duplicates():
  m = sql_tasks.sql_denotation_accuracy
  assert m(["0, 0", "Team CSC"], ["0, 0", "team csc"]) == {"denotation_accuracy": 100.0}
  assert m(["0, 0"], ["0"]) == {"denotation_accuracy": 0.0}
  assert np.isclose(m(["1969, 1972", "3"], ["1972, 1969", "4"])["denotation_accuracy"], 50.0)


def test_no_input_is_trimmed_at_2048_tokens():
  """Every example fits 2,047 tokens + EOS, so SeqIO trims nothing and each target
  is the answer on rows the model sees (the byte vocabulary: one token per byte)."""
  sizes = {"train": 240, "validation": 60, "test": 60}
  sql_tasks.configure(num_examples=sizes)
  task = seqio.get_mixture_or_task(sql_tasks.TASK_NAME)
  vocab = task.output_features["inputs"].vocabulary
  longest = 0
  for split, n in sizes.items():
    got = list(task.get_dataset({"inputs": 2048, "targets": 128}, split=split,
                                shuffle=False).as_numpy_iterator())
    assert len(got) == n  # num_input_examples is exact
    for g in got:
      untrimmed = len(vocab.encode(g["inputs_pretokenized"].decode()))
      assert untrimmed <= 2047
      assert len(g["inputs"]) == untrimmed + 1 and g["inputs"][-1] == 1  # whole + EOS
      longest = max(longest, untrimmed)
  assert longest > 1900  # large tables are cut to the budget, not far below it


def test_configured_max_input_length():
  sql_tasks.configure(max_input_length=512)
  try:
    task = seqio.get_mixture_or_task(sql_tasks.TASK_NAME)
    got = list(task.get_dataset({"inputs": 512, "targets": 128}, split="train",
                                shuffle=False).as_numpy_iterator())
    assert got and all(len(g["inputs_pretokenized"]) <= 511 for g in got)
  finally:
    sql_tasks.configure(max_input_length=sql_tasks.DEFAULT_MAX_INPUT_LENGTH)


def test_shipped_sample_warns_once(monkeypatch, caplog):
  monkeypatch.delenv("SYMTUNE_WTQ_ROOT", raising=False)
  monkeypatch.setattr(sql_tasks, "_SAMPLE_WARNED", False)
  sql_tasks.configure()  # a fresh builder
  source = seqio.get_mixture_or_task(sql_tasks.TASK_NAME).source
  with caplog.at_level(logging.WARNING):
    for _ in range(2):
      list(source.get_dataset("test", shuffle=False).as_numpy_iterator())
      sql_tasks.configure()
  warnings = [r for r in caplog.records if "demo sample" in r.getMessage()]
  assert len(warnings) == 1 and "$SYMTUNE_WTQ_ROOT" in warnings[0].getMessage()
