"""Classification sources: where symbol-tuning and ICL examples come from.

A `ClassificationSource` is a name, text fields, label names and a loader of
`Record`s per split. Adding a dataset takes a few lines:

  src = sources.from_records(
      "my_reviews", text_fields=("review",), label_names=("bad", "good"),
      records={"train": [(("Great!",), "good"), (("Meh.",), 0)], "test": [...]},
      instruction="Is the review positive?")

Provided sources:
  * TweetEval from its official text files (`tweeteval_source`): hate, irony,
    offensive, sentiment and the five stance tasks. The root is the
    ``tweeteval_root`` setting (Gin, `$SYMTUNE_TWEETEVAL_ROOT`,
    ../shared/data/tweeteval; the one rule of every data root), else the
    small slice shipped in `symtune_jax/data/tweeteval_sample`.
  * Every other tuning dataset of the paper and the held-out SUBJ and RAFT
    tasks (`dataset_source`): read from the official release files
    (`release_files.READERS`) when the dataset's root is known (setting
    ``<dataset>_root``: Gin, flag, ``$SYMTUNE_<DATASET>_ROOT`` or
    ``../shared/data/<dataset>``), else, for the 18 TensorFlow Datasets has
    (`TFDS_SPECS`), with `tfds.load(..., download=False)` from
    the ``tfds_dir`` setting (or TFDS's default data dir). Rotten Tomatoes, SUBJ
    and RAFT have no TFDS builder. A dataset with neither is an error naming
    it and the setting to set.

Every source caps each split at `max_examples` (25k, the paper's cap), taking
the first records in file order. TFDS test splits without gold labels
(label -1) are skipped.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import pathlib
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any

from symtune_jax import settings
from symtune_jax.errors import InputError, SymtuneError
from symtune_jax.symbols import release_files
from symtune_jax.symbols.labelled import LabelledSplit, Record, make_split

MAX_EXAMPLES = 25_000
TWEETEVAL_ENV = settings.SETTINGS["tweeteval_root"].env_var
TFDS_DIR_ENV = settings.SETTINGS["tfds_dir"].env_var
SAMPLE_ROOT = pathlib.Path(__file__).resolve().parents[1] / "data" / "tweeteval_sample"
_SAMPLE_ROOT = SAMPLE_ROOT  # old private name


@dataclasses.dataclass(frozen=True)
class ClassificationSource:
  """A classification dataset as the prompt builder sees it.

  Attributes:
    name: identifier used in task names, e.g. "tweeteval_hate".
    text_fields: names of the text fields, e.g. ("premise", "hypothesis").
    label_names: natural-language name of each class index.
    load_fn: split -> iterable of `Record` (fields in `text_fields` order).
    splits: the split names `load_fn` accepts ("train", "validation", "test").
    instruction: a task instruction that does not name the labels (used by
      the `instr_*` evaluation settings).
    max_examples: cap per split (None: no cap).
    count_fn: split -> number of records before the cap, cheaply, if known.
    cache_token: returns a value that changes when the data location changes
      (so loaded splits are re-read after, e.g., an env var changes).
    pin: returns this source with its data location resolved now, or None
      when the location needs no resolving. Call it where the dataset is
      asked for (SeqIO's dataset_fn): tf.data runs the reading generator in
      its own threads, where a thread-local `settings.override` is not seen.
  """
  name: str
  text_fields: tuple[str, ...]
  label_names: tuple[str, ...]
  load_fn: Callable[[str], Iterable[Record]]
  splits: tuple[str, ...] = ("train", "validation", "test")
  instruction: str | None = None
  max_examples: int | None = MAX_EXAMPLES
  count_fn: Callable[[str], int] | None = None
  cache_token: Callable[[], Hashable] = lambda: None
  pin: Callable[[], "ClassificationSource"] | None = None

  def pinned(self) -> "ClassificationSource":
    """This source with its data location fixed (see `pin`)."""
    return self.pin() if self.pin is not None else self

  @property
  def num_classes(self) -> int:
    return len(self.label_names)

  def load(self, split: str, *, require_all_classes: bool = True) -> LabelledSplit:
    """The validated records of `split` (cached per data location)."""
    if split not in self.splits:
      raise InputError(f"dataset {self.name!r} has no split {split!r}; it has {list(self.splits)}",
                       field="split")
    return _load(self, split, require_all_classes, self.cache_token())

  def num_examples(self, split: str) -> int | None:
    """Records in `split` after the cap, without loading when `count_fn` is known."""
    if self.count_fn is None:
      return None
    n = self.count_fn(split)
    return n if self.max_examples is None else min(n, self.max_examples)


@functools.lru_cache(maxsize=128)
def _load(source: ClassificationSource, split: str, require_all_classes: bool,
          token: Hashable) -> LabelledSplit:
  del token  # part of the cache key only
  records: list[Record] = []
  for r in source.load_fn(split):
    if source.max_examples is not None and len(records) >= source.max_examples:
      break
    records.append(r)
  return make_split(source.name, split, source.text_fields, source.label_names, records,
                    require_all_classes=require_all_classes)


def _to_record(item: Any, text_fields: Sequence[str], label_names: Sequence[str],
               where: str) -> Record:
  fields, label = item
  if isinstance(fields, str):
    fields = (fields,)
  elif isinstance(fields, Mapping):
    missing = [f for f in text_fields if f not in fields]
    if missing:
      raise InputError(f"{where}: missing text field(s) {missing}", field=missing[0])
    fields = tuple(fields[f] for f in text_fields)
  if isinstance(label, str):
    if label not in label_names:
      raise InputError(f"{where}: label {label!r} is not among the label names "
                       f"{list(label_names)}", field="label")
    label = label_names.index(label)
  return Record(tuple(str(f) for f in fields), int(label))


def from_records(name: str, text_fields: Sequence[str], label_names: Sequence[str],
                 records: Mapping[str, Iterable[Any]], *, instruction: str | None = None,
                 max_examples: int | None = MAX_EXAMPLES) -> ClassificationSource:
  """A source from in-memory records.

  Each record is `(fields, label)`: fields a string, a tuple in `text_fields`
  order or a dict by field name; label a class index or a label name.

  Example: from_records("toy", ("text",), ("no", "yes"),
                        {"train": [("good", "yes"), ("bad", 0)]})
  """
  text_fields, label_names = tuple(text_fields), tuple(label_names)
  data = {s: tuple(_to_record(it, text_fields, label_names, f"dataset {name!r} split {s!r} "
                              f"record {i}") for i, it in enumerate(rs))
          for s, rs in records.items()}
  return ClassificationSource(name, text_fields, label_names, lambda split: data[split],
                              splits=tuple(data), instruction=instruction,
                              max_examples=max_examples, count_fn=lambda split: len(data[split]))


# ---------------------------------------------------------------- TweetEval

TWEETEVAL_TASKS: dict[str, str] = {
    "hate": "Does the tweet contain hate speech against immigrants or women?",
    "irony": "Is the tweet ironic?",
    "offensive": "Is the tweet offensive?",
    "sentiment": "What is the sentiment of the tweet?",
    "stance_abortion": "What is the stance of the tweet towards legal abortion?",
    "stance_atheism": "What is the stance of the tweet towards atheism?",
    "stance_climate": "What is the stance of the tweet towards climate change being a real "
                      "concern?",
    "stance_feminist": "What is the stance of the tweet towards feminism?",
    "stance_hillary": "What is the stance of the tweet towards Hillary Clinton?",
}
_TWEETEVAL_LABELS = {
    "hate": ("not-hate", "hate"),
    "irony": ("non_irony", "irony"),
    "offensive": ("not-offensive", "offensive"),
    "sentiment": ("negative", "neutral", "positive"),
    "stance": ("none", "against", "favor"),
}
_TWEETEVAL_SPLIT_FILES = {"train": "train", "validation": "val", "test": "test"}


def tweeteval_root() -> pathlib.Path:
  """The TweetEval folder in effect: the ``tweeteval_root`` setting (Gin,
  ``$SYMTUNE_TWEETEVAL_ROOT``, ``../shared/data/tweeteval``), else the shipped slice."""
  return settings.get("tweeteval_root") or SAMPLE_ROOT


def _tweeteval_dirs(root: pathlib.Path, task: str) -> tuple[pathlib.Path, pathlib.Path]:
  """(directory of the split files, mapping.txt) of a task."""
  if task.startswith("stance_"):
    return root / "stance" / task[len("stance_"):], root / "stance" / "mapping.txt"
  return root / task, root / task / "mapping.txt"


def read_tweeteval_mapping(path: pathlib.Path) -> tuple[str, ...]:
  """Label names from a TweetEval mapping.txt (`id<TAB>name` per line).

  Example: "0\tnot-hate\n1\thate" -> ("not-hate", "hate").
  """
  if not path.is_file():
    raise InputError("TweetEval mapping file not found", path=str(path))
  names: dict[int, str] = {}
  for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
    if not line.strip():
      continue
    parts = line.split("\t")
    if len(parts) != 2 or not parts[0].strip().isdigit() or not parts[1].strip():
      raise InputError(f"expected 'label_id<TAB>label_name', got {line!r}", path=str(path),
                       line=i)
    names[int(parts[0])] = parts[1].strip()
  if sorted(names) != list(range(len(names))):
    raise InputError(f"label ids must be 0..n-1, got {sorted(names)}", path=str(path))
  return tuple(names[i] for i in range(len(names)))


def read_tweeteval_split(root: pathlib.Path, task: str, split: str,
                         num_labels: int) -> list[Record]:
  """Records of a TweetEval task split from `{split}_text.txt` / `{split}_labels.txt`."""
  folder, _ = _tweeteval_dirs(root, task)
  stem = _TWEETEVAL_SPLIT_FILES[split]
  text_path, label_path = folder / f"{stem}_text.txt", folder / f"{stem}_labels.txt"
  for p in (text_path, label_path):
    if not p.is_file():
      raise InputError(f"TweetEval file not found (task {task!r}, split {split!r}); set "
                       f"${TWEETEVAL_ENV} to the folder holding the TweetEval tasks", path=str(p))
  texts, labels = _read_lines(text_path), _read_lines(label_path)
  if len(texts) != len(labels):
    raise InputError(f"{len(labels)} labels for {len(texts)} texts in {text_path.name}",
                     path=str(label_path))
  out = []
  for i, (t, l) in enumerate(zip(texts, labels), 1):
    l = l.strip()
    if not l.isdigit() or int(l) >= num_labels:
      raise InputError(f"expected a label id in 0..{num_labels - 1}, got {l!r}",
                       path=str(label_path), line=i)
    out.append(Record((t.strip(),), int(l)))
  return out


def _read_lines(path: pathlib.Path) -> list[str]:
  """Lines split on "\n" only (tweets may hold other Unicode line breaks)."""
  text = path.read_text(encoding="utf-8")
  lines = text.split("\n")
  if lines and lines[-1] == "":
    lines.pop()
  return [l.rstrip("\r") for l in lines]


def _count_lines(path: pathlib.Path) -> int:
  with open(path, "rb") as f:
    return sum(1 for _ in f)


def tweeteval_source(task: str, root: str | os.PathLike | None = None) -> ClassificationSource:
  """A TweetEval task read from the official files.

  Args:
    task: one of `TWEETEVAL_TASKS` (stance tasks as "stance_<topic>").
    root: the TweetEval folder; None resolves `tweeteval_root()` at load time.
  """
  if task not in TWEETEVAL_TASKS:
    raise InputError(f"unknown TweetEval task {task!r}; known: {sorted(TWEETEVAL_TASKS)}",
                     field="task")
  fixed = pathlib.Path(root) if root is not None else None

  def where() -> pathlib.Path:
    return fixed if fixed is not None else tweeteval_root()

  label_names = _TWEETEVAL_LABELS[task.split("_")[0]]

  def load(split: str) -> list[Record]:
    mapping = read_tweeteval_mapping(_tweeteval_dirs(where(), task)[1])
    if mapping != label_names:
      raise InputError(f"expected labels {list(label_names)}, found {list(mapping)}",
                       path=str(_tweeteval_dirs(where(), task)[1]))
    return read_tweeteval_split(where(), task, split, len(label_names))

  def count(split: str) -> int:
    folder, _ = _tweeteval_dirs(where(), task)
    return _count_lines(folder / f"{_TWEETEVAL_SPLIT_FILES[split]}_labels.txt")

  pinned: dict[pathlib.Path, ClassificationSource] = {}

  def pin() -> ClassificationSource:
    now = where()
    if now not in pinned:
      pinned[now] = tweeteval_source(task, now)
    return pinned[now]

  return ClassificationSource(
      name=f"tweeteval_{task}", text_fields=("tweet",), label_names=label_names, load_fn=load,
      instruction=TWEETEVAL_TASKS[task], count_fn=count, cache_token=lambda: str(where()),
      pin=pin if fixed is None else None)



# ---------------------------------------------------------------- TFDS


@dataclasses.dataclass(frozen=True)
class TfdsSpec:
  """How one TFDS builder maps onto a `ClassificationSource`.

  Attributes:
    name: our dataset name.
    tfds_name: builder (and config) name for `tfds.load`.
    text_fields: feature keys of the text fields.
    label_names: names of the classes (their number is checked against the
      builder's ClassLabel at load time).
    label_key: feature key of the label.
    split_map: our split name -> TFDS split name, where they differ.
    instruction: task instruction that does not name the labels.
  """
  name: str
  tfds_name: str
  text_fields: tuple[str, ...]
  label_names: tuple[str, ...]
  label_key: str = "label"
  split_map: tuple[tuple[str, str], ...] = ()
  instruction: str | None = None

  def tfds_split(self, split: str) -> str:
    return dict(self.split_map).get(split, split)


_NLI2 = ("entailment", "not_entailment")
_NLI3 = ("entailment", "neutral", "contradiction")
TFDS_SPECS: tuple[TfdsSpec, ...] = (
    TfdsSpec("rte", "glue/rte", ("sentence1", "sentence2"), _NLI2,
             instruction="Does the first sentence entail the second?"),
    TfdsSpec("wnli", "glue/wnli", ("sentence1", "sentence2"), ("not_entailment", "entailment"),
             instruction="Does the first sentence entail the second?"),
    TfdsSpec("qnli", "glue/qnli", ("question", "sentence"), _NLI2,
             instruction="Does the sentence answer the question?"),
    TfdsSpec("mnli", "glue/mnli", ("premise", "hypothesis"), _NLI3,
             split_map=(("validation", "validation_matched"), ("test", "test_matched")),
             instruction="What is the relation between the premise and the hypothesis?"),
    TfdsSpec("snli", "snli", ("premise", "hypothesis"), _NLI3,
             instruction="What is the relation between the premise and the hypothesis?"),
    TfdsSpec("cb", "super_glue/cb", ("premise", "hypothesis"),
             ("entailment", "contradiction", "neutral"),
             instruction="What is the relation between the premise and the hypothesis?"),
    TfdsSpec("sst2", "glue/sst2", ("sentence",), ("negative", "positive"),
             instruction="What is the sentiment of the sentence?"),
    TfdsSpec("qqp", "glue/qqp", ("question1", "question2"), ("not_duplicate", "duplicate"),
             instruction="Do the two questions ask the same thing?"),
    TfdsSpec("mrpc", "glue/mrpc", ("sentence1", "sentence2"), ("not_equivalent", "equivalent"),
             instruction="Do the two sentences mean the same thing?"),
    TfdsSpec("paws", "paws_wiki", ("sentence1", "sentence2"), ("different_meaning", "paraphrase"),
             instruction="Is the second sentence a paraphrase of the first?"),
    TfdsSpec("copa", "super_glue/copa", ("premise", "question", "choice1", "choice2"),
             ("choice1", "choice2"),
             instruction="Which choice is the cause or effect of the premise?"),
    TfdsSpec("piqa", "piqa", ("goal", "sol1", "sol2"), ("sol1", "sol2"),
             instruction="Which solution achieves the goal?"),
    TfdsSpec("wsc", "super_glue/wsc.fixed", ("text", "span1_text", "span2_text"),
             ("False", "True"),
             instruction="Does the pronoun refer to the noun phrase?"),
    TfdsSpec("winogrande", "winogrande", ("sentence", "option1", "option2"),
             ("option1", "option2"), split_map=(("train", "train_xl"),),
             instruction="Which option fills the blank?"),
    TfdsSpec("ag_news", "ag_news_subset", ("title", "description"),
             ("World", "Sports", "Business", "Sci/Tech"), split_map=(("validation", "test"),),
             instruction="What is the topic of the news article?"),
    TfdsSpec("trec", "trec", ("text",), ("DESC", "ENTY", "ABBR", "HUM", "NUM", "LOC"),
             label_key="label-coarse", split_map=(("validation", "test"),),
             instruction="What kind of answer does the question ask for?"),
    TfdsSpec("wic", "super_glue/wic", ("word", "sentence1", "sentence2"), ("False", "True"),
             instruction="Is the word used with the same meaning in both sentences?"),
    TfdsSpec("cola", "glue/cola", ("sentence",), ("unacceptable", "acceptable"),
             instruction="Is the sentence grammatically acceptable?"),
)
TFDS_SPECS_BY_NAME = {s.name: s for s in TFDS_SPECS}
NOT_IN_TFDS = {
    "rotten_tomatoes": "not a TFDS builder; read from its files (dataset_source)",
    "tweeteval_irony": "read from files (tweeteval_source)",
    "tweeteval_offensive": "read from files (tweeteval_source)",
    "tweeteval_sentiment": "read from files (tweeteval_source)",
}


def _text(value: Any) -> str:
  return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def tfds_source(spec: TfdsSpec | str, data_dir: str | None = None,
                max_examples: int | None = MAX_EXAMPLES) -> ClassificationSource:
  """A source reading a TFDS builder (offline: `download=False`).

  Args:
    spec: a `TfdsSpec` or the name of one of `TFDS_SPECS`.
    data_dir: TFDS data dir; None uses `$SYMTUNE_TFDS_DIR` or TFDS's default.
    max_examples: cap per split (applied in the TFDS split slice).
  """
  if isinstance(spec, str):
    if spec not in TFDS_SPECS_BY_NAME:
      raise InputError(f"unknown TFDS dataset {spec!r}; known: {sorted(TFDS_SPECS_BY_NAME)}",
                       field="dataset")
    spec = TFDS_SPECS_BY_NAME[spec]

  def resolved_dir() -> str | None:
    value = data_dir or settings.get("tfds_dir")
    return os.fspath(value) if value else None

  def load(split: str) -> Iterable[Record]:
    import tensorflow_datasets as tfds  # pylint: disable=g-import-not-at-top

    tfds_split = spec.tfds_split(split)
    if max_examples is not None:
      tfds_split = f"{tfds_split}[:{max_examples}]"
    try:
      ds, info = tfds.load(spec.tfds_name, split=tfds_split, data_dir=resolved_dir(),
                           download=False, shuffle_files=False, with_info=True)
    except Exception as e:  # TFDS raises many types for missing data
      raise SymtuneError(
          f"TFDS dataset {spec.tfds_name!r} split {tfds_split!r} could not be loaded from "
          f"{resolved_dir() or 'the default TFDS data dir'} ({type(e).__name__}: {e}). Prepare it "
          f"with `tfds build {spec.tfds_name}` on a machine with network, and set "
          f"${TFDS_DIR_ENV}.") from None
    feature = info.features[spec.label_key]
    if getattr(feature, "num_classes", len(spec.label_names)) != len(spec.label_names):
      raise InputError(f"TFDS {spec.tfds_name!r} has {feature.num_classes} classes, expected "
                       f"{len(spec.label_names)}", field=spec.label_key)
    for ex in tfds.as_numpy(ds):
      label = int(ex[spec.label_key])
      if label < 0:  # unlabelled test examples
        continue
      yield Record(tuple(_text(ex[f]) for f in spec.text_fields), label)

  def count(split: str) -> int:
    import tensorflow_datasets as tfds  # pylint: disable=g-import-not-at-top

    try:
      builder = tfds.builder(spec.tfds_name, data_dir=resolved_dir())
      return builder.info.splits[spec.tfds_split(split)].num_examples
    except Exception as e:  # KeyError('splits is empty') when the data is not prepared
      raise SymtuneError(
          f"TFDS dataset {spec.tfds_name!r} split {spec.tfds_split(split)!r} is not prepared "
          f"in {resolved_dir() or 'the default TFDS data dir'} ({type(e).__name__}: {e}). "
          f"Prepare it with `tfds build {spec.tfds_name}` on a machine with network, and set "
          f"${TFDS_DIR_ENV}.") from None

  return ClassificationSource(
      name=spec.name, text_fields=spec.text_fields, label_names=spec.label_names, load_fn=load,
      instruction=spec.instruction, max_examples=max_examples, count_fn=count,
      cache_token=resolved_dir)


# ---------------------------------------------------------------- release files, else TFDS

# The paper's 22 tuning datasets: the 18 TFDS builders, Rotten Tomatoes (files
# only) and TweetEval irony / offensive / sentiment (`tweeteval_source`).
FILE_TUNING_DATASETS = tuple(s.name for s in TFDS_SPECS) + ("rotten_tomatoes",)
# The held-out ICL datasets read from release files only (no TFDS builder).
FILE_ICL_DATASETS = ("subj",) + tuple(f"raft_{t}" for t in release_files.RAFT_TASKS)


def setting_name(dataset: str) -> str:
  """The settings key of a dataset's root: "rte" -> "rte_root", "raft_x" -> "raft_root"."""
  return "raft_root" if dataset.startswith("raft_") else f"{dataset}_root"


def data_origin(dataset: str) -> tuple[str, str]:
  """Where a dataset is read from now: ("files", root) or ("tfds", builder) or ("missing", why).

  Example: data_origin("rte") -> ("files", "../shared/data/rte") on a developer checkout.
  """
  root, origin = settings.resolve(setting_name(dataset))
  if root is not None:
    return "files", f"{root} ({origin})"
  if dataset in TFDS_SPECS_BY_NAME:
    return "tfds", TFDS_SPECS_BY_NAME[dataset].tfds_name
  return "missing", f"no files: {settings.how_to_set(setting_name(dataset))}"


def dataset_source(name: str, root: str | os.PathLike | None = None) -> ClassificationSource:
  """A dataset read from its release files when its root is known, else from TFDS.

  The root is the setting `setting_name(name)` (Gin ``symtune.settings.<name>_root``,
  a flag, ``$SYMTUNE_<NAME>_ROOT`` or ``../shared/data/<name>``), resolved each time
  the data is loaded, so `settings.override` in tests and Gin bindings made after
  import take effect. Without a root: the TFDS builder of `TFDS_SPECS` if there is
  one; Rotten Tomatoes, SUBJ and RAFT have none and need their files. Every
  failure names the dataset and what to set.

  Args:
    name: a name in `release_files.READERS` (e.g. "rte", "subj", "raft_overruling").
    root: the dataset's folder; None resolves the setting when the data is read
      (`ClassificationSource.pinned` resolves it at once).
  """
  if name not in release_files.READERS:
    raise InputError(f"unknown dataset {name!r}; known: {sorted(release_files.READERS)}",
                     field="dataset")
  fmt = release_files.READERS[name]
  key = setting_name(name)
  tfds_spec = TFDS_SPECS_BY_NAME.get(name)
  tfds = tfds_source(tfds_spec) if tfds_spec else None
  instruction = fmt.instruction or (tfds_spec.instruction if tfds_spec else None)

  def help_text() -> str:
    return f"expected {fmt.layout}; {settings.how_to_set(key)}"

  fixed = pathlib.Path(root) if root is not None else None

  def where_now() -> pathlib.Path | None:
    return fixed if fixed is not None else settings.resolve(key)[0]

  def read(split: str) -> list[Record]:
    where = where_now()
    if where is None:
      raise SymtuneError(f"dataset {name!r}: no data. Point it at its release files "
                         f"({help_text()})")
    if not where.is_dir():
      raise InputError(f"dataset {name!r}: {key} is not a folder ({help_text()})",
                       path=str(where))
    try:
      return fmt.read(where, split)
    except InputError as e:
      raise InputError(f"{e} [dataset {name!r} from {key} = {where} "
                       f"({'given' if fixed else settings.resolve(key)[1]}); {help_text()}]") from None

  def load(split: str) -> Iterable[Record]:
    if where_now() is None and tfds is not None:
      try:
        yield from tfds.load_fn(split)
      except SymtuneError as e:
        raise SymtuneError(f"dataset {name!r}: no release files ({help_text()}), and "
                           f"from TFDS: {e}") from None
      return
    yield from read(split)

  def count(split: str) -> int:
    if where_now() is None and tfds is not None:
      try:
        return tfds.count_fn(split)
      except SymtuneError as e:
        raise SymtuneError(f"dataset {name!r}: no release files ({help_text()}), and "
                           f"from TFDS: {e}") from None
    return len(_load(source, split, False, source.cache_token()).records)

  def token() -> Hashable:
    where = where_now()
    return ("files", str(where)) if where is not None else ("tfds", tfds.cache_token()
                                                             if tfds else None)

  def pin() -> ClassificationSource:
    now = where_now()
    if now is None or fixed is not None:
      return source
    if now not in _PINNED:
      _PINNED[now] = dataset_source(name, now)
    return _PINNED[now]

  _PINNED: dict[pathlib.Path, ClassificationSource] = {}
  source = ClassificationSource(
      name=name, text_fields=fmt.text_fields, label_names=fmt.label_names, load_fn=load,
      splits=fmt.splits, instruction=instruction, count_fn=count, cache_token=token,
      pin=pin if fixed is None else None)
  return source
