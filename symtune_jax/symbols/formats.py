"""Prompt formats of symbol tuning (one is chosen per prompt).

A format says how one exemplar is written: an input prefix, the input, a
separator, an output prefix and the label. Inputs with several fields
(premise / hypothesis) are written one field per line with the field's display
name, the same way in every exemplar and in the query; the inline "x -> y"
format keeps each exemplar on one line and joins fields with " | ".
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence


@dataclasses.dataclass(frozen=True)
class PromptFormat:
  """How exemplars are written.

  Attributes:
    name: short identifier (stored with each example).
    input_prefix: text before the input, e.g. "Input: ".
    output_prefix: text before the label, e.g. "Output: ".
    io_sep: between the input and the output prefix ("\n" or "" inline).
    example_sep: between exemplars.
    field_sep: between fields of a multi-field input.
  """
  name: str
  input_prefix: str
  output_prefix: str
  io_sep: str = "\n"
  example_sep: str = "\n\n"
  field_sep: str = "\n"

  def render_input(self, values: Sequence[str], display_names: Sequence[str]) -> str:
    """The input part of an exemplar.

    Example: (["A man sleeps.", "He rests."], ["Premise", "Hypothesis"]) ->
      "Premise: A man sleeps.\nHypothesis: He rests."  (block formats)
    """
    if len(values) == 1:
      return values[0]
    return self.field_sep.join(f"{n}: {v}" for n, v in zip(display_names, values))

  def render_exemplar(self, input_text: str, label: str) -> str:
    """Example (Input/Output): ("great film", "foo") -> "Input: great film\nOutput: foo"."""
    return f"{self.input_prefix}{input_text}{self.io_sep}{self.output_prefix}{label}"

  def render_query(self, input_text: str) -> str:
    """Example (Input/Output): "great film" -> "Input: great film\nOutput:"."""
    return f"{self.input_prefix}{input_text}{self.io_sep}{self.output_prefix}".rstrip(" ")


FORMATS: tuple[PromptFormat, ...] = (
    PromptFormat("input_output", "Input: ", "Output: "),
    PromptFormat("input_target", "Input: ", "Target: "),
    PromptFormat("input_symbol", "Input: ", "Symbol: "),
    PromptFormat("input_label", "Input: ", "Label: "),
    PromptFormat("question_answer", "Question: ", "Answer: "),
    PromptFormat("student_teacher", "Student: ", "Teacher: "),
    PromptFormat("x_y", "X = ", "Y = "),
    PromptFormat("q_a", "Q: ", "A: "),
    PromptFormat("arrow", "", " -> ", io_sep="", example_sep="\n", field_sep=" | "),
    PromptFormat("sentences_mapped_to", "Sentences: ", "Mapped To: "),
)
FORMATS_BY_NAME = {f.name: f for f in FORMATS}


def get_format(name: str) -> PromptFormat:
  """A format by name (raises KeyError listing the known names)."""
  try:
    return FORMATS_BY_NAME[name]
  except KeyError:
    raise KeyError(f"unknown prompt format {name!r}; known: {sorted(FORMATS_BY_NAME)}") from None


def display_name(field: str) -> str:
  """A readable field name.

  Example: "sentence1" -> "Sentence 1"; "span1_text" -> "Span 1 text"; "goal" -> "Goal".
  """
  s = re.sub(r"(?<=[a-zA-Z])(?=\d)", " ", field.replace("_", " ").replace("-", " "))
  return s[:1].upper() + s[1:]
