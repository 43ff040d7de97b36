"""Every symtune SeqIO mixture: recipes in code, selections from rates files.

Recipes (FLAN-style, written here):

* ``symtune_eval_<bench>_mix``, ``symtune_eval_table_mix``,
  ``symtune_eval_{bbh,mmlu}[_rankclass]_mix``: every evaluation task of a
  group, uniform (T5X reports each task).
* Method A (Liu et al. 2023): ``symtune_niv2_train_mix`` = every NIV2
  training task (one per SeqIO task, none of the NIV2 test split),
  examples-proportional with a cap of `NIV2_CAP` examples (the rate
  ``seqio.mixing_rate_num_examples(maximum=NIV2_CAP)`` gives, from the
  cards' counts, FLAN's ``task_metadata.json``); and
  ``symtune_sql_instruction_mix`` = that mixture 75% + SQL execution 25%, a
  mixture of mixtures.
* Method B (Wei et al. 2023): ``symtune_symbol_tuning_v1`` (alias
  ``symtune_symbol_tuning_mix``; the offline TweetEval datasets),
  ``symtune_symbol_tuning_full_mix`` (all 22 tuning datasets),
  ``symtune_symbol_tuning_heldout_mix`` (without irony and offensive), each
  examples-proportional with the paper's 25k cap per dataset; the evaluation
  mixtures ``symtune_icl_eval_mix`` (the paper's 11 held-out tasks x settings)
  and ``symtune_bigbench_list_functions_mix`` (one task per function), uniform.
* ``symtune_demo_wtq_mix`` (`demo_fallback_mixture`, registered only when the
  demo asks): SQL execution + symbol tuning, for a checkout without
  ``wtq_insta.json``.

Selections (files): ``import symtune_jax.tasks.mixtures`` (e.g. from a gin
file) registers a mixture for every ``*.json`` rates file (`symtune select`'s
output) in the mixtures folder: the ``mixtures_dir`` setting (Gin
``symtune.settings.mixtures_dir``, ``$SYMTUNE_MIXTURES_DIR``), else the
package's ``symtune_jax/mixtures/`` (package data, so a wheel install has
them too). ``symtune_jax/mixtures/wtq_insta.json`` becomes
``symtune_wtq_insta_mix``. Reading the cards and the small rates files is the
only work done at import: component tasks are registered without reading
their data (NIV2 tasks lazily, symbolic families by importing their modules).

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

import difflib
import logging
import os
import pathlib
import sys

import seqio

from symtune_jax import settings
from symtune_jax.errors import InputError
from symtune_jax.instructions import catalog, families
from symtune_jax.selection import mixture_rates, rates_file
from symtune_jax.tasks import evaluation, instructions, registry, symbols
from symtune_jax.tasks import sql as sql_tasks

NIV2_CAP = 3000
SQL_SHARE = 0.25
NIV2_TRAIN_MIX = "symtune_niv2_train_mix"
SQL_INSTRUCTION_MIX = "symtune_sql_instruction_mix"

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
  name = name or mixture_rates.mixture_name(path)
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
  directory = pathlib.Path(directory or mixture_rates.default_dir())
  if not directory.is_dir():
    if directory == mixture_rates.default_dir() and settings.resolve(
        "mixtures_dir")[1] == "default":
      return []  # an installed (non-editable) package has no mixtures/.
    raise InputError("mixtures folder not found", path=str(directory))
  _DIR_ERROR.clear()
  _forget_errors(directory)
  names = []
  for path in sorted(directory.glob("*.json")):
    name = mixture_rates.mixture_name(path)
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
  known = sorted(set(seqio.MixtureRegistry.names()) | set(seqio.TaskRegistry.names()))
  close = difflib.get_close_matches(name, known, n=5, cutoff=0.6)
  hint = (" Did you mean: " + ", ".join(close) + "?") if close else ""
  why = (f" (no rates file was read: {_DIR_ERROR[0]}; set "
         f"${mixture_rates.MIXTURES_ENV} to a folder that exists)"
         if _DIR_ERROR else "")
  symtune = [k for k in known if k.startswith("symtune_") and k.endswith("_mix")]
  raise InputError(f"no SeqIO mixture or task named {name!r}{why}.{hint} "
                   f"({len(known)} registered; symtune mixtures: "
                   f"{', '.join(symtune[:12]) or 'none'}{', ...' if len(symtune) > 12 else ''})")


def check_directory(directory: str | os.PathLike | None = None,
                    out=None) -> int:
  """Validates (and registers) every rates file; prints one line per file.

  Returns:
    The number of bad files (0: all good).
  """
  out = out or sys.stdout
  directory = pathlib.Path(directory or mixture_rates.default_dir())
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
      _FAILED[mixture_rates.mixture_name(path)] = error
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


def _register_eval_mixtures() -> list[str]:
  """Uniform mixtures of the evaluation tasks (`symtune_jax.tasks.evaluation`)."""
  names = []
  table = evaluation.TABLE_TASKS
  for bench, tasks in table.items():
    names.append(registry.add_mixture(f"symtune_eval_{bench}_mix", tasks, default_rate=1.0))
  names.append(registry.add_mixture(
      "symtune_eval_table_mix",
      [t for bench in evaluation.TABLE_BENCHMARKS for t in table[bench]], default_rate=1.0))
  for name, tasks in (("symtune_eval_bbh_mix", evaluation.BBH_TASKS),
                      ("symtune_eval_bbh_rankclass_mix", evaluation.BBH_RANKCLASS_TASKS),
                      ("symtune_eval_mmlu_mix", evaluation.MMLU_TASKS),
                      ("symtune_eval_mmlu_rankclass_mix", evaluation.MMLU_RANKCLASS_TASKS)):
    names.append(registry.add_mixture(name, tasks, default_rate=1.0))
  return names


def niv2_training_cards() -> list:
  """Method A's instruction data: one card per SeqIO task of the NIV2 training
  split (`mixture_rates.all_tasks`: no alias of a test task)."""
  held_out = [c for c in catalog.pool(catalog.POOL_SOURCES, include_test=True)
              if c.split == "test"]
  cards, _ = mixture_rates.all_tasks(catalog.pool(["niv2"]), held_out=held_out)
  return cards


def capped_rate(num_examples: int, maximum: int = NIV2_CAP) -> float:
  """Examples-proportional with a cap: what ``seqio.mixing_rate_num_examples(task,
  maximum=maximum)`` returns for a task of ``num_examples`` (computed here from
  the card, as SeqIO would need each task's count and logs a warning per call)."""
  return float(min(num_examples, maximum))


def _register_method_a() -> list[str]:
  """``symtune_niv2_train_mix`` and ``symtune_sql_instruction_mix`` (see module doc)."""
  components = []
  for card in niv2_training_cards():
    task = instructions.register_niv2_task(card.name)
    components.append((task, capped_rate(card.num_examples or 0)))
  components = [(t, r) for t, r in components if r > 0]
  return [
      registry.add_mixture(NIV2_TRAIN_MIX, components),
      registry.add_mixture(SQL_INSTRUCTION_MIX, [(NIV2_TRAIN_MIX, 1 - SQL_SHARE),
                                                 (sql_tasks.TASK_NAME, SQL_SHARE)]),
  ]


def _register_symbol_mixtures() -> list[str]:
  """Method B's tuning mixtures (examples-proportional, 25k cap per dataset) and
  its evaluation mixtures (uniform: T5X reports every task separately), from the
  task groups `tasks.symbols` registers."""
  groups = symbols.TASK_GROUPS
  capped = lambda tasks: [(t, symbols.capped_rate) for t in tasks]  # pylint: disable=unnecessary-lambda-assignment
  return [
      registry.add_mixture("symtune_symbol_tuning_v1", capped(groups["tuning_offline"])),
      registry.add_mixture("symtune_symbol_tuning_mix", capped(groups["tuning_offline"])),
      registry.add_mixture("symtune_symbol_tuning_full_mix", capped(groups["tuning_full"])),
      registry.add_mixture("symtune_symbol_tuning_heldout_mix", capped(groups["tuning_heldout"])),
      registry.add_mixture(symbols.ICL_EVAL_MIXTURE, groups["icl_eval"], default_rate=1.0),
      registry.add_mixture(symbols.LIST_FUNCTIONS_MIXTURE, groups["list_functions"],
                           default_rate=1.0),
  ]


DEMO_FALLBACK_MIXTURE = "symtune_demo_wtq_mix"


def demo_fallback_mixture() -> str:
  """What the demo trains on when ``symtune_wtq_insta_mix``'s rates file is absent:
  SQL execution and symbol tuning, half each."""
  return registry.add_mixture(DEMO_FALLBACK_MIXTURE, [("symtune_sql_execution_v1", 0.5),
                                                      ("symtune_symbol_tuning_mix", 0.5)])


# The recipes' names, then the rates files' (see `register_directory`).
RECIPES = _register_eval_mixtures() + _register_method_a() + _register_symbol_mixtures()
MIXTURES = _register_at_import()
