"""`symtune inspect`, `cache` and `score` through the real command line."""

import json
import os

import pytest
import seqio

from symtune_jax.cli import main as cli
from symtune_jax.cli import score as score_cmd


@pytest.fixture(autouse=True)
def _shipped_wtq(monkeypatch):
  monkeypatch.setenv("SYMTUNE_SHARED_DATA", "/nonexistent")
  monkeypatch.delenv("SYMTUNE_WTQ_ROOT", raising=False)


def test_inspect_task_with_plot_and_json(tmp_path, capsys):
  plot, report = tmp_path / "mix.png", tmp_path / "r.json"
  rc = cli.main(["inspect", "symtune_eval_wtq_mix", "--split", "test", "--num-examples", "5",
                 "--show", "2", "--plot", str(plot), "--json", str(report),
                 "--sequence-length", "inputs=1024,targets=64"])
  out = capsys.readouterr().out
  assert rc == 0
  assert "mixture symtune_eval_wtq_mix (split test), 3 component(s)" in out
  assert "33.3%" in out and "[inputs] " in out and "[targets] 2004" in out
  assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
  data = json.loads(report.read_text())
  comp = data["components"][0]
  assert comp["sampled"] == 5 and comp["lengths"]["inputs"]["max"] <= 2048
  assert comp["lengths"]["inputs"]["over_length"] > 0  # byte prompts exceed 1024
  assert abs(sum(c["rate"] for c in data["components"]) - 1.0) < 1e-9


def test_inspect_writes_a_default_plot(tmp_path, monkeypatch, capsys):
  monkeypatch.chdir(tmp_path)
  rc = cli.main(["inspect", "symtune_eval_wtq_mix", "--split", "test", "--num-examples", "2",
                 "--show", "0"])
  out = capsys.readouterr().out
  plot = tmp_path / "symtune_eval_wtq_mix.png"
  assert rc == 0 and plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
  assert f"wrote the composition plot to {plot}" in out
  plot.unlink()
  assert cli.main(["inspect", "symtune_eval_wtq_mix", "--split", "test", "--num-examples",
                   "2", "--show", "0", "--no-plot"]) == 0
  assert "composition plot" not in capsys.readouterr().out
  assert list(tmp_path.iterdir()) == []


def test_inspect_unknown_name_suggests(capsys):
  assert cli.main(["inspect", "symtune_eval_wtq_mixx"]) == 2
  err = capsys.readouterr().err
  assert "no SeqIO mixture or task named 'symtune_eval_wtq_mixx'" in err
  assert "Did you mean: symtune_eval_wtq_mix" in err


def test_inspect_bad_lengths(capsys):
  assert cli.main(["inspect", "symtune_eval_wtq_mix", "--sequence-length", "inputs=x"]) == 2
  assert "--sequence-length" in capsys.readouterr().err


def test_inspect_missing_data_is_reported_per_component(tmp_path, monkeypatch, capsys):
  monkeypatch.setenv("SYMTUNE_SQA_ROOT", str(tmp_path))
  monkeypatch.chdir(tmp_path)
  rc = cli.main(["inspect", "symtune_eval_sqa_qa_v1", "--split", "test", "--num-examples", "2"])
  out = capsys.readouterr().out
  assert rc == 1 and "ERROR" in out and "SYMTUNE_SQA_ROOT" in out
  assert "no composition plot: every component failed" in out
  assert not (tmp_path / "symtune_eval_sqa_qa_v1.png").exists()


