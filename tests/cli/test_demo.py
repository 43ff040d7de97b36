"""`symtune demo`: the README's main job, on shipped data only."""

import importlib.util
import json

import pytest

from symtune_jax.cli import demo
from symtune_jax.cli import main as cli


@pytest.mark.skipif(importlib.util.find_spec("t5x") is not None
                    and importlib.util.find_spec("t5x.train") is not None,
                    reason="T5X installed: tests/t5x runs the T5X half")
def test_demo_without_t5x_builds_inspects_and_prints_commands(tmp_path, monkeypatch, capsys):
  monkeypatch.setenv("SYMTUNE_SHARED_DATA", "/nonexistent")  # a fresh machine
  for var in ("SYMTUNE_WTQ_ROOT", "SYMTUNE_VOCAB"):
    monkeypatch.delenv(var, raising=False)
  out = tmp_path / "demo"
  rc = cli.main(["demo", "--out", str(out), "--num-sql", "20", "--num-examples", "3"])
  text = capsys.readouterr().out
  assert rc == 0
  assert "using the byte vocabulary" in text
  assert (out / "sql" / "manifest.json").is_file()
  report = json.loads((out / "inspect.json").read_text())
  names = [c["task"] for c in report["components"]]
  assert "symtune_sql_execution_v1" in names
  assert report["name"] == demo.build_mixture()
  assert all(c["error"] is None and c["sampled"] > 0 for c in report["components"])
  assert (out / "mixture.png").read_bytes()[:4] == b"\x89PNG"
  assert "T5X is not installed" in text and "docs/T5X.md" in text
  assert "python -m t5x.train --gin_search_paths=. --gin_file=gin_configs/experiments/" \
         "smoke_cpu.gin" in text
  assert f"--gin.MODEL_DIR=\"'{out.resolve()}/t5x_smoke'\"" in text


def test_format_command():
  cmd = ["/venv/bin/python", "-m", "t5x.eval", "--gin.CHECKPOINT_PATH='/a b/c'", "x y"]
  assert demo.format_command(cmd) == (
      "python -m t5x.eval --gin.CHECKPOINT_PATH=\"'/a b/c'\" 'x y'")
