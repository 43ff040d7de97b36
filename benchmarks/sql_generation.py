"""Throughput of SQL execution example generation (method A's data path).

Times the whole path per example: pick a table, truncate it to the token
budget, sample a query (sqlglot), execute it (SQLite), linearize the table
(TAPEX) and format the input, on 1 and on 2 processes, and prints examples/s
and the share of sampled queries kept. Table loading is timed apart (once per
process, before the clock starts). Goal: >= 2,000 examples/s per core, so the
paper's 200K-example corpus takes under a minute on 2 cores.

Two length paths, both measured by default:
  approx  the table alone cut to --table-budget approximate tokens (words and
          punctuation; `symtune generate sql` without --max-input-length);
  byte    what the SeqIO task does with SYMTUNE_VOCAB=byte: the whole input cut
          to --max-input-length - 1 tokens of seqio.ByteVocabulary (the exact
          count, len(text.encode('utf-8')), via truncate.vocab_length_fn).
  encode  (on request) the byte path counting with ByteVocabulary.encode
          itself, to show what the fast exact count saves.

    .venv/bin/python benchmarks/sql_generation.py                 # both paths, 1 and 2 processes
    .venv/bin/python benchmarks/sql_generation.py --length-fn byte
    .venv/bin/python benchmarks/sql_generation.py --profile --length-fn byte  # cProfile

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
  vocab = seqio.ByteVocabulary()
  if name == "encode":
    return lambda text: len(vocab.encode(text))
  return truncate.vocab_length_fn(vocab)


def _builder(args, path: str):
  from symtune_jax.sql import examples as sx  # pylint: disable=g-import-not-at-top
  t0 = time.perf_counter()
  tables = sx.load_tables(tables=args.tables)
  config = sx.ExampleConfig(
      mode=args.mode, table_budget=args.table_budget,
      max_input_length=None if path == "approx" else args.max_input_length)
  builder = sx.ExampleBuilder(tables, config, length_fn=_length_fn(path))
  builder.tables(args.split)
  return builder, len(tables), time.perf_counter() - t0


def _worker(args, path: str, rank: int, procs: int, barrier, results) -> None:
  builder, n_tables, load_s = _builder(args, path)
  barrier.wait()
  start = time.time()
  t0 = time.perf_counter()
  made, chars, longest = 0, 0, 0
  for i in range(rank, args.num, procs):
    ex = builder.example(args.seed, args.split, i)
    made += 1
    chars += len(ex["inputs"])
    longest = max(longest, len(ex["inputs"].encode("utf-8")))
  elapsed = time.perf_counter() - t0
  s = builder.stats
  results.put({"rank": rank, "made": made, "elapsed": elapsed, "start": start,
               "end": start + elapsed, "load_s": load_s, "tables": n_tables,
               "attempts": s.attempts, "skips": dict(s.skips), "chars": chars,
               "longest": longest, "refits": s.refits, "fallbacks": s.fallbacks})


def run_processes(args, path: str, procs: int) -> dict:
  ctx = multiprocessing.get_context("spawn")
  barrier, results = ctx.Barrier(procs), ctx.Queue()
  ps = [ctx.Process(target=_worker, args=(args, path, r, procs, barrier, results))
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
          "tables": out[0]["tables"], "mean_chars": sum(o["chars"] for o in out) / made,
          "longest": max(o["longest"] for o in out),
          "refits": sum(o["refits"] for o in out),
          "fallbacks": sum(o["fallbacks"] for o in out)}


def profile(args) -> None:
  builder, _, _ = _builder(args, args.length_fn[0])
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
                 help="WTQ root holding csv/, a folder of .csv/.jsonl tables or one file "
                 "(default: ../shared/data/wtq/official if present, else the shipped sample)")
  p.add_argument("--num", type=int, default=20_000, help="examples per measurement")
  p.add_argument("--processes", type=int, nargs="+", default=[1, 2])
  p.add_argument("--split", default="train")
  p.add_argument("--seed", type=int, default=0)
  p.add_argument("--mode", default="grammar", choices=("grammar", "templates", "mixed"))
  p.add_argument("--table-budget", type=int, default=1800)
  p.add_argument("--max-input-length", type=int, default=2048,
                 help="whole-input bound (EOS included) of the byte/encode paths")
  p.add_argument("--length-fn", nargs="+", default=["approx", "byte"],
                 choices=("approx", "byte", "encode"),
                 help="length paths to measure (default: approx and byte; see above)")
  p.add_argument("--profile", action="store_true", help="cProfile one process instead")
  args = p.parse_args(argv)
  os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
  if args.profile:
    profile(args)
    return 0
  print(f"tables: {args.tables or 'shipped sample'}; split {args.split}; mode {args.mode}; "
        f"{args.num:,} examples; {os.cpu_count()} cores")
  for path in args.length_fn:
    bound = (f"table <= {args.table_budget} approx tokens" if path == "approx" else
             f"input <= {args.max_input_length - 1} byte-vocab tokens ({path})")
    print(f"[{path}] {bound}")
    for procs in args.processes:
      r = run_processes(args, path, procs)
      print(f"  {procs} process(es): {r['made']:,} examples in {r['wall']:.2f} s = "
            f"{r['rate']:,.0f} examples/s ({r['rate'] / procs:,.0f} per process); "
            f"kept {100 * r['kept_share']:.1f}% of sampled queries; "
            f"mean input {r['mean_chars']:,.0f} chars, longest {r['longest']:,} bytes; "
            f"refits {r['refits']}, fallbacks {r['fallbacks']}; "
            f"table load {r['load_s']:.2f} s per process ({r['tables']:,} tables); "
            f"200K examples: {200_000 / r['rate']:.0f} s")
  return 0


if __name__ == "__main__":
  sys.exit(main())
