"""BIG-Bench-Hard (suzgunmirac/BIG-Bench-Hard): 27 tasks, k-shot.

Files: ``<task>.json`` = ``{"examples": [{"input", "target"}, ...]}``. The
first `NUM_SHOTS` examples of each task are its exemplars and are not
evaluated; the prompt is ``Q: <input>\\nA: <target>\\n\\n`` per shot, then
``Q: <input>\\nA:``, with shots dropped (last first) until it fits the token
budget. One split, ``test``. Root: ``$SYMTUNE_BBH_ROOT``, else
``../shared/data/bbh``.

Answers: multiple-choice tasks answer ``(A)``..; binary tasks a fixed word
pair; four tasks are free-form. Metric: exact match after `normalize_answer`.
"""

from __future__ import annotations

import json
import pathlib
import re
from typing import Any, Iterator, Mapping, Sequence

from symtune_jax import settings
from symtune_jax.errors import InputError
from symtune_jax.evaluation import data_roots, fewshot
from symtune_jax.evaluation.rank_classification import MultipleChoice
from symtune_jax.tables.truncate import approx_token_length

NUM_SHOTS = 3
DEFAULT_MAX_INPUT_TOKENS = settings.SETTINGS["inputs_length"].default
SPLITS = ("test",)

# Multiple choice: the input lists "(A) ..." options; the target is a letter.
LETTER_TASKS = (
    "date_understanding", "disambiguation_qa", "geometric_shapes", "hyperbaton",
    "logical_deduction_five_objects", "logical_deduction_seven_objects",
    "logical_deduction_three_objects", "movie_recommendation", "penguins_in_a_table",
    "reasoning_about_colored_objects", "ruin_names", "salient_translation_error_detection",
    "snarks", "temporal_sequences", "tracking_shuffled_objects_five_objects",
    "tracking_shuffled_objects_seven_objects", "tracking_shuffled_objects_three_objects",
)
# Binary tasks and their two answers.
LABEL_TASKS: dict[str, tuple[str, str]] = {
    "boolean_expressions": ("True", "False"),
    "causal_judgement": ("Yes", "No"),
    "formal_fallacies": ("valid", "invalid"),
    "navigate": ("Yes", "No"),
    "sports_understanding": ("yes", "no"),
    "web_of_lies": ("Yes", "No"),
}
FREE_TASKS = ("dyck_languages", "multistep_arithmetic_two", "object_counting", "word_sorting")
TASKS: tuple[str, ...] = tuple(sorted(LETTER_TASKS + tuple(LABEL_TASKS) + FREE_TASKS))
# Tasks whose examples can be scored by rank classification.
MULTIPLE_CHOICE_TASKS: tuple[str, ...] = tuple(sorted(LETTER_TASKS + tuple(LABEL_TASKS)))

_OPTION_RE = re.compile(r"^\(([A-Z])\)\s*(.*)$", re.MULTILINE)
_LETTER_RE = re.compile(r"\(([A-Z])\)")


def check_task(task: str) -> str:
  if task not in TASKS:
    raise InputError(f"unknown BBH task {task!r}; the 27 tasks are {list(TASKS)}")
  return task


def load_examples(task: str, root: pathlib.Path | None = None) -> list[dict[str, str]]:
  """All examples of one task, in file order."""
  check_task(task)
  root = data_roots.BBH.path() if root is None else pathlib.Path(root)
  path = data_roots.BBH.require_file(f"{task}.json", root)
  try:
    data = json.loads(path.read_text(encoding="utf-8"))
  except json.JSONDecodeError as e:
    raise InputError(f"not valid JSON: {e.msg}", path=str(path), line=e.lineno) from None
  examples = data.get("examples") if isinstance(data, dict) else None
  if not isinstance(examples, list):
    raise InputError('expected {"examples": [{"input", "target"}, ...]}', path=str(path),
                     field="examples")
  for i, ex in enumerate(examples):
    if not (isinstance(ex, dict) and isinstance(ex.get("input"), str)
            and isinstance(ex.get("target"), str)):
      raise InputError(f"example #{i} needs string 'input' and 'target'", path=str(path),
                       field="examples")
  return examples


