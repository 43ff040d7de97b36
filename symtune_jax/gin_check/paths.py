"""Checkpoint and vocabulary paths of a launch: exist locally, well-formed on GCS."""

from __future__ import annotations

import os
import pathlib
from typing import Any

from symtune_jax.gin_check.bindings import (_GS_PATH, _SCHEME, _STEP_DIR, CHECKPOINT_MARKERS,
                                            LaunchReport)

def _check_remote(label: str, value: str, where: str, report: LaunchReport) -> bool:
  """gs:// and other URLs: syntax only. True when ``value`` is remote."""
  if value.startswith("gs://"):
    if not _GS_PATH.match(value):
      hint = (" (an unedited placeholder such as YOUR_BUCKET?)"
              if any(c.isupper() for c in value.split("/")[2]) else "")
      report.problems.append(
          f"{where}: {label} = {value!r} is not a well-formed GCS path: expected "
          f"gs://BUCKET/OBJECT, the bucket in lower-case letters, digits, '-', '_', '.'{hint}")
    else:
      report.notes.append(f"{where}: {label} = {value!r}: GCS path not checked (offline); "
                          f"`gsutil ls {value}` on the training host checks it")
    return True
  if _SCHEME.match(value):
    report.notes.append(f"{where}: {label} = {value!r}: remote path not checked (offline)")
    return True
  return False


def _local_path(label: str, value: Any, where: str, report: LaunchReport,
                expected: str) -> pathlib.Path | None:
  """``value`` as a local path to check; None (and reported) if not a string or remote."""
  if not isinstance(value, str) or not value.strip():
    report.problems.append(f"{where}: {label} = {value!r}: expected {expected}")
    return None
  if _check_remote(label, value, where, report):
    return None
  return pathlib.Path(value)


def check_checkpoint_path(label: str, value: Any, where: str, report: LaunchReport,
                          *, allow_none: bool = False) -> None:
  """A T5X checkpoint path: a local ``checkpoint_N`` folder T5X can restore."""
  if value is None and allow_none:
    report.notes.append(f"{where}: {label} = None: no checkpoint (the model starts from "
                        "random weights)")
    return
  p = _local_path(label, value, where, report,
                  "a checkpoint path (a string: a checkpoint_N folder, local or gs://)")
  if p is None:
    return
  if not p.exists():
    parent = p.parent if str(p.parent) else pathlib.Path(".")
    hint = ""
    if parent.is_dir():
      steps = _checkpoint_steps(parent)
      if steps:
        hint = f"; {parent} holds {', '.join(f'checkpoint_{s}' for s in steps[-3:])}"
    else:
      hint = f"; its folder {parent} does not exist either"
    report.problems.append(f"{where}: {label} = {value!r}: no such checkpoint (the path "
                           f"does not exist{_relative_to_cwd(p)}){hint}")
    return
  if p.is_file():
    if p.name != "checkpoint":
      report.problems.append(f"{where}: {label} = {value!r} is a file, not a T5X checkpoint "
                             "folder (expected .../checkpoint_N)")
    return
  if any((p / m).exists() for m in CHECKPOINT_MARKERS):
    return
  steps = _checkpoint_steps(p)
  if steps:
    report.problems.append(
        f"{where}: {label} = {value!r} is a model folder, not a checkpoint; T5X restores "
        f"one step here: did you mean {value.rstrip('/')}/checkpoint_{steps[-1]} (the latest)?")
  else:
    report.problems.append(
        f"{where}: {label} = {value!r} is not a T5X checkpoint: the folder has no "
        f"`checkpoint` file (T5X) and no `_METADATA` (Orbax)")


def _relative_to_cwd(p: pathlib.Path) -> str:
  return "" if p.is_absolute() else f"; relative paths are from {os.getcwd()}, where T5X runs"


def _checkpoint_steps(folder: pathlib.Path) -> list[int]:
  try:
    names = [c.name for c in folder.iterdir() if c.is_dir()]
  except OSError:
    return []
  return sorted(int(m.group(1)) for m in map(_STEP_DIR.match, names) if m)


def check_vocabulary_path(label: str, value: Any, where: str, report: LaunchReport) -> None:
  """A SentencePiece model path: a non-empty local file, or a gs:// path."""
  p = _local_path(label, value, where, report, "the path of a SentencePiece .model file")
  if p is None:
    return
  if not p.exists():
    report.problems.append(f"{where}: {label} = {value!r}: no such vocabulary file "
                           f"(the path does not exist{_relative_to_cwd(p)})")
  elif not p.is_file():
    report.problems.append(f"{where}: {label} = {value!r} is a folder; expected a "
                           "SentencePiece .model file")
  elif p.stat().st_size == 0:
    report.problems.append(f"{where}: {label} = {value!r} is empty; expected a "
                           "SentencePiece .model file")


