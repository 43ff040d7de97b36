"""Cards for the evaluation targets of the SQL-execution paper.

A target card is what ``symtune select --target wtq`` ranks training tasks
against. The phrasings below are zero-shot instructions in the style of the
evaluation prompts (several per benchmark, as the paper tries several
templates per benchmark); they describe the task, never an example.
Targets that promptsource covers (e.g. ``tab_fact/tab_fact``,
``super_glue/rte``) can also be named directly as P3 cards.
"""

from __future__ import annotations

from symtune_jax.instructions.card import TaskCard

_TARGETS: dict[str, tuple[str, ...]] = {
    # WikiTableQuestions: questions over a Wikipedia table, denotation answers.
    "wtq": (
        "Answer the question based on the given table.",
        "Read the table below and answer the question about it.",
        "Given a table from Wikipedia and a question about it, find the "
        "answer in the table. The answer may require counting, comparing or "
        "adding values of several rows.",
        "Use the information in the table to answer the following question. "
        "If there are several answers, separate them with commas.",
        "Here is a table. Look up the cells needed and reply to the question "
        "with a short answer.",
    ),
    # WikiSQL: single-table questions answerable by one SQL query.
    "wikisql": (
        "Answer the question using the table.",
        "Given the table, answer the question with the value of the matching "
        "cell or an aggregate of a column.",
        "Look at the table and write the answer to the question.",
    ),
    # SQA: sequential (conversational) questions over a table.
    "sqa": (
        "Answer the last question in the conversation based on the table.",
        "Given a table and a sequence of related questions, answer the final "
        "question using the table and the previous questions.",
        "Read the table and the questions asked so far, then answer the "
        "current question with cells from the table.",
    ),
    # TabFact: is a statement entailed or refuted by a table.
    "tabfact": (
        "Based on the table, is the statement true or false?",
        "Read the table and decide whether the statement is entailed or "
        "refuted by it. Answer yes or no.",
        "Given a table and a claim about it, verify the claim using the table.",
    ),
    # SVAMP: elementary math word problems with a numeric answer.
    "svamp": (
        "Solve the math word problem and give the numeric answer.",
        "Read the story and answer the arithmetic question with a number.",
        "Answer the following math question.",
    ),
}

# Other names a user may type for a target.
ALIASES = {
    "wikitablequestions": "wtq", "wiki_table_questions": "wtq",
    "wiki_sql": "wikisql", "tab_fact": "tabfact",
}


# Cards built from the same data as a target (by card key), excluded when
# selecting for it, along with near-duplicate instructions. Symmetric.
_SAME_DATA_GROUPS = (
    ("target:tabfact", "p3:tab_fact/tab_fact"),
    ("p3:super_glue/rte", "p3:glue/rte"),
    ("p3:super_glue/wsc.fixed", "p3:winograd_wsc/wsc273",
     "p3:winograd_wsc/wsc285"),
)
SAME_DATA: dict[str, tuple[str, ...]] = {
    key: tuple(k for k in group if k != key)
    for group in _SAME_DATA_GROUPS for key in group
}


def target_cards() -> list[TaskCard]:
  """One card per evaluation target (source ``"target"``, split ``"test"``)."""
  return [TaskCard(name=name, source="target", instructions=texts,
                   split="test") for name, texts in _TARGETS.items()]


def canonical(name: str) -> str:
  """The target name for a user-typed name or alias (lower-cased)."""
  key = name.strip().lower()
  return ALIASES.get(key, key)
