"""`symtune generate sql`: write SQL execution examples as sharded TFRecord / JSONL.

    symtune generate sql --num 200000 --out data/sql --workers 2
    symtune generate sql --num 2000 --split validation --out data/sql --format both

Example i of a split is a pure function of (seed, split, i) (every index gives
one: indices 0..NUM-1 are all written), so shards can be
made in any order, by any number of processes, and a killed run resumes: a
shard's files are written to temporary files and renamed when complete, and
its ``.stats.json`` is written last, so on restart complete shards are kept and
incomplete ones are redone. Nothing is duplicated or lost. There are at least
as many shards as --workers (a resume keeps the folder's shard count).
--overwrite of a folder made with other settings writes to DIR/.overwrite-new
and moves the new files in only once the run has succeeded (a failed or killed
run leaves the old shards; rerunning resumes it). Worker processes end with
the driver, even when it is killed with kill -9.

Evaluation tables: tables that evaluation tasks read (WTQ dev and test; SQA,
WikiSQL and TabFact evaluation splits where their roots are set) are never
used, nor those listed with --exclude-tables (or the sql_exclude_tables
setting); they are counted as table_eval_table / table_excluded. Several
tables with the same id: the first is used and a warning names the files.

Tables (--tables): a WikiTableQuestions folder (holding csv/), a folder of
.csv / .jsonl table files, or one .csv / .jsonl file (.csv: RFC 4180, first
record the header; .jsonl: {"table_id", "header", "rows"} per line). Tables
that don't load are skipped, logged and counted (table_<reason>). Without
--tables / --squall: $SYMTUNE_WTQ_ROOT, else the ~100-table demo sample
shipped in the package (a note says so).

Output in DIR:
  manifest.json                              the settings (a resume must match)
  sql-<split>.tfrecord-00000-of-00004 ...    tf.train.Example: inputs, targets,
                                             table_id, shape, sql (bytes),
                                             num_answers (int64); written without
                                             TensorFlow, features in sorted order:
                                             same content, same bytes
  sql-<split>.jsonl-00000-of-00004 ...       the same, one JSON object per line
  sql-<split>.stats-00000-of-00004.json ...  per shard: shapes, answer counts, skips
  summary-<split>.json                       all shards together (also printed)
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import ctypes
import dataclasses
import glob
import json
import math
import multiprocessing
import os
import shutil
import signal
import sys
import threading
import time
from typing import Any, Callable

from tqdm import tqdm

from symtune_jax import settings as settings_mod
from symtune_jax import tfrecord
from symtune_jax.errors import InputError
from symtune_jax.files import atomic_open, atomic_write_json
from symtune_jax.sql import builder as sx
from symtune_jax.sql import table_sources
from symtune_jax.sql.builder import TABLE_SOURCES, GenerationStats
from symtune_jax.sql.sampler import SamplerConfig
from symtune_jax.sql.templates import load_templates
from symtune_jax.tables import truncate

FORMATS = ("tfrecord", "jsonl", "both")
MANIFEST = "manifest.json"
DEFAULT_SHARD_SIZE = 10_000
_PROGRESS_EVERY = 200


def add_parser(subparsers) -> None:
  parser = subparsers.add_parser(
      "generate", help="generate symbolic-task data (e.g. `generate sql`) as sharded "
      "TFRecord/JSONL", description="Generate symbolic-task data.")
  kinds = parser.add_subparsers(dest="kind", metavar="KIND")
  sql = kinds.add_parser(
      "sql", help="SQL execution examples (method A: instruction + SQL + table -> answer)",
      description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
  sql.add_argument("--num", type=int, required=True, help="examples (indices 0..NUM-1)")
  sql.add_argument("--out", required=True, help="output folder (created; resumed if it exists)")
  sql.add_argument("--seed", type=int, default=0, help="generation seed (default 0)")
  sql.add_argument("--split", default="train", choices=("train", "validation", "test"),
                   help="tables of this split (by table id; default train)")
  sql.add_argument("--shards", type=int, default=None,
                   help=f"number of shards (default: one per {DEFAULT_SHARD_SIZE:,} examples)")
  sql.add_argument("--format", default="tfrecord", choices=FORMATS,
                   help="tfrecord (default), jsonl or both")
  src = sql.add_mutually_exclusive_group()
  src.add_argument("--tables", metavar="PATH",
                   help="a WikiTableQuestions folder holding csv/, a folder of .csv/.jsonl "
                   "tables, or one .csv/.jsonl file (default: $SYMTUNE_WTQ_ROOT, else the "
                   "~100 tables shipped in the package)")
  src.add_argument("--squall", metavar="FILE",
                   help="tables in SQUALL/TAPEX JSONL form (e.g. wtq/tables.jsonl)")
  sql.add_argument("--exclude-tables", metavar="FILE",
                   help="a file of table ids (one per line, # comments; or a JSON list) never "
                   "used, besides the tables evaluation tasks read (WTQ dev/test, SQA, "
                   "WikiSQL, TabFact where their roots are set), which are always left out "
                   "(default: the sql_exclude_tables setting)")
  sql.add_argument("--keep-eval-tables", action="store_true",
                   help="also use the tables evaluation tasks read (contaminates zero-shot "
                   "evaluation; for measurements only)")
  sql.add_argument("--mode", default="grammar", choices=("grammar", "templates", "mixed"),
                   help="query sampler: grammar (default), templates, or mixed")
  sql.add_argument("--templates", metavar="FILE",
                   help="template file (.txt or .jsonl) for --mode templates/mixed "
                   "(default: the shipped set)")
  sql.add_argument("--table-budget", type=int, default=1800,
                   help="most (approximate) tokens of the linearized table (default 1800; "
                   "unused with --max-input-length)")
  sql.add_argument("--max-input-length", type=int, default=None, metavar="N",
                   help="bound the whole input to N-1 tokens of the task vocabulary "
                   "($SYMTUNE_VOCAB), as the SeqIO task does with N = 2048; default: only "
                   "the table is bounded, by --table-budget approximate tokens")
  sql.add_argument("--workers", type=int, default=1, help="processes (default 1)")
  sql.add_argument("--overwrite", action="store_true",
                   help="start over in a folder made with other settings")
  sql.add_argument("--no-progress", action="store_true", help="no progress bar")
  sql.set_defaults(func=run)
  parser.set_defaults(func=lambda args: (parser.print_help(), 2)[1])


@dataclasses.dataclass(frozen=True)
class Job:
  """One shard: indices [start, stop) written to ``paths``."""
  shard: int
  start: int
  stop: int
  paths: dict[str, str]  # format -> final path, plus "stats"


def shard_paths(out: str, split: str, shard: int, shards: int, fmt: str) -> dict[str, str]:
  suffix = f"{shard:05d}-of-{shards:05d}"
  paths = {"stats": os.path.join(out, f"sql-{split}.stats-{suffix}.json")}
  for f in (("tfrecord", "jsonl") if fmt == "both" else (fmt,)):
    paths[f] = os.path.join(out, f"sql-{split}.{f}-{suffix}")
  return paths


def plan(num: int, shards: int, out: str, split: str, fmt: str) -> list[Job]:
  """Contiguous, near-equal index ranges, one per shard."""
  bounds = [num * k // shards for k in range(shards + 1)]
  return [Job(k, bounds[k], bounds[k + 1], shard_paths(out, split, k, shards, fmt))
          for k in range(shards)]


def is_complete(job: Job) -> bool:
  return all(os.path.exists(p) for p in job.paths.values())


# --- worker side ----------------------------------------------------------------
_WORKER: dict[str, Any] = {}


def load_source(settings: dict[str, Any], excl=None):
  """(tables, skip reasons) of the settings' table source (loaded once, in the driver)."""
  stats = table_sources.TableLoadStats()
  if excl is None:
    excl = _exclusion(settings)
  tables = table_sources.load_tables(tables=settings["tables"], squall=settings["squall"],
                                     stats=stats, excl=excl)
  return tables, dict(stats.reasons)


