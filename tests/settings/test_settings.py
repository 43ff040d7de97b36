"""The one settings path: override > Gin > env > ../shared/data > package sample > default."""

import inspect
import pathlib

import gin
import pytest

from symtune_jax import settings
from symtune_jax.errors import InputError


@pytest.fixture(autouse=True)
def _clean(monkeypatch):
  for s in settings.SETTINGS.values():
    monkeypatch.delenv(s.env_var, raising=False)
  gin.clear_config()
  yield
  gin.clear_config()


def test_gin_parameters_are_the_settings():
  params = inspect.signature(settings._gin_settings).parameters
  assert tuple(params) == tuple(settings.SETTINGS)


def test_rule_order(monkeypatch, tmp_path):
  shared = tmp_path / "shared"
  (shared / "wtq" / "official").mkdir(parents=True)
  monkeypatch.setenv("SYMTUNE_SHARED_DATA", str(shared))
  assert settings.resolve("wtq_root") == (shared / "wtq" / "official", "shared")
  monkeypatch.setenv("SYMTUNE_WTQ_ROOT", str(tmp_path / "env"))
  assert settings.resolve("wtq_root") == (tmp_path / "env", "$SYMTUNE_WTQ_ROOT")
  gin.parse_config(f"symtune.settings.wtq_root = '{tmp_path / 'gin'}'")
  assert settings.resolve("wtq_root") == (tmp_path / "gin", "gin")
  with settings.override(wtq_root=tmp_path / "flag"):
    assert settings.resolve("wtq_root") == (tmp_path / "flag", "override")
  assert settings.resolve("wtq_root")[1] == "gin"


def test_package_sample_when_no_shared(monkeypatch, tmp_path):
  monkeypatch.setenv("SYMTUNE_SHARED_DATA", str(tmp_path / "nothing"))
  value, origin = settings.resolve("wtq_root")
  assert origin == "package" and value == settings.PACKAGE_DATA / "wtq_sample"
  assert settings.resolve("tabfact_root") == (None, "default")
  with pytest.raises(InputError, match="symtune.settings.tabfact_root"):
    settings.require_root("tabfact_root")


def test_int_settings_and_errors(monkeypatch):
  assert settings.feature_lengths() == {"inputs": 2048, "targets": 512}
  monkeypatch.setenv("SYMTUNE_INPUTS_LENGTH", "abc")
  with pytest.raises(InputError, match="SYMTUNE_INPUTS_LENGTH.*integer"):
    settings.get("inputs_length")
  gin.parse_config("symtune.settings.inputs_length = 512")
  assert settings.get("inputs_length") == 512


def test_misspelled_gin_binding_fails():
  with pytest.raises(ValueError, match="vocabb"):
    gin.parse_config("symtune.settings.vocabb = 'byte'")


def test_unknown_override_fails():
  with pytest.raises(KeyError, match="unknown setting"):
    with settings.override(nope=1):
      pass


def test_child_env_and_describe(monkeypatch):
  env = settings.child_env(inputs_length=512)
  assert env["SYMTUNE_INPUTS_LENGTH"] == "512"
  rows = {name: (value, origin) for name, value, origin, _ in settings.describe()}
  assert rows["inputs_length"] == ("2048", "default")


def test_override_reaches_other_threads():
  """tf.data runs task generators in its own threads: overrides are process-wide."""
  import threading  # pylint: disable=g-import-not-at-top
  seen = []
  with settings.override(inputs_length=300):
    t = threading.Thread(target=lambda: seen.append(settings.get("inputs_length")))
    t.start()
    t.join()
  assert seen == [300] and settings.get("inputs_length") == 2048


def test_vocabulary_is_resolved_when_used_not_at_import():
  """Tasks registered before Gin binds the vocabulary still use the bound one."""
  import seqio  # pylint: disable=g-import-not-at-top
  from symtune_jax.tasks import vocab  # pylint: disable=g-import-not-at-top
  feature = vocab.output_features()["inputs"]
  with settings.override(vocab="byte"):
    assert feature.vocabulary == seqio.ByteVocabulary()
    assert feature.vocabulary.encode("hi") == seqio.ByteVocabulary().encode("hi")
  gin.parse_config("symtune.settings.vocab = 'byte'")
  assert vocab.TaskVocabulary() == feature.vocabulary == seqio.ByteVocabulary()
  assert feature.vocabulary != seqio.PassThroughVocabulary(size=3)


def test_unreadable_sentencepiece_model_says_what_to_set(tmp_path):
  from symtune_jax.tasks import vocab  # pylint: disable=g-import-not-at-top
  missing = tmp_path / "nope.model"
  with settings.override(vocab=str(missing)):
    with pytest.raises(InputError, match=r"could not be read .*symtune.settings.vocab = 'byte'"):
      vocab.get_vocabulary()


def test_generate_fails_before_writing_when_the_vocabulary_is_unreadable(tmp_path, monkeypatch):
  from symtune_jax.cli import main  # pylint: disable=g-import-not-at-top
  monkeypatch.setenv("SYMTUNE_VOCAB", str(tmp_path / "nope.model"))
  out = tmp_path / "out"
  assert main.main(["generate", "sql", "--num", "4", "--out", str(out), "--format", "jsonl",
                    "--no-progress", "--max-input-length", "512"]) == 2
  assert not (out / "manifest.json").exists()
