"""Readers of classification datasets in their official release formats.

Each reader turns a dataset's folder, laid out as its authors (or GLUE /
SuperGLUE) distribute it, into `Record`s per split, with the class order of
the matching TFDS builder (`sources.TFDS_SPECS`), so a task reads the same
classes whether its data comes from files or TFDS.

Datasets and layouts (`READERS`; `split -> files`):

  GLUE TSV (header row, ``index`` column, no quoting):
    rte, wnli, qnli      train.tsv, dev.tsv (test.tsv is unlabelled)
    mnli                 train.tsv, dev_matched.tsv (label column gold_label)
    sst2                 train.tsv, dev.tsv (sentence, label)
    qqp                  train.tsv, dev.tsv (question1, question2, is_duplicate)
    cola                 train.tsv, dev.tsv, no header: source, label, mark, sentence
  mrpc                   Microsoft's release: msr_paraphrase_train.txt and
                         msr_paraphrase_test.txt (Quality, #1 ID, #2 ID, #1 String,
                         #2 String), with GLUE's dev_ids.tsv splitting train into
                         GLUE train / dev; or GLUE's train.tsv, dev.tsv (same columns)
  paws                   PAWS-Wiki final: train.tsv, dev.tsv, test.tsv (id, sentence1,
                         sentence2, label)
  snli                   SNLI 1.0: snli_1.0_{train,dev,test}.jsonl (gold_label "-",
                         no annotator consensus, is skipped)
  SuperGLUE JSONL:
    cb                   train.jsonl, val.jsonl (label: entailment/contradiction/neutral)
    copa                 train.jsonl, val.jsonl (label 0/1 -> choice1/choice2); rows of
                         an ``unlabeled.jsonl`` beside train.jsonl that carry labels are
                         train rows too (a copy that split train in two)
    wsc                  train.jsonl, val.jsonl (text, target.span1_text,
                         target.span2_text, label true/false)
  wic                    the authors' release: {train,dev,test}/<split>.data.txt (word,
                         PoS, indices, sentence 1, sentence 2) with <split>.gold.txt (T/F);
                         under the root or its WiC_dataset/ folder
  piqa                   train.jsonl + train-labels.lst, valid.jsonl + valid-labels.lst
  winogrande             WinoGrande 1.1: train_xl.jsonl, dev.jsonl (answer "1"/"2")
  ag_news                train.csv, test.csv (class index 1..4, title, description; a
                         header row, as in the Kaggle copy, is recognised and skipped);
                         validation reads test.csv (as the TFDS task does)
  trec                   train_5500.label (or train.txt), TREC_10.label (or test.txt):
                         "COARSE:fine question" per line; validation reads the test file
  rotten_tomatoes        rt-polarity.pos / rt-polarity.neg (under the root or its
                         rt-polaritydata/ folder); no official split: 80/10/10 by
                         position in each file (train = first round(0.8 n) of each
                         polarity, then validation, then test), the rule of the Hugging
                         Face `rotten_tomatoes` builder, so the splits match it
  subj                   SentEval's subj.objective / subj.subjective; no official split:
                         the same 80/10/10 rule per file
  raft_<task>            RAFT: <task>/train.csv (label names as strings, an ID column)
                         and <task>/task.json (data_columns, label_columns); only the 50
                         labelled training rows exist (split "train")

Files are read as UTF-8 (a byte-order mark is dropped); the TREC and
rt-polarity originals are Latin-1 and are decoded as such when they are not
valid UTF-8. A malformed row is an `InputError` naming file, line and field.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import pathlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from symtune_jax.errors import InputError
from symtune_jax.files import parse_jsonl_object
from symtune_jax.symbols.labelled import Record

Reader = Callable[[pathlib.Path, str], list[Record]]


@dataclasses.dataclass(frozen=True)
class ReleaseFormat:
  """How one dataset's release files map onto records.

  Attributes:
    name: dataset name (as in `sources`), e.g. "rte".
    text_fields: the text fields, in record order.
    label_names: the class names, in index order.
    splits: the splits the release has labels for.
    layout: one line naming the files (for error messages).
    read: ``(root, split) -> records``.
    instruction: a task instruction that does not name the labels.
  """
  name: str
  text_fields: tuple[str, ...]
  label_names: tuple[str, ...]
  splits: tuple[str, ...]
  layout: str
  read: Reader
  instruction: str | None = None


# ---------------------------------------------------------------- file helpers


def _need(path: pathlib.Path, dataset: str) -> pathlib.Path:
  if not path.is_file():
    raise InputError(f"{dataset}: release file not found", path=str(path))
  return path


def _text_of(path: pathlib.Path, *, latin1_fallback: bool = False) -> str:
  data = path.read_bytes()
  try:
    text = data.decode("utf-8")
  except UnicodeDecodeError as e:
    if not latin1_fallback:
      raise InputError(f"not valid UTF-8 (byte {e.start})", path=str(path)) from None
    text = data.decode("latin-1")
  return text[1:] if text.startswith("\ufeff") else text


def _lines(path: pathlib.Path, *, latin1_fallback: bool = False) -> list[str]:
  """Lines split on "\\n" only (texts may hold other Unicode line breaks)."""
  lines = _text_of(path, latin1_fallback=latin1_fallback).split("\n")
  if lines and lines[-1] == "":
    lines.pop()
  return [l.rstrip("\r") for l in lines]


def _tsv(path: pathlib.Path, *, header: bool = True
         ) -> Iterator[tuple[int, dict[str, str] | list[str]]]:
  """(line number, row) of a tab-separated file without quoting."""
  lines = _lines(path)
  if header:
    if not lines:
      raise InputError("empty file; expected a header row", path=str(path), line=1)
    names = lines[0].split("\t")
    for i, line in enumerate(lines[1:], 2):
      if not line.strip():
        continue
      cells = line.split("\t")
      if len(cells) < len(names):
        raise InputError(f"{len(cells)} tab-separated cells, expected {len(names)} "
                         f"({', '.join(names)})", path=str(path), line=i)
      yield i, dict(zip(names, cells))
  else:
    for i, line in enumerate(lines, 1):
      if line.strip():
        yield i, line.split("\t")


def _jsonl(path: pathlib.Path) -> Iterator[tuple[int, dict[str, Any]]]:
  """(line number, object) of a JSONL file read as `_lines` reads text files."""
  for i, line in enumerate(_lines(path), 1):
    if line.strip():
      yield i, parse_jsonl_object(line, path, i)


def _field(row: dict[str, Any], key: str, path: pathlib.Path, line: int) -> str:
  value = row
  for part in key.split("."):
    if not isinstance(value, dict) or part not in value:
      raise InputError(f"missing field {key!r}", path=str(path), line=line, field=key)
    value = value[part]
  if not isinstance(value, (str, int, float, bool)):
    raise InputError(f"field {key!r} should be a string, got {type(value).__name__}",
                     path=str(path), line=line, field=key)
  return str(value)


def _label(raw: Any, mapping: dict[str, int], path: pathlib.Path, line: int,
           key: str) -> int:
  text = str(raw).strip()
  if isinstance(raw, bool):
    text = "true" if raw else "false"
  if text not in mapping:
    raise InputError(f"label {raw!r} is not one of {sorted(mapping)}", path=str(path),
                     line=line, field=key)
  return mapping[text]


def _index_map(n: int, offset: int = 0) -> dict[str, int]:
  return {str(i + offset): i for i in range(n)}


def _name_map(names: Sequence[str]) -> dict[str, int]:
  return {n: i for i, n in enumerate(names)}


_BOOL = {"false": 0, "true": 1, "False": 0, "True": 1, "F": 0, "T": 1}


def _split_file(root: pathlib.Path, dataset: str, split: str,
                files: dict[str, Sequence[str]]) -> pathlib.Path:
  """The first existing file of `split` (several accepted names), else an error."""
  names = files[split]
  for n in names:
    if (root / n).is_file():
      return root / n
  raise InputError(f"{dataset}: no file for split {split!r} (expected "
                   f"{' or '.join(names)})", path=str(root / names[0]))


# ---------------------------------------------------------------- readers


def _glue_reader(dataset: str, files: dict[str, Sequence[str]], fields: Sequence[str],
                 label_key: str, mapping: dict[str, int]) -> Reader:
  def read(root: pathlib.Path, split: str) -> list[Record]:
    path = _split_file(root, dataset, split, files)
    out = []
    for i, row in _tsv(path):
      texts = tuple(_field(row, f, path, i) for f in fields)
      out.append(Record(texts, _label(_field(row, label_key, path, i), mapping, path, i,
                                      label_key)))
    return out
  return read


def _cola(root: pathlib.Path, split: str) -> list[Record]:
  path = _split_file(root, "cola", split, {"train": ["train.tsv"],
                                           "validation": ["dev.tsv", "in_domain_dev.tsv"]})
  out = []
  for i, cells in _tsv(path, header=False):
    if len(cells) != 4:
      raise InputError(f"{len(cells)} cells; expected source, label, mark, sentence",
                       path=str(path), line=i)
    out.append(Record((cells[3],), _label(cells[1], _index_map(2), path, i, "label")))
  return out


def _mrpc(root: pathlib.Path, split: str) -> list[Record]:
  fields = ("#1 String", "#2 String")
  glue = {"train": root / "train.tsv", "validation": root / "dev.tsv"}
  if split in glue and glue[split].is_file():
    rows = [(glue[split], i, r) for i, r in _tsv(glue[split])]
  elif split == "test":
    path = _need(root / "msr_paraphrase_test.txt", "mrpc")
    rows = [(path, i, r) for i, r in _tsv(path)]
  else:
    path = _need(root / "msr_paraphrase_train.txt", "mrpc")
    ids_path = _need(root / "dev_ids.tsv", "mrpc")
    dev = {tuple(c[:2]) for _, c in _tsv(ids_path, header=False)}
    rows = []
    for i, r in _tsv(path):
      in_dev = (_field(r, "#1 ID", path, i), _field(r, "#2 ID", path, i)) in dev
      if in_dev == (split == "validation"):
        rows.append((path, i, r))
  return [Record(tuple(_field(r, f, p, i) for f in fields),
                 _label(_field(r, "Quality", p, i), _index_map(2), p, i, "Quality"))
          for p, i, r in rows]


def _jsonl_reader(dataset: str, files: dict[str, Sequence[str]], fields: Sequence[str],
                  label_key: str, mapping: dict[str, int], *,
                  skip_labels: Sequence[str] = ()) -> Reader:
  def read(root: pathlib.Path, split: str) -> list[Record]:
    path = _split_file(root, dataset, split, files)
    rows = [(path, i, r) for i, r in _jsonl(path)]
    if dataset == "copa" and split == "train" and (root / "unlabeled.jsonl").is_file():
      extra = [(root / "unlabeled.jsonl", i, r) for i, r in _jsonl(root / "unlabeled.jsonl")]
      rows += [x for x in extra if label_key in x[2]]
    out = []
    for p, i, r in rows:
      if label_key not in r:
        raise InputError(f"missing field {label_key!r}", path=str(p), line=i, field=label_key)
      if str(r[label_key]) in skip_labels:
        continue
      out.append(Record(tuple(_field(r, f, p, i) for f in fields),
                        _label(r[label_key], mapping, p, i, label_key)))
    return out
  return read


def _piqa(root: pathlib.Path, split: str) -> list[Record]:
  stem = {"train": "train", "validation": "valid"}[split]
  path = _need(root / f"{stem}.jsonl", "piqa")
  labels_path = _need(root / f"{stem}-labels.lst", "piqa")
  rows = list(_jsonl(path))
  labels = [l for l in _lines(labels_path) if l.strip()]
  if len(labels) != len(rows):
    raise InputError(f"{len(labels)} labels for {len(rows)} rows of {path.name}",
                     path=str(labels_path))
  return [Record(tuple(_field(r, f, path, i) for f in ("goal", "sol1", "sol2")),
                 _label(l, _index_map(2), labels_path, j, "label"))
          for j, ((i, r), l) in enumerate(zip(rows, labels), 1)]


def _wic(root: pathlib.Path, split: str) -> list[Record]:
  if not (root / "train").is_dir() and (root / "WiC_dataset").is_dir():
    root = root / "WiC_dataset"
  stem = {"train": "train", "validation": "dev", "test": "test"}[split]
  data = _need(root / stem / f"{stem}.data.txt", "wic")
  gold = _need(root / stem / f"{stem}.gold.txt", "wic")
  rows = [l for l in _lines(data) if l.strip()]
  labels = [l for l in _lines(gold) if l.strip()]
  if len(rows) != len(labels):
    raise InputError(f"{len(labels)} gold labels for {len(rows)} rows", path=str(gold))
  out = []
  for i, (row, label) in enumerate(zip(rows, labels), 1):
    cells = row.split("\t")
    if len(cells) != 5:
      raise InputError(f"{len(cells)} cells; expected word, PoS, indices, sentence 1, "
                       "sentence 2", path=str(data), line=i)
    out.append(Record((cells[0], cells[3], cells[4]),
                      _label(label, {"F": 0, "T": 1}, gold, i, "label")))
  return out


def _ag_news(root: pathlib.Path, split: str) -> list[Record]:
  path = _split_file(root, "ag_news", split,
                     {"train": ["train.csv"], "validation": ["test.csv"], "test": ["test.csv"]})
  out = []
  with open(path, encoding="utf-8-sig", newline="") as f:
    for i, cells in enumerate(csv.reader(f), 1):
      if not cells:
        continue
      if i == 1 and not cells[0].strip().isdigit():
        continue  # a header row ("Class Index,Title,Description")
      if len(cells) != 3:
        raise InputError(f"{len(cells)} cells; expected class index, title, description",
                         path=str(path), line=i)
      out.append(Record((cells[1], cells[2]),
                        _label(cells[0], _index_map(4, offset=1), path, i, "class index")))
  return out


TREC_LABELS = ("DESC", "ENTY", "ABBR", "HUM", "NUM", "LOC")


def _trec(root: pathlib.Path, split: str) -> list[Record]:
  path = _split_file(root, "trec", split,
                     {"train": ["train_5500.label", "train.txt"],
                      "validation": ["TREC_10.label", "test.txt"],
                      "test": ["TREC_10.label", "test.txt"]})
  out = []
  for i, line in enumerate(_lines(path, latin1_fallback=True), 1):
    if not line.strip():
      continue
    label, _, question = line.partition(" ")
    coarse = label.split(":", 1)[0]
    if ":" not in label or not question.strip():
      raise InputError(f"expected 'COARSE:fine question', got {line[:60]!r}", path=str(path),
                       line=i)
    out.append(Record((question.strip(),), _label(coarse, _name_map(TREC_LABELS), path, i,
                                                  "label")))
  return out


def split_80_10_10(n: int, split: str) -> range:
  """Positions of `split` among `n` items: 80/10/10 by position, rounded half up.

  Example: n=5331 -> train range(0, 4265), validation range(4265, 4798),
  test range(4798, 5331).
  """
  i1, i2 = int(n * 0.8 + 0.5), int(n * 0.9 + 0.5)
  return {"train": range(0, i1), "validation": range(i1, i2), "test": range(i2, n)}[split]


def _two_file_reader(dataset: str, files: Sequence[str], subdir: str | None) -> Reader:
  """Two one-sentence-per-line files, one per class, split 80/10/10 per file."""
  def read(root: pathlib.Path, split: str) -> list[Record]:
    if subdir and not (root / files[0]).is_file() and (root / subdir).is_dir():
      root = root / subdir
    out = []
    for label, name in enumerate(files):
      lines = _lines(_need(root / name, dataset), latin1_fallback=True)
      out += [Record((lines[j].strip(),), label) for j in split_80_10_10(len(lines), split)]
    return out
  return read


# ---------------------------------------------------------------- RAFT


@dataclasses.dataclass(frozen=True)
class RaftTask:
  """A RAFT task as its task.json describes it (checked when read)."""
  text_fields: tuple[str, ...]
  label_names: tuple[str, ...]
  instruction: str


RAFT_TASKS: dict[str, RaftTask] = {
    "ade_corpus_v2": RaftTask(("Sentence",), ("ADE-related", "not ADE-related"),
                              "Is the sentence about an adverse drug effect?"),
    "overruling": RaftTask(("Sentence",), ("not overruling", "overruling"),
                           "Does the sentence overrule a previous case?"),
    "semiconductor_org_types": RaftTask(
        ("Paper title", "Organization name"), ("company", "research institute", "university"),
        "What type of organization wrote the semiconductor paper?"),
    "terms_of_service": RaftTask(
        ("Sentence",), ("not potentially unfair", "potentially unfair"),
        "Is the clause of the terms of service potentially unfair to the consumer?"),
    "twitter_complaints": RaftTask(("Tweet text",), ("complaint", "no complaint"),
                                   "Is the tweet a complaint?"),
}


def read_raft_task_json(root: pathlib.Path, task: str) -> tuple[tuple[str, ...], str,
                                                                tuple[str, ...]]:
  """(data columns without ID, label column, label names) of a RAFT task.json."""
  path = _need(root / task / "task.json", f"raft_{task}")
  try:
    meta = json.loads(_text_of(path))
  except json.JSONDecodeError as e:
    raise InputError(f"not valid JSON ({e.msg})", path=str(path), line=e.lineno) from None
  columns = meta.get("data_columns") if isinstance(meta, dict) else None
  labels = meta.get("label_columns") if isinstance(meta, dict) else None
  if (not isinstance(columns, list) or not isinstance(labels, dict) or len(labels) != 1 or
      not all(isinstance(c, str) for c in columns)):
    raise InputError("expected 'data_columns' (list) and 'label_columns' (one column: "
                     "[label names])", path=str(path))
  (label_col, names), = labels.items()
  if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
    raise InputError("label names must be a list of strings", path=str(path),
                     field=f"label_columns.{label_col}")
  return tuple(c for c in columns if c != "ID"), label_col, tuple(names)


def raft_reader(task: str) -> Reader:
  expected = RAFT_TASKS[task]

  def read(root: pathlib.Path, split: str) -> list[Record]:
    del split  # only train is labelled
    columns, label_col, names = read_raft_task_json(root, task)
    if (columns, names) != (expected.text_fields, expected.label_names):
      raise InputError(f"raft_{task}: task.json has data columns {list(columns)} and labels "
                       f"{list(names)}; expected {list(expected.text_fields)} and "
                       f"{list(expected.label_names)}", path=str(root / task / "task.json"))
    path = _need(root / task / "train.csv", f"raft_{task}")
    out = []
    with open(path, encoding="utf-8-sig", newline="") as f:
      reader = csv.DictReader(f)
      missing = [c for c in (*columns, label_col) if c not in (reader.fieldnames or [])]
      if missing:
        raise InputError(f"missing column(s) {missing}; the header has {reader.fieldnames}",
                         path=str(path), line=1)
      for i, row in enumerate(reader, 2):
        out.append(Record(tuple(row[c] or "" for c in columns),
                          _label(row[label_col], _name_map(names), path, i, label_col)))
    return out
  return read


# ---------------------------------------------------------------- the table


_NLI2 = ("entailment", "not_entailment")
_NLI3 = ("entailment", "neutral", "contradiction")
_GLUE = {"train": ["train.tsv"], "validation": ["dev.tsv"]}


def _formats() -> dict[str, ReleaseFormat]:
  f = [
      ReleaseFormat("rte", ("sentence1", "sentence2"), _NLI2, ("train", "validation"),
                    "GLUE RTE: train.tsv, dev.tsv",
                    _glue_reader("rte", _GLUE, ("sentence1", "sentence2"), "label",
                                 _name_map(_NLI2))),
      ReleaseFormat("wnli", ("sentence1", "sentence2"), ("not_entailment", "entailment"),
                    ("train", "validation"), "GLUE WNLI: train.tsv, dev.tsv",
                    _glue_reader("wnli", _GLUE, ("sentence1", "sentence2"), "label",
                                 _index_map(2))),
      ReleaseFormat("qnli", ("question", "sentence"), _NLI2, ("train", "validation"),
                    "GLUE QNLI: train.tsv, dev.tsv",
                    _glue_reader("qnli", _GLUE, ("question", "sentence"), "label",
                                 _name_map(_NLI2))),
      ReleaseFormat("mnli", ("premise", "hypothesis"), _NLI3, ("train", "validation"),
                    "GLUE MNLI: train.tsv, dev_matched.tsv",
                    _glue_reader("mnli", {"train": ["train.tsv"],
                                          "validation": ["dev_matched.tsv"]},
                                 ("sentence1", "sentence2"), "gold_label", _name_map(_NLI3))),
      ReleaseFormat("snli", ("premise", "hypothesis"), _NLI3, ("train", "validation", "test"),
                    "SNLI 1.0: snli_1.0_train.jsonl, snli_1.0_dev.jsonl, snli_1.0_test.jsonl",
                    _jsonl_reader("snli", {"train": ["snli_1.0_train.jsonl"],
                                           "validation": ["snli_1.0_dev.jsonl"],
                                           "test": ["snli_1.0_test.jsonl"]},
                                  ("sentence1", "sentence2"), "gold_label", _name_map(_NLI3),
                                  skip_labels=("-",))),
      ReleaseFormat("cb", ("premise", "hypothesis"), ("entailment", "contradiction", "neutral"),
                    ("train", "validation"), "SuperGLUE CB: train.jsonl, val.jsonl",
                    _jsonl_reader("cb", {"train": ["train.jsonl"], "validation": ["val.jsonl"]},
                                  ("premise", "hypothesis"), "label",
                                  _name_map(("entailment", "contradiction", "neutral")))),
      ReleaseFormat("sst2", ("sentence",), ("negative", "positive"), ("train", "validation"),
                    "GLUE SST-2: train.tsv, dev.tsv",
                    _glue_reader("sst2", _GLUE, ("sentence",), "label", _index_map(2))),
      ReleaseFormat("rotten_tomatoes", ("text",), ("negative", "positive"),
                    ("train", "validation", "test"),
                    "sentence polarity v1.0: rt-polaritydata/rt-polarity.neg, rt-polarity.pos",
                    _two_file_reader("rotten_tomatoes", ("rt-polarity.neg", "rt-polarity.pos"),
                                     "rt-polaritydata"),
                    instruction="What is the sentiment of the movie review?"),
      ReleaseFormat("qqp", ("question1", "question2"), ("not_duplicate", "duplicate"),
                    ("train", "validation"), "GLUE QQP: train.tsv, dev.tsv",
                    _glue_reader("qqp", _GLUE, ("question1", "question2"), "is_duplicate",
                                 _index_map(2))),
      ReleaseFormat("mrpc", ("sentence1", "sentence2"), ("not_equivalent", "equivalent"),
                    ("train", "validation", "test"),
                    "MRPC: msr_paraphrase_train.txt, msr_paraphrase_test.txt, dev_ids.tsv "
                    "(or GLUE train.tsv, dev.tsv)", _mrpc),
      ReleaseFormat("paws", ("sentence1", "sentence2"), ("different_meaning", "paraphrase"),
                    ("train", "validation", "test"), "PAWS-Wiki: train.tsv, dev.tsv, test.tsv",
                    _glue_reader("paws", {"train": ["train.tsv"], "validation": ["dev.tsv"],
                                          "test": ["test.tsv"]},
                                 ("sentence1", "sentence2"), "label", _index_map(2))),
      ReleaseFormat("copa", ("premise", "question", "choice1", "choice2"), ("choice1", "choice2"),
                    ("train", "validation"), "SuperGLUE COPA: train.jsonl, val.jsonl",
                    _jsonl_reader("copa", {"train": ["train.jsonl"], "validation": ["val.jsonl"]},
                                  ("premise", "question", "choice1", "choice2"), "label",
                                  _index_map(2))),
      ReleaseFormat("piqa", ("goal", "sol1", "sol2"), ("sol1", "sol2"), ("train", "validation"),
                    "PIQA: train.jsonl + train-labels.lst, valid.jsonl + valid-labels.lst",
                    _piqa),
      ReleaseFormat("wsc", ("text", "span1_text", "span2_text"), ("False", "True"),
                    ("train", "validation"), "SuperGLUE WSC: train.jsonl, val.jsonl",
                    _jsonl_reader("wsc", {"train": ["train.jsonl"], "validation": ["val.jsonl"]},
                                  ("text", "target.span1_text", "target.span2_text"), "label",
                                  _BOOL)),
      ReleaseFormat("winogrande", ("sentence", "option1", "option2"), ("option1", "option2"),
                    ("train", "validation"), "WinoGrande 1.1: train_xl.jsonl, dev.jsonl",
                    _jsonl_reader("winogrande", {"train": ["train_xl.jsonl"],
                                                 "validation": ["dev.jsonl"]},
                                  ("sentence", "option1", "option2"), "answer",
                                  _index_map(2, offset=1))),
      ReleaseFormat("ag_news", ("title", "description"), ("World", "Sports", "Business",
                                                          "Sci/Tech"),
                    ("train", "validation", "test"), "AG News: train.csv, test.csv", _ag_news),
      ReleaseFormat("trec", ("text",), TREC_LABELS, ("train", "validation", "test"),
                    "TREC: train_5500.label (or train.txt), TREC_10.label (or test.txt)", _trec),
      ReleaseFormat("wic", ("word", "sentence1", "sentence2"), ("False", "True"),
                    ("train", "validation", "test"),
                    "WiC: train/train.data.txt + train.gold.txt, dev/..., test/...", _wic),
      ReleaseFormat("cola", ("sentence",), ("unacceptable", "acceptable"),
                    ("train", "validation"), "GLUE CoLA: train.tsv, dev.tsv (no header)", _cola),
      ReleaseFormat("subj", ("sentence",), ("objective", "subjective"),
                    ("train", "validation", "test"), "SUBJ: subj.objective, subj.subjective",
                    _two_file_reader("subj", ("subj.objective", "subj.subjective"), None),
                    instruction="Is the sentence a subjective opinion or an objective "
                                "statement?"),
  ]
  for task, t in RAFT_TASKS.items():
    f.append(ReleaseFormat(f"raft_{task}", t.text_fields, t.label_names, ("train",),
                           f"RAFT: {task}/train.csv, {task}/task.json", raft_reader(task),
                           instruction=t.instruction))
  return {x.name: x for x in f}


READERS: dict[str, ReleaseFormat] = _formats()
