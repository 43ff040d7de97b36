"""Named training pools, each a checked-in list of card keys with its source.

``symtune_jax/data/pools/<name>.txt`` (``#`` lines say where the list comes
from; one card key per line):

* ``t0_train``: the 35 T0 training datasets (38 P3 cards), from promptsource's
  ``experiment_D4.csv`` (rows with ``do_train``);
* ``niv2_train``: NIV2's default train split: every NIV2 card less the 119
  ``test_tasks.txt`` tasks;
* ``p3_all``: every P3 card less T0's held-out datasets, their aliases and
  T0's reserved NLI cluster (`protocols`);
* ``symbolic``: the project's own families (`families`).

`write_lists` regenerates the last three from the card file (the first is
derived from the CSV once, by hand: see its header). A pool never holds an
evaluation dataset of its protocol or an alias of one (`load` checks it);
`excluded_for` adds what a target excludes (its own data under every name).

Datasets: the selector ranks datasets, not cards (`dataset_of`). A P3 card
is ``dataset[/subset]``; its dataset is the part before the ``/``, except for
benchmark collections (``glue/mrpc`` and ``glue/qqp`` are two datasets) and
user namespaces (``Zaid/coqa_expanded``). An NIV2 task and a symbolic family
are a dataset each.
"""

from __future__ import annotations

import functools
import pathlib
import re
from typing import Iterable, Sequence

from symtune_jax.errors import InputError
from symtune_jax.files import atomic_open
from symtune_jax.instructions import catalog, families, protocols, targets
from symtune_jax.instructions.card import TaskCard

POOLS_DIR = pathlib.Path(__file__).resolve().parents[1] / "data" / "pools"
POOL_NAMES = ("t0_train", "niv2_train", "p3_all", "symbolic")
# Older --pool spellings (meta-dataset names).
ALIASES = {"p3": "p3_all", "niv2": "niv2_train", "t0": "t0_train"}
PROTOCOL_OF = {"t0_train": "t0", "p3_all": "t0", "niv2_train": "niv2",
               "symbolic": None}
# P3 folders that hold several datasets: the subset names the dataset.
COLLECTIONS = ("glue", "super_glue", "kilt_tasks", "tweet_eval", "Zaid",
               "craffel")

_HEADERS = {
    "niv2_train": (
        "Pool niv2_train: Super-NaturalInstructions' default train split.",
        "Source: every NIV2 card of symtune_jax/data/instruction_cards.json",
        "  (allenai/natural-instructions via google-research/FLAN",
        "  task_metadata.json, FLAN's alias spellings merged) less the 119",
        "  tasks of test_tasks.txt (allenai/natural-instructions).",
        "Regenerate: python -m symtune_jax.instructions.pools"),
    "p3_all": (
        "Pool p3_all: every P3 card (promptsource templates) less T0's",
        "  held-out datasets, every card with their data under another name",
        "  and T0's reserved NLI cluster (symtune_jax.instructions.protocols).",
        "Source: symtune_jax/data/instruction_cards.json.",
        "Regenerate: python -m symtune_jax.instructions.pools"),
    "symbolic": (
        "Pool symbolic: the project's own task families",
        "  (symtune_jax.instructions.families: SQL execution, symbol tuning,",
        "  list functions, binary concepts).",
        "Regenerate: python -m symtune_jax.instructions.pools"),
}


def dataset_of(card: TaskCard) -> str:
  """The dataset key of a card: ``p3:adversarial_qa/dbert`` ->
  ``p3:adversarial_qa``; ``p3:glue/mrpc`` -> ``p3:glue/mrpc``; others: the
  card key."""
  if card.source != "p3" or "/" not in card.name:
    return card.key
  head = card.name.split("/", 1)[0]
  return card.key if head in COLLECTIONS else f"p3:{head}"


def canonical(name: str) -> str:
  """A pool name for a user-typed one (``p3`` -> ``p3_all``)."""
  name = name.strip()
  name = ALIASES.get(name, name)
  if name not in POOL_NAMES:
    raise InputError(f"unknown pool {name!r}; use any of {list(POOL_NAMES)} "
                     f"(or {sorted(ALIASES)})", field="--pool")
  return name


def niv2_test_names(cards: Iterable[TaskCard] | None = None) -> list[str]:
  """The NIV2 test-split task names (from the card file)."""
  cards = catalog.load_cards() if cards is None else cards
  return [c.name for c in cards if c.source == "niv2" and c.split == "test"]


