"""`symtune`: generate data, select tasks, inspect/cache mixtures, score T5X output.

Each sub-command lives in its own module under `symtune_jax.cli` and exposes
``add_parser(subparsers)``, which adds its parser and sets ``func`` to a
callable ``(args) -> int``. A command's module is imported only when that
command runs (or for ``symtune COMMAND --help``): the only lazy imports of the
CLI are here, and ``symtune --help`` imports none.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from symtune_jax import settings
from symtune_jax.errors import SymtuneError

# TensorFlow's C++ start-up chatter (oneDNN, CUDA stubs) is noise on a CLI.
settings.set_env_default("TF_CPP_MIN_LOG_LEVEL", "2")

# (command, module, one-line help). Keep in the order users meet them.
COMMANDS: list[tuple[str, str, str]] = [
    ("demo", "symtune_jax.cli.demo",
     "the main job on the shipped sample: build and inspect a WTQ-targeted mixture"),
    ("generate", "symtune_jax.cli.generate",
     "generate symbolic-task data (e.g. `generate sql`) as sharded TFRecord/JSONL"),
    ("select", "symtune_jax.cli.select",
     "INSTA: rank training tasks by instruction similarity and write a rates file"),
    ("inspect", "symtune_jax.cli.inspect_cmd",
     "show a mixture's components, rates, lengths and examples"),
    ("contamination", "symtune_jax.cli.contamination",
     "shared tables and 13-gram overlap between a mixture's training data and the eval tasks"),
    ("cache", "symtune_jax.cli.cache",
     "write a mixture's tasks as TFRecords for T5X's cached-task path"),
    ("score", "symtune_jax.cli.score",
     "compute metrics from T5X inference output files"),
    ("icl-table", "symtune_jax.cli.icl_table",
     "the symbol-tuning paper's ICL table from T5X inference files"),
]


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
  parser = argparse.ArgumentParser(
      prog="symtune",
      description=__doc__.splitlines()[0],
      epilog="Run `symtune COMMAND --help` for a command's options.",
      formatter_class=argparse.RawDescriptionHelpFormatter)
  sub = parser.add_subparsers(dest="command", metavar="COMMAND")
  wanted = None
  if argv:
    wanted = next((a for a in argv if not a.startswith("-")), None)
  for name, module, help_ in COMMANDS:
    if wanted != name:  # only the command that runs is imported (`symtune --help` too)
      sub.add_parser(name, help=help_)
      continue
    try:
      mod = importlib.import_module(module)
    except ModuleNotFoundError as e:
      if e.name != module:
        raise
      sub.add_parser(name, help=help_ + " (not available in this build)")
      continue
    mod.add_parser(sub)
  return parser


def main(argv: list[str] | None = None) -> int:
  argv = sys.argv[1:] if argv is None else argv
  parser = build_parser(argv)
  args = parser.parse_args(argv)
  if not getattr(args, "func", None):
    parser.print_help()
    return 0 if args.command is None else 2
  try:
    return int(args.func(args) or 0)
  except SymtuneError as e:
    print(f"symtune {args.command}: error: {e}", file=sys.stderr)
    return 2
  except KeyboardInterrupt:
    print(f"symtune {args.command}: interrupted", file=sys.stderr)
    return 130


if __name__ == "__main__":
  sys.exit(main())
