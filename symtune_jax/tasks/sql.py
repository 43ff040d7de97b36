"""SeqIO registration of the SQL execution task family (method A).

``symtune_sql_execution_v1``: inputs = an instruction phrasing + a SQL query +
a TAPEX-linearized WTQ table; targets = the query's answer on that table
(values joined by ", " with `answers.join_answers`; the postprocessor and the
metric split with its inverse `answers.split_answers`, and answers that would
not split back are never generated). Examples are generated on the fly and are a pure
function of (seed, split, index) (`symtune_jax.sql.examples`); tables are split
train / validation / test by table id, with TAPEX's held-out dev tables never in
train.

Tables come from the ``wtq_root`` setting (Gin ``symtune.settings.wtq_root``,
``$SYMTUNE_WTQ_ROOT``, ``../shared/data/wtq/official``: the WTQ folder holding
``csv/``), else from the ~100 WTQ tables shipped in the package (a demo
sample: a WARNING says so once). Sizes per split are fixed numbers of
generated examples (``DEFAULT_NUM_EXAMPLES``: 200,000 / 2,000 / 2,000, the
paper's SQL corpus size), changeable with `configure` before the dataset is
built:

    import symtune_jax.tasks.sql as sql_tasks
    sql_tasks.configure(wtq_root="../shared/data/wtq/official",
                        num_examples={"train": 50_000}, seed=1,
                        max_input_length=1024)

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

import seqio
import tensorflow as tf

from symtune_jax import settings
from symtune_jax.evaluation import denotation
from symtune_jax.sql import answers as sql_answers
from symtune_jax.sql import examples as sql_examples
from symtune_jax.sql.splits import SPLITS
from symtune_jax.tables import truncate
from symtune_jax.tasks import registry, vocab

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


_SETTINGS = Settings()
_LOCK = threading.Lock()


def configure(*, seed: int | None = None, num_examples: Mapping[str, int] | None = None,
              wtq_root: str | os.PathLike | None = None,
              squall: str | os.PathLike | None = None,
              config: sql_examples.ExampleConfig | None = None,
              max_input_length: int | None = None,
              exclude_eval_tables: bool | None = None) -> Settings:
  """Changes what the task generates (before its dataset is built); returns the settings.

  ``max_input_length`` (tokens, EOS included) overrides the one in ``config``.
  """
  with _LOCK:
    if seed is not None:
      _SETTINGS.seed = int(seed)
    if num_examples is not None:
      for split, n in num_examples.items():
        if split not in SPLITS or int(n) < 0:
          raise ValueError(f"num_examples[{split!r}] = {n}; expected splits {SPLITS}, n >= 0")
        _SETTINGS.num_examples[split] = int(n)
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
  return _SETTINGS


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


class SqlExecutionSource(seqio.DataSource):
  """Generates examples on the fly; shard k of n takes indices k, k+n, ...

  Example i of a split is the same whatever the sharding, so n hosts together
  read exactly the split's examples, each once; every index yields one, so
  `num_input_examples` is exact.
  """

  def __init__(self):
    super().__init__(splits=SPLITS, caching_permitted=True)

  @property
  def supports_arbitrary_sharding(self) -> bool:
    return True

  def list_shards(self, split: str) -> Sequence[str]:
    return [split]

  def num_input_examples(self, split: str) -> int:
    return _SETTINGS.num_examples[split]

  def get_dataset(self, split: str = "train", shuffle: bool = True,
                  seed: int | None = None, shard_info: seqio.ShardInfo | None = None,
                  *, sequence_length: Mapping[str, int] | None = None,
                  use_cached: bool = False, num_epochs: int | None = 1):
    """Examples in index order (SeqIO's shuffle buffer shuffles; ``seed`` is unused)."""
    del shuffle, seed, sequence_length, use_cached
    index, count = (shard_info.index, shard_info.num_shards) if shard_info else (0, 1)
    n = _SETTINGS.num_examples[split]
    gen_seed = _SETTINGS.seed

    def generate():
      builder = _builder()
      for i in range(index, n, count):
        ex = builder.example(gen_seed, split, i)
        yield {k: ex[k] for k in TEXT_FEATURES}

    spec = {k: tf.TensorSpec(shape=(), dtype=tf.string) for k in TEXT_FEATURES}
    ds = tf.data.Dataset.from_generator(generate, output_signature=spec)
    return ds.repeat(num_epochs) if num_epochs != 1 else ds


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
