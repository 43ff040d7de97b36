"""Errors raised at the project's boundaries (files, configs, CLI flags).

Each error names where the problem is (file, line, field) and what was expected,
so a user never has to read a traceback from deep inside TensorFlow.
"""

from __future__ import annotations


class SymtuneError(Exception):
  """Base class of the project's user-facing errors."""


class InputError(SymtuneError, ValueError):
  """Bad user input: a file, a line or a field that is not what was expected.

  Attributes:
    path: the file, if any.
    line: 1-based line number, if known.
    field: the field / column / key at fault, if known.
  """

  def __init__(self, message: str, *, path: str | None = None,
               line: int | None = None, field: str | None = None):
    self.path, self.line, self.field = path, line, field
    where = []
    if path is not None:
      where.append(str(path) + (f":{line}" if line is not None else ""))
    elif line is not None:
      where.append(f"line {line}")
    if field is not None:
      where.append(f"field {field!r}")
    prefix = (", ".join(where) + ": ") if where else ""
    super().__init__(prefix + message)


class TableError(InputError):
  """A table that cannot be used (ragged, empty, bad header, ...)."""
