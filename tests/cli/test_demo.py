"""`symtune demo`: the README's main job, on shipped data only."""

import importlib.util
import json

import pytest

from symtune_jax import gin_check
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
  # Each T5X command comes with its check, and scoring uses the console script.
  assert "python -m symtune_jax.gin_check --gin_file=gin_configs/experiments/" \
         "smoke_cpu.gin" in text
  assert f"\n  symtune score {out.resolve()}/t5x_smoke/eval/inference_eval" in text
  assert "symtune_jax.cli.main" not in text


def test_demo_commands_are_checked_before_launch(tmp_path):
  repo = str(gin_check.REPO_ROOT)
  train, evaluate, score = demo.t5x_commands(repo, str(tmp_path), "symtune_demo_wtq_mix")
  assert demo.format_command(score) == (
      f"symtune score {tmp_path}/t5x_smoke/eval/inference_eval")
  assert demo.launch_problems(train, repo, "byte") == []
  # Before training there is no checkpoint: the eval launch is stopped, naming it.
  problems = demo.launch_problems(evaluate, repo, "byte")
  assert len(problems) == 1
  assert problems[0].startswith(f"--gin.CHECKPOINT_PATH: CHECKPOINT_PATH = "
                                f"'{tmp_path}/t5x_smoke/checkpoint_{demo.TRAIN_STEPS}': no such checkpoint")
  ckpt = tmp_path / "t5x_smoke" / f"checkpoint_{demo.TRAIN_STEPS}"
  ckpt.mkdir(parents=True)
  (ckpt / "checkpoint").write_bytes(b"\x82")
  assert demo.launch_problems(evaluate, repo, "byte") == []
  assert "vocabulary mismatch" in demo.launch_problems(train, repo, "t5")[0]


def test_format_command():
  cmd = ["/venv/bin/python", "-m", "t5x.eval", "--gin.CHECKPOINT_PATH='/a b/c'", "x y"]
  assert demo.format_command(cmd) == (
      "python -m t5x.eval --gin.CHECKPOINT_PATH=\"'/a b/c'\" 'x y'")


def test_loss_curve_from_summaries_and_plot(tmp_path):
  pytest.importorskip("tensorboard")
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  writer = tf.summary.create_file_writer(str(tmp_path / "model" / "train"))
  with writer.as_default():  # what T5X writes: tensor summaries, one per stats period
    for step, loss in [(10, 5.5), (20, 4.2), (30, 3.1)]:
      tf.summary.scalar(demo.LOSS_TAG, loss, step=step)
      tf.summary.scalar("loss", loss * 100, step=step)
  writer.close()
  curve = demo.read_loss_curve(str(tmp_path / "model"))
  assert [s for s, _ in curve] == [10, 20, 30]
  assert [round(v, 3) for _, v in curve] == [5.5, 4.2, 3.1]
  demo.plot_loss_curve(curve, str(tmp_path / "loss.png"), "t")
  assert (tmp_path / "loss.png").read_bytes()[:4] == b"\x89PNG"
  with pytest.raises(demo.SymtuneError, match="no 'nope' summary"):
    demo.read_loss_curve(str(tmp_path / "model"), tag="nope")


def test_eval_metrics_reads_the_last_line(tmp_path):
  d = tmp_path / "inference_eval"
  d.mkdir()
  (d / "symtune_eval_wtq_qa_v1-metrics.jsonl").write_text(
      '{"step": 100, "denotation_accuracy": 0.0}\n{"step": 200, "denotation_accuracy": 12.5}\n')
  assert demo.eval_metrics(str(tmp_path)) == {
      "symtune_eval_wtq_qa_v1": {"step": 200, "denotation_accuracy": 12.5}}
