"""Example builder: determinism, splits, truncation before execution, table sources."""

import json
import logging
import random

import pytest

from symtune_jax.sql import prompts
from symtune_jax.errors import InputError
from symtune_jax.sql import builder as sx
from symtune_jax.sql.builder import ExampleBuilder, ExampleConfig, attempt_rng, build_example
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
    kept = _rows_shown(table, e["inputs"])
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
  assert s.examples == 100 and s.fallbacks == 0
  assert s.attempts == s.examples + sum(s.skips.values())
  assert sum(s.shapes.values()) == s.examples == sum(s.answer_counts.values())
  assert 0.5 < s.kept_share <= 1


def test_bad_config():
  with pytest.raises(ValueError, match="mode"):
    ExampleConfig(mode="joins")


def _rows_shown(table, inputs):
  # TAPEX strips the text's end: a last row whose last cell is empty ends in ' |'.
  def shown(r):
    key = f" : {' | '.join(r)}"
    return key in inputs or (key.rstrip() + "\n") in inputs or inputs.endswith(key.rstrip())
  return [r for r in table.rows if shown(r)]


@pytest.mark.parametrize("limit,allowance", [(2048, 128), (300, 0)])
def test_max_input_length_bounds_the_whole_input(sample_tables, limit, allowance):
  """Inputs (instruction + SQL + table, in UTF-8 bytes) fit limit - 1; targets are
  the answers on the rows shown, also when a long query made more rows go."""
  cfg = ExampleConfig(max_input_length=limit, sql_allowance=allowance)
  builder = ExampleBuilder(sample_tables, cfg, length_fn=truncate.utf8_length)
  by_id = {t.table_id: t for s in SPLITS for t in builder.tables(s)}
  ex = Executor()
  lengths = []
  for split in SPLITS:
    for i in range(40):
      e = builder.example(0, split, i)
      lengths.append(len(e["inputs"].encode("utf-8")))
      table = by_id[e["table_id"]]
      fresh = Table(table_id="fresh", header=table.header,
                    rows=tuple(_rows_shown(table, e["inputs"])), types=table.types)
      assert ex.execute(fresh, e["sql"]).text == e["targets"], e["sql"]
  assert max(lengths) <= limit - 1
  assert max(lengths) > limit - 200  # the budget is used, not wasted
  if allowance == 0:
    assert builder.stats.refits > 0  # every query is longer than a 0-token allowance


def test_every_index_yields_through_the_fallback(sample_tables):
  """With one attempt per index, indices whose random attempt failed still get an
  example, deterministically, from the split's other tables."""
  cfg = ExampleConfig(max_attempts=1, min_values=3)  # many single-value answers skip
  a, b = ExampleBuilder(sample_tables, cfg), ExampleBuilder(sample_tables, cfg)
  got = [a.example(0, "train", i) for i in range(60)]
  assert all(e["num_answers"] >= 3 for e in got)
  assert a.stats.fallbacks > 0 and a.stats.examples == 60
  assert [b.example(0, "train", i) for i in reversed(range(60))] == got[::-1]


@pytest.mark.parametrize("cfg,chunk", [
    (ExampleConfig(), 512),
    (ExampleConfig(), 7),  # chunks that end mid-range
    (ExampleConfig(max_attempts=1, min_values=3), 16),  # many indices reach the fallback
    (ExampleConfig(max_input_length=600, sql_allowance=0), 32),  # refits after running
])
def test_examples_in_chunks_equal_one_at_a_time(sample_tables, cfg, chunk):
  """`examples` (sample every pending index, then run them all) gives each index
  the example and the statistics `example` gives it."""
  a, b = ExampleBuilder(sample_tables, cfg), ExampleBuilder(sample_tables, cfg)
  want = [a.example(3, "train", i) for i in range(5, 205)]
  assert list(b.examples(3, "train", 5, 205, chunk=chunk)) == want
  assert b.stats.to_json() == a.stats.to_json()
  assert a.stats.attempts > 200  # some indices needed more than one attempt
  assert (a.stats.fallbacks > 0) == (cfg.max_attempts == 1)
  assert (a.stats.refits > 0) == (cfg.max_input_length is not None)


def test_examples_reuse_their_generators_safely(sample_tables):
  """`examples` reseeds the last round's attempt generators (`seeding.from_text`
  with ``rng``): generators of one builder interleaved still give each index
  `example`'s example."""
  cfg = ExampleConfig(max_input_length=600)  # cut tables: the order generators too
  ref = ExampleBuilder(sample_tables, cfg)
  want = {s: [ref.example(s, "train", i) for i in range(120)] for s in (1, 2)}
  b = ExampleBuilder(sample_tables, cfg)
  one, two = b.examples(1, "train", 0, 120, chunk=16), b.examples(2, "train", 0, 120, chunk=24)
  got = {1: [], 2: []}
  for x, y in zip(one, two):  # each generator suspended mid-range while the other runs
    got[1].append(x)
    got[2].append(y)
  assert got == want
  assert b._spare_rngs  # pylint: disable=protected-access  (given back for the next call)


