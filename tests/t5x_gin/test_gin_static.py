"""Gin files checked without T5X: syntax, includes, macros, imports, task names."""

import importlib
import pkgutil

import pytest
import seqio

from symtune_jax import gin_check
from symtune_jax.errors import InputError

GIN = gin_check.GIN_DIR
EXPERIMENTS = gin_check.experiment_files()


def test_layout_and_headers():
  assert {p.name for p in GIN.iterdir() if p.is_dir()} >= {"runs", "models", "experiments"}
  names = {p.stem for p in EXPERIMENTS}
  assert {"sql_flan_t5_xl", "symbol_tuning_flan_t5_xl", "insta_wtq_flan_t5_xl",
          "eval_table", "eval_bbh", "eval_mmlu", "eval_icl", "smoke_cpu"} <= names
  for p in EXPERIMENTS:
    header = gin_check.parse(p).header
    assert "python -m t5x." in header, p
    assert "--gin_file=gin_configs/experiments/" + p.name in header, p
    assert "Expected" in header, p


@pytest.mark.parametrize("path", gin_check.all_gin_files(), ids=lambda p: p.name)
def test_every_gin_file_parses(path, tmp_path):
  """Parses, every include resolves (project file or pinned T5X file), and the
  same text with one broken line fails naming that line."""
  s = gin_check.parse(path)
  manifest = gin_check.load_manifest()
  for include, line in s.includes:
    assert (gin_check.REPO_ROOT / include).is_file() or include in manifest["files"], (
        f"{path}:{line}: include {include!r} resolves nowhere")
  text = path.read_text(encoding="utf-8")
  broken = tmp_path / path.name
  broken.write_text(text + "\nBROKEN = ]\n", encoding="utf-8")
  with pytest.raises(InputError, match=rf"{broken.name}:{text.count(chr(10)) + 2}"):
    gin_check.parse(broken)


def test_experiments_are_consistent():
  problems = gin_check.check_files(EXPERIMENTS)
  assert {p: v for p, v in problems.items() if v} == {}


def test_manifest_matches_pinned_t5x_files():
  manifest = gin_check.load_manifest()
  assert len(manifest["t5x_commit"]) == 40
  finetune = manifest["files"]["t5x/configs/runs/finetune.gin"]
  defined = {e[1]: e[2] for e in finetune["events"] if e[0] == "define"}
  assert defined["MIXTURE_OR_TASK_NAME"] is True and defined["USE_CACHED_TASKS"] is False
  assert "t5x/examples/t5/t5_1_1/base.gin" in manifest["files"][
      "t5x/examples/t5/t5_1_1/xl.gin"]["includes"]


def _experiment(tmp_path, body):
  exp = tmp_path / "gin_configs" / "experiments" / "x.gin"
  exp.parent.mkdir(parents=True)
  (tmp_path / "gin_configs" / "models").mkdir()
  (tmp_path / "gin_configs" / "runs").mkdir()
  for sub in ("models/tiny_byte.gin", "runs/finetune_symtune.gin"):
    (tmp_path / "gin_configs" / sub).write_text((GIN / sub).read_text())
  exp.write_text("# Launch: python -m t5x.train --gin.MODEL_DIR=...\n"
                 "from __gin__ import dynamic_registration\n"
                 "from t5x import utils\n"
                 "include 'gin_configs/models/tiny_byte.gin'\n"
                 "include 'gin_configs/runs/finetune_symtune.gin'\n" + body)
  return exp


GOOD = ("MIXTURE_OR_TASK_NAME = 'symtune_sql_execution_v1'\nTRAIN_STEPS = 4\n"
        "INITIAL_CHECKPOINT_PATH = None\n")


def test_checker_accepts_a_good_file(tmp_path):
  assert gin_check.check_file(_experiment(tmp_path, GOOD), repo_root=tmp_path) == []


@pytest.mark.parametrize("body,message", [
    (GOOD.replace("TRAIN_STEPS", "TRAIN_STEP"), "TRAIN_STEP is set but nothing uses it "
     "(did you mean TRAIN_STEPS?)"),
    (GOOD + "utils.SaveCheckpointConfig.period = %SAVE_PERIOD\n",
     "%SAVE_PERIOD is not defined"),
    (GOOD + "include 'gin_configs/runs/nope.gin'\n", "'gin_configs/runs/nope.gin' not found"),
    (GOOD + "include 't5x/configs/runs/finetun.gin'\n", "is not a T5X gin file"),
    (GOOD.replace("INITIAL_CHECKPOINT_PATH = None\n", ""),
     "INITIAL_CHECKPOINT_PATH is %gin.REQUIRED and not set"),
    (GOOD + "optim.Adam.lr = 2\n", "module 'optim' is not imported"),
])
def test_checker_names_typos(tmp_path, body, message):
  problems = gin_check.check_file(_experiment(tmp_path, body), repo_root=tmp_path)
  assert any(message in p for p in problems), problems


def test_checker_syntax_error_names_file_and_line(tmp_path):
  bad = tmp_path / "bad.gin"
  bad.write_text("FOO = 1\nBAR = [1, 2\n")
  with pytest.raises(InputError, match=r"bad.gin:\d"):
    gin_check.parse(bad)


def test_mixture_and_task_names_are_registered():
  import symtune_jax.tasks  # pylint: disable=g-import-not-at-top
  # Every task family module (what `import symtune_jax.tasks` registers).
  for info in pkgutil.iter_modules(symtune_jax.tasks.__path__):
    importlib.import_module(f"symtune_jax.tasks.{info.name}")
  for p in gin_check.all_gin_files():  # what the gin files import, as T5X would
    for module, _ in gin_check.parse(p).modules:
      if module.startswith("symtune_jax"):
        importlib.import_module(module)
  names = set(seqio.TaskRegistry.names()) | set(seqio.MixtureRegistry.names())
  missing = {}
  for p in EXPERIMENTS:
    for macro in ("MIXTURE_OR_TASK_NAME", "SMOKE_EVAL_TASK"):
      value = gin_check.final_macro_value(p, macro)
      if value is not None and value not in names:
        missing[p.name] = value
  # sql_flan_t5_xl.gin needs method A's mixture (instruction data + 25% SQL).
  assert missing == {}, f"gin files name unregistered mixtures/tasks: {missing}"
