"""Method A's mixture ``symtune_sql_instruction_mix``: NIV2 training tasks
(Flan v2's Super-NaturalInstructions part) + 25% SQL execution."""

import shutil

import pytest
import seqio

from symtune_jax.instructions import catalog, niv2
from symtune_jax.selection import mixture_spec, rates_file
from symtune_jax.tasks import mixtures, registry, vocab
from symtune_jax.tasks import sql as sql_tasks

NAME = "symtune_sql_instruction_mix"
SQL = "symtune_sql_execution_v1"
LENGTHS = {"inputs": 1024, "targets": 64}
# Fixtures in the official task-file format, saved under the names of two
# real training tasks of the mixture (a repeat task and a review sentiment).
FIXTURES = {
    "task062_bigbench_repeat_copy_logic": "task9001_symtune_fixture_repeat",
    "task1575_amazon_reviews_multi_sentiment_classification":
        "task9002_symtune-fixture_sentiment",
}


@pytest.fixture(scope="module")
def data():
  return rates_file.read(mixture_spec.default_dir() / "sql_instruction.json")


def test_rates_file_records_how_it_was_made(data):
  assert data["method"] == "all" and data["rates_method"] == "proportional"
  assert data["cap"] == 3000
  assert data["symbolic_share"] == {"sql_execution": 0.25}
  assert data["pool"]["sources"] == ["niv2"]
  assert data["pool"]["include_test"] is False
  assert data["target"] is None and data["encoder"] is None
  assert data["k"] == len(data["rates"]) - 1
  cards = {c.key: c for c in catalog.load_cards()}
  for task, info in data["tasks"].items():
    if task == SQL:
      assert info["fixed"] is True
      continue
    card = cards[info["card"]]
    assert card.split == "train", task
    assert info["num_examples"] == card.num_examples
    assert niv2.seqio_task_name(card.name) == task
  total = sum(data["rates"].values())
  assert total == pytest.approx(1.0, abs=1e-5)
  for task, rate in data["rates"].items():
    assert data["shares"][task] == rates_file.share_text(rate, total)


def test_rates_file_is_what_the_command_makes(data):
  """``symtune select --all --pool niv2 --rates proportional --cap 3000
  --symbolic-share sql_execution=0.25`` on the shipped cards."""
  pool = catalog.pool(["niv2"])
  held_out = [c for c in catalog.pool(catalog.POOL_SOURCES, include_test=True)
              if c.split == "test"]
  again = mixture_spec.all_rates_content(
      pool, rates_method="proportional", cap=3000,
      fixed=mixture_spec.fixed_shares({"sql_execution": 0.25}),
      pool_sources=["niv2"], include_test=False, held_out=held_out)
  for field in ("rates", "shares", "tasks", "excluded", "k", "pool"):
    assert again[field] == data[field], field
  assert list(again["rates"]) == list(data["rates"])


def test_registered_mixture_components_and_rates(data):
  assert NAME in mixtures.MIXTURES
  mix = seqio.get_mixture_or_task(NAME)
  rates = {t.name: mix.get_rate(t) / mix.total_rate for t in mix.tasks}
  assert set(rates) == set(data["rates"]) and len(rates) > 1400
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
