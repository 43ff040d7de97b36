"""With T5X installed: parse and bind every gin file, run a tiny fine-tune, eval, infer.

(This folder is not named ``tests/t5x``: ``tests/`` is on ``sys.path`` under
pytest, and a ``t5x`` folder there would pass for the T5X package.)
"""

import importlib
import json
import os
import pathlib
import subprocess
import sys

import pytest

pytest.importorskip("t5x.train")
import gin  # pylint: disable=g-import-not-at-top

from symtune_jax import gin_check, settings  # pylint: disable=g-import-not-at-top
from symtune_jax.tasks import evaluation as eval_tasks  # pylint: disable=g-import-not-at-top
from symtune_jax.tasks import sql as sql_tasks  # pylint: disable=g-import-not-at-top
from symtune_jax.tasks import symbols as symbol_tasks  # pylint: disable=g-import-not-at-top
from symtune_jax.tasks import vocab  # pylint: disable=g-import-not-at-top


@gin.configurable("run_lengths", module="tests_t5x_gin")
def run_lengths(lengths=None):
  """TASK_FEATURE_LENGTHS as T5X sees it (macros resolved)."""
  return lengths

REPO = gin_check.REPO_ROOT
SAMPLE = REPO / "symtune_jax" / "data" / "wtq_sample"


def _run_module(path: pathlib.Path) -> str:
  """Which T5X script a gin file configures (what `__main__` is when T5X runs it)."""
  # pylint: disable-next=protected-access
  closure = gin_check._closure(path, REPO, gin_check.load_manifest())
  for rel in closure.t5x:
    for script in ("finetune", "eval", "infer"):
      if rel == f"t5x/configs/runs/{script}.gin":
        return {"finetune": "t5x.train", "eval": "t5x.eval", "infer": "t5x.infer"}[script]
  raise AssertionError(f"{path} includes no T5X run file")


LAUNCH_BINDINGS = ["MODEL_DIR = '/tmp/unused'", "EVAL_OUTPUT_DIR = '/tmp/unused'",
                   "INFER_OUTPUT_DIR = '/tmp/unused'", "CHECKPOINT_PATH = '/tmp/unused'"]


@pytest.mark.parametrize("path", gin_check.experiment_files(), ids=lambda p: p.name)
def test_parse_and_bind(path, monkeypatch):
  module = importlib.import_module(_run_module(path))
  monkeypatch.setitem(sys.modules, "__main__", module)
  import t5x  # pylint: disable=g-import-not-at-top
  gin.clear_config(clear_constants=True)
  try:
    gin.add_config_file_search_path(str(REPO))
    gin.add_config_file_search_path(os.path.dirname(os.path.dirname(t5x.__file__)))
    gin.parse_config_files_and_bindings([str(path)], [], finalize_config=False)
    gin.parse_config("tests_t5x_gin.run_lengths.lengths = %TASK_FEATURE_LENGTHS")
    for b in LAUNCH_BINDINGS:
      name = b.split(" =")[0]
      try:
        gin.query_parameter(f"%{name}")
      except ValueError:
        continue  # not a macro of this run
      gin.bind_parameter(f"%{name}", b.split("= ")[1].strip("'"))
    gin.finalize()
    task = gin.query_parameter("%MIXTURE_OR_TASK_NAME")
    assert task.startswith("symtune_")
    fn = {"t5x.train": "train", "t5x.eval": "evaluate", "t5x.infer": "infer"}[module.__name__]
    bound = gin.get_bindings(getattr(module, fn))
    assert "model" in bound and "partitioner" in bound
    # The tasks build inputs for exactly the run's inputs length: not longer
    # (SeqIO would trim them), not shorter (wasted context).
    run = run_lengths()
    assert run["inputs"] in (512, 2048)
    assert settings.feature_lengths() == {"inputs": run["inputs"], "targets": run["targets"]}
    assert sql_tasks.max_input_length() == run["inputs"]
    assert symbol_tasks.prompt_budget() == run["inputs"] - 1
    assert eval_tasks.input_length() == run["inputs"]
    # And the tasks tokenize with the model's vocabulary (T5X's own check).
    model_vocab = gin.query_parameter("%VOCABULARY")
    assert vocab.vocabulary_spec() in ("byte", "t5", vocab.T5_SPM_PATH)
    if "ByteVocabulary" in str(model_vocab):
      assert vocab.vocabulary_spec() == "byte"
    else:
      assert vocab.vocabulary_spec() == gin.query_parameter("%VOCABULARY_PATH")
  finally:
    gin.clear_config(clear_constants=True)


def _small_wtq(tmp_path: pathlib.Path, n: int = 8) -> pathlib.Path:
  root = tmp_path / "wtq"
  lines = (SAMPLE / "data" / "sample.tsv").read_text().splitlines()[: n + 1]
  (root / "data").mkdir(parents=True)
  (root / "data" / "sample.tsv").write_text("\n".join(lines) + "\n")
  for line in lines[1:]:
    context = line.split("\t")[2]
    (root / context).parent.mkdir(parents=True, exist_ok=True)
    (root / context).write_bytes((SAMPLE / context).read_bytes())
  return root


def _t5x(args, env, log):
  proc = subprocess.run([sys.executable, "-m", *args], cwd=REPO, env=env,
                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                        timeout=900, check=False)
  log.write_text(proc.stdout)
  assert proc.returncode == 0, proc.stdout[-3000:]
  return proc.stdout


