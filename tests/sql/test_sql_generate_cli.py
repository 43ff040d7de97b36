"""`symtune generate sql`: output, resume after a kill, table sources, workers, bad input."""

import gc
import glob
import json
import os

import pytest

from symtune_jax.cli.main import main
from symtune_jax.sql import builder as sx
from symtune_jax.sql.splits import split_of


def _jsonl(out):
  rows = []
  for p in sorted(glob.glob(os.path.join(out, "sql-train.jsonl-*"))):
    with open(p) as f:
      rows.extend(json.loads(line) for line in f)
  return rows


def _gen(out, *extra):
  return main(["generate", "sql", "--num", "120", "--out", str(out), "--shards", "4",
               "--format", "jsonl", "--no-progress", *extra])


def test_writes_shards_and_summary(tmp_path, capsys):
  assert _gen(tmp_path / "a") == 0
  rows = _jsonl(tmp_path / "a")
  assert [r["index"] for r in rows] == list(range(120))  # no index failed here
  summary = json.loads((tmp_path / "a" / "summary-train.json").read_text())
  assert summary["examples"] == 120 and summary["shards"] == 4
  assert sum(summary["shapes"].values()) == 120
  assert "skip reasons" in capsys.readouterr().out


def test_in_process_run_sets_the_collector_up_then_hands_it_back(tmp_path, monkeypatch):
  from symtune_jax.cli import generate  # pylint: disable=g-import-not-at-top
  seen = []
  run_job = generate.run_job

  def spy(job, report=None):
    seen.append((gc.get_freeze_count(), gc.isenabled()))
    builder = generate._WORKER["builder"]  # pylint: disable=protected-access
    assert builder.chunk == sx.GENERATION_CHUNK  # the settings that go with it
    assert builder.executor.memo_size == sx.GENERATION_MEMO
    return run_job(job, report)

  checkpoints = []
  checkpoint = sx.gc_checkpoint
  monkeypatch.setattr(sx, "gc_checkpoint", lambda: checkpoints.append(1) or checkpoint())
  monkeypatch.setattr(generate, "run_job", spy)
  before = gc.get_freeze_count()
  assert gc.isenabled()
  assert _gen(tmp_path / "a") == 0
  assert len(seen) == 4
  assert min(n for n, _ in seen) > before  # generating: the tables are frozen
  assert not any(enabled for _, enabled in seen)  # and the collector is off,
  assert len(checkpoints) == 4  # but for a pass before each round (a shard of 30: one round)
  assert gc.get_freeze_count() == before  # after: back in the collector's care
  assert gc.isenabled()


def test_gc_checkpoint_collects_cycles_and_does_nothing_outside_generation():
  class Node:
    pass

  def garbage_cycle():
    a, b = Node(), Node()
    a.b, b.a = b, a
    return id(a)

  frozen = gc.get_freeze_count()
  sx.gc_checkpoint()  # not generating: nothing frozen
  assert gc.get_freeze_count() == frozen
  with sx.generation_gc():
    assert not gc.isenabled()
    garbage_cycle()
    assert any(type(o) is Node for o in gc.get_objects())  # pylint: disable=unidiomatic-typecheck
    sx.gc_checkpoint()
    assert not any(type(o) is Node for o in gc.get_objects())  # pylint: disable=unidiomatic-typecheck
    assert gc.get_freeze_count() > frozen
  assert gc.isenabled() and gc.get_freeze_count() == frozen


