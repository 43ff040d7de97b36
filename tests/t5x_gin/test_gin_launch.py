"""`gin_check.check_launch`: a T5X launch's paths, vocabulary and macros, before T5X runs."""

import shlex

import pytest

from symtune_jax import gin_check, settings
from symtune_jax.errors import InputError
from symtune_jax.tasks import vocab

REPO = gin_check.REPO_ROOT
EXP = REPO / "gin_configs" / "experiments"
SQL = EXP / "sql_flan_t5_xl.gin"
EVAL = EXP / "eval_table.gin"
SMOKE_EVAL = EXP / "smoke_cpu_eval.gin"
BUCKET_DIR = "--gin.MODEL_DIR='gs://my-bucket/symtune/run'"


def _check(path, *flags, vocab_spec=None):
  overrides = [gin_check.parse_override(f) for f in flags]
  return gin_check.check_launch([path], overrides, vocab_spec=vocab_spec)


def _checkpoint(tmp_path, name="checkpoint_4", marker="checkpoint"):
  d = tmp_path / "model" / name
  (d / marker).parent.mkdir(parents=True, exist_ok=True)
  (d / marker).write_bytes(b"\x82")
  return d


def test_parse_override_reads_gin_values():
  assert gin_check.parse_override("--gin.MODEL_DIR='/tmp/m'") == ("MODEL_DIR", "/tmp/m")
  assert gin_check.parse_override("--gin.TRAIN_STEPS=4") == ("TRAIN_STEPS", 4)
  assert gin_check.parse_override("--gin.utils.SaveCheckpointConfig.period=2") == (
      "utils.SaveCheckpointConfig.period", 2)
  with pytest.raises(InputError, match=r"--gin.MODEL_DIR=\"'/tmp/m'\""):
    gin_check.parse_override("--gin.MODEL_DIR=/tmp/m")  # shell ate the quotes
  with pytest.raises(InputError, match="NAME=VALUE"):
    gin_check.parse_override("--gin.MODEL_DIR")


def test_paper_launch_is_ready_with_t5_vocabulary():
  report = _check(SQL, BUCKET_DIR)
  assert report.problems == []
  notes = "\n".join(report.notes)
  # gs:// defaults cannot be checked offline: said, with the macro and file:line.
  assert ("gin_configs/models/flan_t5_xl.gin:17: INITIAL_CHECKPOINT_PATH = "
          "%FLAN_T5_CHECKPOINT = 'gs://t5-data/pretrained_models/t5x/flan_t5_xl/"
          "checkpoint_1138000': GCS path not checked") in notes
  assert "gin_configs/models/flan_t5_xl.gin:19: VOCABULARY_PATH" in notes


def test_required_macro_left_unset():
  problems = _check(SQL).problems
  assert problems == ["t5x/configs/runs/finetune.gin: MODEL_DIR is %gin.REQUIRED: pass "
                      "--gin.MODEL_DIR=..."]


def test_override_of_unknown_macro_suggests():
  problems = _check(SQL, BUCKET_DIR, "--gin.TRAIN_STEP=10").problems
  assert problems == ["--gin.TRAIN_STEP: no macro TRAIN_STEP in this config "
                      "(did you mean TRAIN_STEPS?)"]


def test_missing_local_checkpoint_names_macro_and_flag(tmp_path):
  ckpt = tmp_path / "model" / "checkpoint_9"
  problems = _check(EVAL, f"--gin.CHECKPOINT_PATH='{ckpt}'",
                    "--gin.EVAL_OUTPUT_DIR='/tmp/e'").problems
  assert len(problems) == 1
  assert problems[0].startswith(f"--gin.CHECKPOINT_PATH: CHECKPOINT_PATH = '{ckpt}': no "
                                "such checkpoint")
  assert "does not exist either" in problems[0]


