"""The WTQ sample shipped in the package (works without ../shared)."""

from symtune_jax.tables import loaders, sample


def test_sample_loads_from_package():
  tables = sample.load_sample_tables()
  assert len(tables) == sample.SAMPLE_SIZE
  assert len({t.table_id for t in tables}) == len(tables)
  assert all(t.num_rows > 0 for t in tables)
  root = sample.sample_root()
  assert (root / "LICENSE").read_text().startswith("Attribution-ShareAlike 4.0")
  assert "CC BY-SA 4.0" in (root / "README.md").read_text()


def test_sample_questions_refer_to_sample_tables():
  ids = {t.table_id for t in sample.load_sample_tables()}
  qs = list(loaders.load_wtq_questions(sample.sample_questions_path()))
  assert len(qs) > 100
  assert {q["table_id"] for q in qs} == ids
  assert all(q["targetValue"] and q["utterance"] for q in qs)


def test_sample_small():
  size = sum(p.stat().st_size for p in sample.sample_root().rglob("*") if p.is_file())
  assert size < 400_000
