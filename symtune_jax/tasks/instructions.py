"""SeqIO tasks for Super-NaturalInstructions (NIV2) tasks, registered lazily.

``register_niv2_task(name)`` registers ``symtune_niv2_<name>_v1`` (see
`symtune_jax.instructions.niv2.seqio_task_name`): inputs = NIV2's prompt
``Definition: ... Now complete the following example - Input: ... Output:``,
targets = the instance's first output; ``answers`` carries every acceptable
output for ROUGE-L / exact match (`symtune_jax.evaluation.rouge`). Splits:
``train`` (instances whose index % 10 != 9), ``validation`` (the others),
``test`` (all; for test-split tasks, never trained on). The source lists
index ranges of `EXAMPLES_PER_SHARD` instances of a split
(`sharding.IndexedSource`), so SeqIO's Beam cache spreads a task over workers.

Nothing is registered at import (NIV2 has 1,654 tasks): the mixtures module
and the selector register the ones they name. A task file is read only when
its dataset is built, from, in order:

1. the ``root`` passed at registration;
2. ``$SYMTUNE_NIV2_TASKS_DIR``: a folder of official task files
   (allenai/natural-instructions ``tasks/``; the TFDS ``natural_instructions``
   builder downloads the same files);
3. the package's demo sample ``symtune_jax/data/niv2_sample/``: for a few
   tasks, an official-format file whose ONLY instance is the task's positive
   example from ``task_metadata.json``. Enough to build a mixture offline on
   a fresh clone, not to train a model; a warning says when it is used.
"""

from __future__ import annotations

import functools
import logging
import os
import pathlib
from typing import Mapping

import seqio
import tensorflow as tf

from symtune_jax.errors import InputError
from symtune_jax.evaluation import rouge
from symtune_jax.instructions import families, niv2
from symtune_jax.instructions.card import TaskCard
from symtune_jax.tasks import p3, registry, sharding, sql, symbols, vocab

# The family modules register their tasks at import (kept imported here).
_FAMILY_MODULES = (sql, symbols)

SAMPLE_DIR = pathlib.Path(__file__).resolve().parents[1] / "data" / (
    "niv2_sample")
SPLITS = ("train", "validation", "test")
EXAMPLES_PER_SHARD = 1000  # instances per listed shard (Beam's unit of work)


def task_file(name: str, root: str | os.PathLike | None = None
              ) -> pathlib.Path:
  """Where the task file of NIV2 task ``name`` is read from (see above)."""
  folder = niv2.tasks_dir(root)
  if folder is not None:
    path = folder / f"{name}.json"
    if not path.exists():
      raise InputError(
          f"NIV2 task file for {name!r} not found in {folder} "
          f"(from {'the root argument' if root else '$' + niv2.TASKS_DIR_ENV}); "
          "point it at the official natural-instructions tasks/ folder",
          path=str(path))
    return path
  path = SAMPLE_DIR / f"{name}.json"
  if not path.exists():
    raise InputError(
        f"no data for NIV2 task {name!r}: set ${niv2.TASKS_DIR_ENV} to the "
        "official natural-instructions tasks/ folder (the package's demo "
        f"sample in {SAMPLE_DIR} has only a few tasks)", path=str(path))
  logging.warning("NIV2 task %s: using the demo sample %s (one instance, the "
                  "task's positive example); set $%s for the real data.",
                  name, path, niv2.TASKS_DIR_ENV)
  return path


@functools.lru_cache(maxsize=64)
def _read(path: str, mtime_ns: int) -> niv2.TaskFile:
  del mtime_ns  # part of the cache key only
  return niv2.read_task_file(path)


def _rows(name: str, root: str | None, split: str) -> tuple[niv2.TaskFile, list]:
  path = task_file(name, root)
  task = _read(str(path), path.stat().st_mtime_ns)
  return task, niv2.split_instances(task.instances, split)


def _signature() -> dict:
  return {"id": tf.TensorSpec((), tf.string),
          "definition": tf.TensorSpec((), tf.string),
          "input": tf.TensorSpec((), tf.string),
          "answers": tf.TensorSpec((None,), tf.string)}


def _source(name: str, root: str | None) -> sharding.IndexedSource:
  """The instances of one task file, in index-range shards (SeqIO's shuffle buffer shuffles)."""

  def generate(split: str, start: int, stop: int):
    task, rows = _rows(name, root, split)
    for inst in rows[start:stop]:
      yield {"id": inst.id, "definition": task.definition,
             "input": inst.input, "answers": list(inst.outputs)}

  return sharding.IndexedSource(
      generate=generate, size=lambda split: len(_rows(name, root, split)[1]),
      signature=_signature, splits=SPLITS, examples_per_shard=lambda: EXAMPLES_PER_SHARD)


@seqio.map_over_dataset
def niv2_prompt(ex: Mapping[str, "tf.Tensor"]) -> dict[str, "tf.Tensor"]:
  """Raw instance -> inputs / targets (same text as `niv2.format_input`).

  {"definition": "Repeat the text.", "input": "hi", "answers": ["hi"]} ->
  {"inputs": "Definition: Repeat the text.\\n\\nNow complete the following
  example -\\nInput: hi\\nOutput:", "targets": "hi", "answers": ["hi"], ...}
  """
  inputs = tf.strings.join([
      niv2.PROMPT_PREFIX, tf.strings.strip(ex["definition"]),
      niv2.PROMPT_MIDDLE, tf.strings.strip(ex["input"]), niv2.PROMPT_SUFFIX])
  return {"inputs": inputs, "targets": ex["answers"][0],
          "answers": ex["answers"], "id": ex["id"]}


def register_niv2_task(name: str, root: str | os.PathLike | None = None
                       ) -> str:
  """Registers the SeqIO task of NIV2 task ``name``; returns its SeqIO name.

  Args:
    name: the official task name, e.g. ``task062_bigbench_repeat_copy_logic``.
    root: a folder of official task files; default: resolved when the dataset
      is built (``$SYMTUNE_NIV2_TASKS_DIR``, else the demo sample).

  Returns:
    ``symtune_niv2_<name>_v1``. Registering twice is a no-op.
  """
  if not name or not isinstance(name, str):
    raise InputError("empty NIV2 task name", field="task")
  root = os.fspath(root) if root is not None else None
  return registry.add_task(
      niv2.seqio_task_name(name),
      source=_source(name, root),
      output_features=vocab.output_features(),
      preprocessors=[
          niv2_prompt,
          seqio.preprocessors.tokenize,
          seqio.CacheDatasetPlaceholder(),
          seqio.preprocessors.append_eos_after_trim,
      ],
      postprocess_fn=rouge.niv2_postprocessor,
      may_trim=True,  # outside data, trimmed as FLAN does
      metric_fns=[rouge.rouge_l_metric, rouge.exact_match_metric],
  )


def register_card(card: TaskCard | str) -> str:
  """Registers the SeqIO task of a card (or card key); returns its name.

  The name is `catalog.task_for_card`'s (the one card-to-task mapping): NIV2
  and P3 tasks are registered here; the symbolic families' tasks are
  registered by their modules (``symtune_jax.tasks.sql`` / ``.symbols``).
  """
  if isinstance(card, TaskCard):
    source, name = card.source, card.name
  else:
    source, _, name = str(card).partition(":")
  if source == "niv2" and name:
    return register_niv2_task(name)
  if source == "p3" and name:
    return p3.register_p3_task(name)
  family = families.family(name) if source == "symbolic" else None
  if family is None:
    raise InputError(f"card {source}:{name} has no SeqIO task (cards of "
                     "p3, niv2 and the symbolic families have)", field="card")
  return family.task
