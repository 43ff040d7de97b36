"""Instruction phrasings of the SQL execution task, and how an input is laid out.

``INSTRUCTIONS`` is what the task says to the model; the INSTA selector reads
it to describe this task. Each phrasing comes with a layout of the query and
the linearized table:

    >>> format_inputs(0, 'SELECT COUNT(*) FROM w', 'col : a row 1 : x')
    'Execute the following SQL query on the table and give the result.\\n\\nSQL: SELECT COUNT(*) FROM w\\n\\nTable: col : a row 1 : x'
"""

from __future__ import annotations

import string

# (instruction, layout); the layout has {instruction}, {sql} and {table}.
PROMPTS: tuple[tuple[str, str], ...] = (
    ("Execute the following SQL query on the table and give the result.",
     "{instruction}\n\nSQL: {sql}\n\nTable: {table}"),
    ("Run this SQL query against the table below. What does it return?",
     "{instruction}\nQuery: {sql}\n{table}"),
    ("What is the result of executing the SQL query on the given table?",
     "{instruction}\n\nQuery: {sql}\nTable: {table}"),
    ("Given a table and a SQL query, compute the answer the query returns.",
     "{instruction}\n\nTable: {table}\n\nSQL: {sql}"),
    ("Act as a database engine: evaluate the SQL query over the table and "
     "output the resulting values, separated by commas.",
     "{instruction}\n{sql}\n{table}"),
    ("Answer the SQL query using the table. The table is called w.",
     "{instruction}\n\n{table}\n\nQuery: {sql}\nAnswer:"),
    ("Read the table, then execute the SQL statement and write its output.",
     "{instruction}\n\nTable: {table}\nSQL: {sql}\nOutput:"),
    ("Tell me what this SQL query returns when it is run on the table.",
     "{instruction}\nSQL: {sql}\nTable: {table}"),
)

INSTRUCTIONS: tuple[str, ...] = tuple(p[0] for p in PROMPTS)


def _compiled(instruction: str, layout: str) -> tuple[str, str, str, bool]:
  """``layout`` with its instruction filled in, as (before, between, after,
  sql first): the input is ``before + sql + between + table + after`` (or
  with the table first). A layout is one {instruction}, one {sql}, one
  {table}, and text."""
  pieces, fields = [""], []
  for text, field, spec, conversion in string.Formatter().parse(layout):
    pieces[-1] += text
    if field is None:
      continue
    if spec or conversion or field not in ("instruction", "sql", "table"):
      raise ValueError(f"layout field {{{field}}}: only plain {{instruction}}, {{sql}}, "
                       f"{{table}} are allowed in {layout!r}")
    if field == "instruction":
      pieces[-1] += instruction
    else:
      fields.append(field)
      pieces.append("")
  if sorted(fields) != ["sql", "table"]:
    raise ValueError(f"layout {layout!r}: needs {{sql}} and {{table}} once each")
  return pieces[0], pieces[1], pieces[2], fields[0] == "sql"


# Each phrasing's layout split once (`str.format` parses it on every call).
_COMPILED = tuple(_compiled(*p) for p in PROMPTS)


def format_inputs(prompt_index: int, sql: str, table: str) -> str:
  """The model's input text for phrasing ``prompt_index`` (see module docstring):
  ``layout.format(instruction=..., sql=sql, table=table)``."""
  before, between, after, sql_first = _COMPILED[prompt_index]
  if sql_first:
    return "".join((before, sql, between, table, after))
  return "".join((before, table, between, sql, after))