def test_resume_after_kill_loses_and_duplicates_nothing(tmp_path):
  ref, out = tmp_path / "ref", tmp_path / "out"
  assert _gen(ref) == 0
  assert _gen(out) == 0
  # Simulate a kill: shard 1 never finished (data without stats), shard 2 left only a
  # temp file, shard 3 was lost entirely.
  os.remove(out / "sql-train.stats-00001-of-00004.json")
  os.rename(out / "sql-train.jsonl-00002-of-00004", out / ".tmp-sql-train.jsonl-00002-x")
  os.remove(out / "sql-train.stats-00002-of-00004.json")
  for p in glob.glob(str(out / "sql-train.*-00003-of-00004*")):
    os.remove(p)
  mtime0 = os.path.getmtime(out / "sql-train.jsonl-00000-of-00004")
  assert _gen(out) == 0
  assert os.path.getmtime(out / "sql-train.jsonl-00000-of-00004") == mtime0  # kept
  assert not glob.glob(str(out / ".tmp-*"))
  assert _jsonl(out) == _jsonl(ref)
  assert json.loads((out / "summary-train.json").read_text()) == json.loads(
      (ref / "summary-train.json").read_text())


def test_tfrecord_output_reads_back(tmp_path):
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  assert main(["generate", "sql", "--num", "10", "--out", str(tmp_path), "--format", "both",
               "--no-progress"]) == 0
  (path,) = glob.glob(str(tmp_path / "sql-train.tfrecord-*"))
  feats = {k: tf.io.FixedLenFeature([], tf.string)
           for k in ("inputs", "targets", "table_id", "shape", "sql")}
  feats["num_answers"] = tf.io.FixedLenFeature([], tf.int64)
  got = [tf.io.parse_single_example(r, feats) for r in tf.data.TFRecordDataset(path)]
  want = _jsonl(tmp_path)
  assert [g["targets"].numpy().decode() for g in got] == [w["targets"] for w in want]
  assert [int(g["num_answers"]) for g in got] == [w["num_answers"] for w in want]


def test_other_settings_in_same_folder_is_an_error(tmp_path, capsys):
  assert _gen(tmp_path) == 0
  assert main(["generate", "sql", "--num", "121", "--out", str(tmp_path), "--shards", "4",
               "--format", "jsonl", "--no-progress"]) == 2
  assert "num differ" in capsys.readouterr().err
  assert len(_jsonl(tmp_path)) == 120  # nothing lost


def test_bad_template_file_fails_before_writing(tmp_path, capsys):
  assert _gen(tmp_path / "out") == 0
  before = _jsonl(tmp_path / "out")
  bad = tmp_path / "t.txt"
  bad.write_text("SELECT COUNT(*) FROM w\nSELECT {c1:text} FROM w WHERE (\n")
  code = main(["generate", "sql", "--num", "120", "--out", str(tmp_path / "out"),
               "--shards", "4", "--format", "jsonl", "--no-progress", "--mode", "templates",
               "--templates", str(bad), "--overwrite"])
  assert code == 2
  err = capsys.readouterr().err
  assert f"{bad}:2" in err and "does not parse" in err and "Traceback" not in err
  assert _jsonl(tmp_path / "out") == before


@pytest.mark.parametrize("args,msg", [
    (["--num", "0"], "--num"),
    (["--num", "5", "--shards", "9"], "--shards"),
    (["--num", "5", "--tables", "/nonexistent"], "--tables"),
    (["--num", "5", "--tables", __file__], "a .py file; expected a WikiTableQuestions"),
    (["--num", "5", "--max-input-length", "8"], "--max-input-length"),
    (["--num", "5", "--templates", __file__], "--mode"),
])
def test_bad_flags(tmp_path, capsys, args, msg):
  assert main(["generate", "sql", "--out", str(tmp_path), "--no-progress", *args]) == 2
  assert msg in capsys.readouterr().err


def test_two_workers_same_output(tmp_path):
  assert _gen(tmp_path / "one") == 0
  assert _gen(tmp_path / "two", "--workers", "2") == 0
  assert _jsonl(tmp_path / "two") == _jsonl(tmp_path / "one")


def _summary(out):
  return json.loads((out / "summary-train.json").read_text())


def _csv_tables(folder, n=12):
  folder.mkdir()
  for k in range(n):
    rows = "\n".join(f"p{k}_{i},{i * (k + 1)},{2000 + i}" for i in range(8))
    (folder / f"t{k}.csv").write_text(f"name,points,year\n{rows}\n")
  return folder


