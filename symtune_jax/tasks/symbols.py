"""SeqIO registration of the symbol-tuning family (method B) and its evaluations.

Registered (all cheap: data is read when a dataset is built):

Tuning (the paper's 22 datasets)
  symtune_symbol_tuning_<dataset>_v1   one per tuning dataset: TweetEval irony,
      offensive, sentiment (TweetEval files) and the 19 of `FILE_TUNING` (the
      18 TFDS datasets of `symbols.sources.TFDS_SPECS` and Rotten Tomatoes),
      read from their official release files (`symbols.release_files`) when
      their root is known -- ``symtune.settings.<dataset>_root``,
      ``$SYMTUNE_<DATASET>_ROOT`` or ``../shared/data/<dataset>`` -- else from
      TFDS (Rotten Tomatoes has no TFDS builder). Splits: train (queries and
      exemplars from the training data), validation (queries from held-out
      data, exemplars from the training data).
  symtune_symbol_tuning_v1 (mixture; alias symtune_symbol_tuning_mix)
      TweetEval irony / offensive / sentiment (always available: the shipped
      sample), examples-proportional with a 25k cap per dataset.
  symtune_symbol_tuning_full_mix
      all 22 datasets. Every dataset needs its files (or prepared TFDS data);
      a missing one is an error naming it and the setting to set.
  symtune_symbol_tuning_heldout_mix
      the full mixture without TweetEval irony and offensive (20 datasets), for
      a run that also evaluates on the irony / offensive ICL tasks.
  symtune_list_functions_v1     list-function DSL (train: tuning functions;
      validation/test: disjoint evaluation functions).
  symtune_binary_concepts_v1    binary-string concepts, symbol labels (train:
      tuning concepts and pool; validation/test: evaluation concepts and pool).

Evaluation: the paper's suite (Wei et al. 2023)
  symtune_icl_<dataset>_<setting>_v1 for the 11 held-out datasets of
      `ICL_HELD_OUT`: SUBJ, TweetEval hate, TweetEval stance abortion /
      atheism / feminist / hillary, RAFT ade_corpus_v2, overruling,
      semiconductor_org_types, terms_of_service, twitter_complaints; setting
      in instr_nl, instr_sym, noinstr_nl, noinstr_sym (instruction yes/no x
      relevant labels yes/no; k=4 per class, evaluation symbols), and
      `flipped` for the binary ones (SUBJ, hate, ADE, overruling, terms of
      service, complaints): 50 tasks. Splits: validation / test, queries from
      that split, exemplars from train; RAFT has only its 50 labelled
      training rows, so its tasks have one split, test, that asks each row
      with exemplars drawn from the other 49. Metric: accuracy on the
      predicted symbol (`evaluation.icl`).
      Also registered, outside the suite: tweeteval_stance_climate and
      tweeteval_irony / _offensive (tuning datasets in the paper; evaluate on
      them only after tuning on symtune_symbol_tuning_heldout_mix).
  symtune_icl_eval_mix
      the 50 tasks of the 11 held-out datasets, uniform rates (T5X reports
      each task); `symtune icl-table` prints the paper's table from them.
  symtune_bigbench_list_functions_<cNNN>_v1, symtune_bigbench_list_functions_mix
      one task per List Functions function of `bigbench.PAPER_LIST_FUNCTIONS`
      (20; see there for which) and their mixture; the suite score is the mean
      of the 20 per-function exact-match scores.
  symtune_bigbench_list_functions_v1   the same 20 functions in one task.
  symtune_bigbench_simp_turing_concept_v1   Simple Turing Concepts.
      BIG-bench task.json files under `$SYMTUNE_BIGBENCH_ROOT`; exact match.

Length: prompts are built to fit the run's inputs length - 1 tokens (one for
EOS; ``symtune.settings.inputs_length``, default `INPUT_LENGTH`)
counted exactly in the task vocabulary (`vocab.get_vocabulary()`): exemplars
are dropped, never the query, so SeqIO's trim never cuts a prompt.

TweetEval data: the ``tweeteval_root`` setting (a full copy), else the small
slice shipped in the package.
SUBJ and RAFT: ``symtune.settings.subj_root`` / ``raft_root`` (or the env
vars, or ../shared/data/subj, ../shared/data/raft).

Every example is a pure function of (SEED, dataset, split, index, data).

Shards: the generated tasks (tuning, ICL evaluation, list functions, binary
concepts) list index ranges of `EXAMPLES_PER_SHARD` queries / indices
(`sharding.IndexedSource`), so SeqIO's Beam cache spreads them over workers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import seqio
import tensorflow as tf
from absl import logging

from symtune_jax import settings
from symtune_jax.evaluation import icl
from symtune_jax.symbols import algorithmic
from symtune_jax.symbols import bigbench
from symtune_jax.symbols import formats as formats_lib
from symtune_jax.symbols import pools
from symtune_jax.symbols import prompts
from symtune_jax.symbols import sources
from symtune_jax.tasks import registry
from symtune_jax.tasks import sharding
from symtune_jax.tasks import vocab

SEED = 20230301
# The paper's input length: the default of the inputs_length setting.
INPUT_LENGTH = settings.SETTINGS["inputs_length"].default
MAX_PER_DATASET = 25_000
ALGORITHMIC_SIZES = {"train": 100_000, "validation": 1_000, "test": 1_000}
EXAMPLES_PER_SHARD = 1000  # indices per listed shard (Beam's unit of work)

TWEETEVAL_TUNING = ("irony", "offensive", "sentiment")
# Tuning datasets read from their release files (else TFDS): the 18 TFDS
# builders and Rotten Tomatoes. With the three TweetEval ones: the paper's 22.
FILE_TUNING = sources.FILE_TUNING_DATASETS
# Which source split feeds the task's (train, validation) splits. The TweetEval
# sentiment copy has no train split: tune on val, validate on test.
_TUNING_SPLITS: dict[str, tuple[str, str]] = {"tweeteval_sentiment": ("validation", "test")}

# The paper's 11 held-out ICL tasks (Wei et al. 2023, the `symtune_icl_eval_mix`).
ICL_HELD_OUT = tuple(icl.PAPER_ICL_DATASETS)
# Also registered, outside the paper's suite and the eval mixture: the fifth
# stance topic, and irony / offensive, which are tuning datasets in the paper
# (evaluate on them only after tuning on `symtune_symbol_tuning_heldout_mix`).
ICL_EXTRA = ("tweeteval_stance_climate", "tweeteval_irony", "tweeteval_offensive")
TWEETEVAL_HELD_OUT = tuple(d[len("tweeteval_"):] for d in ICL_HELD_OUT + ICL_EXTRA
                           if d.startswith("tweeteval_"))
# TweetEval tasks that are tuning datasets and have ICL tasks too: left out of
# `symtune_symbol_tuning_heldout_mix`.
TUNING_AND_HELD_OUT = tuple(t for t in TWEETEVAL_TUNING if t in TWEETEVAL_HELD_OUT)
# Task split -> source split of the ICL queries, where it is not the same name.
# RAFT only has its 50 labelled training rows: the task's test split asks each of
# them, with exemplars from the other 49 (never the query itself).
_ICL_SPLITS: dict[str, dict[str, str]] = {
    **{d: {"test": "train"} for d in ICL_HELD_OUT if d.startswith("raft_")}}
_DEFAULT_ICL_SPLITS = {"validation": "validation", "test": "test"}
ICL_EVAL_MIXTURE = "symtune_icl_eval_mix"
LIST_FUNCTIONS_MIXTURE = "symtune_bigbench_list_functions_mix"

TUNING_SOURCES: dict[str, sources.ClassificationSource] = {}
ICL_SOURCES: dict[str, sources.ClassificationSource] = {}


def _signature() -> dict:

  return {
      "inputs": tf.TensorSpec((), tf.string),
      "targets": tf.TensorSpec((), tf.string),
      "label": tf.TensorSpec((), tf.int32),
      icl.LABEL_STRINGS_KEY: tf.TensorSpec((), tf.string),
      "format": tf.TensorSpec((), tf.string),
      "_task_source": tf.TensorSpec((), tf.string),
  }


def _from_generator(make: Callable[[], Iterator[dict]]):

  return tf.data.Dataset.from_generator(make, output_signature=_signature())


def prompt_budget() -> int:
  """Token budget of a prompt: the run's inputs length minus one for EOS."""
  return settings.get("inputs_length") - 1


