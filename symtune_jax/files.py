"""Atomic file writes: write to a temporary file beside the target, then rename.

Nothing already written is ever left half-written: a killed process leaves
either the old file or the new one, plus at worst a stray ``.tmp-*`` file.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from typing import Any, Iterator, IO


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
