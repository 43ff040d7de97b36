"""Prompt templates for the zero-shot benchmarks: several per benchmark.

The paper evaluates each benchmark with several prompt templates and reports
the one that scores best on validation (`template_selection`). A template is a
format string over the example's fields; its name becomes part of the task
name (``symtune_eval_wtq_<template>_v1``).

Fields:
  table QA (wtq, wikisql, sqa): ``{table}`` (linearized), ``{question}``,
    ``{history}`` (SQA: earlier questions of the sequence, may be empty);
  tabfact: ``{table}``, ``{statement}``, ``{caption}``;
  svamp: ``{body}``, ``{question}``.
"""

from __future__ import annotations

import dataclasses
import string
from typing import Mapping

from symtune_jax.errors import InputError


@dataclasses.dataclass(frozen=True)
class Template:
  """One prompt template.

  Attributes:
    name: short identifier ([a-z0-9_]), part of the task name.
    inputs: format string of the model input.
    targets: format string of the target (default: the answer).
    options: for yes/no benchmarks, the words for (true, false).
  """
  name: str
  inputs: str
  targets: str = "{answer}"
  options: tuple[str, str] | None = None

  def fields(self) -> set[str]:
    """Names used by the two format strings: {'table', 'question', 'answer'}."""
    names = set()
    for text in (self.inputs, self.targets):
      names.update(f for _, f, _, _ in string.Formatter().parse(text) if f)
    return names

  def render(self, fields: Mapping[str, str]) -> tuple[str, str]:
    """{'question': 'who?', 'table': 'col : a', 'answer': 'x'} -> (inputs, targets)."""
    missing = self.fields() - set(fields)
    if missing:
      raise InputError(f"template {self.name!r} needs fields {sorted(missing)}; "
                       f"got {sorted(fields)}", field=sorted(missing)[0])
    return self.inputs.format(**fields), self.targets.format(**fields)


_TABLE_QA = (
    Template("table_first",
             "{table}\n\nAnswer the question based on the table above: {question}"),
    Template("question_first",
             "Answer the following question about the table.\nQuestion: {question}\n"
             "Table: {table}\nAnswer:"),
    Template("qa",
             "Read the table and answer the question.\n\n{table}\n\nQ: {question}\nA:"),
)

_SQA = (
    Template("table_first",
             "{table}\n\n{history}Answer the question based on the table above: {question}"),
    Template("question_first",
             "Answer the last question about the table.\n{history}Question: {question}\n"
             "Table: {table}\nAnswer:"),
    Template("qa",
             "Read the table and answer the question.\n\n{table}\n\n{history}Q: {question}\nA:"),
)

_TABFACT = (
    Template("yes_no",
             "{table}\n\nBased on the table, is the following statement true? "
             "{statement}\nAnswer yes or no.", options=("yes", "no")),
    Template("true_false",
             "Table: {table}\nStatement: {statement}\nIs the statement true or false?",
             options=("true", "false")),
    Template("entailed",
             "Does the table support the claim?\nClaim: {statement}\nTable: {table}\n"
             "Answer yes or no.", options=("yes", "no")),
)

_SVAMP = (
    Template("plain", "{body} {question}"),
    Template("qa", "Question: {body} {question}\nAnswer:"),
    Template("instruct", "Solve the math word problem and give the answer as a number.\n"
             "{body} {question}"),
)

TEMPLATES: dict[str, tuple[Template, ...]] = {
    "wtq": _TABLE_QA,
    "wikisql": _TABLE_QA,
    "sqa": _SQA,
    "tabfact": _TABFACT,
    "svamp": _SVAMP,
}


def get_templates(benchmark: str) -> tuple[Template, ...]:
  """The templates of a benchmark ('wtq', 'wikisql', 'sqa', 'tabfact', 'svamp')."""
  try:
    return TEMPLATES[benchmark]
  except KeyError:
    raise InputError(f"no templates for benchmark {benchmark!r}; known: "
                     f"{sorted(TEMPLATES)}") from None


def get_template(benchmark: str, name: str) -> Template:
  """One template by benchmark and name; an `InputError` lists the known names."""
  for t in get_templates(benchmark):
    if t.name == name:
      return t
  names = [t.name for t in get_templates(benchmark)]
  raise InputError(f"no template {name!r} for {benchmark}; known: {names}")