def test_model_dir_instead_of_checkpoint_suggests_latest(tmp_path):
  _checkpoint(tmp_path, "checkpoint_4")
  _checkpoint(tmp_path, "checkpoint_12")
  model = tmp_path / "model"
  problems = _check(EVAL, f"--gin.CHECKPOINT_PATH='{model}'",
                    "--gin.EVAL_OUTPUT_DIR='/tmp/e'").problems
  assert len(problems) == 1 and "is a model folder, not a checkpoint" in problems[0]
  assert f"did you mean {model}/checkpoint_12 (the latest)?" in problems[0]
  # A missing step in an existing model folder lists the steps there.
  problems = _check(EVAL, f"--gin.CHECKPOINT_PATH='{model}/checkpoint_5'",
                    "--gin.EVAL_OUTPUT_DIR='/tmp/e'").problems
  assert "holds checkpoint_4, checkpoint_12" in problems[0]


@pytest.mark.parametrize("marker", ["checkpoint", "state/checkpoint", "_METADATA"])
def test_t5x_and_orbax_checkpoints_pass(tmp_path, marker):
  ckpt = _checkpoint(tmp_path, marker=marker)
  report = _check(SMOKE_EVAL, f"--gin.CHECKPOINT_PATH='{ckpt}'",
                  "--gin.EVAL_OUTPUT_DIR='/tmp/e'", vocab_spec="byte")
  assert report.problems == []


def test_folder_without_checkpoint_files(tmp_path):
  (tmp_path / "empty").mkdir()
  problems = _check(SMOKE_EVAL, f"--gin.CHECKPOINT_PATH='{tmp_path / 'empty'}'",
                    "--gin.EVAL_OUTPUT_DIR='/tmp/e'", vocab_spec="byte").problems
  assert len(problems) == 1 and "is not a T5X checkpoint" in problems[0]


def test_overridden_flan_checkpoint_is_followed(tmp_path):
  problems = _check(SQL, BUCKET_DIR, f"--gin.FLAN_T5_CHECKPOINT='{tmp_path}/nope'").problems
  assert len(problems) == 1
  assert problems[0].startswith("--gin.FLAN_T5_CHECKPOINT: INITIAL_CHECKPOINT_PATH = "
                                f"%FLAN_T5_CHECKPOINT = '{tmp_path}/nope': no such checkpoint")


def test_checkpoint_set_in_a_file_names_file_and_line(tmp_path):
  exp = tmp_path / "x.gin"
  exp.write_text(SQL.read_text() + "FLAN_T5_CHECKPOINT = 'rel/ckpt'\n")
  line = len(exp.read_text().splitlines())
  problems = gin_check.check_launch([exp], [gin_check.parse_override(BUCKET_DIR)],
                                    vocab_spec="t5").problems
  assert len(problems) == 1
  assert problems[0].startswith(f"{exp}:{line}: INITIAL_CHECKPOINT_PATH = "
                                "%FLAN_T5_CHECKPOINT = 'rel/ckpt': no such checkpoint")
  assert "relative paths are from" in problems[0]


@pytest.mark.parametrize("path,why", [
    ("gs://YOUR_BUCKET/symtune/x", "unedited placeholder"),
    ("gs://bucket-only", "expected gs://BUCKET/OBJECT"),
    ("gs:/one-slash/x", "expected gs://BUCKET/OBJECT"),
])
def test_malformed_gcs_paths(path, why):
  problems = _check(EVAL, f"--gin.CHECKPOINT_PATH='{path}'",
                    "--gin.EVAL_OUTPUT_DIR='/tmp/e'").problems
  if path.startswith("gs:/o"):  # not a URL at all: a local path that does not exist
    assert "no such checkpoint" in problems[0]
    return
  assert len(problems) == 1 and "is not a well-formed GCS path" in problems[0]
  assert why in problems[0]


def test_malformed_output_dir():
  problems = _check(SQL, "--gin.MODEL_DIR='gs://YOUR_BUCKET/run'").problems
  assert len(problems) == 1 and "MODEL_DIR = 'gs://YOUR_BUCKET/run' is not a well-formed" \
      in problems[0]


