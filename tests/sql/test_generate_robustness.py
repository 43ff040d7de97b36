"""`symtune generate sql` robustness: --overwrite, kill -9 with workers, TFRecord bytes."""

import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest

from symtune_jax.cli import generate
from symtune_jax.cli.main import main

REPO = pathlib.Path(__file__).resolve().parents[2]


def _args(out, *extra):
  return ["generate", "sql", "--num", "40", "--out", str(out), "--shards", "2",
          "--format", "jsonl", "--no-progress", *extra]


def _files(out):
  return {p.name: p.read_bytes() for p in pathlib.Path(out).iterdir() if p.is_file()}


def test_failed_overwrite_keeps_the_old_shards(tmp_path, monkeypatch, capsys):
  out, ref = tmp_path / "out", tmp_path / "ref"
  assert main(_args(out)) == 0
  before = _files(out)
  real = generate.run_job
  calls = []

  def failing(job, report=None):
    calls.append(job.shard)
    if len(calls) == 2:
      raise RuntimeError("disk full")
    return real(job, report)

  monkeypatch.setattr(generate, "run_job", failing)
  with pytest.raises(RuntimeError, match="disk full"):
    main(_args(out, "--seed", "1", "--overwrite"))
  assert _files(out) == before  # old shards, stats, summary and manifest untouched
  monkeypatch.setattr(generate, "run_job", real)
  assert main(_args(out, "--seed", "1", "--overwrite")) == 0  # resumes the staged run
  assert "resuming: 1 of 2" in capsys.readouterr().err
  assert main(_args(ref, "--seed", "1")) == 0
  assert _files(out) == _files(ref)
  assert not (out / generate.STAGING).exists()


@pytest.mark.parametrize("extra", [[], ["--max-input-length", "512"]])
def test_tfrecord_bytes_same_across_runs_and_no_tensorflow(tmp_path, extra):
  code = ("import sys; from symtune_jax.cli.main import main; "
          "rc = main(['generate', 'sql', '--num', '30', '--out', sys.argv[1], "
          "'--format', 'tfrecord', '--no-progress'] + sys.argv[2:]); "
          "print(rc, 'tensorflow' in sys.modules)")
  env = {**os.environ, "PYTHONPATH": str(REPO), "SYMTUNE_VOCAB": "byte"}
  outs = []
  for name in ("a", "b"):
    run = subprocess.run([sys.executable, "-c", code, str(tmp_path / name), *extra], env=env,
                         capture_output=True, text=True, check=True)
    assert run.stdout.split()[-2:] == ["0", "False"], run.stderr
    (path,) = (tmp_path / name).glob("sql-train.tfrecord-*")
    outs.append(path.read_bytes())
  assert outs[0] == outs[1]


def _alive(pid):
  psutil = pytest.importorskip("psutil")
  try:
    return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
  except psutil.NoSuchProcess:
    return False


def test_kill_9_of_the_driver_ends_the_workers(tmp_path):
  psutil = pytest.importorskip("psutil")
  env = {**os.environ, "PYTHONPATH": str(REPO)}
  proc = subprocess.Popen(
      [sys.executable, "-m", "symtune_jax.cli.main", "generate", "sql", "--num", "400000",
       "--workers", "2", "--shards", "4", "--format", "jsonl", "--no-progress",
       "--out", str(tmp_path / "out")], env=env, stdout=subprocess.DEVNULL,
      stderr=subprocess.DEVNULL)
  try:
    children = []
    for _ in range(600):  # until both workers run (spawned interpreters are slow to start)
      children = psutil.Process(proc.pid).children(recursive=True)
      workers = [c for c in children if "spawn_main" in " ".join(c.cmdline())]
      if len(workers) >= 2 and all(c.cpu_times().user > 0.5 for c in workers):
        break
      time.sleep(0.1)
    assert len(workers) >= 2, [c.cmdline() for c in children]
    children = psutil.Process(proc.pid).children(recursive=True)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 30  # a bound on orphans, not a speed check
    while time.monotonic() < deadline and any(_alive(c.pid) for c in children):
      time.sleep(0.2)
    left = [c.pid for c in children if _alive(c.pid)]
    assert not left, f"still running after the driver's kill -9: {left}"
  finally:
    if proc.poll() is None:
      proc.kill()


def test_local_sentencepiece_lengths_match_seqio(tmp_path, monkeypatch):
  spm = pytest.importorskip("sentencepiece")
  seqio = pytest.importorskip("seqio")
  from symtune_jax.tables import sample  # pylint: disable=g-import-not-at-top
  from symtune_jax.tables import linearize  # pylint: disable=g-import-not-at-top
  texts = [linearize.tapex(t) for t in sample.load_sample_tables()[:40]]
  corpus = tmp_path / "corpus.txt"
  corpus.write_text("\n".join(texts))
  spm.SentencePieceTrainer.train(input=str(corpus), model_prefix=str(tmp_path / "m"),
                                 vocab_size=300, model_type="unigram")
  model = str(tmp_path / "m.model")
  monkeypatch.setenv("SYMTUNE_VOCAB", model)
  fn = generate.vocab_length_fn()
  vocab = seqio.SentencePieceVocabulary(model)
  for text in texts + ["Execute the SQL: SELECT \"a|b\" FROM w; ünï ✓", ""]:
    assert fn(text) == len(vocab.encode(text))
