"""``python -m symtune_jax.gin_check``: the command line of the checks."""

from __future__ import annotations

import sys
from typing import Any, Sequence

from symtune_jax.errors import InputError
from symtune_jax.gin_check.bindings import parse_override
from symtune_jax.gin_check.launch import check_launch
from symtune_jax.gin_check.static import check_files, experiment_files, MANIFEST, write_manifest

USAGE = """\
usage: python -m symtune_jax.gin_check                      (every experiment, static)
       python -m symtune_jax.gin_check FILE [--gin.NAME=VALUE ...]
       python -m symtune_jax.gin_check --gin_file=FILE [--gin_file=...] [--gin.NAME=VALUE ...]
       python -m symtune_jax.gin_check --write-manifest T5X_CHECKOUT COMMIT

With a file: checks that launch as T5X would run it (same --gin_file / --gin.NAME
flags; other T5X flags are ignored): the static checks, macros left
%gin.REQUIRED, checkpoint and vocabulary paths, and the model's vocabulary
against the tasks' (symtune.settings.vocab), and TASK_FEATURE_LENGTHS against
symtune.settings.inputs_length. Exit 1 on problems."""


def main(argv: Sequence[str] | None = None) -> int:
  """``python -m symtune_jax.gin_check``: print problems; exit 1 if any, 2 on bad flags."""

  argv = list(sys.argv[1:] if argv is None else argv)
  if argv[:1] in (["-h"], ["--help"]):
    print(USAGE)
    return 0
  if argv[:1] == ["--write-manifest"]:
    n = write_manifest(argv[1], argv[2])
    print(f"wrote {MANIFEST} ({n} T5X gin files)")
    return 0
  files: list[str] = []
  overrides: list[tuple[str, Any]] = []
  ignored: list[str] = []
  try:
    args = iter(argv)
    for a in args:
      if a.startswith("--gin."):
        overrides.append(parse_override(a))
      elif a.startswith("--gin_bindings="):
        overrides.append(parse_override(a.split("=", 1)[1]))
      elif a == "--gin_file":
        files.append(next(args, ""))
      elif a.startswith("--gin_file="):
        files.append(a.split("=", 1)[1])
      elif a.startswith("-"):
        ignored.append(a)
      else:
        files.append(a)
    if not files and not overrides:
      paths = [str(p) for p in experiment_files()]
      bad = 0
      for path, problems in check_files(paths).items():
        for p in problems:
          print(p)
        bad += len(problems)
      print(f"{len(paths)} gin file(s), {bad} problem(s)")
      return 1 if bad else 0
    report = check_launch(files, overrides)
  except InputError as e:
    print(f"error: {e}", file=sys.stderr)
    return 2
  for a in ignored:
    if not a.startswith("--gin_search_paths"):
      print(f"note: {a}: not a gin flag, not checked")
  for n in report.notes:
    print(f"note: {n}")
  for p in report.problems:
    print(f"error: {p}")
  print(f"{' + '.join(files)}: {len(report.problems)} problem(s)"
        + ("" if report.problems else "; ready to launch"))
  return 1 if report.problems else 0

