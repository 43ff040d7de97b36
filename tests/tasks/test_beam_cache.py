"""SeqIO's Beam cache of the SQL task over 2 worker processes equals on-the-fly generation.

Needs Apache Beam (``pip install -e '.[beam]'``; `make test-beam` runs this in
its own virtualenv); skips without it. The settings reach the workers only
through the Gin file given to ``python -m symtune_jax.beam_cache``.
"""

import collections
import os
import pathlib
import re
import subprocess
import sys

import gin
import pytest
import seqio

import symtune_jax.tasks  # noqa: F401  (registers the tasks)
from symtune_jax import beam_cache
from symtune_jax.tasks import sql as sql_tasks

REPO = pathlib.Path(__file__).resolve().parents[2]
SIZES = {"train": 12, "validation": 6, "test": 6}
GIN = f"""
import symtune_jax.tasks.sql
symtune.sql_execution.num_examples = {SIZES!r}
symtune.sql_execution.examples_per_shard = 5
symtune.sql_execution.seed = 3
"""


def test_mixture_tasks_and_gin_for_workers():
  names = beam_cache.mixture_tasks(["symtune_sql_instruction_mix"])
  assert sql_tasks.TASK_NAME in names and len(names) > 1 and names == sorted(set(names))
  sql_tasks.reset()
  try:
    config = beam_cache.parse_driver_gin([], ["symtune.sql_execution.seed = 3"])
    assert "sql_execution.seed = 3" in config
    gin.clear_config()
    assert sql_tasks.current().seed == 0
    beam_cache.GinSetup("")()  # a worker with nothing to apply
    beam_cache._APPLIED.clear()  # pylint: disable=protected-access
    beam_cache.GinSetup(config)()  # what a worker runs before its shards
    assert sql_tasks.current().seed == 3
  finally:
    gin.clear_config()
    beam_cache._APPLIED.clear()  # pylint: disable=protected-access


def _texts(ds):
  return collections.Counter(
      (ex["inputs_pretokenized"], ex["targets_pretokenized"], tuple(ex["inputs"].tolist()),
       tuple(ex["targets"].tolist())) for ex in ds.as_numpy_iterator())


def test_beam_cache_two_workers_equals_on_the_fly(tmp_path):
  pytest.importorskip("apache_beam")
  gin_file = tmp_path / "cache.gin"
  gin_file.write_text(GIN)
  out = tmp_path / "cache"
  env = dict(os.environ, PYTHONPATH=os.pathsep.join(
      [str(REPO)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
  proc = subprocess.run(
      [sys.executable, "-m", "symtune_jax.beam_cache", f"--tasks={sql_tasks.TASK_NAME}",
       f"--output_cache_dir={out}", f"--gin_file={gin_file}", "--min_shards=2",
       "--pipeline_options=--runner=DirectRunner,--direct_num_workers=2,"
       "--direct_running_mode=multi_processing", "--alsologtostderr"],
      cwd=REPO, env=env, capture_output=True, text=True, timeout=900, check=False)
  log = proc.stdout + proc.stderr
  (tmp_path / "beam.log").write_text(log)
  assert proc.returncode == 0, log[-3000:]
  # The driver listed >= 2 index-range shards per split ...
  listed = dict(re.findall(rf"{sql_tasks.TASK_NAME} (\w+) None shards: (\d+)", log))
  assert {s: int(n) for s, n in listed.items()} == {"train": 3, "validation": 2, "test": 2}
  # ... and the workers built each of them.
  built = set(re.findall(r"Processing shard: (\w+\[\d+:\d+\])", log))
  assert built == {"train[0:4]", "train[4:8]", "train[8:12]", "validation[0:3]",
                   "validation[3:6]", "test[0:3]", "test[3:6]"}
  task_dir = out / sql_tasks.TASK_NAME
  assert (task_dir / "COMPLETED").is_file()

  task = seqio.get_mixture_or_task(sql_tasks.TASK_NAME)
  sql_tasks.reset()
  try:
    gin.parse_config(GIN)
    fresh = {s: _texts(task.get_dataset(None, split=s, shuffle=False)) for s in SIZES}
    seqio.add_global_cache_dirs([str(out)])
    task._cache_dir = None  # pylint: disable=protected-access
    assert task.cache_dir == str(task_dir)
    cached = {s: _texts(task.get_dataset(None, split=s, shuffle=False, use_cached=True))
              for s in SIZES}
  finally:
    gin.clear_config()
    seqio.set_global_cache_dirs([])
    task._cache_dir = None  # pylint: disable=protected-access
  for split, n in SIZES.items():
    assert sum(fresh[split].values()) == n
    assert cached[split] == fresh[split], split
