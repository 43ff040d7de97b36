"""SeqIO registration of the SQL execution task family (method A).

``symtune_sql_execution_v1``: inputs = an instruction phrasing + a SQL query +
a TAPEX-linearized WTQ table; targets = the query's answer on that table
(values joined by ", "). Examples are generated on the fly and are a pure
function of (seed, split, index) (`symtune_jax.sql.examples`); tables are split
train / validation / test by table id, with TAPEX's held-out dev tables never in
train.

Tables come from ``$SYMTUNE_WTQ_ROOT`` (the WTQ folder holding ``csv/``, e.g.
``../shared/data/wtq/official``) when set, else from the ~100 WTQ tables
shipped in the package (a demo sample: a WARNING says so once; set
``$SYMTUNE_WTQ_ROOT`` for real runs). Sizes per split are fixed numbers of
generated examples (``DEFAULT_NUM_EXAMPLES``: 200,000 / 2,000 / 2,000, the
paper's SQL corpus size), changeable with `configure` before the dataset is
built, from Gin (what T5X and the Beam cache pass to every worker):

    import symtune_jax.tasks.sql
    symtune.sql_execution.num_examples = {'train': 50000}
    symtune.sql_execution.seed = 1
    symtune.sql_execution.examples_per_shard = 1000

or from Python (`configure`, which wins over Gin; it reaches only this
process, not Beam workers):

    import symtune_jax.tasks.sql as sql_tasks
    sql_tasks.configure(wtq_root="../shared/data/wtq/official",
                        num_examples={"train": 50_000}, seed=1,
                        max_input_length=1024)

Shards: the source lists index ranges of ``examples_per_shard`` (default
1,000) examples (``train[0:1000]``, ``train[1000:2000]``, ...), so SeqIO's
Beam cache spreads a split over the workers (`symtune_jax.tasks.sharding`).

Length: every input, tokenized with the task vocabulary
(`vocab.get_vocabulary()`), is at most ``max_input_length - 1`` tokens
(default 2,048 - 1: one is left for EOS). Rows are dropped before the query
runs, so SeqIO never trims an input and every target is the answer on the
rows the model sees. Use the same ``max_input_length`` as the ``inputs``
feature length of the run.

Registration is cheap: nothing is loaded until a dataset is requested.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import os
import threading
from typing import Any, Mapping, Sequence

import gin
import seqio

from symtune_jax.errors import InputError
from symtune_jax.evaluation import denotation
from symtune_jax.sql import examples as sql_examples
from symtune_jax.sql.splits import SPLITS
from symtune_jax.tables import truncate
from symtune_jax.tasks import registry, sharding, vocab

TASK_NAME = "symtune_sql_execution_v1"
DEFAULT_MAX_INPUT_LENGTH = 2048
DEFAULT_NUM_EXAMPLES: Mapping[str, int] = {"train": 200_000, "validation": 2_000,
                                           "test": 2_000}
TEXT_FEATURES = ("inputs", "targets")


@dataclasses.dataclass
class Settings:
  """What the task's source generates (see `configure`)."""
  seed: int = 0
  num_examples: dict[str, int] = dataclasses.field(
      default_factory=lambda: dict(DEFAULT_NUM_EXAMPLES))
  wtq_root: str | None = None
  squall: str | None = None
  max_input_length: int = DEFAULT_MAX_INPUT_LENGTH
  config: sql_examples.ExampleConfig = dataclasses.field(
      default_factory=sql_examples.ExampleConfig)
  examples_per_shard: int = sharding.DEFAULT_EXAMPLES_PER_SHARD


_SETTINGS = Settings()
_LOCK = threading.Lock()
# What `configure` set explicitly (it wins over Gin; the rest comes from Gin, else defaults).
_EXPLICIT: set[str] = set()


def _gin_sql_execution(*, seed: Any = None, num_examples: Any = None,
                       examples_per_shard: Any = None) -> dict[str, Any]:
  """Gin bindings of the task (``symtune.sql_execution.<name> = ...``); unbound ones are None.

  Args:
    seed: the generation seed (example i of a split is a function of it).
    num_examples: examples per split, e.g. ``{'train': 50000}`` (splits not
      named keep their default).
    examples_per_shard: indices per listed shard (Beam's unit of work).
  """
  return dict(locals())


try:
  gin.configurable("sql_execution", module="symtune")(_gin_sql_execution)
except (ValueError, RuntimeError):
  pass  # a re-import (importlib.reload) or a locked config: the first registration stands


def _check_num_examples(num_examples: Mapping[str, Any], origin: str) -> dict[str, int]:
  out = {}
  for split, n in dict(num_examples).items():
    if split not in SPLITS or isinstance(n, bool) or not isinstance(n, int) or n < 0:
      raise InputError(f"{origin}[{split!r}] = {n!r}; expected splits {SPLITS} and "
                       "integers >= 0", field=origin)
    out[split] = n
  return out


def current() -> Settings:
  """The effective settings: `configure`'s values, then Gin's, then the defaults."""
  bound = {k: v for k, v in gin.get_bindings("symtune.sql_execution").items()
           if v is not None}
  out = dataclasses.replace(_SETTINGS, num_examples=dict(_SETTINGS.num_examples))
  if "seed" not in _EXPLICIT and "seed" in bound:
    out.seed = int(bound["seed"])
  if "examples_per_shard" not in _EXPLICIT and "examples_per_shard" in bound:
    out.examples_per_shard = int(bound["examples_per_shard"])
    if out.examples_per_shard < 1:
      raise InputError(f"symtune.sql_execution.examples_per_shard = "
                       f"{out.examples_per_shard}; expected >= 1",
                       field="symtune.sql_execution.examples_per_shard")
  if "num_examples" in bound:
    gin_sizes = _check_num_examples(bound["num_examples"], "symtune.sql_execution.num_examples")
    for split, n in gin_sizes.items():
      if f"num_examples.{split}" not in _EXPLICIT:
        out.num_examples[split] = n
  return out


