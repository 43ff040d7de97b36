"""Throughput of SQL execution example generation (method A's data path).

Times the whole path per example: pick a table, truncate it to the token
budget, sample a query (sqlglot), execute it (SQLite), linearize the table
(TAPEX) and format the input, on 1 and on 2 processes, and prints examples/s
and the share of sampled queries kept. Table loading is timed apart (once per
process, before the clock starts). Goal: >= 2,000 examples/s per core, so the
paper's 200K-example corpus takes under a minute on 2 cores.

    .venv/bin/python benchmarks/sql_generation.py                 # 1 and 2 processes
    .venv/bin/python benchmarks/sql_generation.py --length-fn byte   # real SeqIO byte vocab
    .venv/bin/python benchmarks/sql_generation.py --profile       # cProfile, 1 process

Tables: ../shared/data/wtq/official (all 2,108 WTQ tables) when present, else
the ~100 tables shipped in the package; ``--tables DIR`` picks another root.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import multiprocessing
import os
import pathlib
import pstats
import sys
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
SHARED_WTQ = REPO.parent / "shared" / "data" / "wtq" / "official"


def _length_fn(name: str):
  from symtune_jax.tables import truncate  # pylint: disable=g-import-not-at-top
  if name == "approx":
    return truncate.approx_token_length
  import seqio  # pylint: disable=g-import-not-at-top
  return truncate.vocab_length_fn(seqio.ByteVocabulary())


def _builder(args):
  from symtune_jax.sql import examples as sx  # pylint: disable=g-import-not-at-top
  t0 = time.perf_counter()
  tables = sx.load_tables(wtq_root=args.tables)
  builder = sx.ExampleBuilder(tables, sx.ExampleConfig(mode=args.mode,
                                                       table_budget=args.table_budget),
                              length_fn=_length_fn(args.length_fn))
  builder.tables(args.split)
  return builder, len(tables), time.perf_counter() - t0


def _worker(args, rank: int, procs: int, barrier, results) -> None:
  builder, n_tables, load_s = _builder(args)
  barrier.wait()
  start = time.time()
  t0 = time.perf_counter()
  made = 0
  for i in range(rank, args.num, procs):
    made += builder.example(args.seed, args.split, i) is not None
  elapsed = time.perf_counter() - t0
  results.put({"rank": rank, "made": made, "elapsed": elapsed, "start": start,
               "end": start + elapsed, "load_s": load_s, "tables": n_tables,
               "attempts": builder.stats.attempts, "skips": dict(builder.stats.skips)})


def run_processes(args, procs: int) -> dict:
  ctx = multiprocessing.get_context("spawn")
  barrier, results = ctx.Barrier(procs), ctx.Queue()
  ps = [ctx.Process(target=_worker, args=(args, r, procs, barrier, results))
        for r in range(procs)]
  for p in ps:
    p.start()
  out = [results.get() for _ in ps]
  for p in ps:
    p.join()
  made = sum(o["made"] for o in out)
  attempts = sum(o["attempts"] for o in out)
  wall = max(o["end"] for o in out) - min(o["start"] for o in out)
  return {"procs": procs, "made": made, "wall": wall, "rate": made / wall,
          "kept_share": made / attempts, "load_s": max(o["load_s"] for o in out),
          "tables": out[0]["tables"]}


def profile(args) -> None:
  builder, _, _ = _builder(args)
  prof = cProfile.Profile()
  prof.enable()
  for i in range(args.num):
    builder.example(args.seed, args.split, i)
  prof.disable()
  s = io.StringIO()
  pstats.Stats(prof, stream=s).sort_stats("tottime").print_stats(25)
  print(s.getvalue())
  s = io.StringIO()
  pstats.Stats(prof, stream=s).sort_stats("cumulative").print_stats(40)
  print(s.getvalue())


def main(argv=None) -> int:
  p = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                              formatter_class=argparse.RawDescriptionHelpFormatter,
                              epilog=__doc__)
  p.add_argument("--tables", default=str(SHARED_WTQ) if SHARED_WTQ.is_dir() else None,
                 help="WTQ root holding csv/ (default: ../shared/data/wtq/official "
                 "if present, else the shipped sample)")
  p.add_argument("--num", type=int, default=20_000, help="examples per measurement")
  p.add_argument("--processes", type=int, nargs="+", default=[1, 2])
  p.add_argument("--split", default="train")
  p.add_argument("--seed", type=int, default=0)
  p.add_argument("--mode", default="grammar", choices=("grammar", "templates", "mixed"))
  p.add_argument("--table-budget", type=int, default=1800)
  p.add_argument("--length-fn", default="approx", choices=("approx", "byte"),
                 help="token length for truncation: the cheap approximation (default) "
                 "or len(seqio.ByteVocabulary().encode(text))")
  p.add_argument("--profile", action="store_true", help="cProfile one process instead")
  args = p.parse_args(argv)
  os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
  if args.profile:
    profile(args)
    return 0
  print(f"tables: {args.tables or 'shipped sample'}; split {args.split}; mode {args.mode}; "
        f"length fn {args.length_fn}; budget {args.table_budget}; {args.num:,} examples; "
        f"{os.cpu_count()} cores")
  base = None
  for procs in args.processes:
    r = run_processes(args, procs)
    base = base or r["rate"] / procs
    print(f"{procs} process(es): {r['made']:,} examples in {r['wall']:.2f} s = "
          f"{r['rate']:,.0f} examples/s ({r['rate'] / procs:,.0f} per process); "
          f"kept {100 * r['kept_share']:.1f}% of sampled queries; "
          f"table load {r['load_s']:.2f} s per process ({r['tables']:,} tables); "
          f"200K examples: {200_000 / r['rate']:.0f} s")
  return 0


if __name__ == "__main__":
  sys.exit(main())