def prompt_length_fn() -> prompts.LengthFn:
  """Exact token count in the task vocabulary (`vocab.get_vocabulary()`).

  Resolved when a dataset is built (not at import), so a vocabulary set
  later in Gin still counts.
  """
  return prompts.vocab_length_fn(vocab.get_vocabulary())


def _prompt_features(p: prompts.Prompt, source: str) -> dict:
  return {"inputs": p.inputs, "targets": p.targets, "label": np.int32(p.label),
          icl.LABEL_STRINGS_KEY: icl.join_label_strings(p.label_strings),
          "format": p.format_name, "_task_source": source}


def _num_queries(source: sources.ClassificationSource, query_split: str,
                 exemplar_split: str) -> int:
  """How many query records `_classification_prompts` walks (the indices of its shards)."""
  if query_split == exemplar_split:
    return len(source.load(exemplar_split).records)
  return len(source.load(query_split, require_all_classes=False).records)


def _classification_prompts(source: sources.ClassificationSource, query_split: str,
                            exemplar_split: str, config: prompts.PromptConfig,
                            rng_key: str, start: int = 0,
                            stop: int | None = None) -> Iterator[dict]:
  """One prompt per query record ``start .. stop - 1`` (those that cannot fit are skipped)."""
  exemplars = source.load(exemplar_split)
  same = query_split == exemplar_split
  queries = exemplars if same else source.load(query_split, require_all_classes=False)
  skipped = 0
  for i in range(start, len(queries.records) if stop is None else stop):
    q = queries.records[i]
    rng = prompts.example_rng(SEED, f"{source.name}/{rng_key}", i)
    p = prompts.build_prompt(exemplars, q, rng, config, exclude=i if same else -1)
    if not p.fits:
      skipped += 1
      continue
    yield _prompt_features(p, source.name)
  if skipped:
    logging.warning("%s/%s: skipped %d prompts longer than %s tokens with one exemplar per "
                    "class", source.name, query_split, skipped, config.max_length)


