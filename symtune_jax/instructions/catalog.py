"""The selector's pool of cards and the lookup of a target.

The default pool is the shipped card file (P3 templates + NIV2 definitions,
``symtune_jax/data/instruction_cards.json``, built by `build_cards`) plus the
project's symbolic families. Held-out cards (``split="test"``: the T0 P3
evaluation datasets, the NIV2 test split) are targets, never sources, unless
asked for.
"""

from __future__ import annotations

import functools
import json
import os
import pathlib
import re
from typing import Callable, Iterable, Sequence

from symtune_jax.errors import InputError
from symtune_jax.instructions import families, targets
from symtune_jax.instructions.card import TaskCard

CARDS_FILE = pathlib.Path(__file__).resolve().parents[1] / "data" / (
    "instruction_cards.json")
POOL_SOURCES = ("p3", "niv2", "symbolic")


def _niv2_builder(name: str) -> Callable[[], str]:
  def build() -> str:
    from symtune_jax.tasks import instructions  # pylint: disable=g-import-not-at-top
    return instructions.register_niv2_task(name)
  return build


def _builder(card: dict) -> Callable[[], str] | None:
  if card.get("source") == "niv2":
    return _niv2_builder(card["name"])
  return None  # P3 examples need P3 data, which this build does not read.


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
  return tuple(TaskCard.from_json(c, path=path, build=_builder(c))
               for c in data["cards"])


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


def _dataset(card: TaskCard) -> str:
  """The dataset a card is built from (P3: the folder before the subset)."""
  return card.name.split("/")[0] if card.source == "p3" else card.name


def looks_like_text(target: str) -> bool:
  """Free instruction text rather than a name: has several words."""
  return len(re.findall(r"[^\W\d_]+", target)) >= 3 and " " in target.strip()


def resolve_target(target: str, known: Iterable[TaskCard] = ()
                   ) -> tuple[TaskCard, tuple[str, ...]]:
  """The target card for a name or an instruction text, and what to exclude.

  Lookup order: an evaluation target (``wtq``, ``tabfact``, ... and their
  aliases), a card key ``source:name``, a card name in ``known`` (e.g.
  ``super_glue/rte``, ``task1529_scitail1.1_classification``), and else, for
  a text of several words, that text as the target's one instruction.

  Returns:
    ``(card, excluded keys)``: a named card excludes itself, cards of the
    same name in other sources, the other subsets of its P3 dataset and
    the cards `targets.SAME_DATA` lists for it.
  """
  if not isinstance(target, str) or not target.strip():
    raise InputError("empty target; pass a task name (e.g. wtq, "
                     "super_glue/rte) or an instruction text in quotes",
                     field="target")
  known = list(known)
  name = targets.canonical(target)
  by_target = {c.name: c for c in targets.target_cards()}
  card = by_target.get(name)
  if card is None:
    text = target.strip()
    matches = [c for c in known if c.key == text or c.name == text]
    card = matches[0] if matches else None
  if card is None:
    if looks_like_text(target):
      return TaskCard(name="custom", source="target",
                      instructions=(target.strip(),), split="test"), ()
    hint = ", ".join(sorted(by_target))
    raise InputError(
        f"unknown target {target!r}: not an evaluation target ({hint}) nor "
        "a card name of the pool (e.g. super_glue/rte, task1529_scitail1.1_"
        "classification); pass one of those, or the target's instruction "
        "text in quotes (several words)", field="target")
  excluded = {card.key, *targets.SAME_DATA.get(card.key, ())}
  for other in known:
    if other.name == card.name or (
        card.source == "p3" and other.source == "p3"
        and _dataset(other) == _dataset(card)):
      excluded.add(other.key)
  return card, tuple(sorted(excluded))
