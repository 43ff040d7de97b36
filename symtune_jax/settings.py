"""How settings reach the code: the one module that reads the environment.

Every setting (data roots, the vocabulary, feature lengths, the mixtures and
cache folders) is resolved by one rule, highest first:

  1. an explicit value: a Gin binding (``symtune.settings.wtq_root = '...'``
     in an experiment file or ``--gin.symtune.settings.wtq_root=...``) or a
     command-line flag, which the CLI passes through `override`;
  2. the environment variable (``SYMTUNE_WTQ_ROOT``, ...), kept as an override
     for shells and Beam workers;
  3. for data roots: the folder under ``../shared/data`` beside the repository
     (or under ``$SYMTUNE_SHARED_DATA``) when it exists;
  4. the sample shipped in the package, when there is one; else the default.

`resolve(name)` returns the value and says which rule gave it, so provenance
(rates files, run summaries) can record where data came from.

Example (Gin):

    import symtune_jax.settings
    symtune.settings.vocab = 'byte'
    symtune.settings.wtq_root = '/data/WikiTableQuestions'
    symtune.settings.inputs_length = 512

Example (Python / CLI):

    from symtune_jax import settings
    with settings.override(wtq_root="/data/wtq"):
      ...
    settings.get("wtq_root")  # -> PosixPath('/data/wtq')

Nothing here touches the file system at import, except `shared_data_root`'s
``is_dir`` checks, which run only when a root is asked for.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import pathlib
import threading
from typing import Any, Iterator, Mapping

import gin

from symtune_jax.errors import InputError

PACKAGE_DIR = pathlib.Path(__file__).resolve().parent
PACKAGE_DATA = PACKAGE_DIR / "data"
REPO_ROOT = PACKAGE_DIR.parent
ENV_PREFIX = "SYMTUNE_"
# What vocab 't5' means: T5's public SentencePiece model (100 extra ids).
T5_SPM_PATH = "gs://t5-data/vocabs/cc_all.32000.100extra/sentencepiece.model"


@dataclasses.dataclass(frozen=True)
class Setting:
  """One setting and where its value may come from.

  Attributes:
    name: the key (`get(name)`), the Gin parameter and, upper-cased with the
      ``SYMTUNE_`` prefix, the environment variable (unless `env` is given).
    help: one line for docs and error messages.
    kind: 'path', 'int' or 'str'.
    shared_subdir: the folder under ../shared/data (data roots only).
    packaged_subdir: a folder under symtune_jax/data used when the shared
      copy is absent.
    default: the value when no rule applies (paths: None = not available).
    env: the environment variable, when it is not ``SYMTUNE_<NAME>``.
  """
  name: str
  help: str
  kind: str = "path"
  shared_subdir: str | None = None
  packaged_subdir: str | None = None
  default: Any = None
  env: str | None = None

  @property
  def env_var(self) -> str:
    return self.env or ENV_PREFIX + self.name.upper()


_DEFS: tuple[Setting, ...] = (
    # Where ../shared/data is.
    Setting("shared_data", "root holding wtq/, tabfact/, bbh/, ... (a developer checkout's "
            "../shared/data)", default=REPO_ROOT.parent / "shared" / "data"),
    # Data roots.
    Setting("wtq_root", "WikiTableQuestions folder in its official layout (csv/, data/)",
            shared_subdir="wtq/official", packaged_subdir="wtq_sample"),
    Setting("tabfact_root", "TabFact (all_csv/, *_examples.json)", shared_subdir="tabfact"),
    Setting("svamp_root", "SVAMP (SVAMP.json)", shared_subdir="svamp"),
    Setting("bbh_root", "BIG-Bench-Hard (<task>.json)", shared_subdir="bbh"),
    Setting("wikisql_root", "WikiSQL (<split>.jsonl, <split>.tables.jsonl)",
            shared_subdir="wikisql"),
    Setting("sqa_root", "SQA (*.tsv, table_csv/)", shared_subdir="sqa"),
    Setting("mmlu_root", "MMLU (data/<split>/<subject>_<split>.csv)", shared_subdir="mmlu"),
    Setting("tweeteval_root", "TweetEval task folders", shared_subdir="tweeteval",
            packaged_subdir="tweeteval_sample"),
    Setting("bigbench_root", "BIG-bench list_functions/ and simp_turing_concept/",
            shared_subdir="bigbench"),
    # Symbol tuning (method B): held-out ICL tasks and tuning datasets, each in
    # its official release layout (symtune_jax/symbols/release_files.py).
    Setting("subj_root", "SUBJ in SentEval's layout (subj.objective, subj.subjective)",
            shared_subdir="subj"),
    Setting("raft_root", "RAFT tasks (<task>/train.csv, <task>/task.json)",
            shared_subdir="raft"),
    Setting("rte_root", "GLUE RTE (train.tsv, dev.tsv)",
            shared_subdir="rte"),
    Setting("wnli_root", "GLUE WNLI (train.tsv, dev.tsv)",
            shared_subdir="wnli"),
    Setting("qnli_root", "GLUE QNLI (train.tsv, dev.tsv)",
            shared_subdir="qnli"),
    Setting("mnli_root", "GLUE MNLI (train.tsv, dev_matched.tsv)",
            shared_subdir="mnli"),
    Setting("snli_root", "SNLI 1.0 (snli_1.0_{train,dev,test}.jsonl)",
            shared_subdir="snli"),
    Setting("cb_root", "SuperGLUE CB (train.jsonl, val.jsonl)",
            shared_subdir="cb"),
    Setting("sst2_root", "GLUE SST-2 (train.tsv, dev.tsv)",
            shared_subdir="sst2"),
    Setting("rotten_tomatoes_root",
            "sentence polarity v1.0 (rt-polaritydata/rt-polarity.{pos,neg})",
            shared_subdir="rotten_tomatoes"),
    Setting("qqp_root", "GLUE QQP (train.tsv, dev.tsv)",
            shared_subdir="qqp"),
    Setting("mrpc_root", "MRPC (msr_paraphrase_{train,test}.txt + dev_ids.tsv, or GLUE "
            "train.tsv, dev.tsv)",
            shared_subdir="mrpc"),
    Setting("paws_root", "PAWS-Wiki final (train.tsv, dev.tsv, test.tsv)",
            shared_subdir="paws"),
    Setting("copa_root", "SuperGLUE COPA (train.jsonl, val.jsonl)",
            shared_subdir="copa"),
    Setting("piqa_root", "PIQA (train.jsonl + train-labels.lst, valid.jsonl + valid-labels.lst)",
            shared_subdir="piqa"),
    Setting("wsc_root", "SuperGLUE WSC (train.jsonl, val.jsonl)",
            shared_subdir="wsc"),
    Setting("winogrande_root", "WinoGrande 1.1 (train_xl.jsonl, dev.jsonl)",
            shared_subdir="winogrande"),
    Setting("ag_news_root", "AG News (train.csv, test.csv)",
            shared_subdir="ag_news"),
    Setting("trec_root", "TREC question classification (train_5500.label / train.txt, "
            "TREC_10.label / test.txt)",
            shared_subdir="trec"),
    Setting("wic_root", "WiC release (train/train.{data,gold}.txt, dev/, test/)",
            shared_subdir="wic"),
    Setting("cola_root", "GLUE CoLA (train.tsv, dev.tsv; no header)",
            shared_subdir="cola"),
    Setting("niv2_tasks_dir", "Super-NaturalInstructions tasks/*.json",
            packaged_subdir="niv2_sample"),
    Setting("p3_root", "P3 release layout (data/<dataset>_<subset>_<template>/)",
            shared_subdir="p3"),
    Setting("promptsource_root", "promptsource templates/**/templates.yaml",
            shared_subdir="promptsource"),
    Setting("tfds_dir", "prepared TFDS data (TFDS's own default when unset)"),
    Setting("mixtures_dir", "folder of rates files registered as mixtures",
            default=PACKAGE_DIR / "mixtures"),
    Setting("cache_dir", "instruction-embedding cache",
            default=pathlib.Path.home() / ".cache" / "symtune_jax"),
    # Model and run.
    Setting("vocab", "'t5' (T5's SentencePiece model on GCS), 'byte', or a local .model path",
            kind="str", default="t5"),
    Setting("inputs_length", "the run's inputs feature length (TASK_FEATURE_LENGTHS['inputs'])",
            kind="int", default=2048),
    Setting("targets_length", "the run's targets feature length", kind="int", default=512),
    # SQL execution data.
    Setting("sql_exclude_tables", "file of table ids (one per line) SQL examples never use, "
            "besides the evaluation tables (always left out)"),
)
SETTINGS: Mapping[str, Setting] = {s.name: s for s in _DEFS}

# `override` layers, innermost last. Process-wide, not per thread: tf.data
# runs the task generators in its own threads, which must see them.
_STACK: list[dict[str, Any]] = []
_LOCK = threading.Lock()
_GIN_PARAMS = tuple(SETTINGS)


@gin.configurable("settings", module="symtune")
def settings(
    *,
    shared_data: Any = None,
    wtq_root: Any = None,
    tabfact_root: Any = None,
    svamp_root: Any = None,
    bbh_root: Any = None,
    wikisql_root: Any = None,
    sqa_root: Any = None,
    mmlu_root: Any = None,
    tweeteval_root: Any = None,
    bigbench_root: Any = None,
    subj_root: Any = None,
    raft_root: Any = None,
    rte_root: Any = None,
    wnli_root: Any = None,
    qnli_root: Any = None,
    mnli_root: Any = None,
    snli_root: Any = None,
    cb_root: Any = None,
    sst2_root: Any = None,
    rotten_tomatoes_root: Any = None,
    qqp_root: Any = None,
    mrpc_root: Any = None,
    paws_root: Any = None,
    copa_root: Any = None,
    piqa_root: Any = None,
    wsc_root: Any = None,
    winogrande_root: Any = None,
    ag_news_root: Any = None,
    trec_root: Any = None,
    wic_root: Any = None,
    cola_root: Any = None,
    niv2_tasks_dir: Any = None,
    p3_root: Any = None,
    promptsource_root: Any = None,
    tfds_dir: Any = None,
    mixtures_dir: Any = None,
    cache_dir: Any = None,
    vocab: Any = None,
    inputs_length: Any = None,
    targets_length: Any = None,
    sql_exclude_tables: Any = None) -> dict[str, Any]:
  """Gin-bound values (``symtune.settings.<name> = ...``); unbound ones are None.

  The parameters are the names in `SETTINGS` (a test checks they agree), so a
  misspelled binding fails when Gin parses it.
  """
  return dict(locals())


def _gin_values() -> dict[str, Any]:
  bound = gin.get_bindings("symtune.settings")
  return {k: v for k, v in bound.items() if v is not None}


def _overrides() -> list[dict[str, Any]]:
  return _STACK


_GLOBAL_OVERRIDES: dict[str, Any] = {}


def set_values(**values: Any) -> None:
  """Sets values for the whole process (CLI flags); None leaves a setting as it was."""
  for name, value in values.items():
    _check_name(name)
    if value is not None:
      _GLOBAL_OVERRIDES[name] = value


@contextlib.contextmanager
def override(**values: Any) -> Iterator[None]:
  """Sets values inside a ``with`` block (for the whole process, tf.data's
  threads included); None leaves a setting as it was."""
  for name in values:
    _check_name(name)
  layer = {k: v for k, v in values.items() if v is not None}
  with _LOCK:
    _STACK.append(layer)
  try:
    yield
  finally:
    with _LOCK:
      _STACK.remove(layer)


def _check_name(name: str) -> None:
  if name not in SETTINGS:
    raise KeyError(f"unknown setting {name!r}; known: {', '.join(SETTINGS)}")


def env(name: str) -> str | None:
  """A raw environment variable (for the few non-SYMTUNE ones the CLI consults)."""
  return os.environ.get(name) or None


def child_env(**values: Any) -> dict[str, str]:
  """This process's environment plus ``$SYMTUNE_<NAME>`` for ``values``: for a
  subprocess (T5X, ``symtune score``) that must see these settings."""
  out = dict(os.environ)
  for name, value in values.items():
    _check_name(name)
    if value is not None:
      out[SETTINGS[name].env_var] = str(value)
  return out


def set_env_default(name: str, value: str) -> None:
  """``os.environ.setdefault`` for third-party switches (TF log level, HF offline)."""
  os.environ.setdefault(name, value)


def _convert(setting: Setting, value: Any, origin: str) -> Any:
  if setting.kind == "path":
    return pathlib.Path(os.path.expanduser(str(value)))
  if setting.kind == "int":
    try:
      out = int(value)
    except (TypeError, ValueError):
      raise InputError(f"setting {setting.name} from {origin}: expected an integer, "
                       f"got {value!r}") from None
    if out <= 0:
      raise InputError(f"setting {setting.name} from {origin}: expected a positive "
                       f"integer, got {out}")
    return out
  return str(value)


def resolve(name: str) -> tuple[Any, str]:
  """``(value, origin)`` for a setting; origin is 'override', 'gin', '$VAR',
  'shared', 'package' or 'default'. A path value may be None (not available)."""
  _check_name(name)
  setting = SETTINGS[name]
  for layer in reversed(_overrides()):
    if name in layer:
      return _convert(setting, layer[name], "override"), "override"
  if name in _GLOBAL_OVERRIDES:
    return _convert(setting, _GLOBAL_OVERRIDES[name], "flag"), "flag"
  gin_values = _gin_values()
  if name in gin_values:
    return _convert(setting, gin_values[name], "gin"), "gin"
  raw = os.environ.get(setting.env_var)
  if raw:
    return _convert(setting, raw, "$" + setting.env_var), "$" + setting.env_var
  if setting.shared_subdir:
    shared = shared_data_root() / setting.shared_subdir
    if shared.is_dir():
      return shared, "shared"
  if setting.packaged_subdir and (PACKAGE_DATA / setting.packaged_subdir).is_dir():
    return PACKAGE_DATA / setting.packaged_subdir, "package"
  default = setting.default
  if default is not None and setting.kind == "path":
    default = pathlib.Path(default)
  return default, "default"


def get(name: str) -> Any:
  """The value of a setting by the rule in the module docstring."""
  return resolve(name)[0]


def shared_data_root() -> pathlib.Path:
  """Where ../shared/data is (``symtune.settings.shared_data`` / ``$SYMTUNE_SHARED_DATA``)."""
  return resolve("shared_data")[0]  # no shared_subdir: override, flag, Gin, env, default


def root(name: str) -> pathlib.Path:
  """A data root to read from: its value, else where ../shared/data would hold it.

  Unlike `require_root` this never raises: a missing root is reported by the
  reader that opens a file under it (see `evaluation.data_roots`).
  """
  value = get(name)
  if value is not None:
    return pathlib.Path(value)
  setting = SETTINGS[name]
  if setting.shared_subdir:
    return shared_data_root() / setting.shared_subdir
  return pathlib.Path(f"<unset {setting.env_var}>")


def how_to_set(name: str) -> str:
  """'Gin symtune.settings.<name> or $SYMTUNE_<NAME>': for error messages."""
  setting = SETTINGS[name]
  return (f"set it in Gin (symtune.settings.{name} = ...), with the matching flag, "
          f"or with ${setting.env_var}")


def require_root(name: str) -> pathlib.Path:
  """A data root that must exist; else an `InputError` naming the setting."""
  value, origin = resolve(name)
  setting = SETTINGS[name]
  if value is None:
    raise InputError(f"no {setting.help} available: {how_to_set(name)}")
  if not pathlib.Path(value).exists():
    raise InputError(f"{name} (from {origin}) does not exist: {setting.help}; "
                     f"{how_to_set(name)}", path=str(value))
  return pathlib.Path(value)


def feature_lengths() -> dict[str, int]:
  """``{'inputs': ..., 'targets': ...}`` of the run (see `SETTINGS`)."""
  return {"inputs": get("inputs_length"), "targets": get("targets_length")}


def describe() -> list[tuple[str, str, str, str]]:
  """``(name, value, origin, help)`` for every setting: for ``symtune settings`` / docs."""
  rows = []
  for name, setting in SETTINGS.items():
    value, origin = resolve(name)
    rows.append((name, "" if value is None else str(value), origin, setting.help))
  return rows


# Files with ``from __gin__ import dynamic_registration`` (every experiment)
# reach the same configurable with ``import symtune_jax.settings as symtune``.
_gin_settings = settings