def held_out_keys() -> frozenset[str]:
  """Every card key a protocol evaluates on (never in any pool)."""
  return protocols.held_out("t0") | protocols.held_out(
      "niv2", niv2_test_names())


def read_list(path: str | pathlib.Path) -> list[str]:
  """Card keys of a pool file; errors name the file and line."""
  path = pathlib.Path(path)
  try:
    lines = path.read_text(encoding="utf-8").splitlines()
  except FileNotFoundError:
    raise InputError("pool list not found; regenerate it with `python -m "
                     "symtune_jax.instructions.pools`", path=str(path)
                     ) from None
  keys = []
  for i, line in enumerate(lines, 1):
    line = line.strip()
    if not line or line.startswith("#"):
      continue
    if ":" not in line:
      raise InputError(f"expected a card key source:name, got {line!r}",
                       path=str(path), line=i)
    keys.append(line)
  return keys


def expected_lists(cards: Sequence[TaskCard] | None = None
                   ) -> dict[str, list[str]]:
  """The generated pools' keys from the card file and the families."""
  cards = list(catalog.load_cards() if cards is None else cards)
  t0 = protocols.held_out("t0")
  return {
      "niv2_train": [c.key for c in cards
                     if c.source == "niv2" and c.split == "train"],
      "p3_all": [c.key for c in cards
                 if c.source == "p3" and c.key not in t0],
      "symbolic": [c.key for c in families.family_cards()],
  }


def write_lists(directory: str | pathlib.Path = POOLS_DIR) -> dict[str, int]:
  """Writes the generated pool lists; returns their sizes."""
  sizes = {}
  for name, keys in expected_lists().items():
    text = "".join(f"# {h}\n" for h in _HEADERS[name]) + "".join(
        f"{k}\n" for k in keys)
    with atomic_open(pathlib.Path(directory) / f"{name}.txt", "w") as f:
      f.write(text)
    sizes[name] = len(keys)
  return sizes


@functools.lru_cache(maxsize=8)
def keys(name: str) -> tuple[str, ...]:
  """The card keys of pool ``name`` (checked: no held-out card)."""
  name = canonical(name)
  listed = read_list(POOLS_DIR / f"{name}.txt")
  bad = sorted(set(listed) & held_out_keys())
  if bad:
    raise InputError(f"pool {name} lists evaluation data {bad[:5]}; "
                     "regenerate it", path=str(POOLS_DIR / f"{name}.txt"))
  return tuple(listed)


def load(names: Sequence[str]) -> list[TaskCard]:
  """The cards of the named pools (in list order, each card once)."""
  by_key = {c.key: c for c in catalog.load_cards()}
  by_key.update({c.key: c for c in families.family_cards()})
  out: dict[str, TaskCard] = {}
  for name in names:
    pool_name = canonical(name)
    for key in keys(pool_name):
      card = by_key.get(key)
      if card is None:
        raise InputError(f"pool {pool_name} names card {key!r}, which is "
                         "not in the card file", path=str(
                             POOLS_DIR / f"{pool_name}.txt"))
      out.setdefault(key, card)
  return list(out.values())


def excluded_for(target: TaskCard, candidates: Iterable[TaskCard]
                 ) -> tuple[str, ...]:
  """Keys of ``candidates`` a target excludes: its own data under any name.

  * the target's card, its dataset's other cards (other P3 subsets);
  * a card of the same name in another meta-dataset;
  * for an evaluation dataset of T0 (by name or by one of its cards): every
    card of every T0 held-out dataset and of T0's reserved NLI cluster, and
    the NIV2 tasks built from that data (`protocols.niv2_same_data`);
  * for a P3 target, the NIV2 tasks named after its dataset
    (``duorc`` -> ``task194_duorc_answer_generation``; ``glue/mrpc`` ->
    ``task1288_glue_mrpc_paraphrasing``);
  * the cards `targets.SAME_DATA` lists for it (table targets).
  """
  out = {target.key, *targets.SAME_DATA.get(target.key, ())}
  ds = dataset_of(target)
  t0 = protocols.eval_dataset_of_card(target.key) or (
      protocols.eval_dataset(target.name) if target.source == "target"
      else None)
  t0_keys = protocols.held_out("t0") if t0 else frozenset()
  named = None
  if target.source == "p3":
    token = re.sub(r"\W+", "_", ds.split(":", 1)[1].split("/")[-1])
    named = re.compile(r"(^|_)" + re.escape(token) + r"(_|$)")
  for card in candidates:
    if (card.key in out or card.name == target.name or dataset_of(card) == ds
        or card.key in t0_keys
        or (t0 and card.source == "niv2"
            and protocols.niv2_same_data(card.name, reserved=True))
        or (named and card.source == "niv2" and named.search(card.name))):
      out.add(card.key)
  return tuple(sorted(out))