def _exclusion(settings: dict[str, Any]):
  return table_sources.exclusion(exclude_eval=settings["exclude_eval_tables"],
                                 exclude_tables=settings["exclude_tables"])


def vocab_length_fn() -> Callable[[str], int]:
  """Token count of the task vocabulary, without TensorFlow where possible.

  'byte': UTF-8 bytes (what seqio.ByteVocabulary counts); a local
  SentencePiece ``.model``: the sentencepiece library directly (the ids
  seqio.SentencePieceVocabulary without extra ids gives); else (the T5 model on
  GCS) through SeqIO, which imports TensorFlow.
  """
  spec = str(settings_mod.get("vocab") or "t5")
  if spec == "byte":
    return truncate.utf8_length
  if spec != "t5" and os.path.isfile(spec):
    try:
      import sentencepiece as spm  # pylint: disable=g-import-not-at-top
    except ImportError:
      spm = None
    if spm is not None:
      sp = spm.SentencePieceProcessor(model_file=spec)
      return lambda text: len(sp.encode(text))
  from symtune_jax.tasks import vocab  # pylint: disable=g-import-not-at-top
  return truncate.vocab_length_fn(vocab.get_vocabulary())


def _watch_parent(parent_pid: int) -> None:
  """Ends this worker when the driver dies, even by kill -9 (no orphans left running).

  Linux: ``prctl(PR_SET_PDEATHSIG, SIGKILL)``; everywhere: a daemon thread that
  exits the process once ``os.getppid()`` is no longer the driver.
  """
  if sys.platform.startswith("linux"):
    try:
      ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
      pass
  if os.getppid() != parent_pid:  # died before we got here
    os._exit(1)  # pylint: disable=protected-access

  def poll():
    while True:
      time.sleep(0.5)
      if os.getppid() != parent_pid:
        os._exit(1)  # pylint: disable=protected-access

  threading.Thread(target=poll, name="watch-parent", daemon=True).start()


