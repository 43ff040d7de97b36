"""The shipped card file, the pool, target lookup and the family cards."""

import pytest

from symtune_jax.errors import InputError
from symtune_jax.instructions import build_cards, catalog, families
from symtune_jax.instructions.card import TaskCard


def test_shipped_cards():
  cards = catalog.load_cards()
  by_source = {s: [c for c in cards if c.source == s] for s in ("p3", "niv2")}
  # FLAN's metadata has 1,654 NIV2 names, 41 of them alias spellings.
  assert len(by_source["p3"]) == 279 and len(by_source["niv2"]) == 1613
  assert sum(c.split == "test" for c in by_source["niv2"]) == 119
  assert all(c.build is not None for c in by_source["niv2"])
  assert all(c.build is None for c in by_source["p3"])


def test_shipped_niv2_cards_are_one_per_seqio_task():
  from symtune_jax.instructions import niv2  # pylint: disable=g-import-not-at-top
  cards = {c.name: c for c in catalog.load_cards() if c.source == "niv2"}
  tasks = [niv2.seqio_task_name(n) for n in cards]
  assert len(set(tasks)) == len(tasks) == 1613
  # The official spelling is kept, FLAN's "_" copy is gone ...
  assert "task137_detoxifying-lms_classification_toxicity" in cards
  assert "task137_detoxifying_lms_classification_toxicity" not in cards
  # ... and the copy of a test task is not left behind as a training card.
  assert cards["task602_wikitext-103_answer_generation"].split == "test"
  assert "task602_wikitext_103_answer_generation" not in cards


def test_shipped_cards_match_a_rebuild(shared_data):
  rebuilt = build_cards.build(str(shared_data / "promptsource"),
                              str(shared_data / "niv2"))
  shipped = [c.to_json() for c in catalog.load_cards()]
  assert rebuilt["cards"] == shipped


def test_pool_excludes_held_out_and_filters_sources():
  pool = catalog.pool()
  assert pool and all(c.split == "train" for c in pool)
  assert {c.source for c in pool} == {"p3", "niv2", "symbolic"}
  assert not [c for c in pool if c.source == "niv2" and "wikitext" in c.name
              and c.name.startswith("task602")]
  assert {c.source for c in catalog.pool(["niv2"])} == {"niv2"}
  with pytest.raises(InputError, match="unknown pool source"):
    catalog.pool(["p4"])


def test_resolve_targets():
  known = catalog.pool(include_test=True)
  card, excluded = catalog.resolve_target("WikiTableQuestions", known)
  assert card.key == "target:wtq" and len(card.instructions) >= 3
  card, excluded = catalog.resolve_target("super_glue/rte", known)
  assert card.key == "p3:super_glue/rte"
  assert {"p3:super_glue/rte", "p3:super_glue/cb", "p3:glue/rte"} <= set(
      excluded)
  card, excluded = catalog.resolve_target("tabfact", known)
  assert "p3:tab_fact/tab_fact" in excluded
  card, excluded = catalog.resolve_target(
      "Translate the sentence into French.", known)
  assert card.name == "custom" and excluded == ()


@pytest.mark.parametrize("target, match", [
    ("", "empty target"), ("   ", "empty target"),
    ("nosuchtask", "unknown target 'nosuchtask'"),
])
def test_bad_targets(target, match):
  with pytest.raises(InputError, match=match):
    catalog.resolve_target(target, catalog.pool())


def test_card_rejects_empty_instruction():
  with pytest.raises(InputError, match="empty instruction"):
    TaskCard(name="x", source="p3", instructions=("ok", "  "))
  with pytest.raises(InputError, match="source"):
    TaskCard(name="x", source="p5", instructions=("ok",))


def test_family_cards_come_from_the_family_modules():
  from symtune_jax.sql import prompts  # pylint: disable=g-import-not-at-top
  cards = {c.name: c for c in families.family_cards()}
  assert cards["sql_execution"].instructions == tuple(prompts.INSTRUCTIONS)
  assert {"symbol_tuning", "list_functions", "binary_concepts"} <= set(cards)
  assert families.missing_families() == {}


def test_family_build_registers_its_task():
  import seqio  # pylint: disable=g-import-not-at-top
  for card in families.family_cards():
    name = card.build()
    assert (name in seqio.TaskRegistry.names()
            or name in seqio.MixtureRegistry.names()), name