@pytest.mark.parametrize("cfg", [ExampleConfig(), ExampleConfig(max_input_length=600)])
def test_warm_builds_the_per_table_caches_and_changes_no_example(sample_tables, cfg):
  cold, warm = ExampleBuilder(sample_tables, cfg), ExampleBuilder(sample_tables, cfg)
  warm.warm("train")
  pool = warm.tables("train")
  assert all(t.table_id in warm.executor._dbs for t in pool)  # pylint: disable=protected-access
  assert warm._linear  # pylint: disable=protected-access  (whole-table texts made)
  assert not cold.executor._dbs  # pylint: disable=protected-access
  # Whether each table fits whole is known for every phrasing's budget (they
  # differ with a whole-input limit).
  budgets = {warm._budgets(p) for p in range(len(prompts.PROMPTS))}  # pylint: disable=protected-access
  assert (len(budgets) > 1) == (cfg.max_input_length is not None)
  for limit, budget in budgets:
    verify = limit is None
    for table in pool:
      whole = truncate.fit_to_budget(table, max(0, budget), warm.length_fn,
                                     order_seed=0, max_cell_chars=cfg.max_cell_chars,
                                     verify=verify) is table
      key = (id(table), max(0, budget), verify)
      assert (warm._whole.get(key) is table) == whole  # pylint: disable=protected-access
      if not whole:  # the row texts its cut versions are made of
        assert table.cache(linearize._ROWS_ATTR).get(None) is not None  # pylint: disable=protected-access
  assert list(warm.examples(3, "train", 0, 150)) == list(cold.examples(3, "train", 0, 150))
  assert warm.stats.to_json() == cold.stats.to_json()


def test_tapex_rows_equals_tapex_on_the_pool_tables(sample_tables):
  rng = random.Random(0)
  for table in ExampleBuilder(sample_tables).tables("train"):
    for _ in range(5):
      rows = sorted(rng.sample(range(table.num_rows), rng.randint(0, table.num_rows)))
      assert linearize.tapex_rows(table, rows) == linearize.tapex(table.select_rows(rows))


def test_no_table_can_make_an_example_raises():
  one_row = [Table.from_rows(f"t{i}", ["a", "b"], [["x", "1"]]) for i in range(3)]
  builder = ExampleBuilder(one_row, ExampleConfig(min_values=2, max_attempts=2))
  split = split_of("t0")
  with pytest.raises(InputError, match="no SQL example for index 0"):
    builder.example(0, split, 0)


def _write(path, text):
  path.write_text(text, encoding="utf-8")
  return path


def test_table_sources_csv_jsonl_folder_and_file(tmp_path, caplog):
  folder = tmp_path / "tables"
  folder.mkdir()
  _write(folder / "cities.csv", 'city,pop\n"Paris, FR",2100000\nLyon,500000\n')
  _write(folder / "more.jsonl",
         '{"table_id": "t1", "header": ["a", "b"], "rows": [["x", 1], ["y", 2]]}\n'
         'not json\n')
  _write(folder / "ragged.csv", "a,b\n1,2\n3\n")
  _write(folder / "notes.txt", "ignored")
  stats = sx.TableLoadStats()
  with caplog.at_level(logging.WARNING):
    tables = sx.load_tables(tables=folder, stats=stats)
  assert sorted(t.table_id for t in tables) == ["cities", "t1"]
  assert dict(stats.reasons) == {"bad_json": 1, "ragged_row": 1}
  assert stats.loaded == 2 and stats.skipped == 2
  assert "ragged.csv:3" in caplog.text and "ragged_row" in caplog.text
  (city,) = sx.load_tables(tables=folder / "cities.csv")
  assert city.rows[0] == ("Paris, FR", "2100000") and city.types[1].value == "number"
  assert [t.table_id for t in sx.load_tables(tables=folder / "more.jsonl")] == ["t1"]
  builder = ExampleBuilder(tables, table_skips=stats.reasons)
  assert builder.stats.table_skips == {"table_bad_json": 1, "table_ragged_row": 1}
  assert builder.stats.to_json()["table_skips"] == {"table_bad_json": 1, "table_ragged_row": 1}


def test_table_source_errors(tmp_path):
  with pytest.raises(InputError, match="not found; expected a WikiTableQuestions folder"):
    sx.load_tables(tables=tmp_path / "missing")
  with pytest.raises(InputError, match="a .txt file; expected"):
    sx.load_tables(tables=_write(tmp_path / "t.txt", "a,b\n1,2\n"))
  empty = tmp_path / "empty"
  empty.mkdir()
  with pytest.raises(InputError, match="no csv/ folder and no .csv or .jsonl files"):
    sx.load_tables(tables=empty)
  with pytest.raises(InputError, match=r"bad.csv:3.*2 \(the header's\)"):
    sx.load_tables(tables=_write(tmp_path / "bad.csv", "a,b\n1,2\n3,4,5\n"))
  with pytest.raises(InputError, match=r"no table loaded \(1 skipped; first: .*bad.jsonl:1"):
    sx.load_tables(tables=_write(tmp_path / "bad.jsonl", "[1, 2]\n"))


