"""Throughput of table loading, linearization and truncation; prints figures.

    .venv/bin/python benchmarks/tables_io.py [--root ../shared/data/wtq/official]

Falls back to the package's shipped 100-table sample when the official data is
absent. Figures: tables loaded/s (csv parse + type inference), and
fit_to_budget + tapex calls/s for (a) the cheap `approx_token_length` and
(b) SeqIO's ByteVocabulary, each with a random row subset per call (rng), as
the SQL generator calls them.
"""

from __future__ import annotations

import argparse
import pathlib
import time

import numpy as np

from symtune_jax.tables import linearize, loaders, sample, truncate


def _rate(n: int, seconds: float) -> str:
  return f"{n / seconds:,.0f}/s ({n} in {seconds:.2f} s)"


def main() -> None:
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  repo = pathlib.Path(__file__).resolve().parents[1]
  parser.add_argument("--root", default=str(repo.parent / "shared/data/wtq/official"))
  parser.add_argument("--budget", type=int, default=512)
  parser.add_argument("--calls", type=int, default=6000)
  args = parser.parse_args()
  root = pathlib.Path(args.root)
  if not (root / "csv").is_dir():
    root = sample.sample_root()

  t0 = time.perf_counter()
  tables = list(loaders.iter_wtq_tables(root))
  print(f"load WTQ csv ({root}): {_rate(len(tables), time.perf_counter() - t0)}")

  rng = np.random.default_rng(0)
  fns = [("approx_token_length", truncate.approx_token_length)]
  try:
    import seqio  # pylint: disable=g-import-not-at-top
    fns.append(("seqio.ByteVocabulary",
                truncate.vocab_length_fn(seqio.ByteVocabulary())))
  except ImportError:
    pass
  for name, fn in fns:
    for label, pool in (("first pass over the tables", tables),
                        ("repeat calls (cached row lengths)", tables)):
      n = min(args.calls, len(pool)) if label.startswith("first") else args.calls
      t0 = time.perf_counter()
      for i in range(n):
        shown = truncate.fit_to_budget(pool[i % len(pool)], args.budget, fn, rng=rng)
        linearize.tapex(shown)
      print(f"fit_to_budget({args.budget}) + tapex, {name}, {label}: "
            f"{_rate(n, time.perf_counter() - t0)}")


if __name__ == "__main__":
  main()