def test_cache_round_trip_through_seqio(tmp_path, capsys):
  out = tmp_path / "cache"
  rc = cli.main(["cache", "symtune_eval_wtq_qa_v1", "--out", str(out), "--split", "test",
                 "--max-examples", "4"])
  assert rc == 0
  d = out / "symtune_eval_wtq_qa_v1"
  assert sorted(os.listdir(d)) == ["COMPLETED", "info.test.json", "stats.test.json",
                                   "test.tfrecord-00000-of-00001"]
  stats = json.loads((d / "stats.test.json").read_text())
  assert stats["examples"] == 4 and stats["targets_tokens"] > 0
  seqio.add_global_cache_dirs([str(out)])
  task = seqio.get_mixture_or_task("symtune_eval_wtq_qa_v1")
  task._cache_dir = None  # pylint: disable=protected-access
  cached = list(task.get_dataset({"inputs": 2048, "targets": 128}, split="test",
                                 use_cached=True, shuffle=False).as_numpy_iterator())
  fresh = list(task.get_dataset({"inputs": 2048, "targets": 128}, split="test",
                                shuffle=False).take(4).as_numpy_iterator())
  assert len(cached) == 4
  for a, b in zip(cached, fresh):
    assert a["inputs"].tolist() == b["inputs"].tolist()
    assert a["targets_pretokenized"] == b["targets_pretokenized"]
    assert a["answers"].tolist() == b["answers"].tolist()
  assert cli.main(["cache", "symtune_eval_wtq_qa_v1", "--out", str(out), "--split",
                   "test"]) == 2
  assert "--overwrite" in capsys.readouterr().err
  assert cli.main(["cache", "symtune_eval_wtq_qa_v1", "--out", str(out), "--split",
                   "train"]) == 2


def test_cache_overwrite_keeps_old_cache_when_the_write_fails(tmp_path, monkeypatch,
                                                              capsys):
  from symtune_jax.cli import cache as cache_cmd  # pylint: disable=g-import-not-at-top
  out = tmp_path / "cache"
  args = ["cache", "symtune_eval_wtq_qa_v1", "--out", str(out), "--split", "test"]
  assert cli.main(args + ["--max-examples", "2"]) == 0
  d = out / "symtune_eval_wtq_qa_v1"
  before = {p.name: p.read_bytes() for p in d.iterdir()}
  real_write_split = cache_cmd.write_split

  def failing_write_split(task, split, directory, **kw):
    real_write_split(task, split, directory, **kw)  # files half-way into the new cache
    raise OSError("disk full")

  monkeypatch.setattr(cache_cmd, "write_split", failing_write_split)
  with pytest.raises(OSError, match="disk full"):
    cli.main(args + ["--max-examples", "3", "--overwrite"])
  assert {p.name: p.read_bytes() for p in d.iterdir()} == before  # old cache intact
  assert sorted(os.listdir(out)) == ["symtune_eval_wtq_qa_v1"]  # no temp folders left
  monkeypatch.setattr(cache_cmd, "write_split", real_write_split)
  assert cli.main(args + ["--max-examples", "3", "--overwrite"]) == 0
  assert json.loads((d / "stats.test.json").read_text())["examples"] == 3
  assert sorted(os.listdir(out)) == ["symtune_eval_wtq_qa_v1"]
  capsys.readouterr()


def test_score_infer_and_eval_files(testdata, tmp_path, capsys):
  report = tmp_path / "scores.json"
  rc = cli.main(["score", str(testdata / "t5x"), "--select-templates", "--json", str(report)])
  out = capsys.readouterr().out
  assert rc == 0
  results = {r["task"]: r for r in json.loads(report.read_text())["results"]}
  assert results["symtune_eval_svamp_plain_v1"]["lines"] == 4  # two shards joined
  assert results["symtune_eval_svamp_plain_v1"]["metrics"] == {"numeric_accuracy": 75.0}
  wtq = results["symtune_eval_wtq_qa_v1"]["metrics"]
  # 'bangkok, thailand' is two answers for the one gold 'Bangkok, Thailand' (official
  # rule); '12467' matches '12,467' through its canon value 12467.0.
  assert wtq["denotation_accuracy"] == pytest.approx(100 / 3)
  assert wtq["denotation_accuracy_or_whole"] == pytest.approx(200 / 3)
  assert results["symtune_eval_tabfact_yes_no_v1"]["metrics"] == {"tabfact_accuracy": 50.0}
  assert "best template for wtq: table_first (100.00" in out


