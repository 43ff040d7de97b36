"""Symbol-prompt throughput and prompt-length distribution on TweetEval.

Builds symbol-tuning prompts (and, with --eval, the k=4 evaluation settings)
with the pure-Python builder on one core, and prints prompts/s and the
distribution of prompt lengths (the builder's approximate token count, and
exact counts with --vocab). Goal: at least 5,000 prompts/s per core.

  .venv/bin/python benchmarks/symbol_prompts.py                 # TweetEval in effect
  .venv/bin/python benchmarks/symbol_prompts.py --n 20000 --vocab byte
  SYMTUNE_TWEETEVAL_ROOT=/data/tweeteval .venv/bin/python benchmarks/symbol_prompts.py
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from symtune_jax.symbols import pools, prompts, sources


def _percentiles(values: list[int]) -> str:
  q = np.percentile(values, [5, 25, 50, 75, 95, 99])
  return ("mean {:.0f}  p5 {:.0f}  p25 {:.0f}  p50 {:.0f}  p75 {:.0f}  p95 {:.0f}  p99 {:.0f}  "
          "max {}".format(np.mean(values), *q, max(values)))


def _run(name: str, data, queries, config, n: int, exclude_self: bool):
  records = queries.records
  t0 = time.perf_counter()
  built = []
  for i in range(n):
    j = i % len(records)
    built.append(prompts.build_prompt(data, records[j], prompts.example_rng(0, name, i), config,
                                      exclude=j if exclude_self else -1))
  dt = time.perf_counter() - t0
  return built, dt


def main() -> None:
  parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
  parser.add_argument("--tasks", default="offensive,irony,hate",
                      help="TweetEval tasks (comma-separated)")
  parser.add_argument("--n", type=int, default=10_000, help="prompts per task and setting")
  parser.add_argument("--eval", action="store_true", help="also time the evaluation settings")
  parser.add_argument("--vocab", default=None,
                      help="count exact tokens with this SYMTUNE_VOCAB spec (byte, t5, a .model)")
  parser.add_argument("--max-length", type=int, default=2048)
  args = parser.parse_args()

  print(f"TweetEval root: {sources.tweeteval_root()}")
  t0 = time.perf_counter()
  pools.tuning_pool(), pools.evaluation_pool()
  print(f"pool build (once): {time.perf_counter() - t0:.2f} s")
  vocab_len = None
  if args.vocab:
    os.environ["SYMTUNE_VOCAB"] = args.vocab
    from symtune_jax.tasks import vocab as vocab_lib  # pylint: disable=g-import-not-at-top
    vocab_len = prompts.vocab_length_fn(vocab_lib.get_vocabulary())

  total_n, total_dt = 0, 0.0
  for task in args.tasks.split(","):
    src = sources.tweeteval_source(task)
    split = "validation" if task == "sentiment" else "train"
    data = src.load(split)
    t0 = time.perf_counter()
    settings = [("tuning", prompts.tuning_config(max_length=args.max_length), data, True)]
    if args.eval:
      test = src.load("test", require_all_classes=False)
      for s in prompts.EVAL_SETTINGS:
        if s == "flipped" and src.num_classes != 2:
          continue
        settings.append((s, prompts.eval_config(s, src.instruction, max_length=args.max_length),
                         test, False))
    for setting, config, queries, self_ex in settings:
      built, dt = _run(f"{task}/{setting}", data, queries, config, args.n, self_ex)
      total_n += len(built)
      total_dt += dt
      lengths = [prompts.approx_length(p.inputs) for p in built]
      exemplars = [p.num_exemplars for p in built]
      print(f"\n{task:10s} {setting:12s} {len(built) / dt:9.0f} prompts/s   "
            f"({len(built)} prompts, {dt:.2f} s; {len(data)} exemplar records)")
      print(f"  approx tokens  {_percentiles(lengths)}")
      print(f"  exemplars      {_percentiles(exemplars)}   dropped in "
            f"{sum(p.num_dropped > 0 for p in built)}; not fitting {sum(not p.fits for p in built)}")
      if vocab_len is not None:
        sample = built[:1000]
        exact = [vocab_len(p.inputs) for p in sample]
        print(f"  {args.vocab} tokens  {_percentiles(exact)}  (first {len(sample)} prompts)")
  print(f"\nall: {total_n / total_dt:.0f} prompts/s on one core ({total_n} prompts)")


if __name__ == "__main__":
  main()
