"""WikiTableQuestions evaluation data in the official layout.

Root layout (ppasupat/WikiTableQuestions): ``data/*.tsv`` question files
(``id  utterance  context  targetValue``) and ``csv/20N-csv/M.csv`` tables.
Splits: ``validation`` = ``data/random-split-1-dev.tsv``, ``test`` =
``data/pristine-unseen-tables.tsv``. The package's shipped sample
(``symtune_jax/data/wtq_sample``) has one file, ``data/sample.tsv``, used for
every split when the official files are absent (questions from the training
split: fine for a smoke run, not for reporting).

Root: ``$SYMTUNE_WTQ_ROOT``, else ``../shared/data/wtq/official``, else the
shipped sample.
"""

from __future__ import annotations

import pathlib
from typing import Iterator

from symtune_jax.evaluation import data_roots
from symtune_jax.evaluation.table_prompt import TableQuestion
from symtune_jax.tables import loaders

SPLIT_FILES: dict[str, tuple[str, ...]] = {
    "train": ("data/random-split-1-train.tsv", "data/training.tsv", "data/sample.tsv"),
    "validation": ("data/random-split-1-dev.tsv", "data/sample.tsv"),
    "test": ("data/pristine-unseen-tables.tsv", "data/sample.tsv"),
}
SPLITS = ("validation", "test")


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
  tables = {}
  for i, q in enumerate(loaders.load_wtq_questions(path)):
    if limit is not None and i >= limit:
      return
    context = q["context"]
    if context not in tables:
      table_path = data_roots.WTQ.require_file(context, root)
      tables[context] = loaders.load_wtq_csv(table_path)
    yield TableQuestion(id=q["id"], question=q["utterance"], table=tables[context],
                        answers=tuple(q["targetValue"]))
