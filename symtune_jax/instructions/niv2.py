"""Super-NaturalInstructions (NIV2): task definitions and task files.

Two formats are read:

* ``task_metadata.json`` (as collected in google-research/FLAN): ``{task_name:
  {"definition": str, "positive_examples": {input, output, explanation},
  "number_examples": int}}``: the definitions the selector ranks.
* the official per-task files of allenai/natural-instructions,
  ``tasks/<task_name>.json``: ``Definition`` (a string or a list of strings),
  ``Positive Examples``, ``Negative Examples``, ``Categories``, ``Instances``
  (``[{"id"?, "input": str, "output": [str, ...]}]``): where the examples are.

``test_tasks.txt`` lists the default test split (one task name per line).
"""

from __future__ import annotations

import dataclasses
import json
import os
import pathlib
import re
from typing import Any, Iterator

from symtune_jax import settings
from symtune_jax.errors import InputError
from symtune_jax.instructions.card import TaskCard

# Where official task files live when no folder is passed.
TASKS_DIR_ENV = settings.SETTINGS["niv2_tasks_dir"].env_var

# FLAN's task_metadata.json cuts task names at their first "."; these are the
# official names (allenai/natural-instructions ``tasks/<name>.json``).
OFFICIAL_NAMES = {n.split(".")[0]: n for n in (
    "task074_squad1.1_question_generation",
    "task075_squad1.1_answer_generation",
    "task1529_scitail1.1_classification",
    "task1530_scitail1.1_sentence_generation",
    "task1637_doqa2.1_cooking_text_summarization",
    "task1638_doqa2.1_movies_text_summarization",
    "task1639_doqa2.1_travel_text_summarization",
    "task1640_aqa1.0_answerable_unanswerable_question_classification",
    "task348_squad2.0_unanswerable_question_generation",
    "task349_squad2.0_answerable_unanswerable_question_classification",
)}


@dataclasses.dataclass(frozen=True)
class Instance:
  """One NIV2 instance: an input and its acceptable outputs."""
  id: str
  input: str
  outputs: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class TaskFile:
  """The parts of an official NIV2 task file the project uses."""
  name: str
  definition: str
  categories: tuple[str, ...]
  positive_examples: tuple[dict[str, str], ...]
  instances: tuple[Instance, ...]


def _load_json(path: str) -> Any:
  try:
    with open(path, encoding="utf-8") as f:
      return json.load(f)
  except FileNotFoundError:
    raise InputError("file not found", path=path) from None
  except json.JSONDecodeError as e:
    raise InputError(f"not valid JSON ({e.msg})", path=path, line=e.lineno
                     ) from None


def read_test_tasks(path: str | os.PathLike) -> list[str]:
  """Task names of a split file (one per line; blank lines and # ignored)."""
  path = os.fspath(path)
  try:
    with open(path, encoding="utf-8") as f:
      lines = f.read().splitlines()
  except FileNotFoundError:
    raise InputError("split file not found", path=path) from None
  return [l.strip() for l in lines if l.strip() and not l.startswith("#")]


def _official_first(name: str, test_tasks) -> tuple[bool, bool, str]:
  """Sort key: a name of the test split, then a name SeqIO has to normalise
  (NIV2's own spelling, with ``-``), before FLAN's ``_`` copy of it."""
  return (name not in test_tasks,
          seqio_task_name(name) == f"symtune_niv2_{name}_v1", name)


def merge_aliases(cards: list[TaskCard],
                  test_tasks: frozenset[str] | set[str] = frozenset()
                  ) -> tuple[list[TaskCard], list[str]]:
  """One card per task: FLAN's alias names merged into the official one.

  FLAN's ``task_metadata.json`` lists 41 NIV2 tasks twice, under the
  official name and with ``-`` spelt ``_`` (same definition and count):
  ``task137_detoxifying-lms_classification_toxicity`` and
  ``task137_detoxifying_lms_classification_toxicity``. Both would be the one
  SeqIO task ``symtune_niv2_task137_detoxifying_lms_..._v1``. The official
  spelling is kept, and the merged card is ``test`` if any of its names is
  in the test split (``task602_wikitext_103_answer_generation`` is a copy of
  test task ``task602_wikitext-103_answer_generation``).

  Example: cards ``[a_b (train), a-b (train)] -> ([a-b], ["a_b"])``.

  Returns:
    ``(cards sorted by name, the alias names dropped, sorted)``.
  """
  groups: dict[str, list[TaskCard]] = {}
  for card in cards:
    groups.setdefault(seqio_task_name(card.name), []).append(card)
  kept, dropped = [], []
  for group in groups.values():
    best = min(group, key=lambda c: _official_first(c.name, test_tasks))
    if any(c.split == "test" for c in group) and best.split != "test":
      best = dataclasses.replace(best, split="test")
    kept.append(best)
    dropped += [c.name for c in group if c is not best and c.name != best.name]
  return sorted(kept, key=lambda c: c.name), sorted(dropped)


