"""Real WikiTableQuestions data from ../shared/data (skipped in a fresh clone)."""

import json

from symtune_jax.tables import linearize, loaders, sample, truncate


def test_all_official_tables_load(shared_data):
  stats = loaders.LoadStats()
  tables = list(loaders.iter_wtq_tables(shared_data / "wtq/official", stats=stats))
  assert len(tables) == 2108 and stats.skipped == 0
  assert len({t.table_id for t in tables}) == 2108
  assert all(t.num_rows > 0 and t.num_columns > 0 for t in tables)
  # Every table linearizes and truncates within budget.
  for t in tables[::50]:
    out = truncate.fit_to_budget(t, 256)
    assert truncate.approx_token_length(linearize.tapex(out)) <= 256 or out.num_rows == 0


def test_squall_agrees_with_csv_on_shape(shared_data):
  csv_root = shared_data / "wtq/official"
  squall = list(loaders.load_squall_jsonl(shared_data / "wtq/tables.jsonl"))
  assert len(squall) == 2108
  sample_ids = sorted(t.table_id for t in squall)[::20]
  by_id = {t.table_id: t for t in squall}
  same = 0
  for tid in sample_ids:
    a, b = tid.split("_")
    c = loaders.load_wtq_csv(csv_root / f"csv/{a}-csv/{b}.csv")
    s = by_id[tid]
    same += (c.num_rows, c.num_columns) == (s.num_rows, s.num_columns)
  # SQUALL reshapes a few tables (62 of 2,108: split or merged columns).
  assert same >= 0.9 * len(sample_ids)


def test_questions_reference_existing_tables(shared_data):
  root = shared_data / "wtq/official"
  qs = list(loaders.load_wtq_questions(root / "data/training.tsv"))
  assert len(qs) == 14152
  assert all((root / q["context"]).is_file() for q in qs[:500])


def test_shipped_sample_is_a_faithful_copy(shared_data):
  root = shared_data / "wtq/official"
  dev = set(json.loads((shared_data / "wtq/tapex-dev-0.ids").read_text()))
  for t in sample.load_sample_tables():
    a, b = t.table_id.split("_")
    rel = f"csv/{a}-csv/{b}.csv"
    assert (sample.sample_root() / rel).read_bytes() == (root / rel).read_bytes()
    assert t.table_id not in dev


def test_tabfact_tables_load(shared_data):
  paths = sorted((shared_data / "tabfact/all_csv").glob("*.html.csv"))[:300]
  tables = [loaders.load_tabfact_csv(p) for p in paths]
  assert len(tables) == 300 and all(t.num_rows > 0 for t in tables)
