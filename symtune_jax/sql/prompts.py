"""Instruction phrasings of the SQL execution task, and how an input is laid out.

``INSTRUCTIONS`` is what the task says to the model; the INSTA selector reads
it to describe this task. Each phrasing comes with a layout of the query and
the linearized table:

    >>> format_inputs(0, 'SELECT COUNT(*) FROM w', 'col : a row 1 : x')
    'Execute the following SQL query on the table and give the result.\\n\\nSQL: SELECT COUNT(*) FROM w\\n\\nTable: col : a row 1 : x'
"""

from __future__ import annotations

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


def format_inputs(prompt_index: int, sql: str, table: str) -> str:
  """The model's input text for phrasing ``prompt_index`` (see module docstring)."""
  instruction, layout = PROMPTS[prompt_index]
  return layout.format(instruction=instruction, sql=sql, table=table)