def _init_worker(settings: dict[str, Any], progress=None, tables=None,
                 table_skips=None, parent_pid: int | None = None) -> None:
  if parent_pid is not None:
    _watch_parent(parent_pid)
  config = sx.ExampleConfig(sampler=SamplerConfig(), mode=settings["mode"],
                            templates_path=settings["templates"],
                            table_budget=settings["table_budget"],
                            max_input_length=settings.get("max_input_length"))
  length_fn = truncate.approx_token_length
  if config.max_input_length is not None:
    length_fn = vocab_length_fn()
  if tables is None:
    tables, table_skips = load_source(settings)
  builder = sx.ExampleBuilder(tables, config, length_fn=length_fn, table_skips=table_skips)
  builder.tables(settings["split"])  # display forms, made once per process
  builder.for_generation()  # run with the collector off (`sx.gc_for_generation`)
  _WORKER.update(builder=builder, settings=settings, progress=progress)
  if parent_pid is not None:  # a pool worker: it holds the tables until it ends
    sx.gc_for_generation()  # kept: the worker ends with the pool


TFRECORD_FEATURES = ("inputs", "targets", "table_id", "shape", "sql", "num_answers")


_WRITE_EVERY = 1000  # records buffered before they are written (bounds memory)


def _tfrecord_bytes(records: list[dict[str, Any]]) -> bytes:
  """tf.train.Example frames, written without TensorFlow (`symtune_jax.tfrecord`):
  the same content gives the same bytes (features in sorted key order)."""
  return tfrecord.frames([tfrecord.example_bytes({k: ex[k] for k in TFRECORD_FEATURES})
                          for ex in records])


def _jsonl_text(records: list[dict[str, Any]]) -> str:
  return "".join(json.dumps(ex, ensure_ascii=False) + "\n" for ex in records)


