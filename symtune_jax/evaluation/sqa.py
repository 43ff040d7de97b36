"""SQA (Microsoft Sequential Question Answering) in its official TSV layout.

Official files: ``random-split-1-train.tsv``, ``random-split-1-dev.tsv``,
``test.tsv`` (tab-separated, CSV quoting) with header ``id  annotator
position  question  table_file  answer_coordinates  answer_text``;
``answer_coordinates`` and ``answer_text`` are Python list literals (``['(0,
4)', '(1, 4)']``, ``['Ruthenium', 'Rhodium']``); ``table_file`` is
``table_csv/203_149.csv`` (comma-separated, quoted). A sequence is the
questions sharing (id, annotator), ordered by position; each question is
asked with the earlier ones of its sequence as history.

Splits: ``validation`` = random-split-1-dev, ``test`` = test. Root:
``$SYMTUNE_SQA_ROOT``.
"""

from __future__ import annotations

import ast
import csv
import io
import pathlib
from typing import Iterator

from symtune_jax.errors import InputError
from symtune_jax.evaluation import data_roots
from symtune_jax.evaluation.table_prompt import TableQuestion
from symtune_jax.tables import loaders

HEADER = ["id", "annotator", "position", "question", "table_file",
          "answer_coordinates", "answer_text"]
SPLIT_FILES = {"train": "random-split-1-train.tsv", "validation": "random-split-1-dev.tsv",
               "test": "test.tsv"}
SPLITS = ("validation", "test")


def _literal_list(text: str, path: str, line: int, field: str) -> list[str]:
  try:
    value = ast.literal_eval(text)
  except (ValueError, SyntaxError):
    raise InputError(f"expected a Python list literal, got {text[:60]!r}",
                     path=path, line=line, field=field) from None
  if not isinstance(value, (list, tuple)):
    raise InputError(f"expected a list, got {type(value).__name__}", path=path,
                     line=line, field=field)
  return [str(v) for v in value]


def parse_coordinates(items: list[str]) -> list[tuple[int, int]]:
  """['(0, 4)', '(1, 4)'] -> [(0, 4), (1, 4)]."""
  out = []
  for item in items:
    row, col = ast.literal_eval(item)
    out.append((int(row), int(col)))
  return out


def load_questions(split: str, root: pathlib.Path | None = None,
                   limit: int | None = None) -> Iterator[TableQuestion]:
  """Yields the split's questions, each with the earlier questions of its sequence."""
  if split not in SPLIT_FILES:
    raise ValueError(f"unknown SQA split {split!r}; known: {sorted(SPLIT_FILES)}")
  root = data_roots.SQA.path() if root is None else pathlib.Path(root)
  path = data_roots.SQA.require_file(SPLIT_FILES[split], root)
  text = path.read_text(encoding="utf-8")
  reader = csv.reader(io.StringIO(text), delimiter="\t")
  header = next(reader, None)
  if header != HEADER:
    raise InputError(f"header is {header!r}; expected {HEADER!r}", path=str(path), line=1)
  tables = {}
  history: dict[tuple[str, str], dict[int, str]] = {}
  n = 0
  for fields in reader:
    line = reader.line_num
    if not any(f.strip() for f in fields):
      continue
    if len(fields) != len(HEADER):
      raise InputError(f"{len(fields)} fields; expected {len(HEADER)}", path=str(path),
                       line=line)
    qid, annotator, position, question, table_file, coords, answer_text = fields
    try:
      pos = int(position)
    except ValueError:
      raise InputError(f"position {position!r} is not an integer", path=str(path),
                       line=line, field="position") from None
    parse_coordinates(_literal_list(coords, str(path), line, "answer_coordinates"))
    answers = _literal_list(answer_text, str(path), line, "answer_text")
    # Earlier questions of the sequence, by position (files list them in order).
    earlier = history.setdefault((qid, annotator), {})
    earlier[pos] = question
    past = tuple(earlier[p] for p in sorted(earlier) if p < pos)
    if table_file not in tables:
      table_path = data_roots.SQA.require_file(table_file, root)
      tables[table_file] = loaders.load_csv(table_path, pathlib.Path(table_file).stem)
    if limit is not None and n >= limit:
      return
    n += 1
    yield TableQuestion(id=f"{qid}-{annotator}-{pos}", question=question,
                        table=tables[table_file], answers=tuple(answers),
                        history=past)
