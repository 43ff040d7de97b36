"""A fresh clone's first `symtune select` vs a warm one (shipped embeddings).

  .venv/bin/python benchmarks/first_selection.py [--target rte]
      [--pool t0_train] [--repeats 3]

Runs ``symtune select`` as a new process, as a user would: first with an
empty embedding cache (a fresh clone: only the embeddings shipped in the
package), then again on the cache that run left (warm). Prints the wall
times, their ratio (goal: about 1) and how many texts each run encoded
(goal: 0 for both). Also times the first run with the shipped layer
switched off (``--no-shipped``), i.e. what a first selection cost before.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[1]


def _select(cache: str, out: str, target: str, pool: str,
            shipped: bool = True) -> tuple[float, str]:
  env = dict(os.environ, PYTHONPATH=str(REPO), SYMTUNE_VOCAB="byte",
             TF_CPP_MIN_LOG_LEVEL="3")
  code = ("import sys; from symtune_jax.cli import main; "
          + ("" if shipped else
             "from symtune_jax.selection import cache as c; "
             "c.SHIPPED_DIR = c.SHIPPED_DIR / 'off'; ")
          + "sys.exit(main.main(sys.argv[1:]))")
  t0 = time.perf_counter()
  done = subprocess.run(
      [sys.executable, "-c", code, "select", "--target", target, "--pool",
       pool, "--cache-dir", cache, "--out", out, "--force", "--no-plot"],
      env=env, capture_output=True, text=True, check=True)
  line = next(l for l in done.stdout.splitlines() if "texts encoded" in l)
  return time.perf_counter() - t0, line.strip()


def main() -> None:
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--target", default="rte")
  parser.add_argument("--pool", default="t0_train")
  parser.add_argument("--repeats", type=int, default=3)
  parser.add_argument("--no-shipped", action="store_true",
                      help="also time a first run without the shipped layer")
  args = parser.parse_args()
  cold, warm = [], []
  with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, "rates.json")
    for i in range(args.repeats):
      cache = os.path.join(tmp, f"cache{i}")
      t, line = _select(cache, out, args.target, args.pool)
      cold.append(t)
      t, line_warm = _select(cache, out, args.target, args.pool)
      warm.append(t)
    print(f"first (fresh cache): median {statistics.median(cold):.2f} s  "
          f"[{line}]")
    print(f"warm (second run):   median {statistics.median(warm):.2f} s  "
          f"[{line_warm}]")
    print(f"ratio first / warm: {statistics.median(cold) / statistics.median(warm):.2f}")
    if args.no_shipped:
      t, line = _select(os.path.join(tmp, "noship"), out, args.target,
                        args.pool, shipped=False)
      print(f"first without shipped embeddings: {t:.2f} s  [{line}]")


if __name__ == "__main__":
  main()