def run_job(job: Job, report: Callable[[int], None] | None = None) -> dict[str, Any]:
  """Generates and writes one shard; returns its stats (JSON form).

  Records are written every `_WRITE_EVERY` to temp files, renamed into place
  when the shard is complete (its stats file last).
  """
  builder, settings = _WORKER["builder"], _WORKER["settings"]
  report = report or _WORKER.get("progress_fn") or _queue_reporter()
  builder.new_stats()
  builder.stats.table_skips.clear()  # reported once, by the driver
  with contextlib.ExitStack() as stack:
    outs = []
    if "tfrecord" in job.paths:
      outs.append((stack.enter_context(atomic_open(job.paths["tfrecord"], "wb")),
                   _tfrecord_bytes))
    if "jsonl" in job.paths:
      outs.append((stack.enter_context(atomic_open(job.paths["jsonl"], "w")), _jsonl_text))
    records, pending = [], 0
    made = builder.examples(settings["seed"], settings["split"], job.start, job.stop)
    for i, ex in zip(range(job.start, job.stop), made):
      ex["index"] = i
      records.append(ex)
      pending += 1
      if pending == _PROGRESS_EVERY:
        report(pending)
        pending = 0
      if len(records) == _WRITE_EVERY or i == job.stop - 1:
        for f, encode in outs:
          f.write(encode(records))
        records = []
    if pending:
      report(pending)
  stats = builder.stats.to_json()
  stats.update(shard=job.shard, start=job.start, stop=job.stop)
  atomic_write_json(job.paths["stats"], stats)  # last: marks the shard complete
  return stats


def _queue_reporter() -> Callable[[int], None]:
  q = _WORKER.get("progress")
  return (lambda n: q.put(n)) if q is not None else (lambda n: None)


# --- driver -------------------------------------------------------------------------
def _settings(args, excl=None) -> dict[str, Any]:
  wtq_root, origin = settings_mod.resolve("wtq_root")
  out = {
      "kind": "sql", "num": args.num, "seed": args.seed, "split": args.split,
      "shards": args.shards, "format": args.format,
      "tables": os.path.abspath(args.tables) if args.tables else None,
      "squall": os.path.abspath(args.squall) if args.squall else None,
      "wtq_root_env": None if (args.tables or args.squall or origin == "package")
                      else str(wtq_root),
      "mode": args.mode,
      "templates": os.path.abspath(args.templates) if args.templates else None,
      "table_budget": args.table_budget,
      "max_input_length": args.max_input_length,
      "exclude_eval_tables": not args.keep_eval_tables,
      "exclude_tables": os.path.abspath(args.exclude_tables) if args.exclude_tables else (
          None if (p := settings_mod.get("sql_exclude_tables")) is None else os.fspath(p)),
      "vocab": (settings_mod.get("vocab") if args.max_input_length else None),
  }
  if excl is not None:
    out["excluded_tables"] = excl.digest()  # a resume must leave out the same tables
  return out


def _check_args(args) -> None:
  if args.num < 1:
    raise InputError(f"--num is {args.num}; expected a positive number of examples",
                     field="--num")
  if args.shards is not None and not 1 <= args.shards <= args.num:
    raise InputError(f"--shards is {args.shards}; expected 1..--num ({args.num})",
                     field="--shards")
  if args.workers < 1:
    raise InputError(f"--workers is {args.workers}; expected >= 1", field="--workers")
  if args.max_input_length is not None and args.max_input_length < 16:
    raise InputError(f"--max-input-length is {args.max_input_length}; expected >= 16 tokens",
                     field="--max-input-length")
  if args.tables is not None and not os.path.exists(args.tables):
    raise InputError(f"not found; expected {TABLE_SOURCES}", path=args.tables,
                     field="--tables")
  for flag, path in (("--squall", args.squall), ("--templates", args.templates),
                     ("--exclude-tables", args.exclude_tables)):
    if path is not None and not os.path.isfile(path):
      raise InputError("not found; expected a file", path=path, field=flag)
  if args.templates is not None and args.mode == "grammar":
    raise InputError("--templates needs --mode templates or mixed", field="--templates")


STAGING = ".overwrite-new"  # where an --overwrite run writes until it has succeeded


