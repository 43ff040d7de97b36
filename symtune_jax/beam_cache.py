"""SeqIO's Beam cache script, with Gin settings that reach every Beam worker.

    python -m symtune_jax.beam_cache \\
      --mixtures=symtune_sql_instruction_mix \\
      --output_cache_dir=/data/seqio_cache \\
      --gin_file=cache.gin --gin_bindings="symtune.sql_execution.seed = 1" \\
      --pipeline_options=--runner=DirectRunner,--direct_num_workers=2,--direct_running_mode=multi_processing

It is ``seqio.scripts.cache_tasks_main`` (every flag of it works: ``--tasks``,
``--min_shards``, ``--pipeline_options`` for Dataflow, ...) plus:

* ``--gin_file`` / ``--gin_bindings`` / ``--gin_search_paths``: parsed in the
  driver, and the resulting bindings (`gin.config_str`) travel inside the
  pickled Beam transform: each worker parses them before it builds its shards.
  So the settings of a run (``symtune.settings.vocab``,
  ``symtune.settings.wtq_root``, ``symtune.sql_execution.num_examples``, ...)
  are the same on every worker, wherever it runs. Anything set only in the
  driver's Python (``sql_tasks.configure``) or shell does *not* reach workers
  on another machine: set it in Gin.
* ``--mixtures``: cache every task of these mixtures (added to ``--tasks``).
* ``symtune_jax.tasks`` is always imported (``--module_import``).

Each symtune task that generates its data lists index-range shards
(`symtune_jax.tasks.sharding`), so the workers split a task's splits between
them; the log line ``<task> <split> None shards: N train[0:1000], ...`` says
how many. Requires ``pip install -e '.[beam]'`` (see docs/T5X.md for what that
changes in the environment).
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import re
from typing import Sequence

from absl import app, flags, logging
import gin

TASKS_MODULE = "symtune_jax.tasks"

# The Gin config this process has parsed (by `apply_gin`), so it is parsed once.
_APPLIED: list[str] = []


def apply_gin(config: str) -> None:
  """Parses a Gin config string once per process (the driver's, in a worker)."""
  if _APPLIED and _APPLIED[-1] == config:
    return
  importlib.import_module(TASKS_MODULE)
  importlib.import_module("symtune_jax.settings")
  if config.strip():
    gin.parse_config(config)
  _APPLIED.append(config)


@dataclasses.dataclass(frozen=True)
class GinSetup:
  """A picklable ``setup_fn`` for `seqio.beam_utils.PreprocessTask`: applies the driver's Gin."""
  config: str

  def __call__(self) -> None:
    apply_gin(self.config)


def parse_driver_gin(files: Sequence[str], bindings: Sequence[str],
                     search_paths: Sequence[str] = (".",)) -> str:
  """Parses the Gin files and bindings in the driver; returns the config for the workers."""
  importlib.import_module(TASKS_MODULE)
  importlib.import_module("symtune_jax.settings")
  for path in search_paths:
    gin.add_config_file_search_path(path)
  gin.parse_config_files_and_bindings(list(files), list(bindings), finalize_config=False)
  config = gin.config_str()
  _APPLIED.append(config)
  return config


def mixture_tasks(names: Sequence[str]) -> list[str]:
  """The task names of mixtures (or tasks) ``names``, sorted, each once."""
  import seqio  # pylint: disable=g-import-not-at-top
  out = set()
  for name in names:
    provider = seqio.get_mixture_or_task(name)
    tasks = provider.tasks if isinstance(provider, seqio.Mixture) else [provider]
    out.update(t.name for t in tasks)
  return sorted(out)


def install_setup(config: str) -> None:
  """Makes every `PreprocessTask` SeqIO's cache script builds apply ``config`` in its workers.

  The ``setup_fn`` (a `GinSetup`) is stored on the transform, which Beam
  pickles to the workers; it runs before the worker builds a shard.
  """
  from seqio import beam_utils  # pylint: disable=g-import-not-at-top
  original = getattr(beam_utils.PreprocessTask, "func", beam_utils.PreprocessTask)
  beam_utils.PreprocessTask = functools.partial(original, setup_fn=GinSetup(config))


def _define_flags() -> None:
  flags.DEFINE_multi_string("gin_file", [], "Gin files parsed in the driver and every worker.")
  flags.DEFINE_multi_string("gin_bindings", [], "Gin bindings, e.g. "
                            "\"symtune.sql_execution.num_examples = {'train': 1000}\".")
  flags.DEFINE_list("gin_search_paths", ["."], "Where --gin_file paths and includes are "
                    "looked up (default: the current folder).")
  flags.DEFINE_list("mixtures", [], "Mixtures whose tasks are cached (added to --tasks).")


def main(argv: Sequence[str]) -> None:
  """Parses Gin, wires it into the workers, expands --mixtures, runs SeqIO's script."""
  from seqio.scripts import cache_tasks_main  # pylint: disable=g-import-not-at-top
  f = flags.FLAGS
  if TASKS_MODULE not in f.module_import:
    f.module_import = list(f.module_import) + [TASKS_MODULE]
  config = parse_driver_gin(f.gin_file, f.gin_bindings, f.gin_search_paths)
  install_setup(config)
  if f.mixtures:
    names = mixture_tasks(f.mixtures)
    logging.info("caching the %d tasks of %s: %s", len(names), ", ".join(f.mixtures), names)
    f.tasks = list(f.tasks or []) + [re.escape(n) for n in names]
  cache_tasks_main.main(argv)


def run() -> None:
  """Entry point (``python -m symtune_jax.beam_cache``)."""
  from seqio.scripts import cache_tasks_main  # noqa: F401  pylint: disable=g-import-not-at-top,unused-import
  _define_flags()
  app.run(main)


if __name__ == "__main__":
  # Run through the importable module, so that what Beam pickles (GinSetup,
  # the PreprocessTask subclass) is found by name in the workers.
  from symtune_jax import beam_cache as _module  # pylint: disable=import-self
  _module.run()