def load_metadata_cards(path: str | os.PathLike,
                        test_tasks: frozenset[str] | set[str] = frozenset(),
                        *, merge: bool = True) -> list[TaskCard]:
  """Cards from ``task_metadata.json``: instruction = the task definition.

  Args:
    path: the ``task_metadata.json`` file.
    test_tasks: names of the test split; their cards get ``split="test"``.
    merge: merge FLAN's alias names into the official ones (`merge_aliases`).

  Returns:
    One card per task (per name if not ``merge``), sorted by name; names
    are the official ones (see `OFFICIAL_NAMES`).
  """
  path = os.fspath(path)
  data = _load_json(path)
  if not isinstance(data, dict):
    raise InputError("expected a JSON object {task_name: {...}}", path=path)
  cards = []
  for name in sorted(data):
    entry = data[name]
    if not isinstance(entry, dict) or not isinstance(entry.get("definition"),
                                                     str):
      raise InputError(f"task {name!r} has no 'definition' string", path=path,
                       field=f"{name}.definition")
    n = entry.get("number_examples")
    official = OFFICIAL_NAMES.get(name, name)
    cards.append(TaskCard(
        name=official, source="niv2", instructions=(entry["definition"],),
        num_examples=int(n) if isinstance(n, int) else None,
        split="test" if official in test_tasks else "train"))
  if merge:
    return merge_aliases(cards, test_tasks)[0]
  return sorted(cards, key=lambda c: c.name)


def _definition(value: Any, path: str) -> str:
  if isinstance(value, list) and value and all(isinstance(v, str)
                                               for v in value):
    value = value[0]
  if not isinstance(value, str) or not value.strip():
    raise InputError("expected a non-empty string (or list of strings)",
                     path=path, field="Definition")
  return value.strip()


def _instances(raw: Any, name: str, path: str) -> Iterator[Instance]:
  if not isinstance(raw, list):
    raise InputError("expected a list of {input, output}", path=path,
                     field="Instances")
  for i, item in enumerate(raw):
    field = f"Instances[{i}]"
    if not isinstance(item, dict) or not isinstance(item.get("input"), str):
      raise InputError("expected an object with an 'input' string", path=path,
                       field=field)
    outputs = item.get("output")
    if isinstance(outputs, str):
      outputs = [outputs]
    if (not isinstance(outputs, list) or not outputs
        or not all(isinstance(o, str) for o in outputs)):
      raise InputError("expected 'output' to be a non-empty list of strings",
                       path=path, field=field + ".output")
    yield Instance(id=str(item.get("id") or f"{name}-{i}"),
                   input=item["input"], outputs=tuple(outputs))


def read_task_file(path: str | os.PathLike) -> TaskFile:
  """Parses an official ``tasks/<name>.json`` file; errors name file/field."""
  path = os.fspath(path)
  data = _load_json(path)
  if not isinstance(data, dict):
    raise InputError("expected a JSON object with 'Definition' and "
                     "'Instances'", path=path)
  for field in ("Definition", "Instances"):
    if field not in data:
      raise InputError("missing field", path=path, field=field)
  name = pathlib.Path(path).stem
  categories = data.get("Categories") or []
  if isinstance(categories, str):
    categories = [categories]
  positives = tuple(e for e in data.get("Positive Examples") or []
                    if isinstance(e, dict))
  return TaskFile(name=name, definition=_definition(data["Definition"], path),
                  categories=tuple(str(c) for c in categories),
                  positive_examples=positives,
                  instances=tuple(_instances(data["Instances"], name, path)))


def card_from_task_file(task: TaskFile, split: str = "train") -> TaskCard:
  """A card from an official task file (categories known there)."""
  return TaskCard(name=task.name, source="niv2",
                  instructions=(task.definition,),
                  category=task.categories[0] if task.categories else None,
                  num_examples=len(task.instances), split=split)


def tasks_dir(root: str | os.PathLike | None = None) -> pathlib.Path | None:
  """The folder of official task files: ``root``, else the ``niv2_tasks_dir``
  setting (Gin or ``$SYMTUNE_NIV2_TASKS_DIR``); None: only the package's sample."""
  if root is None:
    value, origin = settings.resolve("niv2_tasks_dir")
    root = value if origin not in ("package", "default") else None
  if not root:
    return None
  root = pathlib.Path(root)
  if (root / "tasks").is_dir():
    root = root / "tasks"
  return root


# NIV2's own prompt for "definition + input -> output" (no demonstrations).
PROMPT_PREFIX = "Definition: "
PROMPT_MIDDLE = "\n\nNow complete the following example -\nInput: "
PROMPT_SUFFIX = "\nOutput:"


def format_input(definition: str, text: str) -> str:
  """The model input for one instance.

  Example:
    ("Repeat the text.", "hello") ->
    "Definition: Repeat the text.\\n\\nNow complete the following example -"
    "\\nInput: hello\\nOutput:"
  """
  return (PROMPT_PREFIX + definition.strip() + PROMPT_MIDDLE + text.strip()
          + PROMPT_SUFFIX)


def seqio_task_name(name: str) -> str:
  """SeqIO name of an NIV2 task (``-`` is not allowed in SeqIO names).

  Example: "task137_detoxifying-lms_classification_toxicity" ->
  "symtune_niv2_task137_detoxifying_lms_classification_toxicity_v1".
  """
  return "symtune_niv2_" + re.sub(r"[^\w.:#]", "_", name) + "_v1"


# Instances by position: every 10th (index % 10 == 9) is validation; "test"
# is every instance (test-split tasks are evaluated, never trained on).
VALIDATION_EVERY = 10


def split_instances(instances: tuple[Instance, ...], split: str
                    ) -> tuple[Instance, ...]:
  """The instances of a split: ``train``, ``validation`` or ``test``."""
  if split == "test":
    return instances
  is_val = [i % VALIDATION_EVERY == VALIDATION_EVERY - 1
            for i in range(len(instances))]
  if split == "validation":
    return tuple(x for x, v in zip(instances, is_val) if v)
  if split == "train":
    return tuple(x for x, v in zip(instances, is_val) if not v)
  raise InputError(f"unknown split {split!r}; use train, validation or test",
                   field="split")
