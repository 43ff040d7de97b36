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
