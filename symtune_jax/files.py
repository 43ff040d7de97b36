"""Atomic file writes, and the one JSONL reader.

Writes go to a temporary file beside the target, then rename: nothing already
written is ever left half-written (a killed process leaves either the old file
or the new one, plus at worst a stray ``.tmp-*`` file).

JSONL is read with `iter_jsonl` / `parse_jsonl_object`: one JSON object per
line, errors naming file:line.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from typing import Any, Iterator, IO

from symtune_jax.errors import InputError


def parse_jsonl_object(line: str, path: str | os.PathLike, line_no: int) -> dict[str, Any]:
  """One JSONL line as a JSON object; else an `InputError` naming file:line."""
  try:
    obj = json.loads(line)
  except json.JSONDecodeError as e:
    raise InputError(f"not valid JSON ({e.msg} at column {e.colno})",
                     path=os.fspath(path), line=line_no) from None
  except (ValueError, RecursionError) as e:  # huge integers, deep nesting
    raise InputError(f"not usable JSON ({str(e)[:80] or type(e).__name__})",
                     path=os.fspath(path), line=line_no) from None
  if not isinstance(obj, dict):
    raise InputError(f"expected a JSON object, got {type(obj).__name__}",
                     path=os.fspath(path), line=line_no)
  return obj


def iter_jsonl(path: str | os.PathLike) -> Iterator[tuple[int, dict[str, Any]]]:
  """``(line number, object)`` for each non-blank line of a JSONL file.

  Raises:
    InputError: a line that is not a JSON object (naming file:line), or a
      file that can't be read.
  """
  try:
    f = open(path, encoding="utf-8")  # pylint: disable=consider-using-with
  except OSError as e:
    raise InputError(f"cannot read: {e.strerror}", path=os.fspath(path)) from None
  with f:
    for i, line in enumerate(f, start=1):
      if line.strip():
        yield i, parse_jsonl_object(line, path, i)


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "w",
                encoding: str | None = "utf-8") -> Iterator[IO]:
  """Opens a temp file for writing; renames it onto ``path`` on success."""
  path = os.fspath(path)
  directory = os.path.dirname(os.path.abspath(path))
  os.makedirs(directory, exist_ok=True)
  fd, tmp = tempfile.mkstemp(prefix=".tmp-" + os.path.basename(path) + "-",
                             dir=directory)
  binary = "b" in mode
  try:
    with os.fdopen(fd, mode, encoding=None if binary else encoding) as f:
      yield f
      f.flush()
      os.fsync(f.fileno())
    # mkstemp makes 0600 files; give the result the usual umask-based mode.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    os.replace(tmp, path)
  except BaseException:
    with contextlib.suppress(FileNotFoundError):
      os.remove(tmp)
    raise


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
  with atomic_open(path, "w") as f:
    f.write(text)


def atomic_write_json(path: str | os.PathLike, obj: Any, indent: int = 2) -> None:
  with atomic_open(path, "w") as f:
    json.dump(obj, f, indent=indent, ensure_ascii=False, sort_keys=False)
    f.write("\n")
