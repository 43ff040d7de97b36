"""SeqIO registration of the SQL execution task family (method A).

``symtune_sql_execution_v1``: inputs = an instruction phrasing + a SQL query +
a TAPEX-linearized WTQ table; targets = the query's answer on that table
(values joined by ", " with `answers.join_answers`; the postprocessor and the
metric split with its inverse `answers.split_answers`, and answers that would
not split back are never generated). Examples are generated on the fly and are a pure
function of (seed, split, index) (`symtune_jax.sql.builder`); tables are split
train / validation / test by table id, with TAPEX's held-out dev tables never in
train.

Tables come from the ``wtq_root`` setting (Gin ``symtune.settings.wtq_root``,
``$SYMTUNE_WTQ_ROOT``, ``../shared/data/wtq/official``: the WTQ folder holding
``csv/``), else from the ~100 WTQ tables shipped in the package (a demo
sample: a WARNING says so once). Sizes per split are fixed numbers of
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
(`vocab.get_vocabulary()`), is at most ``max_input_length - 1`` tokens (one is
left for EOS); ``max_input_length`` is the run's inputs length
(``symtune.settings.inputs_length``, which experiment Gin files bind to their
``TASK_FEATURE_LENGTHS['inputs']``) unless `configure` sets one. Rows are
dropped before the query runs, so SeqIO never trims an input and every target
is the answer on the rows the model sees (a check fails the dataset if the
run's length is shorter).

Evaluation tables: no table that an evaluation task of the project reads
(WTQ dev and test, SQA / WikiSQL / TabFact evaluation splits where their roots
are set) is used, nor any listed in the file of the Gin setting
``symtune.settings.sql_exclude_tables`` (one table id per line); see
`symtune_jax.sql.table_sources`. ``configure(exclude_eval_tables=False)``
turns the first off (for measurements only).

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
import tensorflow as tf

from symtune_jax import settings
from symtune_jax.errors import InputError
from symtune_jax.evaluation import denotation
from symtune_jax.sql import answers as sql_answers
from symtune_jax.sql import builder as sql_examples
from symtune_jax.sql.splits import SPLITS
from symtune_jax.tables import truncate
from symtune_jax.tasks import registry, sharding, vocab

TASK_NAME = "symtune_sql_execution_v1"
DEFAULT_MAX_INPUT_LENGTH = settings.SETTINGS["inputs_length"].default
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
  max_input_length: int | None = None  # None: the inputs_length setting
  exclude_eval_tables: bool = True
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
    _builder_for.cache_clear()
  return current()


def configure(*, seed: int | None = None, num_examples: Mapping[str, int] | None = None,
              wtq_root: str | os.PathLike | None = None,
              squall: str | os.PathLike | None = None,
              config: sql_examples.ExampleConfig | None = None,
              max_input_length: int | None = None,
              exclude_eval_tables: bool | None = None,
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
    if exclude_eval_tables is not None:
      _SETTINGS.exclude_eval_tables = bool(exclude_eval_tables)
    if max_input_length is not None:
      if int(max_input_length) < 16:
        raise ValueError(f"max_input_length = {max_input_length}; expected >= 16 tokens")
      _SETTINGS.max_input_length = int(max_input_length)
    _builder_for.cache_clear()
  return current()


_SAMPLE_WARNED = False


def _warn_sample_once() -> None:
  global _SAMPLE_WARNED
  if not _SAMPLE_WARNED:
    _SAMPLE_WARNED = True
    logging.warning(
        "%s: using the ~100-table WTQ demo sample shipped in the package; point "
        "wtq_root at the official WikiTableQuestions folder (holding csv/) for real "
        "runs: %s.", TASK_NAME, settings.how_to_set("wtq_root"))


def max_input_length() -> int:
  """The input budget (EOS included): `configure`'s, else the inputs_length setting."""
  return _SETTINGS.max_input_length or settings.get("inputs_length")


def _builder() -> sql_examples.ExampleBuilder:
  """The example builder for the current settings, measuring with the task vocabulary."""
  return _builder_for(max_input_length(), vocab.vocabulary_spec(),
                      str(settings.resolve("wtq_root")))


@functools.lru_cache(maxsize=1)
def _builder_for(max_length: int, vocab_spec: str, wtq_root: str
                 ) -> sql_examples.ExampleBuilder:
  del vocab_spec, wtq_root  # part of the cache key only
  if sql_examples.uses_shipped_sample(wtq_root=_SETTINGS.wtq_root, squall=_SETTINGS.squall):
    _warn_sample_once()
  load_stats = sql_examples.TableLoadStats()
  # Evaluation tables and the sql_exclude_tables setting's ids are left out.
  tables = sql_examples.load_tables(wtq_root=_SETTINGS.wtq_root, squall=_SETTINGS.squall,
                                    stats=load_stats,
                                    exclude_eval=_SETTINGS.exclude_eval_tables)
  config = dataclasses.replace(_SETTINGS.config, max_input_length=max_length)
  return sql_examples.ExampleBuilder(
      tables, config, length_fn=truncate.vocab_length_fn(vocab.get_vocabulary()),
      table_skips=load_stats.reasons)


def _generate(split: str, start: int, stop: int):
  """Examples ``start .. stop - 1`` of ``split`` (text features), in index order."""
  builder = _builder()
  gen_seed = current().seed
  for ex in builder.examples(gen_seed, split, start, stop):
    yield {k: ex[k] for k in TEXT_FEATURES}


def _signature() -> dict[str, Any]:
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


def sql_postprocessor(output: Any, example: Mapping[str, Any] | None = None,
                      is_target: bool = False) -> list[str]:
  """Decoded output or target -> answers, split exactly as targets are joined.

  'Paris, 1,234' -> ['Paris', '1,234'] (`answers.split_answers`).
  """
  del example, is_target  # targets and predictions split the same way
  if hasattr(output, "tolist"):
    output = output.tolist()
  return sql_answers.split_answers(output)


def sql_denotation_accuracy(targets: Sequence[Any], predictions: Sequence[Any]
                            ) -> dict[str, float]:
  """Denotation accuracy with duplicates counted ('0, 0' is not '0'): SQL results are bags.

  Strings are split with `answers.split_answers` (the inverse of the targets'
  join); lists of answers are used as they are.
  """
  def answers(x: Any) -> list[str]:
    return sql_answers.split_answers(x) if isinstance(x, (str, bytes)) else list(x)
  return denotation.denotation_accuracy([answers(t) for t in targets],
                                        [answers(p) for p in predictions], multiset=True)


registry.add_task(
    TASK_NAME,
    source=SqlExecutionSource(),
    output_features=vocab.output_features(),
    preprocessors=[
        seqio.preprocessors.tokenize,
        seqio.CacheDatasetPlaceholder(),
        seqio.preprocessors.append_eos_after_trim,
    ],
    postprocess_fn=sql_postprocessor,
    metric_fns=[sql_denotation_accuracy],
)