def merge_datasets(cards: Sequence[TaskCard]
                   ) -> tuple[list[TaskCard], dict[str, tuple[str, ...]]]:
  """One card per dataset: the instructions of its cards (subsets) joined.

  A dataset of one card is that card. A dataset of several (``duorc/SelfRC``
  and ``duorc/ParaphraseRC``) becomes card ``p3:duorc`` whose instructions
  are its cards' distinct templates, so a dataset's score is the mean over
  every (target instruction, template) pair of all its subsets, and it takes
  one of the k places.

  Returns:
    ``(dataset cards in first-seen order, dataset key -> member card keys)``.
  """
  groups: dict[str, list[TaskCard]] = {}
  for card in cards:
    groups.setdefault(dataset_of(card), []).append(card)
  out, members = [], {}
  for key, group in groups.items():
    members[key] = tuple(c.key for c in group)
    if len(group) == 1 and group[0].key == key:
      out.append(group[0])
      continue
    texts = list(dict.fromkeys(t for c in group for t in c.instructions))
    counts = [c.num_examples for c in group]
    out.append(TaskCard(
        name=key.split(":", 1)[1], source=group[0].source,
        instructions=tuple(texts),
        category=next((c.category for c in group if c.category), None),
        num_examples=sum(counts) if None not in counts else None,
        split=group[0].split))
  return out, members


def resolve_target(target: str, known: Sequence[TaskCard]
                   ) -> tuple[TaskCard, tuple[str, ...]]:
  """The target card for a name or an instruction text, and what it excludes.

  Lookup order: a table target (``wtq``, ``tabfact``, ... and aliases); a
  T0 evaluation dataset by name (``rte``, ``cb``, ``story_cloze``, ...: the
  card T0 evaluates on); a card key (``p3:glue/rte``) or card name
  (``super_glue/rte``, ``task1529_scitail1.1_classification``); a dataset
  name (``duorc``: its subsets' templates together); else, for a text of
  several words, that text as the target's one instruction.

  Returns:
    ``(card, keys of `known` it excludes: `excluded_for`)``.
  """
  if not isinstance(target, str) or not target.strip():
    raise InputError("empty target; pass a task name (e.g. wtq, rte, "
                     "super_glue/rte) or an instruction text in quotes",
                     field="target")
  text = target.strip()
  known = list(known)
  by_key = {c.key: c for c in known}
  card = {c.name: c for c in targets.target_cards()}.get(
      targets.canonical(text))
  if card is None:
    ds = protocols.eval_dataset(text)
    card = by_key.get(ds.target) if ds else None
  if card is None:
    card = by_key.get(text) or next((c for c in known if c.name == text),
                                    None)
  if card is None:
    key = text if ":" in text else f"p3:{text}"
    group = [c for c in known if dataset_of(c) == key]
    if group:
      card = merge_datasets(group)[0][0]
  if card is None:
    if catalog.looks_like_text(text):
      return TaskCard(name="custom", source="target", instructions=(text,),
                      split="test"), ()
    hint = ", ".join(sorted([c.name for c in targets.target_cards()]
                            + [d.name for d in protocols.T0_EVAL]))
    raise InputError(
        f"unknown target {target!r}: not an evaluation target ({hint}), a "
        "card name (e.g. super_glue/rte, task1529_scitail1.1_classification) "
        "nor a dataset name (e.g. duorc); pass one of those, or the target's "
        "instruction text in quotes (several words)", field="target")
  return card, excluded_for(card, known)


def all_cards() -> list[TaskCard]:
  """Every card (held-out ones too) and the families: what targets name."""
  return list(catalog.load_cards()) + families.family_cards()


if __name__ == "__main__":
  for pool_name, size in write_lists().items():
    print(f"{POOLS_DIR / pool_name}.txt: {size} cards")
