"""Where each evaluation benchmark's files are, and a clear error when absent.

Every benchmark has an environment variable naming its root directory. Unset,
the root defaults to the benchmark's folder under ``../shared/data`` beside the
repository (a developer checkout), else to data shipped in the package (only
WTQ has a shipped sample), else to that ``../shared/data`` path, which then
fails at `require_file` with a message naming the path and the variable.

Nothing here touches the file system at import time.
"""

from __future__ import annotations

import dataclasses
import os
import pathlib

from symtune_jax.errors import InputError

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
PACKAGE_DATA = pathlib.Path(__file__).resolve().parents[1] / "data"
SHARED_DATA_ENV = "SYMTUNE_SHARED_DATA"


def shared_data_root() -> pathlib.Path:
  """``$SYMTUNE_SHARED_DATA`` or ``../shared/data`` relative to the repository."""
  env = os.environ.get(SHARED_DATA_ENV)
  return pathlib.Path(env) if env else REPO_ROOT.parent / "shared" / "data"


@dataclasses.dataclass(frozen=True)
class DataRoot:
  """How to find one benchmark's root directory.

  Attributes:
    benchmark: short name ('wtq', 'tabfact', ...), used in messages.
    env_var: the environment variable that overrides the root.
    shared_subdir: the folder under ../shared/data (None: not shipped there).
    packaged_subdir: a folder under symtune_jax/data used when the shared copy
      is absent (None: no shipped sample).
  """
  benchmark: str
  env_var: str
  shared_subdir: str | None = None
  packaged_subdir: str | None = None

  def path(self) -> pathlib.Path:
    """The root to read: env var, else ../shared/data, else shipped sample."""
    env = os.environ.get(self.env_var)
    if env:
      return pathlib.Path(env)
    shared = (shared_data_root() / self.shared_subdir) if self.shared_subdir else None
    if shared is not None and shared.is_dir():
      return shared
    if self.packaged_subdir and (PACKAGE_DATA / self.packaged_subdir).is_dir():
      return PACKAGE_DATA / self.packaged_subdir
    if shared is not None:
      return shared
    return pathlib.Path(f"<unset ${self.env_var}>")

  def require_file(self, relative: str | os.PathLike, root: pathlib.Path | None = None
                   ) -> pathlib.Path:
    """``root / relative`` if it exists, else an `InputError` naming it and the env var."""
    root = self.path() if root is None else root
    path = root / relative
    if not path.exists():
      raise InputError(
          f"{self.benchmark} data not found (no such file). Set "
          f"${self.env_var} to the benchmark's directory in its official layout "
          f"(see symtune_jax/evaluation/{self.benchmark}.py).", path=str(path))
    return path


WTQ = DataRoot("wtq", "SYMTUNE_WTQ_ROOT", "wtq/official", "wtq_sample")
TABFACT = DataRoot("tabfact", "SYMTUNE_TABFACT_ROOT", "tabfact")
SVAMP = DataRoot("svamp", "SYMTUNE_SVAMP_ROOT", "svamp")
BBH = DataRoot("bbh", "SYMTUNE_BBH_ROOT", "bbh")
WIKISQL = DataRoot("wikisql", "SYMTUNE_WIKISQL_ROOT", "wikisql")
SQA = DataRoot("sqa", "SYMTUNE_SQA_ROOT", "sqa")
MMLU = DataRoot("mmlu", "SYMTUNE_MMLU_ROOT", "mmlu")