def _read_manifest(out: str) -> dict[str, Any] | None:
  manifest = os.path.join(out, MANIFEST)
  if not os.path.exists(manifest):
    return None
  try:
    with open(manifest, encoding="utf-8") as f:
      return json.load(f)
  except (OSError, json.JSONDecodeError) as e:
    raise InputError(f"unreadable manifest ({e}); expected JSON written by symtune",
                     path=manifest) from None


def _remove_outputs(out: str) -> None:
  for p in glob.glob(os.path.join(out, "sql-*")) + glob.glob(os.path.join(out, "summary-*")):
    os.remove(p)


def _open_out(out: str, settings: dict[str, Any], overwrite: bool) -> str:
  """Where this run writes: ``out`` (new, or made with the same settings: resumed) or,
  for --overwrite of a folder made with other settings, ``out/.overwrite-new``
  (moved into ``out`` by `_swap_in` once the run has succeeded, so a failed or
  killed run leaves the old shards in place; rerunning resumes the staging folder).
  Removes stray temp files of killed runs."""
  os.makedirs(out, exist_ok=True)
  old = _read_manifest(out)
  where = out
  if old is not None and old != settings:
    if not overwrite:
      diff = sorted(k for k in set(old) | set(settings) if old.get(k) != settings.get(k))
      raise InputError(
          f"this folder was generated with other settings ({', '.join(diff)} differ); "
          "use another --out, the same settings to resume, or --overwrite",
          path=os.path.join(out, MANIFEST))
    where = os.path.join(out, STAGING)
    os.makedirs(where, exist_ok=True)
    if _read_manifest(where) != settings:  # an older --overwrite with other settings
      _remove_outputs(where)
  elif os.path.isdir(os.path.join(out, STAGING)):
    shutil.rmtree(os.path.join(out, STAGING))  # a staged run this one supersedes
  for p in glob.glob(os.path.join(where, ".tmp-*")):
    os.remove(p)  # left by a killed run; their shards are redone
  atomic_write_json(os.path.join(where, MANIFEST), settings)
  return where


def _swap_in(staging: str, out: str) -> None:
  """Moves a completed staging folder's files into ``out``, replacing the old run's.

  Data files move before stats files and the manifest last, so a kill in
  between leaves shards that a rerun with the same settings keeps or redoes.
  """
  os.remove(os.path.join(out, MANIFEST))
  _remove_outputs(out)
  names = sorted(os.listdir(staging), key=lambda n: (n == MANIFEST, ".stats-" in n, n))
  for name in names:
    os.replace(os.path.join(staging, name), os.path.join(out, name))
  os.rmdir(staging)


def _load_stats(path: str) -> dict[str, Any]:
  with open(path, encoding="utf-8") as f:
    return json.load(f)


def default_shards(num: int, workers: int) -> int:
  """One shard per DEFAULT_SHARD_SIZE examples, but at least one per worker (<= num)."""
  return min(num, max(workers, math.ceil(num / DEFAULT_SHARD_SIZE)))


def _resumed_shards(out: str, settings: dict[str, Any]) -> int | None:
  """The shard count of a folder made with these settings but another default shard count."""
  try:
    with open(os.path.join(out, MANIFEST), encoding="utf-8") as f:
      old = json.load(f)
  except (OSError, json.JSONDecodeError):
    return None
  if not isinstance(old, dict) or not isinstance(old.get("shards"), int):
    return None
  same = {**old, "shards": None} == {**settings, "shards": None}
  if same and 1 <= old["shards"] <= settings["num"]:
    return old["shards"]
  return None


