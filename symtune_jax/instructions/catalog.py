"""The shipped cards, and the one mapping from a card to its SeqIO task.

The cards are the shipped card file (P3 templates + NIV2 definitions,
``symtune_jax/data/instruction_cards.json``, built by `build_cards`) plus the
project's symbolic families. Cards are data: this package registers nothing;
`task_for_card` names the SeqIO task that makes a card's examples and
``symtune_jax.tasks.instructions.register_card`` registers it. The named
training pools are in `pools`.
"""

from __future__ import annotations

import functools
import json
import os
import pathlib
import re
from typing import Sequence

from symtune_jax.errors import InputError
from symtune_jax.instructions import families, niv2, promptsource
from symtune_jax.instructions.card import TaskCard

CARDS_FILE = pathlib.Path(__file__).resolve().parents[1] / "data" / (
    "instruction_cards.json")
POOL_SOURCES = ("p3", "niv2", "symbolic")


@functools.lru_cache(maxsize=4)
def _read_cards(path: str) -> tuple[TaskCard, ...]:
  try:
    with open(path, encoding="utf-8") as f:
      data = json.load(f)
  except FileNotFoundError:
    raise InputError("card file not found; rebuild it with `python -m "
                     "symtune_jax.instructions.build_cards`", path=path
                     ) from None
  except json.JSONDecodeError as e:
    raise InputError(f"card file is not valid JSON ({e.msg})", path=path,
                     line=e.lineno) from None
  if not isinstance(data, dict) or not isinstance(data.get("cards"), list):
    raise InputError("expected {'format': ..., 'cards': [...]}", path=path,
                     field="cards")
  return tuple(TaskCard.from_json(c, path=path) for c in data["cards"])


def load_cards(path: str | os.PathLike | None = None) -> list[TaskCard]:
  """Cards of a card file (default: the shipped one)."""
  return list(_read_cards(os.fspath(path or CARDS_FILE)))


def pool(sources: Sequence[str] = POOL_SOURCES, *, include_test: bool = False,
         cards_file: str | os.PathLike | None = None) -> list[TaskCard]:
  """The selectable cards of the named meta-datasets.

  Args:
    sources: any of ``p3``, ``niv2``, ``symbolic``.
    include_test: also keep held-out (``split="test"``) cards.
    cards_file: a card file other than the shipped one.

  Returns:
    Cards in a fixed order (file order, then families).
  """
  unknown = sorted(set(sources) - set(POOL_SOURCES))
  if unknown:
    raise InputError(f"unknown pool source(s) {unknown}; use any of "
                     f"{list(POOL_SOURCES)}", field="pool")
  cards: list[TaskCard] = []
  if {"p3", "niv2"} & set(sources):
    cards += [c for c in load_cards(cards_file) if c.source in sources]
  if "symbolic" in sources:
    cards += families.family_cards()
  return [c for c in cards if include_test or c.split == "train"]


def looks_like_text(target: str) -> bool:
  """Free instruction text rather than a name: has several words."""
  return len(re.findall(r"[^\W\d_]+", target)) >= 3 and " " in target.strip()


def task_for_card(card: TaskCard) -> str | None:
  """The SeqIO task that makes ``card``'s examples (the one mapping).

  NIV2 -> ``symtune_niv2_<name>_v1``; P3 -> ``symtune_p3_<dataset>_<subset>
  _v1`` (every template of the card, read from the P3 release); a symbolic
  family -> its task or mixture; a target card -> None.
  """
  if card.source == "niv2":
    return niv2.seqio_task_name(card.name)
  if card.source == "p3":
    return promptsource.seqio_task_name(card.name)
  if card.source == "symbolic":
    family = families.family(card.name)
    return family.task if family else None
  return None
