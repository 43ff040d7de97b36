"""Method A's mixture ``symtune_sql_instruction_mix``: NIV2 training tasks
(Flan v2's Super-NaturalInstructions part) + 25% SQL execution."""

import shutil
import types

import pytest
import seqio

from symtune_jax.instructions import catalog, niv2
from symtune_jax.selection import mixture_rates
from symtune_jax.tasks import mixtures, registry, vocab
from symtune_jax.tasks import sql as sql_tasks

NAME = "symtune_sql_instruction_mix"
SQL = "symtune_sql_execution_v1"
LENGTHS = {"inputs": 1024, "targets": 64}


@pytest.fixture(autouse=True)
def run_lengths(monkeypatch):
  """The tasks build inputs for the lengths these tests run with (as a Gin file binds)."""
  monkeypatch.setenv("SYMTUNE_INPUTS_LENGTH", str(LENGTHS["inputs"]))
  # SQL execution on the ~100 shipped tables, whatever ../shared/data holds.
  monkeypatch.setenv("SYMTUNE_SHARED_DATA", "/nonexistent")
  monkeypatch.delenv("SYMTUNE_WTQ_ROOT", raising=False)
# Fixtures in the official task-file format, saved under the names of two
# real training tasks of the mixture (a repeat task and a review sentiment).
FIXTURES = {
    "task062_bigbench_repeat_copy_logic": "task9001_symtune_fixture_repeat",
    "task1575_amazon_reviews_multi_sentiment_classification":
        "task9002_symtune-fixture_sentiment",
}


def test_recipe_is_what_select_all_computes():
  """The code recipe gives the rates ``symtune select --all --pool niv2 --rates
  proportional --cap 3000 --symbolic-share sql_execution=0.25`` writes."""
  pool = catalog.pool(["niv2"])
  held_out = [c for c in catalog.pool(catalog.POOL_SOURCES, include_test=True)
              if c.split == "test"]
  content = mixture_rates.all_rates_content(
      pool, rates_method="proportional", cap=mixtures.NIV2_CAP,
      fixed=mixture_rates.fixed_shares({"sql_execution": mixtures.SQL_SHARE}),
      pool_sources=["niv2"], include_test=False, held_out=held_out)
  mix = seqio.get_mixture_or_task(NAME)
  total = mix.total_rate
  by_task = {t.name: t for t in mix.tasks}
  assert set(by_task) == set(content["rates"])
  for task, rate in content["rates"].items():
    assert mix.get_rate(by_task[task]) / total == pytest.approx(rate, rel=1e-4, abs=1e-9), task


def test_recipe_is_flan_style():
  """A mixture of mixtures: the NIV2 mixture at 75%, SQL execution at 25%, and
  each NIV2 rate the capped example count (seqio.mixing_rate_num_examples)."""
  mix = seqio.get_mixture_or_task(NAME)
  assert dict(mix.rate_per_task_name) == {mixtures.NIV2_TRAIN_MIX: 0.75, SQL: 0.25}
  niv2_mix = seqio.get_mixture_or_task(mixtures.NIV2_TRAIN_MIX)
  cards = {niv2.seqio_task_name(c.name): c for c in mixtures.niv2_training_cards()}
  for task in niv2_mix.tasks[:50]:
    n = cards[task.name].num_examples
    assert niv2_mix.get_rate(task) == min(n, 3000)
    probe = types.SimpleNamespace(cache_dir=None, name=task.name,
                                  num_input_examples=lambda split, n=n: n)
    assert niv2_mix.get_rate(task) == seqio.mixing_rate_num_examples(probe, maximum=3000)


def test_registered_mixture_components_and_rates():
  assert NAME in mixtures.RECIPES
  mix = seqio.get_mixture_or_task(NAME)
  rates = {t.name: mix.get_rate(t) / mix.total_rate for t in mix.tasks}
  assert len(rates) > 1400
  assert rates[SQL] == pytest.approx(0.25, abs=1e-6)
  assert sum(r for t, r in rates.items() if t != SQL) == pytest.approx(
      0.75, abs=1e-5)
  # Examples-proportional with the 3,000 cap: a capped task vs a small one.
  big = "symtune_niv2_task195_sentiment140_classification_v1"  # 6,500
  small = "symtune_niv2_task062_bigbench_repeat_copy_logic_v1"  # 29
  assert rates[big] / rates[small] == pytest.approx(3000 / 29, rel=1e-4)
  # No NIV2 test-split task is trained on, under any spelling.
  test_tasks = {niv2.seqio_task_name(c.name) for c in catalog.load_cards()
                if c.source == "niv2" and c.split == "test"}
  assert len(test_tasks) > 100 and not test_tasks & set(rates)


@pytest.fixture()
def tasks_dir(tmp_path, testdata, monkeypatch):
  for name, fixture in FIXTURES.items():
    shutil.copy(testdata / "niv2" / "tasks" / f"{fixture}.json",
                tmp_path / f"{name}.json")
  monkeypatch.setenv(niv2.TASKS_DIR_ENV, str(tmp_path))
  old = dict(sql_tasks._SETTINGS.num_examples)  # pylint: disable=protected-access
  sql_tasks.configure(num_examples={"train": 64, "validation": 8, "test": 8})
  yield tmp_path
  sql_tasks.configure(num_examples=old)


def test_builds_offline_restricted_to_tasks_with_data(tasks_dir):
  mix = seqio.get_mixture_or_task(NAME)
  have = {niv2.seqio_task_name(n) for n in FIXTURES}
  niv2_rates = {t.name: mix.get_rate(t) for t in mix.tasks if t.name in have}
  assert len(niv2_rates) == 2
  first = next(seqio.get_mixture_or_task(
      "symtune_niv2_task062_bigbench_repeat_copy_logic_v1").get_dataset(
          LENGTHS, split="train", shuffle=False).as_numpy_iterator())
  assert first["inputs_pretokenized"].startswith(b"Definition: Repeat")
  assert first["targets_pretokenized"] == b"cat cat cat"
  # The registered rates, the instruction share spread over what has data.
  total = sum(niv2_rates.values())
  components = [(SQL, mix.get_rate(seqio.get_mixture_or_task(SQL)))] + [
      (t, r / total * 0.75) for t, r in niv2_rates.items()]
  name = registry.add_mixture("symtune_test_sql_instruction_subset_mix",
                              components)
  try:
    ds = seqio.get_mixture_or_task(name).get_dataset(
        LENGTHS, split="train", shuffle=True, seed=0)
    examples = list(ds.take(240).as_numpy_iterator())
  finally:
    seqio.MixtureRegistry.remove(name)
  assert len(examples) == 240 and all(len(e["targets"]) for e in examples)
  decode = vocab.get_vocabulary().decode
  inputs = [decode(e["inputs"].tolist()) for e in examples]
  instruction = [i for i in inputs if i.startswith("Definition: ")]
  sql_share = 1 - len(instruction) / len(inputs)
  assert 0.15 < sql_share < 0.35, sql_share  # 25%, 240 seeded draws
  kinds = {i.split("\n")[0][len("Definition: "):][:20] for i in instruction}
  assert len(kinds) == 2, kinds  # both NIV2 components are sampled