def test_stats_merge_and_json_roundtrip():
  a = sx.GenerationStats(examples=2, attempts=3, fallbacks=1, refits=1)
  a.skips["empty"] += 1
  a.table_skips["table_ragged_row"] = 2
  b = sx.GenerationStats.from_json(a.to_json())
  assert b == a
  b.merge(a)
  assert (b.examples, b.attempts, b.fallbacks, b.skips["empty"]) == (4, 6, 2, 2)
  assert b.table_skips == {"table_ragged_row": 2}  # the same tables, not summed


def test_examples_run_each_first_statement_ahead_once(sample_tables):
  """`examples` runs every attempt's first statement ahead, back to back
  (`Executor.run_ahead`), and `execute` takes those results: each statement
  runs once, as many as one index at a time runs, with the same examples."""
  def counting(builder):
    calls = []
    fetch = builder.executor._fetch  # pylint: disable=protected-access
    builder.executor._fetch = lambda *a: calls.append(a[1]) or fetch(*a)  # pylint: disable=protected-access
    return calls

  a, b = ExampleBuilder(sample_tables), ExampleBuilder(sample_tables)
  ran_a, ran_b = counting(a), counting(b)
  served = []
  run_ahead = b.executor.run_ahead
  b.executor.run_ahead = lambda runs: served.extend(out := run_ahead(runs)) or out
  want = [a.example(3, "train", i) for i in range(300)]
  assert list(b.examples(3, "train", 0, 300)) == want
  assert sorted(ran_b) == sorted(ran_a)  # no statement twice, none left out
  assert sum(s is not None for s in served) > 0.9 * b.stats.attempts


def test_attempt_rng_is_random_seeded_with_its_text():
  """`attempt_rng` seeds without `random.Random.seed`'s Python checks; its
  stream is that of ``random.Random(text)`` (the data contract)."""
  for args in [(0, 0, 0, 0), (7, 2, 123456, 3), (2**40, 1, 10**9, "start"), (-3, 0, 5, 29)]:
    ours, ref = attempt_rng(*args), random.Random("/".join(map(str, args)))
    assert type(ours) is random.Random
    assert [ours.random() for _ in range(50)] == [ref.random() for _ in range(50)]
    assert ours.getrandbits(62) == ref.getrandbits(62)
    assert ours.getstate() == ref.getstate()
    assert ours.gauss(0, 1) == ref.gauss(0, 1)


def test_rows_run_on_are_the_rows_the_truncation_kept(sample_tables):
  """`_where_to_run` reads a cut table's rows from its selection
  (`Table.source_rows`); the same rows as found by row identity."""
  b = ExampleBuilder(sample_tables)
  cut = 0
  for table in b.tables("train")[:40]:
    for seed in range(4):
      shown = b._truncate(table, 80, seed)  # pylint: disable=protected-access
      if shown is table:
        continue
      cut += 1
      run_on, rows = b._where_to_run(table, shown)  # pylint: disable=protected-access
      assert run_on is table and [table.rows[i] for i in rows] == list(shown.rows)
      alone = Table(table_id=shown.table_id, header=shown.header, rows=shown.rows,
                    types=shown.types)  # the same row tuples, no selection recorded
      assert alone.source_rows is None
      assert b._where_to_run(table, alone) == (table, rows)  # pylint: disable=protected-access
  assert cut > 20


def test_inputs_are_each_layout_formatted():
  """`prompts.format_inputs` joins each layout's pieces, split once: the text
  `str.format` makes of the layout (the module docstring's example too)."""
  sql, table = 'SELECT "a{b}" FROM w WHERE "c" = \'{x}\'', "col : a {0} row 1 : x"
  for k, (instruction, layout) in enumerate(prompts.PROMPTS):
    want = layout.format(instruction=instruction, sql=sql, table=table)
    assert prompts.format_inputs(k, sql, table) == want
  assert prompts.format_inputs(0, "SELECT COUNT(*) FROM w", "col : a row 1 : x") == (
      "Execute the following SQL query on the table and give the result.\n\n"
      "SQL: SELECT COUNT(*) FROM w\n\nTable: col : a row 1 : x")
  for bad in ("{instruction} {sql}", "{sql} {table} {sql}", "{instruction} {sql!r} {table}",
              "{sql} {table} {other}"):
    with pytest.raises(ValueError, match="layout"):
      prompts._compiled("i", bad)  # pylint: disable=protected-access
