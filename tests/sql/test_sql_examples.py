"""Example builder: determinism, splits, truncation before execution."""

import json

import pytest

from symtune_jax.sql import prompts
from symtune_jax.sql.examples import ExampleBuilder, ExampleConfig, build_example
from symtune_jax.sql.executor import Executor
from symtune_jax.sql.splits import SPLITS, held_out_ids, split_of
from symtune_jax.tables import linearize, loaders, truncate
from symtune_jax.tables.table import Table


def test_example_is_a_function_of_seed_split_index(sample_tables):
  a = ExampleBuilder(sample_tables)
  b = ExampleBuilder(list(reversed(sample_tables)))  # order of the input doesn't matter
  first = [a.example(0, "train", i) for i in range(30)]
  assert [b.example(0, "train", i) for i in reversed(range(30))] == first[::-1]
  assert build_example(0, "train", 7, sample_tables) == first[7]
  assert a.example(1, "train", 0) != first[0]
  assert a.example(0, "validation", 0)["table_id"] != first[0]["table_id"] or \
      a.example(0, "validation", 0) != first[0]


def test_inputs_targets_and_metadata(sample_tables):
  ex = ExampleBuilder(sample_tables).example(3, "train", 11)
  assert set(ex) == {"inputs", "targets", "table_id", "shape", "sql", "num_answers"}
  assert any(ex["inputs"].startswith(i) for i in prompts.INSTRUCTIONS)
  assert ex["sql"] in ex["inputs"] and "col : " in ex["inputs"]
  assert 1 <= ex["num_answers"] <= 10 and ex["targets"]
  assert split_of(ex["table_id"]) == "train"


def test_answers_match_the_truncated_table_the_model_sees(sample_tables):
  """Re-run each query on a fresh table rebuilt from the rows shown in the input."""
  cfg = ExampleConfig(table_budget=120)  # small: most tables lose rows
  builder = ExampleBuilder(sample_tables, cfg)
  by_id = {t.table_id: t for t in builder.tables("train")}
  ex = Executor()
  truncated = 0
  for i in range(60):
    e = builder.example(0, "train", i)
    table = by_id[e["table_id"]]
    kept = [r for r in table.rows if f" : {' | '.join(r)}" in e["inputs"]]
    truncated += len(kept) < table.num_rows
    fresh = Table(table_id="fresh", header=table.header, rows=tuple(kept), types=table.types)
    assert ex.execute(fresh, e["sql"]).text == e["targets"], e["sql"]
    assert truncate.approx_token_length(linearize.tapex(fresh)) <= 120
  assert truncated > 10


def test_held_out_tables_never_in_train():
  ids = held_out_ids()
  assert len(ids) == 336
  assert all(split_of(t) != "train" for t in ids)
  assert {split_of(t) for t in ids} == {"validation", "test"}
  others = [f"20{i % 5}_{i}" for i in range(3000)]
  shares = {s: sum(split_of(t) == s for t in others if t not in ids) / 3000 for s in SPLITS}
  assert shares["train"] > 0.8 and shares["validation"] > 0.02 and shares["test"] > 0.02


def test_shipped_ids_file_is_tapex_list(shared_data):
  with open(shared_data / "wtq" / "tapex-dev-0.ids") as f:
    assert frozenset(json.load(f)) == held_out_ids()


def test_real_wtq_split_sizes(wtq_root):
  builder = ExampleBuilder(loaders.iter_wtq_tables(wtq_root, on_error="skip"))
  sizes = {s: builder.num_tables(s) for s in SPLITS}
  assert sum(sizes.values()) >= 2000
  assert sizes["validation"] + sizes["test"] >= 336
  assert not {t.table_id for t in builder._raw["train"]} & held_out_ids()  # pylint: disable=protected-access


def test_template_and_mixed_modes(sample_tables):
  t = ExampleBuilder(sample_tables, ExampleConfig(mode="templates"))
  shapes = {t.example(0, "train", i)["shape"] for i in range(40)}
  assert len(shapes) >= 4
  m = ExampleBuilder(sample_tables, ExampleConfig(mode="mixed"))
  assert all(m.example(0, "train", i) for i in range(20))


def test_stats_count_kept_and_skipped(sample_tables):
  builder = ExampleBuilder(sample_tables)
  for i in range(100):
    builder.example(0, "train", i)
  s = builder.stats
  assert s.examples + s.failed == 100
  assert s.attempts == s.examples + sum(s.skips.values())
  assert sum(s.shapes.values()) == s.examples == sum(s.answer_counts.values())
  assert 0.5 < s.kept_share <= 1


def test_bad_config():
  with pytest.raises(ValueError, match="mode"):
    ExampleConfig(mode="joins")