def run(args) -> int:
  _check_args(args)
  if args.mode != "grammar":  # a bad template file fails here, before anything is written
    load_templates(args.templates)
  out = os.path.abspath(args.out)
  excl = _exclusion(_settings(args))
  if args.shards is None:
    args.shards = default_shards(args.num, args.workers)
    resumed = _resumed_shards(out, _settings(args, excl))
    if resumed is not None and resumed != args.shards:
      print(f"resuming with the folder's {resumed} shards", file=sys.stderr)
      args.shards = resumed
  if args.workers > args.shards:
    print(f"note: {args.shards} shard(s), so only {args.shards} of --workers {args.workers} "
          "processes are used (more --shards to use them all)", file=sys.stderr)
  settings = _settings(args, excl)
  if sx.uses_shipped_sample(tables=args.tables, squall=args.squall):
    print(f"note: tables from the ~100-table WTQ demo sample shipped in the package; for "
          f"real data give --tables or set ${sx.WTQ_ROOT_ENV} to the official "
          "WikiTableQuestions folder (holding csv/)", file=sys.stderr)
  if args.keep_eval_tables:
    print("warning: --keep-eval-tables: tables that evaluation tasks read are used; "
          "zero-shot results on them are contaminated", file=sys.stderr)
  tables, table_skips = load_source(settings, excl)  # bad tables fail before writing
  if args.max_input_length:  # so does a vocabulary that can't be read (e.g. T5's, offline)
    vocab_length_fn()("")
  final_out = out
  out = _open_out(out, settings, args.overwrite)
  jobs = plan(args.num, args.shards, out, args.split, args.format)
  todo = [j for j in jobs if not is_complete(j)]
  done = len(jobs) - len(todo)
  if done:
    print(f"resuming: {done} of {len(jobs)} shards already complete", file=sys.stderr)

  bar = tqdm(total=args.num, initial=sum(j.stop - j.start for j in jobs if j not in todo),
             unit="ex", disable=args.no_progress, file=sys.stderr, smoothing=0.1)
  workers = min(args.workers, len(todo)) if todo else 0
  if workers <= 1:
    if todo:
      _init_worker(settings, tables=tables, table_skips=table_skips)
      # The collector set up for generating, and handed back after (`sx.generation_gc`).
      with sx.generation_gc():
        for job in todo:
          run_job(job, bar.update)
  else:
    # No Manager process; the workers die with this process (see `_watch_parent`).
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.SimpleQueue()
    with ctx.Pool(workers, initializer=_init_worker,
                  initargs=(settings, queue, tables, table_skips, os.getpid())) as pool:
      pending = pool.map_async(run_job, todo, chunksize=1)
      while not pending.ready():
        pending.wait(0.2)
        while not queue.empty():
          bar.update(queue.get())
      pending.get()  # re-raises a worker's error
      while not queue.empty():
        bar.update(queue.get())
  bar.close()

  total = GenerationStats(table_skips=collections.Counter(
      {f"table_{r}": n for r, n in table_skips.items()}))
  for job in jobs:
    total.merge(GenerationStats.from_json(_load_stats(job.paths["stats"])))
  summary = {"split": args.split, "seed": args.seed, "num": args.num, "shards": len(jobs),
             **total.to_json()}
  atomic_write_json(os.path.join(out, f"summary-{args.split}.json"), summary)
  if out != final_out:
    _swap_in(out, final_out)
    out = final_out
  _print_summary(summary, out)
  return 0


def _print_summary(s: dict[str, Any], out: str) -> None:
  print(f"wrote {s['examples']:,} examples ({s['split']}, seed {s['seed']}) in "
        f"{s['shards']} shards to {out}")
  print(f"queries sampled: {s['attempts']:,}, kept: {100 * s['kept_share']:.1f}%, "
        f"indices made by the fallback: {s['fallbacks']}, tables cut further for a long "
        f"query: {s['refits']}")
  width = max(map(len, list(s["shapes"]) + list(s["skips"]) + ["x"]))
  print("shapes (kept / sampled):")
  for name, n in sorted(s["shapes"].items(), key=lambda kv: -kv[1]):
    print(f"  {name:<{width}} {n:>8,} / {s['sampled_shapes'].get(name, 0):,}")
  print("answer counts: " + ", ".join(f"{k}: {v:,}" for k, v in s["answer_counts"].items()))
  skips = {**s["skips"], **s.get("table_skips", {})}
  print("skip reasons: " + (", ".join(f"{k}: {v:,}" for k, v in
                                      sorted(skips.items(), key=lambda kv: -kv[1]))
                            or "none"))
