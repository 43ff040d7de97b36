"""Mixtures from rates files: round trip, offline build, clear errors."""

import importlib
import json
import logging

import pytest
import seqio

from symtune_jax.cli import main
from symtune_jax.errors import InputError
from symtune_jax.selection import mixture_rates, rates_file
from symtune_jax.tasks import mixtures

LENGTHS = {"inputs": 1024, "targets": 64}


@pytest.fixture(autouse=True)
def run_lengths(monkeypatch):
  """The tasks build inputs for the lengths these tests run with (as a Gin file binds)."""
  monkeypatch.setenv("SYMTUNE_INPUTS_LENGTH", str(LENGTHS["inputs"]))
  # SQL execution on the ~100 shipped tables, whatever ../shared/data holds.
  monkeypatch.setenv("SYMTUNE_SHARED_DATA", "/nonexistent")
  monkeypatch.delenv("SYMTUNE_WTQ_ROOT", raising=False)


def _write(path, rates, tasks):
  rates_file.write(path, rates_file.make(
      target={"name": "wtq", "source": "target", "instructions": ["Q?"]},
      encoder="enc", method="mean", k=len(rates), rates=rates, tasks=tasks,
      ranking=[]))


def test_checked_in_mixture_builds_offline():
  assert "symtune_wtq_insta_mix" in mixtures.MIXTURES
  data = rates_file.read(mixture_rates.default_dir() / "wtq_insta.json")
  assert data["target"]["name"] == "wtq" and data["k"] == 5
  assert data["rates"]["symtune_sql_execution_v1"] == 0.25
  mix = seqio.get_mixture_or_task("symtune_wtq_insta_mix")
  # Every component task makes examples on a fresh clone.
  for task in mix.tasks:
    ds = task.get_dataset(LENGTHS, split="train", shuffle=False)
    ex = next(ds.as_numpy_iterator())
    assert len(ex["inputs"]) and len(ex["targets"]), task.name
  ds = mix.get_dataset(LENGTHS, split="train", shuffle=True, seed=0)
  examples = list(ds.take(8).as_numpy_iterator())
  assert len(examples) == 8 and all(len(e["targets"]) for e in examples)


def test_rates_file_round_trips_into_a_mixture(tmp_path, testdata,
                                               monkeypatch):
  monkeypatch.setenv("SYMTUNE_NIV2_TASKS_DIR", str(testdata / "niv2" / "tasks"))
  path = tmp_path / "toy_insta.json"
  _write(path, {
      "symtune_niv2_task9001_symtune_fixture_repeat_v1": 0.75,
      "symtune_sql_execution_v1": 0.25,
  }, {
      "symtune_niv2_task9001_symtune_fixture_repeat_v1": {
          "card": "niv2:task9001_symtune_fixture_repeat"},
      "symtune_sql_execution_v1": {"card": "symbolic:sql_execution"},
  })
  name = mixtures.register_rates_file(path)
  try:
    assert name == "symtune_toy_insta_mix"
    mix = seqio.get_mixture_or_task(name)
    rates = {t.name: mix.get_rate(t) for t in mix.tasks}
    assert rates == {"symtune_niv2_task9001_symtune_fixture_repeat_v1": 0.75,
                     "symtune_sql_execution_v1": 0.25}
    niv2_task = seqio.get_mixture_or_task(
        "symtune_niv2_task9001_symtune_fixture_repeat_v1")
    first = next(niv2_task.get_dataset(LENGTHS, split="train", shuffle=False)
                 .as_numpy_iterator())
    assert first["targets_pretokenized"] == b"cat cat cat"
    ds = mix.get_dataset(LENGTHS, split="train", shuffle=False, seed=0)
    assert len(list(ds.take(4).as_numpy_iterator())) == 4
  finally:
    seqio.MixtureRegistry.remove(name)
    seqio.TaskRegistry.remove(
        "symtune_niv2_task9001_symtune_fixture_repeat_v1")


def test_corrupt_rates_file_names_the_file(tmp_path):
  path = tmp_path / "broken.json"
  path.write_text('{"target": "wtq", "rates": {')
  with pytest.raises(InputError, match="broken.json.*not valid JSON"):
    mixtures.register_rates_file(path)
  # In a folder, the bad file is skipped and remembered, not raised.
  assert mixtures.register_directory(tmp_path) == []
  assert "broken.json" in str(mixtures.load_errors()["symtune_broken_mix"])


def test_unregistered_task_names_file_and_task(tmp_path):
  path = tmp_path / "bad.json"
  _write(path, {"symtune_nosuch_task_v1": 1.0},
         {"symtune_nosuch_task_v1": {"card": "symbolic:nosuch"}})
  with pytest.raises(InputError) as e:
    mixtures.register_rates_file(path)
  assert "bad.json" in str(e.value) and "symtune_nosuch_task_v1" in str(
      e.value)
  _write(path, {"p3:ag_news": 1.0}, {"p3:ag_news": {"card": "p3:ag_news"}})
  # A P3 card has a task now, but not under that name.
  with pytest.raises(InputError, match="symtune_p3_ag_news_v1"):
    mixtures.register_rates_file(path)
  assert "symtune_bad_mix" not in seqio.MixtureRegistry.names()


