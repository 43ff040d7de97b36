"""Where each evaluation benchmark's files are, and a clear error when absent.

A thin layer over `symtune_jax.settings`, which resolves every root by one
rule (Gin ``symtune.settings.<benchmark>_root`` or a flag, then
``$SYMTUNE_<BENCHMARK>_ROOT``, then ``../shared/data``, then the shipped
sample). This module adds only `require_file`'s message.
"""

from __future__ import annotations

import dataclasses
import os
import pathlib

from symtune_jax import settings
from symtune_jax.errors import InputError

PACKAGE_DATA = settings.PACKAGE_DATA


@dataclasses.dataclass(frozen=True)
class DataRoot:
  """One benchmark's root directory.

  Attributes:
    benchmark: short name ('wtq', 'tabfact', ...), used in messages.
    setting: the name of its setting (`settings.SETTINGS`).
  """
  benchmark: str
  setting: str

  @property
  def env_var(self) -> str:
    return settings.SETTINGS[self.setting].env_var

  def path(self) -> pathlib.Path:
    """The root to read (`settings.root`)."""
    return settings.root(self.setting)

  def require_file(self, relative: str | os.PathLike, root: pathlib.Path | None = None
                   ) -> pathlib.Path:
    """``root / relative`` if it exists, else an `InputError` naming it and the setting."""
    root = self.path() if root is None else root
    path = root / relative
    if not path.exists():
      raise InputError(
          f"{self.benchmark} data not found (no such file): point "
          f"{self.setting} at the benchmark's directory in its official layout "
          f"(see symtune_jax/evaluation/{self.benchmark}.py); "
          f"{settings.how_to_set(self.setting)}", path=str(path))
    return path


WTQ = DataRoot("wtq", "wtq_root")
TABFACT = DataRoot("tabfact", "tabfact_root")
SVAMP = DataRoot("svamp", "svamp_root")
BBH = DataRoot("bbh", "bbh_root")
WIKISQL = DataRoot("wikisql", "wikisql_root")
SQA = DataRoot("sqa", "sqa_root")
MMLU = DataRoot("mmlu", "mmlu_root")
