"""From a `Selection` to a rates file's content, and where mixtures live.

Maps cards to the SeqIO tasks that make their examples
(`catalog.task_for_card`: NIV2 -> ``symtune_niv2_<name>_v1``, P3 ->
``symtune_p3_<dataset>_<subset>_v1``, symbolic family -> its task), turns the
top-k datasets and the fixed symbolic shares into rates (`scoring.rates`; a
dataset's rate is shared by its cards), and records the provenance
(`rates_file`): per selected dataset its score, its cards and the scores of
the templates behind it. Method ``all`` (`all_rates_content`) keeps every
training task of the pool instead.
"""

from __future__ import annotations

import os
import pathlib
from typing import Any, Mapping, Sequence

from symtune_jax import settings
from symtune_jax.errors import InputError
from symtune_jax.instructions import catalog, families
from symtune_jax.instructions.card import TaskCard
from symtune_jax.selection import rates_file, scoring

MIXTURES_ENV = settings.SETTINGS["mixtures_dir"].env_var
# Short names accepted by --symbolic-share.
ALIASES = {"sql": "sql_execution", "symbols": "symbol_tuning"}


def default_dir() -> pathlib.Path:
  """Rates files registered as mixtures: the ``mixtures_dir`` setting (Gin,
  ``$SYMTUNE_MIXTURES_DIR``), else the package's ``symtune_jax/mixtures/``."""
  return settings.get("mixtures_dir")


def mixture_name(path: str | os.PathLike) -> str:
  """``mixtures/wtq_insta.json`` -> ``symtune_wtq_insta_mix``."""
  return f"symtune_{pathlib.Path(path).stem}_mix"


def task_for_card(card: TaskCard) -> str | None:
  """The SeqIO task that makes ``card``'s examples (`catalog.task_for_card`)."""
  return catalog.task_for_card(card)


def fixed_shares(shares: Mapping[str, float]) -> dict[str, float]:
  """``{"sql": 0.25}`` -> ``{"symbolic:sql_execution": 0.25}``; checks names."""
  known = {f.name: f for f in families.families()}
  out = {}
  for name, share in shares.items():
    name = ALIASES.get(name, name)
    fam = known.get(name) or next(
        (f for f in known.values() if f.task == name), None)
    if fam is None:
      raise InputError(f"unknown symbolic family {name!r}; use one of "
                       f"{sorted(known)}", field="--symbolic-share")
    out[f"symbolic:{fam.name}"] = float(share)
  return out


def _split(rate: float, cards: Sequence[TaskCard], rates_method: str,
           cap: int) -> list[float]:
  """A dataset's rate shared by its cards: by ``min(examples, cap)`` for
  ``proportional`` (unknown counts as ``cap``), else equally."""
  if rates_method == "proportional":
    weights = [min(cap, c.num_examples or cap) for c in cards]
  else:
    weights = [1.0] * len(cards)
  total = sum(weights)
  return [rate * w / total for w in weights]


def rates_content(sel, *, encoder_id: str, k: int, method: str,
                  rates_method: str, temperature: float, cap: int,
                  fixed: Mapping[str, float], pool_sources: Sequence[str],
                  include_test: bool, vote_n: int,
                  members: Mapping[str, Sequence[TaskCard]] | None = None,
                  extra: Mapping[str, Any] | None = None,
                  templates: int = 0) -> dict[str, Any]:
  """The rates file content for a selection (see `rates_file`).

  Args:
    sel: the `Selection` (over dataset cards, or plain cards).
    members: dataset key -> its cards (the SeqIO tasks); a key not in it is
      its own card.
    extra: more provenance (e.g. the encoder's fingerprint).
    templates: how many template scores to record per selected dataset
      (0: all).
    (others: recorded as given; see `scoring.rates`.)
  """
  members = dict(members or {})
  cards = dict(sel.cards)
  for card in families.family_cards():
    cards.setdefault(card.key, card)
  rates = scoring.rates(
      sel.top, method=rates_method,
      num_examples={key: c.num_examples for key, c in cards.items()},
      cap=cap, temperature=temperature, fixed=fixed)
  ranked = {s.key: s for s in sel.ranking.ranked}
  by_task: dict[str, float] = {}
  tasks: dict[str, dict[str, Any]] = {}
  for key, rate in rates.items():
    group = list(members.get(key) or [cards[key]])
    s = ranked.get(key)
    for card, share in zip(group, _split(rate, group, rates_method, cap)):
      task = task_for_card(card)
      if task is None:
        raise InputError(f"card {card.key} has no SeqIO task", field="pool")
      by_task[task] = share
      tasks[task] = {"card": card.key, "dataset": key,
                     "rank": s.rank if s else None,
                     "score": round(s.score, 4) if s else None,
                     "mean_cosine": round(s.mean_cosine, 4) if s else None,
                     "fixed": key in fixed,
                     "num_examples": card.num_examples}
  more = {"rates_method": rates_method,
          "level": "dataset",
          "pool": {"sources": list(pool_sources), "include_test": include_test,
                   "size": len(sel.ranking.ranked) + len(
                       sel.ranking.excluded)},
          "excluded": list(sel.ranking.excluded),
          "symbolic_share": {k.split(":", 1)[1]: v for k, v in fixed.items()},
          **dict(extra or {})}
  if rates_method == "similarity":
    more["temperature"] = temperature
  if rates_method == "proportional":
    more["cap"] = cap
  if method == "vote":
    more["vote_n"] = vote_n
  ranking = []
  for s in sel.top:
    entry = {"rank": s.rank, "card": s.key, "score": round(s.score, 4),
             "mean_cosine": round(s.mean_cosine, 4),
             "cards": [c.key for c in members.get(s.key) or [cards[s.key]]]}
    if sel.instruction_cosine is not None:
      scored = sel.template_scores(s.key)
      entry["templates"] = [{"score": round(v, 4), "text": t}
                            for t, v in scored[:templates or len(scored)]]
    ranking.append(entry)
  return rates_file.make(
      target={"name": sel.target.name, "source": sel.target.source,
              "instructions": list(sel.target.instructions)},
      encoder=encoder_id, method=method, k=k, rates=by_task, tasks=tasks,
      ranking=ranking, extra=more)