def test_mixtures_dir_from_env(tmp_path, monkeypatch):
  monkeypatch.setenv("SYMTUNE_MIXTURES_DIR", str(tmp_path))
  assert mixture_rates.default_dir() == tmp_path
  assert mixtures.register_directory() == []
  monkeypatch.setenv("SYMTUNE_MIXTURES_DIR", str(tmp_path / "none"))
  with pytest.raises(InputError, match="mixtures folder not found"):
    mixtures.register_directory()


def test_checked_in_shares_match_rates():
  data = json.loads((mixture_rates.default_dir() / "wtq_insta.json")
                    .read_text())
  total = sum(data["rates"].values())
  assert total == pytest.approx(1.0, abs=1e-5)
  for task, rate in data["rates"].items():
    assert data["shares"][task] == f"{100 * rate / total:.1f}%"


def _reload_mixtures(monkeypatch, directory):
  """Re-runs the import-time registration of the mixtures module."""
  if directory is None:
    monkeypatch.delenv("SYMTUNE_MIXTURES_DIR", raising=False)
  else:
    monkeypatch.setenv("SYMTUNE_MIXTURES_DIR", str(directory))
  importlib.reload(mixtures)


@pytest.fixture()
def restore_mixtures(monkeypatch):
  yield
  monkeypatch.undo()
  importlib.reload(mixtures)  # the repository's mixtures/ again


def test_bad_file_beside_a_good_one_is_skipped_at_import(
    tmp_path, monkeypatch, caplog, capsys, restore_mixtures):
  _write(tmp_path / "good_insta.json", {"symtune_sql_execution_v1": 1.0},
         {"symtune_sql_execution_v1": {"card": "symbolic:sql_execution"}})
  (tmp_path / "broken.json").write_text('{"target": "wtq", "rates": {')
  _write(tmp_path / "lost.json", {"symtune_nosuch_task_v1": 1.0},
         {"symtune_nosuch_task_v1": {"card": "symbolic:nosuch"}})
  with caplog.at_level(logging.WARNING, logger=mixtures.__name__):
    _reload_mixtures(monkeypatch, tmp_path)  # what `import` does: no raise
  try:
    assert mixtures.MIXTURES == ["symtune_good_insta_mix"]
    good = mixtures.require_mixture("symtune_good_insta_mix")
    assert [t.name for t in good.tasks] == ["symtune_sql_execution_v1"]
    # Each skipped file is logged with its reason ...
    logged = caplog.text
    assert "broken.json" in logged and "not valid JSON" in logged
    assert "lost.json" in logged and "symtune_nosuch_task_v1" in logged
    assert set(mixtures.load_errors()) == {"symtune_broken_mix",
                                           "symtune_lost_mix"}
    # ... and asking for its mixture gives the clear error.
    with pytest.raises(InputError) as e:
      mixtures.require_mixture("symtune_broken_mix")
    message = str(e.value)
    assert "broken.json" in message and "not valid JSON" in message
    assert "--check-mixtures" in message and "--force" in message
    with pytest.raises(InputError, match="lost.json.*symtune_nosuch_task_v1"):
      mixtures.require_mixture("symtune_lost_mix")
    with pytest.raises(InputError, match="no SeqIO mixture or task named"):
      mixtures.require_mixture("symtune_never_mix")
    # The check names every bad file and exits non-zero.
    capsys.readouterr()
    assert main.main(["select", "--check-mixtures", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "ok  " in out and "symtune_good_insta_mix" in out
    assert out.count("BAD ") == 2 and "1 of 3 rates files" in out
    (tmp_path / "broken.json").unlink()
    (tmp_path / "lost.json").unlink()
    assert main.main(["select", "--check-mixtures", str(tmp_path)]) == 0
    assert mixtures.load_errors() == {}
  finally:
    seqio.MixtureRegistry.remove("symtune_good_insta_mix")


def test_missing_mixtures_dir_does_not_break_import(
    tmp_path, monkeypatch, restore_mixtures):
  _reload_mixtures(monkeypatch, tmp_path / "none")
  assert mixtures.MIXTURES == []
  with pytest.raises(InputError, match="mixtures folder not found"):
    mixtures.require_mixture("symtune_elsewhere_mix")


def test_checked_in_mixtures_pass_the_check(capsys):
  assert main.main(["select", "--check-mixtures"]) == 0
  out = capsys.readouterr().out
  assert "symtune_wtq_insta_mix" in out and "BAD" not in out