def render_prompt(shots: Sequence[Mapping[str, str]], query: str) -> str:
  """Shots then the query: 'Q: 1+1?\\nA: 2\\n\\nQ: 2+2?\\nA:'."""
  parts = [f"Q: {s['input']}\nA: {s['target']}\n\n" for s in shots]
  return "".join(parts) + f"Q: {query}\nA:"


def iter_prompts(task: str, root: pathlib.Path | None = None, *,
                 num_shots: int = NUM_SHOTS, max_input_tokens: int | None = None,
                 length_fn=approx_token_length, limit: int | None = None
                 ) -> Iterator[dict[str, Any]]:
  """Yields {'id', 'inputs', 'targets', 'num_shots', 'input'} for each evaluated example."""
  if max_input_tokens is None:
    max_input_tokens = settings.get("inputs_length")
  examples = load_examples(task, root)
  shots, rest = examples[:num_shots], examples[num_shots:]
  for i, ex in enumerate(rest):
    if limit is not None and i >= limit:
      return
    prompt, k = fewshot.fit_shots(lambda s, q=ex["input"]: render_prompt(s, q), shots,
                                  max_input_tokens, length_fn)
    yield {"id": f"{task}-{i + num_shots}", "inputs": prompt, "targets": ex["target"],
           "num_shots": k, "input": ex["input"]}


def options_of(task: str, question: str) -> tuple[str, ...]:
  """The answer options of a multiple-choice example: ('(A)', '(B)', ...) or the label pair."""
  if task in LABEL_TASKS:
    return LABEL_TASKS[task]
  if task in LETTER_TASKS:
    return tuple(f"({m.group(1)})" for m in _OPTION_RE.finditer(question))
  raise InputError(f"BBH task {task!r} is free-form: no options to rank")


def multiple_choice(task: str, prompt: Mapping[str, Any]) -> MultipleChoice | None:
  """A prompt from `iter_prompts` as a `MultipleChoice`, or None if the target is
  not among the options (a few BBH targets are option texts, e.g. 'Monsters, Inc')."""
  options = options_of(task, prompt["input"])
  target = prompt["targets"]
  if target in options:
    return MultipleChoice(prompt["id"], prompt["inputs"], options, options.index(target))
  for m in _OPTION_RE.finditer(prompt["input"]):
    if m.group(2).strip().lower() == target.strip().lower():
      letter = f"({m.group(1)})"
      if letter in options:
        return MultipleChoice(prompt["id"], prompt["inputs"], options, options.index(letter))
  return None


def normalize_answer(text: Any) -> str:
  """A model's answer in comparable form: ' (B) The cat.\\nQ: ...' -> '(b) the cat'.

  Only the first line counts (models continue with a new 'Q:'); the trailing
  period and surrounding spaces go, letters are lower-cased.
  """
  if isinstance(text, bytes):
    text = text.decode("utf-8", errors="replace")
  line = str(text).strip().split("\n", 1)[0].strip()
  line = re.sub(r"\s+", " ", line)
  return line.rstrip(".").strip().lower()


def bbh_postprocessor(output: Any, example: Mapping[str, Any] | None = None,
                      is_target: bool = False) -> str:
  """Normalized answer; for letter answers just the letter: 'So (C) Paris.' -> '(c)'.

  A target that is a letter keeps its letter; a prediction containing '(X)' is
  cut to the first such letter only when the target is a letter too (decided
  per example by the target's shape, so free-form tasks are not cut).
  """
  norm = normalize_answer(output)
  if is_target:
    return norm
  target = None
  if example is not None and "targets_pretokenized" in example:
    target = example["targets_pretokenized"]
    target = target.decode() if isinstance(target, bytes) else str(target)
  if target is not None and _LETTER_RE.fullmatch(target.strip()):
    m = _LETTER_RE.search(str(output) if not isinstance(output, bytes)
                          else output.decode("utf-8", errors="replace"))
    if m:
      return f"({m.group(1).lower()})"
  return norm


def exact_match(targets: Sequence[str], predictions: Sequence[str]) -> dict[str, float]:
  """SeqIO metric: {'exact_match': 100 * share of equal normalized answers}."""
  if len(targets) != len(predictions):
    raise ValueError(f"{len(targets)} targets but {len(predictions)} predictions")
  if not targets:
    return {"exact_match": 0.0}
  right = sum(normalize_answer(t) == normalize_answer(p) for t, p in zip(targets, predictions))
  return {"exact_match": 100.0 * right / len(targets)}