def test_tables_from_a_csv_file_a_jsonl_file_and_a_folder(tmp_path, capsys, caplog):
  folder = _csv_tables(tmp_path / "csvs")
  (folder / "broken.csv").write_text("a,b\n1\n")
  train = [p for p in sorted(folder.glob("t*.csv"))
           if split_of(p.stem) == "train"]
  one = train[0]
  args = ["generate", "sql", "--num", "20", "--format", "jsonl", "--no-progress"]
  assert main([*args, "--out", str(tmp_path / "file"), "--tables", str(one)]) == 0
  assert {r["table_id"] for r in _jsonl(tmp_path / "file")} == {one.stem}
  assert main([*args, "--out", str(tmp_path / "dir"), "--tables", str(folder)]) == 0
  rows = _jsonl(tmp_path / "dir")
  assert len(rows) == 20 and len({r["table_id"] for r in rows}) > 1
  summary = _summary(tmp_path / "dir")
  assert summary["table_skips"] == {"table_ragged_row": 1}
  assert "table_ragged_row: 1" in capsys.readouterr().out
  assert "broken.csv:2" in caplog.text and "ragged_row" in caplog.text
  jsonl = tmp_path / "t.jsonl"
  jsonl.write_text(json.dumps({"table_id": one.stem, "header": ["name", "points"],
                               "rows": [[f"p{i}", i] for i in range(6)]}) + "\n")
  assert main([*args, "--out", str(tmp_path / "jl"), "--tables", str(jsonl)]) == 0
  assert {r["table_id"] for r in _jsonl(tmp_path / "jl")} == {one.stem}


def test_a_bad_single_csv_is_a_clean_error(tmp_path, capsys):
  bad = tmp_path / "bad.csv"
  bad.write_text("a,b\n1,2\n3,4,5\n")
  assert main(["generate", "sql", "--num", "5", "--out", str(tmp_path / "o"),
               "--no-progress", "--tables", str(bad)]) == 2
  err = capsys.readouterr().err
  assert f"{bad}:3" in err and "Traceback" not in err


def test_shards_default_to_at_least_workers(tmp_path, capsys):
  assert _gen_default(tmp_path / "two", "--workers", "2") == 0
  assert _summary(tmp_path / "two")["shards"] == 2
  assert len(glob.glob(str(tmp_path / "two" / "sql-train.jsonl-*"))) == 2
  assert _gen_default(tmp_path / "one") == 0
  assert _jsonl(tmp_path / "two") == _jsonl(tmp_path / "one")
  # A resume with fewer workers keeps the folder's shards (nothing redone).
  assert _gen_default(tmp_path / "two", "--workers", "1") == 0
  assert "resuming: 2 of 2 shards already complete" in capsys.readouterr().err
  # More workers than examples: a note, not a silent cap.
  assert main(["generate", "sql", "--num", "2", "--out", str(tmp_path / "few"), "--format",
               "jsonl", "--no-progress", "--shards", "1", "--workers", "3"]) == 0
  assert "only 1 of --workers 3" in capsys.readouterr().err


def _gen_default(out, *extra):
  return main(["generate", "sql", "--num", "30", "--out", str(out), "--format", "jsonl",
               "--no-progress", *extra])


def test_shipped_sample_note_and_max_input_length(tmp_path, capsys, monkeypatch):
  monkeypatch.delenv("SYMTUNE_WTQ_ROOT", raising=False)
  # A fresh clone: no ../shared/data, so the wtq_root setting falls to the sample.
  monkeypatch.setenv("SYMTUNE_SHARED_DATA", str(tmp_path / "no-shared-data"))
  assert main(["generate", "sql", "--num", "30", "--out", str(tmp_path), "--format", "jsonl",
               "--no-progress", "--max-input-length", "512"]) == 0
  assert "demo sample shipped in the package" in capsys.readouterr().err
  rows = _jsonl(tmp_path)
  assert len(rows) == 30
  assert max(len(r["inputs"].encode("utf-8")) for r in rows) <= 511  # byte vocabulary