def test_score_malformed_lines_name_file_and_line(tmp_path, capsys):
  f = tmp_path / "symtune_eval_svamp_plain_v1-predict.jsonl-00000-of-00001"
  f.write_text('{"inputs": {"targets_pretokenized": "1"}, "prediction": "1"}\n{"inputs": \n')
  assert cli.main(["score", str(f)]) == 2
  assert f"{f}:2: not valid JSON" in capsys.readouterr().err
  f.write_text('{"inputs": {"targets_pretokenized": "1"}}\n')
  assert cli.main(["score", str(f)]) == 2
  assert "field 'prediction'" in capsys.readouterr().err
  g = tmp_path / "notes.txt"
  g.write_text("x")
  assert cli.main(["score", str(g)]) == 2
  assert "not a T5X output file" in capsys.readouterr().err
  h = tmp_path / "symtune_eval_nope_v1-predict.jsonl-00000-of-00001"
  h.write_text('{"inputs": {"targets_pretokenized": "1"}, "prediction": "1"}\n')
  assert cli.main(["score", str(h)]) == 2
  assert "no SeqIO mixture or task named 'symtune_eval_nope_v1'" in capsys.readouterr().err


def test_score_rank_classification_infer_file(testdata, tmp_path, monkeypatch, capsys):
  """A score-mode file as `t5x.infer` writes it for a *_rankclass task."""
  monkeypatch.setenv("SYMTUNE_MMLU_ROOT", str(testdata / "mmlu"))
  name = "symtune_eval_mmlu_anatomy_rankclass_v1"
  task = seqio.get_mixture_or_task(name)
  exs = list(task.get_dataset(None, split="test", shuffle=False).as_numpy_iterator())
  f = tmp_path / f"{name}-score.jsonl-00000-of-00001"
  with open(f, "w") as out:
    for ex in exs:  # right option scores best for question 0 only
      good = bool(ex["is_correct"]) if ex["idx"][0] == 0 else ex["idx"][1] == 3
      out.write(json.dumps({"inputs": {"inputs_pretokenized": ex["inputs_pretokenized"].decode(),
                                       "targets_pretokenized": ex["targets_pretokenized"].decode()},
                            "score": -1.0 if good else -7.5}) + "\n")
  assert cli.main(["score", str(f)]) == 0
  assert "rank_classification_accuracy=50.00" in capsys.readouterr().out
  lines = f.read_text().splitlines()
  lines[0] = lines[0].replace("The following", "Some other")
  f.write_text("\n".join(lines) + "\n")
  assert cli.main(["score", str(f), "--split", "test"]) == 2
  assert f"{f}:1" in capsys.readouterr().err


def test_classify_names():
  c = score_cmd.classify("/x/symtune_eval_wtq_qa_v1-score.jsonl-00003-of-00008")
  assert (c.task, c.kind, c.mode) == ("symtune_eval_wtq_qa_v1", "infer", "score")
  c = score_cmd.classify("symtune_eval_bbh_navigate_v1-001000.jsonl")
  assert (c.task, c.kind, c.mode) == ("symtune_eval_bbh_navigate_v1", "eval", "001000")
  assert score_cmd.classify("symtune_eval_bbh_navigate_v1-metrics.jsonl") is None


def _dead_pid() -> int:
  import subprocess  # pylint: disable=g-import-not-at-top
  import sys  # pylint: disable=g-import-not-at-top
  proc = subprocess.Popen([sys.executable, "-c", "pass"])
  proc.wait()
  return proc.pid


def test_cache_removes_temp_folders_a_killed_run_left(tmp_path):
  from symtune_jax.cli import cache as cache_cmd  # pylint: disable=g-import-not-at-top
  out = tmp_path / "cache"
  dead, alive = _dead_pid(), os.getpid()
  stale = out / f".tmp-symtune_eval_wtq_qa_v1-{dead}-abc"
  other_run = out / f".tmp-symtune_eval_wtq_qa_v1-{alive}-xyz"
  old = out / f".old-symtune_eval_wtq_qa_v1-{dead}-q"
  for d in (stale, other_run, old):
    (d / "sub").mkdir(parents=True)
  # A kill between the two renames: the cache folder is missing, its old copy aside.
  cache_cmd.clean_stale(str(out / "symtune_eval_wtq_qa_v1"))
  assert sorted(os.listdir(out)) == sorted(["symtune_eval_wtq_qa_v1", other_run.name])
  assert (out / "symtune_eval_wtq_qa_v1" / "sub").is_dir()  # the old cache put back
  old.mkdir()
  stale.mkdir()
  assert cli.main(["cache", "symtune_eval_wtq_qa_v1", "--out", str(out), "--split", "test",
                   "--max-examples", "2", "--overwrite"]) == 0
  assert sorted(os.listdir(out)) == sorted(["symtune_eval_wtq_qa_v1", other_run.name])
