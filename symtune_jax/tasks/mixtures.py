"""SeqIO mixtures from rates files: one ``symtune_<stem>_mix`` per file.

``import symtune_jax.tasks.mixtures`` (e.g. from a gin file) registers a
mixture for every ``*.json`` rates file in the mixtures folder:
``$SYMTUNE_MIXTURES_DIR`` if set, else the repository's ``mixtures/`` (beside
the package in an editable install). ``mixtures/wtq_insta.json`` becomes
``symtune_wtq_insta_mix``. Reading the small folder (JSON of a few KB to
0.5 MB: ``sql_instruction.json`` names 1,495 tasks and registers in about
0.1 s) is the only work done at import: component tasks are registered
without reading their data (NIV2 tasks lazily, symbolic families by
importing their modules).

A corrupt rates file, or one naming a task that is neither registered nor
registrable here, raises `InputError` naming the file and the task.
"""

from __future__ import annotations

import os
import pathlib

import seqio

from symtune_jax.errors import InputError
from symtune_jax.instructions import families
from symtune_jax.selection import mixture_spec, rates_file
from symtune_jax.tasks import registry


def _register_task(task: str, info: dict, path: str) -> None:
  """Makes sure ``task`` is registered; errors name the file and the task."""
  card = str(info.get("card", ""))
  source, _, name = card.partition(":")
  if source == "niv2" and name:
    from symtune_jax.tasks import instructions  # pylint: disable=g-import-not-at-top
    registered = instructions.register_niv2_task(name)
    if registered != task:
      raise InputError(f"task {task!r} does not match its card {card!r} "
                       f"(expected {registered!r})", path=path,
                       field=f"tasks.{task}.card")
    return
  if source == "symbolic":
    build = families.builder(name)
    if build is not None:
      build()
  if (task not in seqio.TaskRegistry.names()
      and task not in seqio.MixtureRegistry.names()):
    hint = ("P3 cards have no SeqIO task in this build (P3 examples are not "
            "shipped); reselect with --buildable-only"
            if source == "p3" else
            "register it before importing symtune_jax.tasks.mixtures, or "
            "remove it from the file")
    raise InputError(f"names task {task!r} (card {card or '?'}), which is not "
                     f"a registered SeqIO task or mixture: {hint}", path=path,
                     field=f"rates.{task}")


def register_rates_file(path: str | os.PathLike, name: str | None = None
                        ) -> str:
  """Registers the mixture of one rates file; returns its name."""
  path = os.fspath(path)
  data = rates_file.read(path)
  tasks = data.get("tasks", {})
  for task in data["rates"]:
    _register_task(task, tasks.get(task, {}), path)
  name = name or mixture_spec.mixture_name(path)
  return registry.add_mixture(
      name, [(task, float(rate)) for task, rate in data["rates"].items()])


def register_directory(directory: str | os.PathLike | None = None
                       ) -> list[str]:
  """Registers a mixture per ``*.json`` in ``directory`` (default: above)."""
  directory = pathlib.Path(directory or mixture_spec.default_dir())
  if not directory.is_dir():
    if directory == mixture_spec.default_dir() and not os.environ.get(
        mixture_spec.MIXTURES_ENV):
      return []  # an installed (non-editable) package has no mixtures/.
    raise InputError("mixtures folder not found", path=str(directory))
  return [register_rates_file(p) for p in sorted(directory.glob("*.json"))]


MIXTURES = register_directory()