def _preprocessors() -> list:
  return [seqio.preprocessors.tokenize, seqio.CacheDatasetPlaceholder(),
          seqio.preprocessors.append_eos_after_trim]


# ---------------------------------------------------------------- tuning


def tuning_task_name(dataset: str) -> str:
  return f"symtune_symbol_tuning_{dataset}_v1"


def add_tuning_task(source: sources.ClassificationSource,
                    splits: tuple[str, str] = ("train", "validation")) -> str:
  """Registers `symtune_symbol_tuning_<source.name>_v1`; returns its name.

  Args:
    source: the classification data.
    splits: the source splits feeding the task's train and validation splits.
  """
  TUNING_SOURCES[source.name] = source
  train_split, val_split = splits

  def query_split(split: str) -> str:
    return train_split if split == "train" else val_split

  def generate(split: str, start: int, stop: int) -> Iterator[dict]:
    # Examples are fixed by SEED; SeqIO shuffles later.
    config = prompts.tuning_config(max_length=prompt_budget(), length_fn=prompt_length_fn())
    data = source.pinned()  # where the data is, resolved when the shard is read
    return _classification_prompts(data, query_split(split), train_split, config,
                                    f"tuning/{split}", start, stop)

  return registry.add_task(
      tuning_task_name(source.name),
      source=sharding.IndexedSource(
          generate=generate, signature=_signature, splits=("train", "validation"),
          size=lambda split: _num_queries(source.pinned(), query_split(split), train_split),
          examples_per_shard=lambda: EXAMPLES_PER_SHARD, exact=False),
      preprocessors=_preprocessors(),
      output_features=vocab.output_features(),
      postprocess_fn=icl.symbol_to_class,
      metric_fns=[icl.accuracy])


def capped_rate(task: seqio.Task) -> float:
  """Examples-proportional rate with the 25k cap: min(cap, training examples)."""
  dataset = task.name[len("symtune_symbol_tuning_"):-len("_v1")]
  source = TUNING_SOURCES[dataset]
  train_split = _TUNING_SPLITS.get(dataset, ("train", "validation"))[0]
  n = source.num_examples(train_split)
  return float(min(MAX_PER_DATASET, n if n is not None else MAX_PER_DATASET))


# ---------------------------------------------------------------- evaluation


def icl_task_name(dataset: str, setting: str) -> str:
  return f"symtune_icl_{dataset}_{setting}_v1"