def test_vocabulary_mismatch_says_which_to_set():
  problems = _check(SQL, BUCKET_DIR, vocab_spec="byte").problems
  assert len(problems) == 1
  p = problems[0]
  assert p.startswith("gin_configs/models/flan_t5_xl.gin:19: vocabulary mismatch: the model "
                      f"uses the SentencePiece model '{vocab.T5_SPM_PATH}' (VOCABULARY_PATH) "
                      "but the tasks use seqio.ByteVocabulary (vocab 'byte' from the caller)")
  assert p.endswith("Fix: set symtune.settings.vocab = 't5' (Gin) for this model "
                    "(the T5 SentencePiece model)")
  # By default the tasks' vocabulary is the launch's own: the model file binds it.
  assert _check(SQL, BUCKET_DIR).problems == []
  problems = _check(SQL, BUCKET_DIR, "--gin.symtune.settings.vocab='byte'").problems
  assert len(problems) == 1 and "(vocab 'byte' from --gin.symtune.settings.vocab)" in problems[0]
  # The byte model with the tasks on T5's vocabulary (the default).
  problems = _check(EXP / "smoke_cpu.gin", "--gin.MODEL_DIR='/tmp/m'", vocab_spec="t5").problems
  assert len(problems) == 1
  assert "gin_configs/models/tiny_byte.gin:" in problems[0]
  assert "the model uses seqio.ByteVocabulary (VOCABULARY)" in problems[0]
  assert problems[0].endswith("Fix: set symtune.settings.vocab = 'byte' (Gin) for this model")


def test_local_vocabulary_file(tmp_path):
  model = tmp_path / "spm.model"
  model.write_bytes(b"\n\x0b")
  flag = f"--gin.VOCABULARY_PATH='{model}'"
  assert _check(SQL, BUCKET_DIR, flag, vocab_spec=str(model)).problems == []
  problems = _check(SQL, BUCKET_DIR, flag, vocab_spec="t5").problems
  assert len(problems) == 1 and "vocabulary mismatch" in problems[0]
  assert f"Fix: set symtune.settings.vocab = '{model}' (Gin) for this model (the same file)" \
      in problems[0]
  # Without an explicit spec the model file's binding follows the flag: no mismatch.
  assert _check(SQL, BUCKET_DIR, flag).problems == []
  other = tmp_path / "other.model"
  problems = _check(SQL, BUCKET_DIR, flag, vocab_spec=str(other)).problems
  assert f"or --gin.VOCABULARY_PATH=\"'{other}'\"" in problems[0]
  missing = tmp_path / "missing.model"
  problems = _check(SQL, BUCKET_DIR, f"--gin.VOCABULARY_PATH='{missing}'",
                    vocab_spec=str(missing)).problems
  assert problems == [f"--gin.VOCABULARY_PATH: VOCABULARY_PATH = '{missing}': no such "
                      "vocabulary file (the path does not exist)"]


def _header_launch(path):
  """(env, flags) of the launch command in a gin file's header (env: none is needed)."""
  lines = [l[1:].strip() for l in gin_check.parse(path).header.splitlines()]
  i = next(k for k, l in enumerate(lines) if "python -m t5x." in l)
  start = i
  while start > 0 and lines[start - 1].endswith("\\") and "=" in lines[start - 1]:
    start -= 1
  end = i
  while lines[end].endswith("\\"):
    end += 1
  words = shlex.split(" ".join(l.rstrip("\\") for l in lines[start:end + 1]))
  env = dict(w.split("=", 1) for w in words[:words.index("python")])
  return env, words[words.index("python") + 3:]


@pytest.mark.parametrize("path", gin_check.experiment_files(), ids=lambda p: p.name)
def test_header_launch_commands_pass_the_check(path, tmp_path):
  env, flags = _header_launch(path)
  files = [REPO / f.split("=", 1)[1] for f in flags if f.startswith("--gin_file=")]
  assert files == [path]
  overrides = []
  for f in flags:
    if f.startswith("--gin."):
      name, value = gin_check.parse_override(f.replace("YOUR_BUCKET", "my-bucket"))
      if name == "CHECKPOINT_PATH" and not value.startswith("gs://"):
        value = str(_checkpoint(tmp_path))  # the smoke run's checkpoint, made here
      overrides.append((name, value))
  assert env == {}  # no environment: settings are --gin flags
  report = gin_check.check_launch(files, overrides)
  assert report.problems == []


