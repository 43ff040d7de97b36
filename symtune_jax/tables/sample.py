"""The WikiTableQuestions sample shipped inside the package.

A fresh clone has no ``../shared/data``; the sample lets the default
configurations run from the repository alone. It is in the official layout
(``csv/20N-csv/M.csv`` and ``data/sample.tsv``), so every WTQ loader reads it:

    >>> tables = load_sample_tables()
    >>> len(tables), tables[0].table_id
    (100, '200_33')

`build_sample` made it from the official data (see its docstring for the
selection rule); ``symtune_jax/data/wtq_sample/README.md`` records provenance
and the license (CC BY-SA 4.0).
"""

from __future__ import annotations

import hashlib
import os
import pathlib
import shutil

from symtune_jax.errors import InputError
from symtune_jax.files import atomic_open, atomic_write_text
from symtune_jax.tables.loaders import (iter_wtq_tables, load_wtq_questions,
                                        wtq_table_id, wtq_table_paths)
from symtune_jax.tables.table import Table

SAMPLE_SIZE = 100
MAX_TABLE_BYTES = 4096
QUESTIONS_FILE = "data/sample.tsv"


def sample_root() -> pathlib.Path:
  """The shipped sample's folder (holds ``csv/`` and ``data/``)."""
  return pathlib.Path(__file__).resolve().parents[1] / "data" / "wtq_sample"


def load_sample_tables() -> list[Table]:
  """The ~100 shipped WTQ tables, in table-id order."""
  return list(iter_wtq_tables(sample_root()))


def sample_questions_path() -> pathlib.Path:
  """The official-format questions TSV about the shipped tables."""
  return sample_root() / QUESTIONS_FILE


def _selection_key(table_id: str) -> str:
  return hashlib.sha256(f"wtq_sample/{table_id}".encode()).hexdigest()


def build_sample(official_root: str | os.PathLike, out_dir: str | os.PathLike, *,
                 exclude_ids: set[str] = frozenset(), size: int = SAMPLE_SIZE,
                 max_table_bytes: int = MAX_TABLE_BYTES) -> list[str]:
  """Copies a deterministic sample of WTQ tables and their training questions.

  Selection: tables that ``data/training.tsv`` asks about, whose csv is at most
  ``max_table_bytes`` bytes and that are not in ``exclude_ids`` (TAPEX's dev
  tables), ordered by sha256('wtq_sample/<table_id>'); the first ``size``.
  The csv files are copied byte for byte; ``data/sample.tsv`` holds the
  training questions about them, lines as in the official file.

  Args:
    official_root: the folder holding WTQ's ``csv/`` and ``data/``.
    out_dir: where to write (``csv/``, ``data/sample.tsv``).
    exclude_ids: table ids never to pick ('203_447').
    size: number of tables.
    max_table_bytes: largest csv file picked.

  Returns:
    The chosen table ids, in table order.
  """
  root = pathlib.Path(official_root)
  out = pathlib.Path(out_dir)
  training = root / "data" / "training.tsv"
  asked = {q["table_id"] for q in load_wtq_questions(training)}
  paths = {wtq_table_id(p): p for p in wtq_table_paths(root)}
  candidates = [tid for tid, p in paths.items()
                if tid in asked and tid not in exclude_ids
                and p.stat().st_size <= max_table_bytes]
  if len(candidates) < size:
    raise InputError(f"only {len(candidates)} tables qualify; expected {size}",
                     path=os.fspath(root))
  chosen = set(sorted(candidates, key=_selection_key)[:size])
  ordered = [tid for tid in paths if tid in chosen]
  for tid in ordered:
    src = paths[tid]
    dst = out / src.relative_to(root)
    with atomic_open(dst, "wb", encoding=None) as f:
      f.write(src.read_bytes())
  lines = training.read_text(encoding="utf-8").split("\n")
  kept = [lines[0]] + [ln for ln in lines[1:] if ln.strip()
                       and wtq_table_id(ln.split("\t")[2]) in chosen]
  atomic_write_text(out / QUESTIONS_FILE, "\n".join(kept) + "\n")
  shutil.copyfile(root / "LICENSE", out / "LICENSE")
  return ordered
