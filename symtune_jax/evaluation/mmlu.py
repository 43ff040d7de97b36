"""MMLU (hendrycks/test): 57 subjects, 5-shot from the dev split.

Official layout: ``data/{dev,val,test}/<subject>_<split>.csv``, no header,
columns ``question, A, B, C, D, answer`` (answer is a letter). The prompt is
the original paper's: ``The following are multiple choice questions (with
answers) about <subject>.\\n\\n`` then per shot ``<question>\\nA. ..\\nB. ..
\\nC. ..\\nD. ..\\nAnswer: <letter>\\n\\n`` and the query ending ``Answer:``;
shots are dropped (last first) until it fits the token budget.

Splits: ``validation`` = val, ``test`` = test. Root: ``$SYMTUNE_MMLU_ROOT``
(the folder holding ``data/``).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import pathlib
from typing import Any, Iterator, Mapping, Sequence

from symtune_jax import settings
from symtune_jax.errors import InputError
from symtune_jax.evaluation import data_roots, fewshot
from symtune_jax.evaluation.rank_classification import MultipleChoice
from symtune_jax.tables.truncate import approx_token_length

SUBJECTS: tuple[str, ...] = (
    "abstract_algebra", "anatomy", "astronomy", "business_ethics", "clinical_knowledge",
    "college_biology", "college_chemistry", "college_computer_science",
    "college_mathematics", "college_medicine", "college_physics", "computer_security",
    "conceptual_physics", "econometrics", "electrical_engineering",
    "elementary_mathematics", "formal_logic", "global_facts", "high_school_biology",
    "high_school_chemistry", "high_school_computer_science",
    "high_school_european_history", "high_school_geography",
    "high_school_government_and_politics", "high_school_macroeconomics",
    "high_school_mathematics", "high_school_microeconomics", "high_school_physics",
    "high_school_psychology", "high_school_statistics", "high_school_us_history",
    "high_school_world_history", "human_aging", "human_sexuality", "international_law",
    "jurisprudence", "logical_fallacies", "machine_learning", "management", "marketing",
    "medical_genetics", "miscellaneous", "moral_disputes", "moral_scenarios", "nutrition",
    "philosophy", "prehistory", "professional_accounting", "professional_law",
    "professional_medicine", "professional_psychology", "public_relations",
    "security_studies", "sociology", "us_foreign_policy", "virology", "world_religions",
)
LETTERS = ("A", "B", "C", "D")
NUM_SHOTS = 5
DEFAULT_MAX_INPUT_TOKENS = settings.SETTINGS["inputs_length"].default
SPLIT_DIRS = {"dev": "dev", "validation": "val", "test": "test"}
SPLITS = ("validation", "test")


@dataclasses.dataclass(frozen=True)
class Question:
  """One MMLU question."""
  id: str
  question: str
  choices: tuple[str, str, str, str]
  answer: str  # 'A'..'D'


def check_subject(subject: str) -> str:
  if subject not in SUBJECTS:
    raise InputError(f"unknown MMLU subject {subject!r}; see mmlu.SUBJECTS (57 subjects)")
  return subject


def csv_path(subject: str, split: str) -> str:
  """'anatomy', 'validation' -> 'data/val/anatomy_val.csv'."""
  d = SPLIT_DIRS[split]
  return f"data/{d}/{subject}_{d}.csv"


def load_questions(subject: str, split: str, root: pathlib.Path | None = None
                   ) -> list[Question]:
  """All questions of one subject and split, in file order."""
  check_subject(subject)
  if split not in SPLIT_DIRS:
    raise ValueError(f"unknown MMLU split {split!r}; known: {sorted(SPLIT_DIRS)}")
  root = data_roots.MMLU.path() if root is None else pathlib.Path(root)
  path = data_roots.MMLU.require_file(csv_path(subject, split), root)
  reader = csv.reader(io.StringIO(path.read_text(encoding="utf-8")))
  out = []
  for fields in reader:
    line = reader.line_num
    if not fields:
      continue
    if len(fields) != 6:
      raise InputError(f"{len(fields)} columns; expected 6 (question, A, B, C, D, answer)",
                       path=str(path), line=line)
    answer = fields[5].strip().upper()
    if answer not in LETTERS:
      raise InputError(f"answer {fields[5]!r} is not one of A, B, C, D", path=str(path),
                       line=line, field="answer")
    out.append(Question(id=f"{subject}-{split}-{len(out)}", question=fields[0],
                        choices=tuple(fields[1:5]), answer=answer))
  return out


def format_question(q: Question, with_answer: bool) -> str:
  """'What is 2+2?\\nA. 3\\nB. 4\\nC. 5\\nD. 6\\nAnswer: B\\n\\n' (or ending 'Answer:')."""
  lines = [q.question] + [f"{l}. {c}" for l, c in zip(LETTERS, q.choices)]
  answer = f"Answer: {q.answer}\n\n" if with_answer else "Answer:"
  return "\n".join(lines) + "\n" + answer


def render_prompt(subject: str, shots: Sequence[Question], query: Question) -> str:
  """The header, the shots and the query (see module docstring)."""
  header = ("The following are multiple choice questions (with answers) about "
            f"{subject.replace('_', ' ')}.\n\n")
  return header + "".join(format_question(s, True) for s in shots) + format_question(query, False)


def iter_prompts(subject: str, split: str, root: pathlib.Path | None = None, *,
                 num_shots: int = NUM_SHOTS, max_input_tokens: int | None = None,
                 length_fn=approx_token_length) -> Iterator[dict[str, Any]]:
  """Yields {'id', 'inputs', 'targets', 'num_shots'} for each question of ``split``."""
  if max_input_tokens is None:
    max_input_tokens = settings.get("inputs_length")
  shots = load_questions(subject, "dev", root)[:num_shots]
  for q in load_questions(subject, split, root):
    prompt, k = fewshot.fit_shots(lambda s, q=q: render_prompt(subject, s, q), shots,
                                  max_input_tokens, length_fn)
    yield {"id": q.id, "inputs": prompt, "targets": q.answer, "num_shots": k}


def multiple_choice(prompt: Mapping[str, Any]) -> MultipleChoice:
  """A prompt from `iter_prompts` as letter options A..D for rank classification."""
  return MultipleChoice(prompt["id"], prompt["inputs"], LETTERS,
                        LETTERS.index(prompt["targets"]))


def answer_letter(text: Any) -> str:
  """The first choice letter a model gave: ' B. 4' -> 'B'; '(c)' -> 'C'; 'none' -> ''."""
  if isinstance(text, bytes):
    text = text.decode("utf-8", errors="replace")
  s = str(text).strip().upper()
  for i, ch in enumerate(s):
    if ch in LETTERS and (i + 1 == len(s) or not s[i + 1].isalpha()) and (
        i == 0 or not s[i - 1].isalpha()):
      return ch
  return ""


def mmlu_postprocessor(output: Any, example: Mapping[str, Any] | None = None,
                       is_target: bool = False) -> str:
  """Decoded text -> the answer letter: 'B. 4' -> 'B'."""
  del example, is_target
  return answer_letter(output)


def mmlu_accuracy(targets: Sequence[str], predictions: Sequence[str]) -> dict[str, float]:
  """SeqIO metric: {'accuracy': 100 * share of right letters}."""
  if len(targets) != len(predictions):
    raise ValueError(f"{len(targets)} targets but {len(predictions)} predictions")
  if not targets:
    return {"accuracy": 0.0}
  return {"accuracy": 100.0 * sum(t == p for t, p in zip(targets, predictions)) / len(targets)}