def add_icl_task(source: sources.ClassificationSource, setting: str,
                 k: int = prompts.EVAL_K, splits: dict[str, str] | None = None) -> str:
  """Registers `symtune_icl_<source.name>_<setting>_v1`; returns its name.

  Args:
    source: the classification data.
    setting: one of `prompts.EVAL_SETTINGS`.
    k: exemplars per class.
    splits: task split -> source split of the queries (default validation and
      test). Exemplars come from the source's train split; when the queries do
      too, a query is never its own exemplar.
  """
  ICL_SOURCES[source.name] = source
  split_map = dict(splits or _DEFAULT_ICL_SPLITS)

  def generate(split: str, start: int, stop: int) -> Iterator[dict]:
    config = prompts.eval_config(setting, source.instruction, k=k, max_length=prompt_budget(),
                                 length_fn=prompt_length_fn())
    data = source.pinned()  # where the data is, resolved in this thread
    # The rng key leaves out the setting: all settings share exemplars.
    return _classification_prompts(data, split_map[split], "train", config, f"icl/{split}",
                                    start, stop)

  return registry.add_task(
      icl_task_name(source.name, setting),
      source=sharding.IndexedSource(
          generate=generate, signature=_signature, splits=tuple(split_map),
          size=lambda split: _num_queries(source.pinned(), split_map[split], "train"),
          examples_per_shard=lambda: EXAMPLES_PER_SHARD, exact=False),
      preprocessors=_preprocessors(),
      output_features=vocab.output_features(),
      postprocess_fn=icl.symbol_to_class,
      metric_fns=[icl.accuracy])


def icl_source(dataset: str) -> sources.ClassificationSource:
  """The source of an ICL dataset name ("tweeteval_hate", "subj", "raft_overruling")."""
  if dataset.startswith("tweeteval_"):
    return sources.tweeteval_source(dataset[len("tweeteval_"):])
  return sources.dataset_source(dataset)


def add_icl_tasks(dataset: str) -> list[str]:
  """The four settings of a dataset, plus `flipped` when it is binary."""
  source = icl_source(dataset)
  settings = [s for s in prompts.EVAL_SETTINGS if s != "flipped"]
  if source.num_classes == 2:
    settings.append("flipped")
  return [add_icl_task(source, s, splits=_ICL_SPLITS.get(dataset)) for s in settings]


# ---------------------------------------------------------------- algorithmic


def _list_function_examples(split: str, start: int = 0,
                            stop: int | None = None) -> Iterator[dict]:
  tuning, evaluation = algorithmic.list_function_catalogue()
  fns = tuning if split == "train" else evaluation
  for i in range(start, ALGORITHMIC_SIZES[split] if stop is None else stop):
    rng = prompts.example_rng(SEED, f"list_functions/{split}", i)
    fn = fns[int(rng.integers(len(fns)))]
    if split == "train":
      k = int(rng.integers(2, 9))
      fmt = formats_lib.FORMATS[int(rng.integers(len(formats_lib.FORMATS)))]
    else:
      k, fmt = prompts.EVAL_K, formats_lib.get_format("input_output")
    p = algorithmic.list_function_prompt(fn, rng, k, fmt)
    yield {"inputs": p.inputs, "targets": p.targets, "label": np.int32(-1),
           icl.LABEL_STRINGS_KEY: "", "format": p.format_name, "_task_source": p.rule}


def _concept_examples(split: str, start: int = 0, stop: int | None = None) -> Iterator[dict]:
  tuning, evaluation = algorithmic.concept_catalogue()
  rules = tuning if split == "train" else evaluation
  pool = pools.tuning_pool() if split == "train" else pools.evaluation_pool()
  for i in range(start, ALGORITHMIC_SIZES[split] if stop is None else stop):
    rng = prompts.example_rng(SEED, f"binary_concepts/{split}", i)
    rule = rules[int(rng.integers(len(rules)))]
    if split == "train":
      k = int(rng.integers(2, 7))
      fmt = formats_lib.FORMATS[int(rng.integers(len(formats_lib.FORMATS)))]
    else:
      k, fmt = prompts.EVAL_K, formats_lib.get_format("input_output")
    p, symbols, label = algorithmic.concept_prompt(rule, rng, k, fmt, pool)
    yield {"inputs": p.inputs, "targets": p.targets, "label": np.int32(label),
           icl.LABEL_STRINGS_KEY: icl.join_label_strings(symbols), "format": p.format_name,
           "_task_source": p.rule}


def _algorithmic_source(make: Callable[[str, int, int], Iterator[dict]]
                        ) -> sharding.IndexedSource:
  """Index i of a split is one example (`ALGORITHMIC_SIZES` of them), in index ranges."""
  return sharding.IndexedSource(generate=make, size=lambda split: ALGORITHMIC_SIZES[split],
                                signature=_signature, splits=tuple(ALGORITHMIC_SIZES),
                                examples_per_shard=lambda: EXAMPLES_PER_SHARD)


