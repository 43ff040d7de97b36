"""`symtune inspect`: what a mixture (or task) is made of, before training on it.

    symtune inspect symtune_wtq_insta_mix                  # also writes ./symtune_wtq_insta_mix.png
    symtune inspect symtune_wtq_insta_mix --plot mix.png
    symtune inspect symtune_eval_wtq_qa_v1 --split test --num-examples 50 --no-plot

Prints the components with their normalised rates, example counts, token-length
statistics over a sample of each component (mean / p50 / p95 / max of inputs and
targets, and the share longer than ``--sequence-length``), and a few rendered
examples, and writes a bar chart of the composition (PNG): ``./<name>.png`` by
default, ``--plot PATH`` to choose, ``--no-plot`` to skip.
"""

from __future__ import annotations

import os

from symtune_jax import settings
from symtune_jax.errors import InputError
from symtune_jax.files import atomic_write_json
from symtune_jax.inspection import format_report, inspect_provider, plot_composition


def add_parser(subparsers) -> None:
  p = subparsers.add_parser(
      "inspect", help="show a mixture's components, rates, lengths and examples",
      description=__doc__.splitlines()[0])
  p.add_argument("name", help="a registered SeqIO mixture or task")
  p.add_argument("--split", default="train", help="split to sample (default train)")
  p.add_argument("--num-examples", type=int, default=100,
                 help="examples sampled per component for length statistics (default 100)")
  p.add_argument("--show", type=int, default=3, help="rendered examples to print (default 3)")
  plot = p.add_mutually_exclusive_group()
  plot.add_argument("--plot", metavar="PATH",
                    help="where to write the composition's PNG bar chart (default ./NAME.png)")
  plot.add_argument("--no-plot", action="store_true", help="do not write the chart")
  p.add_argument("--sequence-length", default=None,
                 help="feature lengths to compare with, e.g. inputs=512,targets=32 "
                 "(default: the run's, symtune.settings.inputs_length / targets_length)")
  p.add_argument("--json", metavar="PATH", help="also write the report as JSON")
  p.set_defaults(func=run)


def parse_lengths(text: str) -> dict[str, int]:
  """'inputs=2048,targets=128' -> {'inputs': 2048, 'targets': 128}."""
  out = {}
  for part in filter(None, (p.strip() for p in text.split(","))):
    key, sep, value = part.partition("=")
    if not sep or not value.strip().isdigit() or int(value) <= 0:
      raise InputError(f"expected FEATURE=POSITIVE_INT pairs like inputs=2048,targets=128; "
                       f"got {part!r}", field="--sequence-length")
    out[key.strip()] = int(value)
  if not out:
    raise InputError("no lengths given", field="--sequence-length")
  return out


def run(args) -> int:
  if args.num_examples <= 0:
    raise InputError("must be positive", field="--num-examples")
  lengths = (parse_lengths(args.sequence_length) if args.sequence_length
             else settings.feature_lengths())
  report = inspect_provider(args.name, args.split, args.num_examples, lengths, args.show)
  print(format_report(report))
  failed = all(c["error"] for c in report["components"])
  if args.no_plot:
    pass
  elif failed:
    print("\nno composition plot: every component failed to build")
  else:
    path = args.plot or default_plot_path(args.name)
    plot_composition(report, path)
    print(f"\nwrote the composition plot to {os.path.abspath(path)}")
  if args.json:
    atomic_write_json(args.json, report)
    print(f"wrote the report to {os.path.abspath(args.json)}")
  return 1 if failed else 0


def default_plot_path(name: str) -> str:
  """``<name>.png`` in the current folder (characters unsafe in file names -> '_')."""
  return "".join(c if c.isalnum() or c in "._-" else "_" for c in name) + ".png"
