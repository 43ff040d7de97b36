"""Symbol-prompt throughput and prompt-length distribution on TweetEval.

Builds symbol-tuning prompts (and, with --eval, the k=4 evaluation settings)
with the pure-Python builder on one core, and prints prompts/s and the
distribution of prompt lengths, for each length function asked for:

  approx  chars/4 estimate, budget --max-length (the old default; not exact)
  byte    exact byte-vocabulary count (`prompts.byte_length`), budget
          --max-length - 1 for EOS, as the registered tasks under SYMTUNE_VOCAB=byte
  t5 / a .model path
          exact SentencePiece count (`prompts.vocab_length_fn`, cached per
          text), budget --max-length - 1, as the registered tasks under that vocab

Goal: at least 5,000 prompts/s per core with the length function the tasks use.
TweetEval: --root, else $SYMTUNE_TWEETEVAL_ROOT, else the shipped slice.

  .venv/bin/python benchmarks/symbol_prompts.py --root ../shared/data/tweeteval
  .venv/bin/python benchmarks/symbol_prompts.py --length approx,byte --n 20000 --eval
  .venv/bin/python benchmarks/symbol_prompts.py --length .venv/lib/python3.11/site-packages/seqio/test_data/sentencepiece/sentencepiece.model
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


def _length_fn(spec: str, max_length: int) -> tuple[prompts.LengthFn, int]:
  """(length function, budget) for 'approx' or a SYMTUNE_VOCAB spec."""
  if spec == "approx":
    return prompts.approx_length, max_length
  os.environ["SYMTUNE_VOCAB"] = spec
  from symtune_jax.tasks import vocab as vocab_lib  # pylint: disable=g-import-not-at-top
  return prompts.vocab_length_fn(vocab_lib.get_vocabulary()), max_length - 1


def main() -> None:
  parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
  parser.add_argument("--tasks", default="offensive,irony,hate",
                      help="TweetEval tasks (comma-separated)")
  parser.add_argument("--root", default=None, help="TweetEval folder (default: as the tasks)")
  parser.add_argument("--n", type=int, default=10_000, help="prompts per task and setting")
  parser.add_argument("--eval", action="store_true", help="also time the evaluation settings")
  parser.add_argument("--length", default="approx,byte",
                      help="length functions, comma-separated: approx, byte, t5, a .model path")
  parser.add_argument("--max-length", type=int, default=2048)
  args = parser.parse_args()

  root = args.root or sources.tweeteval_root()
  print(f"TweetEval root: {root}")
  t0 = time.perf_counter()
  pools.tuning_pool(), pools.evaluation_pool()
  print(f"pool build (once): {time.perf_counter() - t0:.2f} s")

  summary = []
  for spec in args.length.split(","):
    length_fn, budget = _length_fn(spec, args.max_length)
    print(f"\n=== length function {spec!r}, budget {budget} tokens")
    total_n, total_dt = 0, 0.0
    for task in args.tasks.split(","):
      src = sources.tweeteval_source(task, root)
      split = "validation" if task == "sentiment" else "train"
      data = src.load(split)
      settings = [("tuning", prompts.tuning_config(budget, length_fn), data, True)]
      if args.eval:
        test = src.load("test", require_all_classes=False)
        for s in prompts.EVAL_SETTINGS:
          if s == "flipped" and src.num_classes != 2:
            continue
          settings.append((s, prompts.eval_config(s, src.instruction, max_length=budget,
                                                  length_fn=length_fn), test, False))
      for setting, config, queries, self_ex in settings:
        built, dt = _run(f"{task}/{setting}", data, queries, config, args.n, self_ex)
        total_n += len(built)
        total_dt += dt
        exemplars = [p.num_exemplars for p in built]
        print(f"{task:10s} {setting:12s} {len(built) / dt:9.0f} prompts/s   "
              f"({len(built)} prompts, {dt:.2f} s; {len(data)} exemplar records)")
        print(f"  approx tokens  {_percentiles([prompts.approx_length(p.inputs) for p in built])}")
        print(f"  byte tokens    {_percentiles([prompts.byte_length(p.inputs) for p in built])}")
        if spec not in ("approx", "byte"):
          sample = built[:1000]
          print(f"  {spec} tokens  {_percentiles([length_fn(p.inputs) for p in sample])}  "
                f"(first {len(sample)} prompts)")
        over = sum(length_fn(p.inputs) > budget for p in built[:1000])
        print(f"  exemplars      {_percentiles(exemplars)}   dropped in "
              f"{sum(p.num_dropped > 0 for p in built)}; not fitting "
              f"{sum(not p.fits for p in built)}; over budget {over} of first 1000; "
              f"over {args.max_length - 1} bytes "
              f"{sum(prompts.byte_length(p.inputs) > args.max_length - 1 for p in built)}")
    summary.append((spec, total_n, total_dt))
  print()
  for spec, n, dt in summary:
    print(f"all ({spec}): {n / dt:.0f} prompts/s on one core ({n} prompts, {dt:.2f} s)")


if __name__ == "__main__":
  main()