def reset() -> Settings:
  """Forgets every `configure` call: back to Gin's values and the defaults."""
  global _SETTINGS
  with _LOCK:
    _SETTINGS = Settings()
    _EXPLICIT.clear()
    _builder.cache_clear()
  return current()


def configure(*, seed: int | None = None, num_examples: Mapping[str, int] | None = None,
              wtq_root: str | os.PathLike | None = None,
              squall: str | os.PathLike | None = None,
              config: sql_examples.ExampleConfig | None = None,
              max_input_length: int | None = None,
              examples_per_shard: int | None = None) -> Settings:
  """Changes what the task generates (before its dataset is built); returns the settings.

  Values set here win over Gin's ``symtune.sql_execution.*`` in this process
  only: Beam workers re-import the tasks, so set what they need in Gin
  (`symtune_jax.beam_cache`). ``max_input_length`` (tokens, EOS included)
  overrides the one in ``config``.
  """
  with _LOCK:
    if seed is not None:
      _SETTINGS.seed = int(seed)
      _EXPLICIT.add("seed")
    if num_examples is not None:
      for split, n in _check_num_examples(
          {k: int(v) for k, v in num_examples.items()}, "num_examples").items():
        _SETTINGS.num_examples[split] = n
        _EXPLICIT.add(f"num_examples.{split}")
    if examples_per_shard is not None:
      if int(examples_per_shard) < 1:
        raise ValueError(f"examples_per_shard = {examples_per_shard}; expected >= 1")
      _SETTINGS.examples_per_shard = int(examples_per_shard)
      _EXPLICIT.add("examples_per_shard")
    if wtq_root is not None:
      _SETTINGS.wtq_root = os.fspath(wtq_root)
    if squall is not None:
      _SETTINGS.squall = os.fspath(squall)
    if config is not None:
      _SETTINGS.config = config
    if max_input_length is not None:
      if int(max_input_length) < 16:
        raise ValueError(f"max_input_length = {max_input_length}; expected >= 16 tokens")
      _SETTINGS.max_input_length = int(max_input_length)
    _builder.cache_clear()
  return current()


_SAMPLE_WARNED = False


def _warn_sample_once() -> None:
  global _SAMPLE_WARNED
  if not _SAMPLE_WARNED:
    _SAMPLE_WARNED = True
    logging.warning(
        "%s: using the ~100-table WTQ demo sample shipped in the package; set $%s to "
        "the official WikiTableQuestions folder (holding csv/, e.g. "
        "../shared/data/wtq/official) for real runs.", TASK_NAME, sql_examples.WTQ_ROOT_ENV)


@functools.lru_cache(maxsize=1)
def _builder() -> sql_examples.ExampleBuilder:
  """The example builder for the current settings, measuring with the task vocabulary."""
  if sql_examples.uses_shipped_sample(wtq_root=_SETTINGS.wtq_root, squall=_SETTINGS.squall):
    _warn_sample_once()
  load_stats = sql_examples.TableLoadStats()
  tables = sql_examples.load_tables(wtq_root=_SETTINGS.wtq_root, squall=_SETTINGS.squall,
                                    stats=load_stats)
  config = dataclasses.replace(_SETTINGS.config, max_input_length=_SETTINGS.max_input_length)
  return sql_examples.ExampleBuilder(
      tables, config, length_fn=truncate.vocab_length_fn(vocab.get_vocabulary()),
      table_skips=load_stats.reasons)


def _generate(split: str, start: int, stop: int):
  """Examples ``start .. stop - 1`` of ``split`` (text features), in index order."""
  builder = _builder()
  gen_seed = current().seed
  for i in range(start, stop):
    ex = builder.example(gen_seed, split, i)
    yield {k: ex[k] for k in TEXT_FEATURES}


def _signature() -> dict[str, Any]:
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  return {k: tf.TensorSpec(shape=(), dtype=tf.string) for k in TEXT_FEATURES}


class SqlExecutionSource(sharding.IndexedSource):
  """Generates examples on the fly, listed as index-range shards.

  Shard k of n takes the k-th of n contiguous index ranges
  (`sharding.index_ranges`). Example i of a split is the same whatever the
  sharding, so n hosts (or Beam workers) together read exactly the split's
  examples, each once; every index yields one, so `num_input_examples` is
  exact. Sizes, seed and shard size: `current()` (Gin or `configure`).
  """

  def __init__(self):
    super().__init__(generate=_generate, size=lambda split: current().num_examples[split],
                     signature=_signature, splits=SPLITS,
                     examples_per_shard=lambda: current().examples_per_shard)


def sql_denotation_accuracy(targets: Sequence[Any], predictions: Sequence[Any]
                            ) -> dict[str, float]:
  """Denotation accuracy with duplicates counted ('0, 0' is not '0'): SQL results are bags."""
  return denotation.denotation_accuracy(targets, predictions, multiset=True)


registry.add_task(
    TASK_NAME,
    source=SqlExecutionSource(),
    output_features=vocab.output_features(),
    preprocessors=[
        seqio.preprocessors.tokenize,
        seqio.CacheDatasetPlaceholder(),
        seqio.preprocessors.append_eos_after_trim,
    ],
    postprocess_fn=denotation.denotation_postprocessor,
    metric_fns=[sql_denotation_accuracy],
)