def _official_first(card: TaskCard) -> tuple[bool, str]:
  """Sort key: a name SeqIO has to normalise (NIV2's official spelling,
  e.g. with ``-``) before its FLAN alias, then by key."""
  plain = task_for_card(card) == f"symtune_niv2_{card.name}_v1"
  return plain, card.key


def all_tasks(pool: Sequence[TaskCard], held_out: Sequence[TaskCard] = ()
              ) -> tuple[list[TaskCard], list[str]]:
  """One card per SeqIO task of ``pool``, minus aliases of held-out tasks.

  Two cards that map to one SeqIO task would give it two rates. The shipped
  card file has none (`build_cards` merges FLAN's alias names, e.g.
  ``task137_detoxifying_lms_...`` into ``task137_detoxifying-lms_...``);
  this guards other card files: the official spelling is kept (the name
  SeqIO has to normalise; else the first by key), and an alias of a
  ``held_out`` card's task is left out, so no test task is trained on.

  Args:
    pool: the candidate cards.
    held_out: cards that must not be trained on (the pool's test split).

  Returns:
    ``(kept cards sorted by key, keys left out)``.
  """
  reserved = {task_for_card(c) or c.key for c in held_out}
  groups: dict[str, list[TaskCard]] = {}
  for card in sorted(pool, key=lambda c: c.key):
    groups.setdefault(task_for_card(card) or card.key, []).append(card)
  kept, dropped = [], []
  for task, cards in groups.items():
    if task in reserved:
      dropped += [c.key for c in cards]
      continue
    best = min(cards, key=_official_first)
    kept.append(best)
    dropped += [c.key for c in cards if c is not best]
  return sorted(kept, key=lambda c: c.key), sorted(dropped)


def all_rates_content(pool: Sequence[TaskCard], *, rates_method: str,
                      cap: int, fixed: Mapping[str, float],
                      pool_sources: Sequence[str], include_test: bool,
                      held_out: Sequence[TaskCard] = ()) -> dict[str, Any]:
  """The rates file of method ``all``: every task of ``pool`` + fixed shares.

  Flan-style instruction tuning (method A: Liu et al. 2023 mix Flan with 25%
  SQL execution) trains on all training tasks of a meta-dataset, examples-
  proportional with a cap, with fixed shares of symbolic families on top:
  ``[niv2:a (100 examples), niv2:b (9,000)], cap 3000, {sql: 0.25}`` ->
  ``{sql: 0.25, a: 0.75 * 100 / 3100, b: 0.75 * 3000 / 3100}``.

  Args:
    pool: the training cards (see `all_tasks` for aliases and held-out).
    rates_method: ``uniform`` or ``proportional``.
    cap: example cap for ``proportional`` (card ``num_examples``).
    fixed: card key -> fixed share (`fixed_shares`).
    pool_sources: the meta-datasets the pool came from (recorded).
    include_test: whether held-out cards were allowed (recorded).
    held_out: cards never to train on (their aliases are left out too).

  Returns:
    The rates file content (``target`` and ``encoder`` null).
  """
  if rates_method not in ("uniform", "proportional"):
    raise InputError(f"--rates {rates_method} needs similarity scores to a "
                     "target; with --all use uniform or proportional",
                     field="--rates")
  kept, dropped = all_tasks(pool, held_out)
  if not [c for c in kept if c.key not in fixed]:
    raise InputError("the pool has no training task besides the fixed "
                     "shares; choose other --pool sources", field="--pool")
  cards = {c.key: c for c in kept}
  for card in families.family_cards():
    cards.setdefault(card.key, card)
  chosen = scoring.unranked([c.key for c in kept])
  rates = scoring.rates(
      chosen, method=rates_method,
      num_examples={key: c.num_examples for key, c in cards.items()},
      cap=cap, fixed=fixed)
  by_task: dict[str, float] = {}
  tasks: dict[str, dict[str, Any]] = {}
  for key, rate in rates.items():
    card = cards[key]
    task = task_for_card(card)
    by_task[task] = rate
    tasks[task] = {"card": key, "fixed": key in fixed,
                   "num_examples": card.num_examples}
  extra = {"rates_method": rates_method,
           "pool": {"sources": list(pool_sources), "include_test": include_test,
                    "size": len(pool)},
           "excluded": dropped,
           "symbolic_share": {k.split(":", 1)[1]: v for k, v in fixed.items()}}
  if rates_method == "proportional":
    extra["cap"] = cap
  return rates_file.make(
      target=None, encoder=None, method="all",
      k=sum(1 for key in rates if key not in fixed), rates=by_task,
      tasks=tasks, ranking=[], extra=extra)