@pytest.mark.parametrize("name,roots", [
    ("sql_flan_t5_xl.gin", ["wtq_root", "niv2_tasks_dir"]),
    ("symbol_tuning_flan_t5_xl.gin", ["tweeteval_root", "tfds_dir"]),
    ("insta_wtq_flan_t5_xl.gin", ["wtq_root", "niv2_tasks_dir", "tweeteval_root"]),
    ("eval_table.gin", ["wtq_root", "wikisql_root", "sqa_root", "tabfact_root",
                        "svamp_root"]),
    ("eval_bbh.gin", ["bbh_root"]),
    ("eval_bbh_rankclass.gin", ["bbh_root"]),
    ("eval_mmlu.gin", ["mmlu_root"]),
    ("infer_rankclass.gin", ["bbh_root"]),
])
def test_paper_launch_commands_set_data_roots(name, roots):
  env, flags = _header_launch(EXP / name)
  assert env == {}
  given = [f.split("=", 1)[0][len("--gin.symtune.settings."):] for f in flags
           if f.startswith("--gin.symtune.settings.")]
  assert sorted(given) == sorted(roots)
  assert set(given) <= set(settings.SETTINGS)


def test_feature_lengths_must_match_the_task_budget():
  problems = _check(SQL, BUCKET_DIR,
                    "--gin.TASK_FEATURE_LENGTHS={'inputs': 1024, 'targets': 128}").problems
  assert len(problems) == 1
  assert ("TASK_FEATURE_LENGTHS['inputs'] is 1024 but the tasks build inputs for 2048 "
          "tokens (symtune.settings.inputs_length from gin_configs/experiments/sql_flan_t5_xl"
          ".gin:" in problems[0])
  assert problems[0].endswith("Fix: set INPUTS_LENGTH (the shipped run files bind both from "
                              "it) or symtune.settings.inputs_length = 1024")
  assert _check(SQL, BUCKET_DIR, "--gin.INPUTS_LENGTH=1024").problems == []


def test_command_line(tmp_path, capsys, monkeypatch):
  monkeypatch.chdir(REPO)
  monkeypatch.setenv("SYMTUNE_VOCAB", "byte")
  ckpt = _checkpoint(tmp_path)
  argv = ["--gin_search_paths=.", "--gin_file=gin_configs/experiments/smoke_cpu_eval.gin",
          f"--gin.CHECKPOINT_PATH='{ckpt}'", "--gin.EVAL_OUTPUT_DIR='/tmp/e'"]
  assert gin_check.main(argv) == 0
  assert "0 problem(s); ready to launch" in capsys.readouterr().out
  argv[2] = f"--gin.CHECKPOINT_PATH='{tmp_path}/nope'"
  assert gin_check.main(argv) == 1
  out = capsys.readouterr().out
  assert f"error: --gin.CHECKPOINT_PATH: CHECKPOINT_PATH = '{tmp_path}/nope': no such " \
         "checkpoint" in out
  assert "1 problem(s)" in out
  # the tasks' vocabulary differs from the model's
  assert gin_check.main(["gin_configs/experiments/smoke_cpu.gin", "--gin.MODEL_DIR='/tmp/m'",
                         "--gin.symtune.settings.vocab='t5'"]) == 1
  assert "vocabulary mismatch" in capsys.readouterr().out
  assert gin_check.main(["gin_configs/experiments/smoke_cpu.gin", "--gin.MODEL_DIR=/tmp/m"]) == 2
  assert "strings need quotes" in capsys.readouterr().err
  assert gin_check.main(["gin_configs/experiments/nope.gin"]) == 2
  assert "nope.gin: no such gin file" in capsys.readouterr().err
