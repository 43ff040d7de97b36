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

Each file is registered on its own: a corrupt rates file, or one naming a
task that is neither registered nor registrable here, is logged (file and
reason) and skipped, so one bad file never breaks ``import
symtune_jax.tasks`` (and with it every command and gin file). Asking for
that mixture with `require_mixture` raises the `InputError` naming the file
and the field or task; `load_errors` lists every skipped file. Check a
folder (exit status 1 on any bad file) with::

  symtune select --check-mixtures [--out DIR]
"""

from __future__ import annotations

import logging
import os
import pathlib
import sys

import seqio

from symtune_jax.errors import InputError
from symtune_jax.selection import mixture_spec, rates_file
from symtune_jax.tasks import instructions, registry

_log = logging.getLogger(__name__)
# Mixture name -> why its rates file did not register (see `load_errors`).
_FAILED: dict[str, InputError] = {}
# Why the mixtures folder itself could not be read at import, if it could not.
_DIR_ERROR: list[InputError] = []


def _register_task(task: str, info: dict, path: str) -> None:
  """Makes sure ``task`` is registered; errors name the file and the task."""
  card = str(info.get("card", ""))
  source, _, name = card.partition(":")
  if source in ("niv2", "p3", "symbolic") and name:
    try:
      registered = instructions.register_card(card)
    except InputError as e:
      raise InputError(f"names task {task!r}, whose card cannot be "
                       f"registered: {e}", path=path,
                       field=f"rates.{task}") from None
    if registered != task:
      raise InputError(f"task {task!r} does not match its card {card!r} "
                       f"(expected {registered!r})", path=path,
                       field=f"tasks.{task}.card")
  if (task not in seqio.TaskRegistry.names()
      and task not in seqio.MixtureRegistry.names()):
    hint = ("register it before importing symtune_jax.tasks.mixtures, or "
            "remove it from the file")
    raise InputError(f"names task {task!r} (card {card or '?'}), which is not "
                     f"a registered SeqIO task or mixture: {hint}", path=path,
                     field=f"rates.{task}")


def register_rates_file(path: str | os.PathLike, name: str | None = None
                        ) -> str:
  """Registers the mixture of one rates file; returns its name.

  Raises:
    InputError: the file is unreadable or names a task that cannot be
      registered (naming the file and the field or task).
  """
  path = os.fspath(path)
  data = rates_file.read(path)
  tasks = data.get("tasks", {})
  for task in data["rates"]:
    _register_task(task, tasks.get(task, {}), path)
  name = name or mixture_spec.mixture_name(path)
  try:
    return registry.add_mixture(
        name, [(task, float(rate)) for task, rate in data["rates"].items()])
  except (ValueError, TypeError, KeyError) as e:  # seqio's own checks
    raise InputError(f"SeqIO refused mixture {name!r}: {e}", path=path,
                     field="rates") from None


def _as_input_error(e: Exception, path: pathlib.Path) -> InputError:
  if isinstance(e, InputError):
    return e
  return InputError(f"could not register ({type(e).__name__}: {e})",
                    path=str(path))


def _forget_errors(directory: pathlib.Path) -> None:
  """Drops the recorded errors of ``directory``'s files (it is re-read)."""
  for name, error in list(_FAILED.items()):
    if error.path and pathlib.Path(error.path).parent == directory:
      del _FAILED[name]


def register_directory(directory: str | os.PathLike | None = None
                       ) -> list[str]:
  """Registers a mixture per ``*.json`` in ``directory`` (default: above).

  A file that does not register is logged and skipped (see `load_errors`).

  Returns:
    The names of the mixtures registered.

  Raises:
    InputError: ``directory`` (given, or ``$SYMTUNE_MIXTURES_DIR``) does not
      exist.
  """
  directory = pathlib.Path(directory or mixture_spec.default_dir())
  if not directory.is_dir():
    if directory == mixture_spec.default_dir() and not os.environ.get(
        mixture_spec.MIXTURES_ENV):
      return []  # an installed (non-editable) package has no mixtures/.
    raise InputError("mixtures folder not found", path=str(directory))
  _DIR_ERROR.clear()
  _forget_errors(directory)
  names = []
  for path in sorted(directory.glob("*.json")):
    name = mixture_spec.mixture_name(path)
    try:
      names.append(register_rates_file(path))
    except Exception as e:  # pylint: disable=broad-except
      # One bad file must not break every import (and every command).
      error = _as_input_error(e, path)
      _FAILED[name] = error
      _log.warning("skipped rates file %s (mixture %s not registered): %s; "
                   "check with `symtune select --check-mixtures`", path, name,
                   error)
    else:
      _FAILED.pop(name, None)
  return names


def load_errors() -> dict[str, InputError]:
  """Mixture name -> the error that kept its rates file from registering."""
  return dict(_FAILED)


def require_mixture(name: str):
  """The registered mixture (or task) ``name``, or a clear `InputError`.

  For a mixture whose rates file was skipped at import, the error names the
  file, the field or task at fault, and what to do.
  """
  if name in seqio.MixtureRegistry.names() or name in (
      seqio.TaskRegistry.names()):
    return seqio.get_mixture_or_task(name)
  error = _FAILED.get(name)
  if error is not None:
    raise InputError(
        f"mixture {name!r} is not registered: its rates file is bad: "
        f"{error}. Fix or regenerate it (`symtune select ... --force`), or "
        "remove it; check every file with `symtune select --check-mixtures`"
    ) from None
  known = sorted(n for n in seqio.MixtureRegistry.names()
                 if n.startswith("symtune_"))
  why = (f" (no rates file was read: {_DIR_ERROR[0]}; set "
         f"${mixture_spec.MIXTURES_ENV} to a folder that exists)"
         if _DIR_ERROR else "")
  raise InputError(f"no SeqIO mixture or task named {name!r}{why}; symtune "
                   f"mixtures: {', '.join(known) or 'none'}")


def check_directory(directory: str | os.PathLike | None = None,
                    out=None) -> int:
  """Validates (and registers) every rates file; prints one line per file.

  Returns:
    The number of bad files (0: all good).
  """
  out = out or sys.stdout
  directory = pathlib.Path(directory or mixture_spec.default_dir())
  if not directory.is_dir():
    raise InputError("mixtures folder not found", path=str(directory))
  paths = sorted(directory.glob("*.json"))
  _forget_errors(directory)
  bad = 0
  for path in paths:
    try:
      size = len(rates_file.read(path)["rates"])
      name = register_rates_file(path)
    except Exception as e:  # pylint: disable=broad-except
      error = _as_input_error(e, path)
      _FAILED[mixture_spec.mixture_name(path)] = error
      print(f"BAD {path}: {error}", file=out)
      bad += 1
    else:
      _FAILED.pop(name, None)
      print(f"ok  {path} -> {name} ({size} components)", file=out)
  print(f"{len(paths) - bad} of {len(paths)} rates files in {directory} "
        f"register{'' if not bad else f'; {bad} bad'}", file=out)
  return bad


def _register_at_import() -> list[str]:
  """`register_directory`, never raising: a missing ``$SYMTUNE_MIXTURES_DIR``
  is logged (asking for one of its mixtures then fails with the reason)."""
  try:
    return register_directory()
  except InputError as e:
    _DIR_ERROR.append(e)
    _log.warning("no rates files registered: %s", e)
    return []


MIXTURES = _register_at_import()