# ---------------------------------------------------------------- BIG-bench


def _bigbench_list_function_examples(names: tuple[str, ...] = bigbench.PAPER_LIST_FUNCTIONS
                                     ) -> Iterator[dict]:
  for task in bigbench.load_list_functions(bigbench.bigbench_root(), names):
    for i in range(len(task.examples)):
      rng = prompts.example_rng(SEED, f"bigbench_list_functions/{task.name}", i)
      inputs, target = bigbench.list_function_prompt(task, i, rng)
      yield {"inputs": inputs, "targets": target, "label": np.int32(-1),
             icl.LABEL_STRINGS_KEY: "", "format": "q_a", "_task_source": task.name}


def _bigbench_stc_examples() -> Iterator[dict]:
  for task in bigbench.load_simp_turing_concept(bigbench.bigbench_root()):
    for inputs, targets in task.examples:
      yield {"inputs": inputs, "targets": targets[0], "label": np.int32(-1),
             icl.LABEL_STRINGS_KEY: "", "format": "input_output", "_task_source": task.name}


def _bigbench_dataset_fn(make: Callable[[], Iterator[dict]]):
  def dataset_fn(split: str, shuffle_files: bool, seed: int | None = None):
    del split, shuffle_files, seed
    return _from_generator(make)
  return dataset_fn


def list_function_task_name(function: str) -> str:
  """"c001" -> "symtune_bigbench_list_functions_c001_v1"."""
  return f"symtune_bigbench_list_functions_{function}_v1"


def _add_list_function_task(name: str, functions: tuple[str, ...]) -> str:
  return registry.add_task(
      name,
      source=seqio.FunctionDataSource(
          _bigbench_dataset_fn(lambda: _bigbench_list_function_examples(functions)),
          splits=("test",)),
      preprocessors=_preprocessors(), output_features=vocab.output_features(),
      postprocess_fn=icl.extract_list, metric_fns=[icl.exact_match])


# ---------------------------------------------------------------- registration


def register() -> dict[str, list[str]]:
  """Registers every task of the family (idempotent, no I/O).

  Returns:
    The task groups the family's mixtures are made of (registered in
    `symtune_jax.tasks.mixtures`, with every other mixture).
  """
  offline = [add_tuning_task(sources.tweeteval_source(t),
                             _TUNING_SPLITS.get(f"tweeteval_{t}", ("train", "validation")))
             for t in TWEETEVAL_TUNING]
  file_tasks = [add_tuning_task(sources.dataset_source(d)) for d in FILE_TUNING]
  heldout = [t for t in file_tasks + offline
             if not any(t == tuning_task_name(f"tweeteval_{h}") for h in TUNING_AND_HELD_OUT)]

  icl_tasks = [n for d in ICL_HELD_OUT for n in add_icl_tasks(d)]
  for d in ICL_EXTRA:
    add_icl_tasks(d)

  registry.add_task(
      "symtune_list_functions_v1",
      source=_algorithmic_source(_list_function_examples),
      preprocessors=_preprocessors(), output_features=vocab.output_features(),
      postprocess_fn=icl.extract_list, metric_fns=[icl.exact_match])
  registry.add_task(
      "symtune_binary_concepts_v1",
      source=_algorithmic_source(_concept_examples),
      preprocessors=_preprocessors(), output_features=vocab.output_features(),
      postprocess_fn=icl.symbol_to_class, metric_fns=[icl.accuracy])
  _add_list_function_task("symtune_bigbench_list_functions_v1", bigbench.PAPER_LIST_FUNCTIONS)
  per_function = [_add_list_function_task(list_function_task_name(f), (f,))
                  for f in bigbench.PAPER_LIST_FUNCTIONS]
  registry.add_task(
      "symtune_bigbench_simp_turing_concept_v1",
      source=seqio.FunctionDataSource(_bigbench_dataset_fn(_bigbench_stc_examples),
                                      splits=("test",)),
      preprocessors=_preprocessors(), output_features=vocab.output_features(),
      postprocess_fn=icl.extract_quoted, metric_fns=[icl.exact_match])
  return {"tuning_offline": offline, "tuning_full": file_tasks + offline,
          "tuning_heldout": heldout, "icl_eval": icl_tasks, "list_functions": per_function}


TASK_GROUPS = register()
