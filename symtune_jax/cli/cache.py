"""`symtune cache`: write a mixture's tasks as TFRecords for T5X's cached-task path.

    symtune cache symtune_wtq_insta_mix --out gs://bucket/seqio_cache --split train
    python -m t5x.train ... --gin.USE_CACHED_TASKS=True \\
        --seqio_additional_cache_dirs=gs://bucket/seqio_cache

For each component task that has a ``seqio.CacheDatasetPlaceholder`` it runs
the preprocessors before the placeholder and writes, in SeqIO's cache layout
(what ``seqio.scripts.cache_tasks_main`` writes with Apache Beam):

    OUT/<task>/info.<split>.json                      features, shapes, dtypes, shards
    OUT/<task>/stats.<split>.json                     examples, token counts
    OUT/<task>/<split>.tfrecord-00000-of-00001        tf.train.Example records
    OUT/<task>/COMPLETED                              written last

so ``task.get_dataset(..., use_cached=True)`` reads it after
``seqio.add_global_cache_dirs([OUT])``. This is a single-process writer, for
the sizes one host handles; for very large tasks use SeqIO's Beam script
(``pip install apache-beam[tfrecord]==2.77.0``). Tasks without a placeholder
are skipped and listed (SeqIO cannot read them from a cache).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from typing import Any

import numpy as np

from symtune_jax.errors import InputError
from symtune_jax.files import atomic_write_json

PROVENANCE_PREFIX = "provenance/"


def add_parser(subparsers) -> None:
  p = subparsers.add_parser(
      "cache", help="write a mixture's tasks as TFRecords for T5X's cached-task path",
      description=__doc__.splitlines()[0])
  p.add_argument("name", help="a registered SeqIO mixture or task")
  p.add_argument("--out", required=True, help="cache root (one folder per task is made)")
  p.add_argument("--split", action="append", dest="splits", metavar="SPLIT",
                 help="split(s) to write (repeatable; default: every split of each task)")
  p.add_argument("--max-examples", type=int, default=None,
                 help="stop each split after this many examples (default: all)")
  p.add_argument("--seed", type=int, default=0, help="preprocessing seed (default 0)")
  p.add_argument("--overwrite", action="store_true", help="replace existing task caches")
  p.set_defaults(func=run)


def _feature_info(value: Any) -> dict[str, Any]:
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  t = tf.constant(value) if not isinstance(value, tf.Tensor) else value
  shape = t.shape.as_list()
  if shape:
    shape = [None] + shape[1:]
  dtype = t.dtype.name if not isinstance(value, np.ndarray) else tf.as_dtype(value.dtype).name
  return {"shape": shape, "dtype": dtype}


def _count_tokens(ex: dict[str, Any], output_features) -> dict[str, int]:
  counts = {}
  for name, feat in output_features.items():
    v = ex.get(name)
    if isinstance(v, np.ndarray) and v.dtype in (np.int32, np.int64):
      valid = np.ones_like(v, dtype=bool)
      if feat.vocabulary.eos_id is not None:
        valid &= v != feat.vocabulary.eos_id
      if feat.vocabulary.pad_id is not None:
        valid &= v != feat.vocabulary.pad_id
      counts[name] = int(valid.sum())
  return counts


def write_split(task, split: str, directory: str, *, seed: int = 0,
                max_examples: int | None = None) -> dict[str, Any]:
  """Writes one split of ``task`` (pre-cache preprocessing) into ``directory``."""
  import seqio  # pylint: disable=g-import-not-at-top
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  ds = task.source.get_dataset(split=split, shuffle=False, seed=seed)
  ds = task.preprocess_precache(ds, seed=seed)
  if max_examples is not None:
    ds = ds.take(max_examples)
  prefix = seqio.utils.get_cached_tfrecord_prefix(directory, split)
  path = f"{prefix}-00000-of-00001"
  stats: dict[str, int] = {"examples": 0}
  info = None
  with tf.io.TFRecordWriter(path) as writer:
    for ex in ds.as_numpy_iterator():
      ex = {k: v for k, v in ex.items() if not k.startswith(PROVENANCE_PREFIX)}
      if info is None:
        info = {"num_shards": 1, "features": {k: _feature_info(v) for k, v in ex.items()},
                "seqio_version": seqio.__version__}
      writer.write(seqio.utils.dict_to_tfexample(ex).SerializeToString())
      stats["examples"] += 1
      for name, n in _count_tokens(ex, task.output_features).items():
        stats[f"{name}_tokens"] = stats.get(f"{name}_tokens", 0) + n
        stats[f"{name}_max_tokens"] = max(stats.get(f"{name}_max_tokens", 0), n)
  if info is None:
    raise InputError(f"task {task.name!r} split {split!r} produced no examples; nothing "
                     "to cache")
  atomic_write_json(seqio.utils.get_cached_info_path(directory, split), info)
  atomic_write_json(seqio.utils.get_cached_stats_path(directory, split), stats)
  return stats


def cache_task(task, out: str, splits: list[str] | None, *, seed: int = 0,
               max_examples: int | None = None, overwrite: bool = False) -> dict[str, Any]:
  """Writes a task's cache under ``out``; returns {split: stats}.

  The task folder is built in a temporary sibling and renamed into place, so
  an interrupted run never leaves a folder that has COMPLETED but misses files.
  With ``overwrite``, an existing cache stays in place until the new one is
  complete: then the old folder is renamed aside, the new one renamed in, and
  the old one deleted. A failed write leaves the old cache as it was.
  """
  import seqio  # pylint: disable=g-import-not-at-top
  final = os.path.join(out, seqio.utils.get_task_dir_from_name(task.name))
  if os.path.exists(final) and not overwrite:
    raise InputError(f"{final} exists; pass --overwrite to replace it", path=final)
  wanted = list(task.splits) if not splits else splits
  unknown = [s for s in wanted if s not in task.splits]
  if unknown:
    raise InputError(f"task {task.name!r} has no split(s) {unknown}; it has "
                     f"{list(task.splits)}", field="--split")
  parent = os.path.dirname(final) or "."
  os.makedirs(parent, exist_ok=True)
  clean_stale(final)
  tmp = tempfile.mkdtemp(prefix=_temp_prefix(".tmp-", final), dir=parent)
  os.chmod(tmp, 0o755)
  try:
    result = {s: write_split(task, s, tmp, seed=seed, max_examples=max_examples)
              for s in wanted}
    with open(os.path.join(tmp, "COMPLETED"), "w", encoding="utf-8") as f:
      f.write("")
    _swap_into_place(tmp, final)
  except BaseException:
    shutil.rmtree(tmp, ignore_errors=True)
    raise
  return result


def _temp_prefix(kind: str, final: str) -> str:
  """'.tmp-<task>-<pid>-': the pid tells a later run whether the writer is still alive."""
  return f"{kind}{os.path.basename(final)}-{os.getpid()}-"


def _pid_alive(pid: int) -> bool:
  try:
    os.kill(pid, 0)
  except ProcessLookupError:
    return False
  except PermissionError:  # alive, another user's
    return True
  return True


def clean_stale(final: str) -> list[str]:
  """Removes the temp folders a killed ``cache`` run left beside ``final``; returns them.

  ``.tmp-<task>-<pid>-*`` (a half-written cache) and ``.old-<task>-<pid>-*``
  (the previous cache, renamed aside just before the new one was renamed in)
  whose process is gone are deleted, except that an ``.old-`` folder is put
  back when ``final`` is missing (the kill fell between the two renames).
  Folders of a live process (another run) are left alone.
  """
  parent = os.path.dirname(final) or "."
  base = os.path.basename(final)
  removed = []
  try:
    names = sorted(os.listdir(parent))
  except FileNotFoundError:
    return removed
  for name in names:
    for kind in (".old-", ".tmp-"):
      prefix = f"{kind}{base}-"
      if not name.startswith(prefix):
        continue
      pid = name[len(prefix):].split("-", 1)[0]
      if not pid.isdigit() or _pid_alive(int(pid)):
        continue
      path = os.path.join(parent, name)
      if kind == ".old-" and not os.path.exists(final):
        os.replace(path, final)
      else:
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
  return removed


def _swap_into_place(new: str, final: str) -> None:
  """Renames folder ``new`` onto ``final``; an existing ``final`` is replaced.

  The old folder is renamed aside first (a directory cannot be renamed over a
  non-empty one), and put back if the second rename fails.
  """
  if not os.path.exists(final):
    os.replace(new, final)
    return
  old = tempfile.mkdtemp(prefix=_temp_prefix(".old-", final),
                         dir=os.path.dirname(final) or ".")
  os.rmdir(old)  # only the unique name is wanted
  os.replace(final, old)
  try:
    os.replace(new, final)
  except BaseException:
    os.replace(old, final)
    raise
  shutil.rmtree(old, ignore_errors=True)


def run(args) -> int:
  # pylint: disable-next=g-import-not-at-top
  from symtune_jax.inspection import components
  from symtune_jax.tasks.mixtures import require_mixture
  if args.max_examples is not None and args.max_examples <= 0:
    raise InputError("must be positive", field="--max-examples")
  provider = require_mixture(args.name)
  written, skipped = {}, []
  for task, _ in components(provider):
    if not task.supports_caching:
      skipped.append(task.name)
      print(f"skip {task.name}: no seqio.CacheDatasetPlaceholder in its preprocessors "
            "(SeqIO reads it on the fly only)")
      continue
    splits = [s for s in (args.splits or task.splits) if s in task.splits]
    if not splits:
      skipped.append(task.name)
      print(f"skip {task.name}: none of the splits {args.splits} (has {list(task.splits)})")
      continue
    stats = cache_task(task, args.out, splits, seed=args.seed,
                       max_examples=args.max_examples, overwrite=args.overwrite)
    written[task.name] = stats
    for split, s in stats.items():
      print(f"wrote {task.name} {split}: {s['examples']} examples "
            f"({', '.join(f'{k}={v}' for k, v in s.items() if k.endswith('_tokens'))})")
  print(json.dumps({"out": args.out, "cached": sorted(written), "skipped": skipped}))
  if not written:
    raise InputError(f"nothing cached: no component of {args.name!r} supports caching")
  print(f"\nTrain from the cache: --gin.USE_CACHED_TASKS=True "
        f"--seqio_additional_cache_dirs={args.out}")
  return 0
