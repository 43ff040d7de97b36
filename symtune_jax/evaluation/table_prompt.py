"""Rendering a table question into a prompt that fits the input length.

The table is linearized TAPEX-style and rows are dropped from the end until
the whole prompt fits ``max_input_tokens`` (the question and template text are
never cut). Pure logic: `Template` + `Table` -> (inputs, targets).
"""

from __future__ import annotations

import dataclasses
from typing import Sequence

from symtune_jax import settings
from symtune_jax.evaluation.denotation import ANSWER_SEPARATOR
from symtune_jax.evaluation.templates import Template
from symtune_jax.lengths import LengthFn
from symtune_jax.tables import linearize, truncate
from symtune_jax.tables.table import Table

# The paper's input length.
DEFAULT_MAX_INPUT_TOKENS = settings.SETTINGS["inputs_length"].default


@dataclasses.dataclass(frozen=True)
class TableQuestion:
  """A question about a table with its gold answers (WTQ, WikiSQL, SQA).

  Attributes:
    id: the benchmark's question id (SQA: id-annotator-position).
    question: the question text.
    table: the table it is about.
    answers: gold answers (a denotation: a list of values).
    history: earlier questions of the same sequence (SQA), oldest first.
    canons: the official canonical value of each answer (WTQ ``targetCanon``:
      '17 years' -> '17.0'), '' where none; empty when the benchmark has none.
  """
  id: str
  question: str
  table: Table
  answers: tuple[str, ...]
  history: tuple[str, ...] = ()
  canons: tuple[str, ...] = ()


def format_history(history: Sequence[str]) -> str:
  """('who won?', 'when?') -> 'Previous questions: who won? | when?\\n' ('' when empty)."""
  if not history:
    return ""
  return "Previous questions: " + " | ".join(history) + "\n"


def render_table_question(template: Template, q: TableQuestion, *,
                          max_input_tokens: int | None = None,
                          length_fn: LengthFn = truncate.approx_token_length
                          ) -> tuple[str, str]:
  """(template, question) -> (inputs, targets), table cut to fit the length.

  Example (template 'qa'): 'Read the table and answer the question.\\n\\n
  col : year | city row 1 : 2004 | Bangkok\\n\\nQ: where?\\nA:' -> 'Bangkok'.
  """
  fields = {"question": q.question, "history": format_history(q.history),
            "answer": ANSWER_SEPARATOR.join(q.answers), "table": ""}
  overhead = length_fn(template.render(fields)[0])
  if max_input_tokens is None:
    max_input_tokens = settings.get("inputs_length")
  budget = max(max_input_tokens - overhead, 8)
  table = truncate.fit_to_budget(q.table, budget, length_fn)
  fields["table"] = linearize.tapex(table)
  return template.render(fields)
