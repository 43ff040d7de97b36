"""The shipped card file, the pool, target lookup and the family cards."""

import pytest

from symtune_jax.errors import InputError
from symtune_jax.instructions import build_cards, catalog, families, pools
from symtune_jax.instructions.card import TaskCard


def test_shipped_cards():
  cards = catalog.load_cards()
  by_source = {s: [c for c in cards if c.source == s] for s in ("p3", "niv2")}
  # FLAN's metadata has 1,654 NIV2 names, 41 of them alias spellings.
  assert len(by_source["p3"]) == 279 and len(by_source["niv2"]) == 1613
  assert sum(c.split == "test" for c in by_source["niv2"]) == 119
  # Every card maps to one SeqIO task (cards are data; tasks/ registers).
  tasks = [catalog.task_for_card(c) for c in cards]
  assert all(tasks) and len(set(tasks)) == len(cards)
  assert catalog.task_for_card(by_source["p3"][0]).startswith("symtune_p3_")


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


def test_catalog_pool_filters_sources():
  pool = catalog.pool()
  assert pool and all(c.split == "train" for c in pool)
  assert {c.source for c in pool} == {"p3", "niv2", "symbolic"}
  assert not [c for c in pool if c.source == "niv2" and "wikitext" in c.name
              and c.name.startswith("task602")]
  assert {c.source for c in catalog.pool(["niv2"])} == {"niv2"}
  with pytest.raises(InputError, match="unknown pool source"):
    catalog.pool(["p4"])


def test_resolve_targets():
  known = pools.all_cards()
  card, excluded = pools.resolve_target("WikiTableQuestions", known)
  assert card.key == "target:wtq" and len(card.instructions) >= 3
  card, excluded = pools.resolve_target("super_glue/rte", known)
  assert card.key == "p3:super_glue/rte"
  assert {"p3:super_glue/rte", "p3:super_glue/cb", "p3:glue/rte"} <= set(
      excluded)
  card, excluded = pools.resolve_target("tabfact", known)
  assert "p3:tab_fact/tab_fact" in excluded
  card, excluded = pools.resolve_target(
      "Translate the sentence into French.", known)
  assert card.name == "custom" and excluded == ()


@pytest.mark.parametrize("target, match", [
    ("", "empty target"), ("   ", "empty target"),
    ("nosuchtask", "unknown target 'nosuchtask'"),
])
def test_bad_targets(target, match):
  with pytest.raises(InputError, match=match):
    pools.resolve_target(target, pools.all_cards())


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


def test_instructions_package_registers_nothing():
  """Cards are data: instructions/ imports no tasks/ module and no importlib."""
  import ast  # pylint: disable=g-import-not-at-top
  import pathlib  # pylint: disable=g-import-not-at-top
  folder = pathlib.Path(catalog.__file__).parent
  for path in folder.glob("*.py"):
    for node in ast.walk(ast.parse(path.read_text())):
      if isinstance(node, ast.ImportFrom):
        names = [node.module or ""]
      elif isinstance(node, ast.Import):
        names = [a.name for a in node.names]
      else:
        continue
      for name in names:
        assert not name.startswith("symtune_jax.tasks"), (path, name)
        assert not name.startswith("importlib"), (path, name)


def test_family_tasks_are_registered():
  import seqio  # pylint: disable=g-import-not-at-top
  from symtune_jax.tasks import instructions  # pylint: disable=g-import-not-at-top
  for card in families.family_cards():
    name = instructions.register_card(card)
    assert name == catalog.task_for_card(card)
    assert (name in seqio.TaskRegistry.names()
            or name in seqio.MixtureRegistry.names()), name
