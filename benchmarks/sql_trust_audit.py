"""Audit of generated SQL examples: tie, unsplittable and not-shown rates (issue 9).

Generates examples in-process with the default `ExampleConfig` and checks each
with `symtune_jax.sql.audit.audit_examples`: the query re-run on the same rows
in reversed and shuffled orders (an answer that changes is a tie the generator
should have skipped), the target split with `answers.split_answers` and joined
back, and the answers of plain-column queries found among the cells shown.
All three counts must be 0. Also prints the generator's own skip counts
(``tie``, ``unsplittable``, ...) and examples/s.

    PYTHONPATH=. .venv/bin/python benchmarks/sql_trust_audit.py --num 100000
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import time

def main() -> None:
  p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  from symtune_jax import settings  # pylint: disable=g-import-not-at-top
  p.add_argument("--tables", default=str(settings.get("wtq_root")),
                 help="WTQ root (default: symtune settings' wtq_root, e.g. ../shared/data/wtq/official)")
  p.add_argument("--num", type=int, default=100_000)
  p.add_argument("--start", type=int, default=0)
  p.add_argument("--seed", type=int, default=0)
  p.add_argument("--split", default="train")
  p.add_argument("--shuffles", type=int, default=1, help="random row orders per example")
  p.add_argument("--no-order-check", action="store_true", help="round trip and cells only")
  p.add_argument("--json", help="write the report here")
  args = p.parse_args()
  from symtune_jax.sql import audit, builder as sx  # pylint: disable=g-import-not-at-top
  tables = sx.load_tables(tables=args.tables)
  builder = sx.ExampleBuilder(tables)
  builder.tables(args.split)
  t0 = time.perf_counter()
  report = audit.audit_examples(builder, seed=args.seed, split=args.split, start=args.start,
                                stop=args.start + args.num, shuffles=args.shuffles,
                                check_order=not args.no_order_check)
  dt = time.perf_counter() - t0
  out = {"tables": len(tables), "seconds": round(dt, 1), "load": os.getloadavg(),
         "audit": report.to_json(), "generator": builder.stats.to_json()}
  print(json.dumps(out, indent=1))
  if args.json:
    pathlib.Path(args.json).write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
  main()
