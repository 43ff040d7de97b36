"""Idempotent SeqIO registration helpers (re-import in a notebook must not raise).

`add_task` also guards the promise that symtune never trims an input: each
task built to a token budget gets `no_trim_check` just before
``append_eos_after_trim``, which fails the dataset, naming the task and both
lengths, if an input is longer than the run's feature length allows.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

import seqio
import tensorflow as tf

from symtune_jax import settings


def no_trim_check(task_name: str, features: tuple[str, ...] = ("inputs",)
                  ) -> Callable[..., tf.data.Dataset]:
  """A preprocessor that fails if SeqIO would trim one of ``features``.

  SeqIO passes the run's ``sequence_length``; a feature with EOS may hold
  ``length - 1`` tokens. The error names the task, the token count, the
  run's length and the budget the task was built for
  (`settings.feature_lengths`), and how to make them agree.
  """

  # sequence_length defaults to None: seqio.Evaluator's automatic length
  # detection refuses preprocessors that require it.
  def check(dataset: tf.data.Dataset, output_features: Mapping[str, seqio.Feature],
            sequence_length: Mapping[str, int] | None = None) -> tf.data.Dataset:
    if not sequence_length:
      return dataset
    limits = {}
    for key in features:
      length = sequence_length.get(key)
      if length is not None and key in output_features:
        limits[key] = int(length) - (1 if output_features[key].add_eos else 0)
    if not limits:
      return dataset
    built_for = settings.feature_lengths()

    def fn(ex):
      asserts = []
      for key, limit in limits.items():
        if key not in ex:
          continue
        asserts.append(tf.debugging.assert_less_equal(
            tf.size(ex[key]), limit, message=(
                f"{task_name}: {key} longer than the run's {key} feature length "
                f"{sequence_length[key]} allows ({limit} tokens + EOS): SeqIO would "
                f"trim it. The task builds {key} for {built_for.get(key)} tokens "
                f"(symtune.settings.{key}_length); set symtune.settings.{key}_length "
                f"to TASK_FEATURE_LENGTHS['{key}'] of the run. Token count:")))
      with tf.control_dependencies(asserts):
        return {k: tf.identity(v) for k, v in ex.items()}

    return dataset.map(fn, num_parallel_calls=tf.data.AUTOTUNE)

  check.__name__ = f"no_trim_check_{task_name}"
  return check


def _with_check(name: str, preprocessors: list[Any]) -> list[Any]:
  """``preprocessors`` with `no_trim_check` before ``append_eos_after_trim``."""
  out = list(preprocessors)
  trim = seqio.preprocessors.append_eos_after_trim
  if trim in out:
    out.insert(out.index(trim), no_trim_check(name))
  return out


def add_task(name: str, *, may_trim: bool = False, **kwargs: Any) -> str:
  """Registers a task unless one with that name exists; returns the name.

  Args:
    name: the SeqIO task name.
    may_trim: True for tasks of outside data that SeqIO may trim (NIV2, as
      FLAN does); otherwise an input longer than the run's feature length
      fails (`no_trim_check`).
    **kwargs: `seqio.TaskRegistry.add` arguments.
  """
  if name not in seqio.TaskRegistry.names():
    if not may_trim and "preprocessors" in kwargs:
      kwargs["preprocessors"] = _with_check(name, kwargs["preprocessors"])
    seqio.TaskRegistry.add(name, **kwargs)
  return name


def add_mixture(name: str, tasks: Any, **kwargs: Any) -> str:
  """Registers a mixture unless one with that name exists; returns the name."""
  if name not in seqio.MixtureRegistry.names():
    seqio.MixtureRegistry.add(name, tasks, **kwargs)
  return name
