"""WikiTableQuestions evaluation data in the official layout.

Root layout (ppasupat/WikiTableQuestions): ``data/*.tsv`` question files
(``id  utterance  context  targetValue``) and ``csv/20N-csv/M.csv`` tables.
Splits: ``validation`` = ``data/random-split-1-dev.tsv``, ``test`` =
``data/pristine-unseen-tables.tsv``: no question and no table in common (the
dev split is drawn from training), so template selection on validation never
sees a test item. The package's shipped sample
(``symtune_jax/data/wtq_sample``) has one file, ``data/sample.tsv``, used for
every split when the official files are absent (questions from the training
split: fine for a smoke run, not for reporting; its validation and test are
the same questions, so template selection on the sample means nothing).

Gold answers for scoring: where the root holds the official CoreNLP-tagged
files (``tagged/data/*.tagged``, columns ``id ... targetValue ... targetCanon``),
each question's answers and their canonical values come from there, by id, as
the official ``evaluator.py`` reads them in batch mode (every file of the
folder); ``targetCanon`` turns '17 years' into the number 17 and 'January 26,
1995' into a date. Questions without a tagged line (the shipped sample, the
dev split when only the test files are tagged) have no canon values and are
scored as ``evaluator.py`` scores an answer without one.

Root: ``$SYMTUNE_WTQ_ROOT``, else ``../shared/data/wtq/official``, else the
shipped sample.
"""

from __future__ import annotations

import functools
import pathlib
from typing import Iterator

from symtune_jax.errors import InputError
from symtune_jax.evaluation import data_roots
from symtune_jax.evaluation.table_prompt import TableQuestion
from symtune_jax.tables import loaders

SPLIT_FILES: dict[str, tuple[str, ...]] = {
    "train": ("data/random-split-1-train.tsv", "data/training.tsv", "data/sample.tsv"),
    "validation": ("data/random-split-1-dev.tsv", "data/sample.tsv"),
    "test": ("data/pristine-unseen-tables.tsv", "data/sample.tsv"),
}
SPLITS = ("validation", "test")
TAGGED_DIR = "tagged/data"
_TAGGED_COLUMNS = ("id", "targetValue", "targetCanon")


def _unescape(text: str) -> str:
  """Official TSV escapes: backslash-n -> newline, backslash-p -> '|', two backslashes -> one."""
  return text.replace(r"\n", "\n").replace(r"\p", "|").replace("\\\\", "\\")


def read_tagged(path: pathlib.Path) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
  """One official ``.tagged`` file -> {id: (answers, canon values)}.

  Raises `InputError` naming file:line for a missing column or answer and
  canon lists of different lengths.
  """
  try:
    text = path.read_text(encoding="utf-8")
  except UnicodeDecodeError as e:
    raise InputError(f"not UTF-8 text ({e.reason} at byte {e.start})", path=str(path)) from None
  lines = text.split("\n")
  header = lines[0].rstrip("\r").split("\t")
  missing = [c for c in _TAGGED_COLUMNS if c not in header]
  if missing:
    raise InputError(f"header lacks {missing}; expected the official tagged columns",
                     path=str(path), line=1)
  cols = [header.index(c) for c in _TAGGED_COLUMNS]
  out = {}
  for i, line in enumerate(lines[1:], start=2):
    line = line.rstrip("\r")
    if not line:
      continue
    fields = line.split("\t")
    if len(fields) <= max(cols):
      raise InputError(f"{len(fields)} tab-separated fields; expected {len(header)}",
                       path=str(path), line=i)
    qid, values, canons = (fields[c] for c in cols)
    values = tuple(_unescape(v) for v in values.split("|"))
    canons = tuple(_unescape(v) for v in canons.split("|"))
    if len(values) != len(canons):
      raise InputError(f"{len(values)} targetValue items but {len(canons)} targetCanon items",
                       path=str(path), line=i, field="targetCanon")
    out[qid] = (values, canons)
  return out


@functools.lru_cache(maxsize=4)
def _tagged_answers(directory: str) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
  out = {}
  for path in sorted(pathlib.Path(directory).glob("*.tagged")):
    out.update(read_tagged(path))
  return out


def tagged_answers(root: pathlib.Path) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
  """{id: (answers, canon values)} from every ``root/tagged/data/*.tagged`` ({} if none)."""
  directory = pathlib.Path(root) / TAGGED_DIR
  if not directory.is_dir():
    return {}
  return _tagged_answers(str(directory.resolve()))


def questions_path(split: str, root: pathlib.Path | None = None) -> pathlib.Path:
  """The question file of ``split`` under ``root`` (first candidate that exists)."""
  root = data_roots.WTQ.path() if root is None else pathlib.Path(root)
  candidates = SPLIT_FILES.get(split)
  if candidates is None:
    raise ValueError(f"unknown WTQ split {split!r}; known: {sorted(SPLIT_FILES)}")
  for rel in candidates:
    if (root / rel).is_file():
      return root / rel
  return data_roots.WTQ.require_file(candidates[0], root)


def load_questions(split: str, root: pathlib.Path | None = None,
                   limit: int | None = None) -> Iterator[TableQuestion]:
  """Yields the split's questions with their tables (each table read once).

  Raises `InputError` naming the file (and the env var) when data is missing.
  """
  root = data_roots.WTQ.path() if root is None else pathlib.Path(root)
  path = questions_path(split, root)
  tagged = tagged_answers(root)
  tables = {}
  for i, q in enumerate(loaders.load_wtq_questions(path)):
    if limit is not None and i >= limit:
      return
    context = q["context"]
    if context not in tables:
      table_path = data_roots.WTQ.require_file(context, root)
      tables[context] = loaders.load_wtq_csv(table_path)
    answers, canons = tagged.get(q["id"], (tuple(q["targetValue"]), ()))
    yield TableQuestion(id=q["id"], question=q["utterance"], table=tables[context],
                        answers=answers, canons=canons)