def test_tiny_finetune_eval_infer_and_score(tmp_path):
  # No SYMTUNE_* variable: the smoke files set the vocabulary and lengths, and
  # a data root is a --gin flag like any other setting.
  env = {k: v for k, v in os.environ.items() if not k.startswith("SYMTUNE_")}
  env["JAX_PLATFORMS"] = "cpu"
  wtq = _small_wtq(tmp_path)
  root_flag = f"--gin.symtune.settings.wtq_root='{wtq}'"
  model_dir = tmp_path / "model"
  out = _t5x(["t5x.train", "--gin_search_paths=.",
              "--gin_file=gin_configs/experiments/smoke_cpu.gin", root_flag,
              f"--gin.MODEL_DIR='{model_dir}'"], env, tmp_path / "train.log")
  assert "cross_ent_loss=" in out
  assert (model_dir / "checkpoint_4").is_dir()
  assert (model_dir / "inference_eval" / "symtune_eval_wtq_qa_v1-000004.jsonl").is_file()
  # The launch check accepts the checkpoint T5X really wrote, and points from
  # the model folder to it.
  eval_gin = REPO / "gin_configs" / "experiments" / "smoke_cpu_eval.gin"
  outputs = ("EVAL_OUTPUT_DIR", str(tmp_path / "eval"))
  report = gin_check.check_launch(
      [eval_gin], [("CHECKPOINT_PATH", f"{model_dir}/checkpoint_4"), outputs],
      vocab_spec="byte")
  assert report.problems == []
  report = gin_check.check_launch([eval_gin], [("CHECKPOINT_PATH", str(model_dir)), outputs],
                                  vocab_spec="byte")
  assert [f"did you mean {model_dir}/checkpoint_4" in p for p in report.problems] == [True]

  out = _t5x(["t5x.eval", "--gin_search_paths=.",
              "--gin_file=gin_configs/experiments/smoke_cpu_eval.gin", root_flag,
              f"--gin.CHECKPOINT_PATH='{model_dir}/checkpoint_4'",
              f"--gin.EVAL_OUTPUT_DIR='{tmp_path}/eval'"], env, tmp_path / "eval.log")
  assert "symtune_eval_wtq_qa_v1/denotation_accuracy" in out
  metrics = (tmp_path / "eval" / "inference_eval" / "symtune_eval_wtq_qa_v1-metrics.jsonl")
  assert "denotation_accuracy" in json.loads(metrics.read_text().splitlines()[-1])

  _t5x(["t5x.infer", "--gin_search_paths=.",
        "--gin_file=gin_configs/experiments/smoke_cpu_infer.gin", root_flag,
        f"--gin.CHECKPOINT_PATH='{model_dir}/checkpoint_4'",
        f"--gin.INFER_OUTPUT_DIR='{tmp_path}/infer'"], env, tmp_path / "infer.log")
  infer_file = tmp_path / "infer" / "symtune_eval_wtq_qa_v1-predict.jsonl-00000-of-00001"
  lines = [json.loads(l) for l in infer_file.read_text().splitlines()]
  assert len(lines) == 8
  assert set(lines[0]) >= {"inputs", "prediction"}
  assert "targets_pretokenized" in lines[0]["inputs"]

  proc = subprocess.run([sys.executable, "-m", "symtune_jax.cli.main", "score",
                         str(tmp_path / "infer"), str(tmp_path / "eval" / "inference_eval")],
                        cwd=REPO, env=dict(env, SYMTUNE_WTQ_ROOT=str(wtq), SYMTUNE_INPUTS_LENGTH="512"),
                        capture_output=True, text=True, check=False)
  assert proc.returncode == 0, proc.stderr[-2000:]
  rows = [l.split() for l in proc.stdout.splitlines()]
  assert ["symtune_eval_wtq_qa_v1", "predict", "8"] in [r[:3] for r in rows]
  assert ["symtune_eval_wtq_qa_v1", "000004", "4"] in [r[:3] for r in rows]
  assert all(r[3].startswith("denotation_accuracy=") for r in rows[1:])


def test_train_from_cache_with_training_time_eval(tmp_path):
  """The documented flags: USE_CACHED_TASKS=True + --seqio_additional_cache_dirs.

  The training mixture is read from the cache; the training-time inference
  eval (symtune_eval_wtq_qa_v1, not in the cache) builds its data on the fly.
  """
  # The cache is built for the run's inputs length (smoke_cpu.gin: 512): a cache built
  # for longer inputs would fail the trim check when the run reads it.
  env = dict(os.environ, SYMTUNE_VOCAB="byte", SYMTUNE_INPUTS_LENGTH="512",
             SYMTUNE_WTQ_ROOT=str(_small_wtq(tmp_path)), JAX_PLATFORMS="cpu")
  cache = tmp_path / "cache"
  proc = subprocess.run([sys.executable, "-m", "symtune_jax.cli.main", "cache",
                         "symtune_sql_execution_v1", "--out", str(cache), "--split", "train",
                         "--max-examples", "16"],
                        cwd=REPO, env=env, capture_output=True, text=True, check=False)
  assert proc.returncode == 0, proc.stderr[-2000:]
  assert (cache / "symtune_sql_execution_v1" / "COMPLETED").is_file()
  model_dir = tmp_path / "model"
  out = _t5x(["t5x.train", "--gin_search_paths=.",
              "--gin_file=gin_configs/experiments/smoke_cpu.gin",
              f"--gin.MODEL_DIR='{model_dir}'", "--gin.USE_CACHED_TASKS=True",
              f"--seqio_additional_cache_dirs={cache}",
              "--gin.TRAIN_STEPS=2", "--gin.EVAL_PERIOD=2",
              "--gin.utils.SaveCheckpointConfig.period=2"], env, tmp_path / "train.log")
  assert f"'symtune_sql_execution_v1' is cached at {cache}/symtune_sql_execution_v1" in out
  assert "cross_ent_loss=" in out
  assert (model_dir / "checkpoint_2").is_dir()
  assert (model_dir / "inference_eval" / "symtune_eval_wtq_qa_v1-000002.jsonl").is_file()
