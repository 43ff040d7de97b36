"""Builds the shipped card file from promptsource and NIV2 metadata.

  python -m symtune_jax.instructions.build_cards \
      --promptsource ../shared/data/promptsource \
      --niv2 ../shared/data/niv2 \
      --out symtune_jax/data/instruction_cards.json \
      [--niv2-sample-dir symtune_jax/data/niv2_sample --niv2-sample TASK ...]

The card file (``symtune-cards/1``) holds, per task, its name, meta-dataset,
instructions, category, example count and split; it is what the selector
ranks on a fresh clone. ``--niv2-sample`` also writes, for the named NIV2
tasks, a task file in the official format whose only instance is the task's
one positive example from ``task_metadata.json`` (the offline demo fallback;
see `symtune_jax.tasks.instructions`).
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import sys

from symtune_jax.files import atomic_write_json
from symtune_jax.instructions import niv2, promptsource

FORMAT = "symtune-cards/1"
SOURCES_INFO = {
    "p3": {"origin": "bigscience-workshop/promptsource templates/**/"
                     "templates.yaml (prompt side, Jinja markup removed)",
           "license": "Apache-2.0"},
    "niv2": {"origin": "allenai/natural-instructions task definitions, via "
                       "google-research/FLAN task_metadata.json; test split "
                       "= test_tasks.txt; FLAN's 41 alias names (official "
                       "name with - spelt _) merged into the official ones",
             "license": "Apache-2.0"},
}
SAMPLE_NOTE = ("symtune_jax demo sample: the one positive example of "
               "task_metadata.json as the only instance. Not the official "
               "instances; set SYMTUNE_NIV2_TASKS_DIR to the official tasks/ "
               "folder for real data.")


def build(promptsource_dir: str, niv2_dir: str,
          log=None) -> dict:
  """The card file's content: P3 cards, then NIV2 cards (one per task).

  NIV2 names that FLAN's metadata lists twice (``task137_detoxifying-lms_...``
  and its copy ``task137_detoxifying_lms_...``) become one card under the
  official name; a copy of a test-split task is test (`niv2.merge_aliases`).
  """
  p3_cards = promptsource.load_cards(promptsource_dir)
  test = set(niv2.read_test_tasks(os.path.join(niv2_dir, "test_tasks.txt")))
  raw = niv2.load_metadata_cards(
      os.path.join(niv2_dir, "task_metadata.json"), test, merge=False)
  niv2_cards, aliases = niv2.merge_aliases(raw, test)
  if log:
    log(f"niv2: {len(raw)} names, {len(aliases)} FLAN aliases merged into "
        f"their official names -> {len(niv2_cards)} tasks "
        f"({sum(c.split == 'test' for c in niv2_cards)} test)")
  return {"format": FORMAT, "sources": SOURCES_INFO,
          "cards": [c.to_json() for c in p3_cards + niv2_cards]}


def write_samples(niv2_dir: str, tasks: list[str], out_dir: str) -> list[str]:
  """Official-format task files holding the one positive example each."""
  path = os.path.join(niv2_dir, "task_metadata.json")
  with open(path, encoding="utf-8") as f:
    meta = json.load(f)
  written = []
  for name in tasks:
    if name not in meta:
      raise SystemExit(f"{path}: no NIV2 task {name!r}")
    entry = meta[name]
    example = entry["positive_examples"]
    atomic_write_json(pathlib.Path(out_dir) / f"{name}.json", {
        "Note": SAMPLE_NOTE,
        "Source": ["task_metadata.json (google-research/FLAN)"],
        "Definition": [entry["definition"]],
        "Positive Examples": [example],
        "Negative Examples": [],
        "Instances": [{"id": f"{name}-positive-0", "input": example["input"],
                       "output": [example["output"]]}],
    })
    written.append(name)
  return written


def main(argv: list[str] | None = None) -> int:
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--promptsource", required=True)
  parser.add_argument("--niv2", required=True,
                      help="folder with task_metadata.json and test_tasks.txt")
  parser.add_argument("--out", required=True)
  parser.add_argument("--niv2-sample", nargs="*", default=[])
  parser.add_argument("--niv2-sample-dir")
  args = parser.parse_args(argv)
  data = build(args.promptsource, args.niv2, log=print)
  atomic_write_json(args.out, data, indent=None)
  size = os.path.getsize(args.out)
  print(f"{args.out}: {len(data['cards'])} cards, {size / 1e6:.2f} MB")
  if args.niv2_sample:
    if not args.niv2_sample_dir:
      parser.error("--niv2-sample needs --niv2-sample-dir")
    names = write_samples(args.niv2, args.niv2_sample, args.niv2_sample_dir)
    print(f"{args.niv2_sample_dir}: {len(names)} sample task files")
  return 0


if __name__ == "__main__":
  sys.exit(main())
