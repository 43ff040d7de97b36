"""Differential check: the executor's kept answers vs DuckDB on generated queries.

Draws ``--per-table`` queries on every WTQ table (grammar and template queries
alternately), keeps those the executor keeps (no ties, fixed by the table),
transpiles each with sqlglot (sqlite -> duckdb) and runs it on a DuckDB copy of
the table (DOUBLE / VARCHAR, the same typed values). Values are compared as
multisets: integers and text exactly, non-integers within 1e-9 relative
(`symtune_jax.sql.audit.same_values`). Prints the counts and every mismatch.

    PYTHONPATH=. .venv/bin/python benchmarks/sql_differential.py --per-table 70
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
  p.add_argument("--per-table", type=int, default=70)
  p.add_argument("--seed", type=int, default=1234)
  p.add_argument("--shard", default="0/1", help="I/N: every N-th table from the I-th "
                 "(run N processes and add up the counts)")
  p.add_argument("--json", help="write the report here")
  args = p.parse_args()
  from symtune_jax.sql import audit, builder as sx  # pylint: disable=g-import-not-at-top
  from symtune_jax.sql.sampler import sample_query  # pylint: disable=g-import-not-at-top
  from symtune_jax.sql.templates import load_templates, sample_from_templates  # pylint: disable=g-import-not-at-top
  i, n = (int(x) for x in args.shard.split("/"))
  tables = sx.load_tables(tables=args.tables)[i::n]
  templates = load_templates()
  turn = [0]

  def draw(table, rng):
    turn[0] += 1
    if turn[0] % 2:
      return sample_query(table, rng)
    return sample_from_templates(templates, table, rng)

  t0 = time.perf_counter()
  report = audit.differential(tables, draw, args.per_table, seed=args.seed)
  out = {"seconds": round(time.perf_counter() - t0, 1), "load": os.getloadavg(),
         **report.to_json()}
  print(json.dumps(out, indent=1, default=str))
  if args.json:
    pathlib.Path(args.json).write_text(json.dumps(out, indent=1, default=str) + "\n")


if __name__ == "__main__":
  main()
