"""INSTA selection speed: encoding throughput and warm-cache selection time.

  .venv/bin/python benchmarks/selection.py [--encode 512] [--repeats 5]
      [--target wtq] [--cache-dir DIR]

Prints:
* cold encoding throughput (instructions/s) of the default encoder on the
  first ``--encode`` instructions of the shipped pool, no cache, after the
  model is loaded (load time printed apart);
* selection wall time for one target over every shipped card (P3 + NIV2,
  held-out cards included, + the symbolic families) with a warm embedding
  cache: reading the card file, opening the cache, looking up every
  instruction, scoring and ranking, top-k. Goal: under 1 s.

The first run fills the cache at ``--cache-dir`` (default: a temporary
folder, so the whole pool is encoded once before timing; pass a folder to
reuse it across runs).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

import numpy as np


def main() -> None:
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--encode", type=int, default=512)
  parser.add_argument("--repeats", type=int, default=5)
  parser.add_argument("--target", default="wtq")
  parser.add_argument("--k", type=int, default=5)
  parser.add_argument("--cache-dir", default=None)
  args = parser.parse_args()

  import torch  # pylint: disable=g-import-not-at-top
  from symtune_jax.instructions import catalog, pools  # pylint: disable=g-import-not-at-top
  from symtune_jax.selection import selector  # pylint: disable=g-import-not-at-top
  from symtune_jax.selection.encoder import Encoder  # pylint: disable=g-import-not-at-top

  pool = pools.all_cards()
  texts = [t for c in pool for t in c.instructions]
  print(f"pool: {len(pool)} cards, {len(texts)} instructions; torch threads "
        f"{torch.get_num_threads()}")

  cold = Encoder(use_cache=False)
  t0 = time.perf_counter()
  cold.model  # pylint: disable=pointless-statement
  print(f"model load: {time.perf_counter() - t0:.2f} s")
  sample = texts[:args.encode]
  cold.encode(sample[:16])  # warm-up
  t0 = time.perf_counter()
  cold.encode(sample)
  dt = time.perf_counter() - t0
  mean_chars = np.mean([len(t) for t in sample])
  print(f"cold encoding: {len(sample)} instructions (mean {mean_chars:.0f} "
        f"chars) in {dt:.2f} s = {len(sample) / dt:.1f} instructions/s")

  with tempfile.TemporaryDirectory() as tmp:
    cache_dir = args.cache_dir or tmp
    warm = Encoder(cache_dir=cache_dir)
    warm.cache._shipped_index = {}  # pylint: disable=protected-access
    warm._model = cold.model  # pylint: disable=protected-access
    target, _ = pools.resolve_target(args.target, pool)
    t0 = time.perf_counter()
    warm.encode(list(target.instructions) + texts)
    print(f"cache fill: {warm.encoded} new instructions encoded in "
          f"{time.perf_counter() - t0:.1f} s")
    known = pool
    times = []
    for _ in range(args.repeats):
      catalog._read_cards.cache_clear()  # pylint: disable=protected-access
      t0 = time.perf_counter()
      pool_now = pools.all_cards()
      target, excluded = pools.resolve_target(args.target, known)
      encoder = Encoder(cache_dir=cache_dir)  # opens the cache from disk
      encoder._model = cold.model  # only used if a text were missing
      sel = selector.select_tasks(target, pool_now, encoder, k=args.k,
                                  exclude=excluded)
      times.append(time.perf_counter() - t0)
      assert encoder.encoded == 0, "cache was not warm"
    print(f"warm selection for {args.target!r} over {len(pool_now)} cards "
          f"({len(texts)} instructions), k={args.k}: median "
          f"{statistics.median(times):.3f} s, min {min(times):.3f} s over "
          f"{args.repeats} runs")
    print("top:", ", ".join(s.key for s in sel.top))


if __name__ == "__main__":
  main()
