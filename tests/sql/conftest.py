"""Fixtures for the SQL tests: a small typed table and real WTQ tables."""

import pathlib
import random

import pytest

from symtune_jax.tables import loaders, sample
from symtune_jax.tables.table import Table


def fast_equals_reference(make, tables, rng, n, what):
  """Calls ``make(table, rng, reference)`` n times, the fast path and the sqlglot
  reference path from equal RNG states, and asserts the same draws, the same
  None-ness and the same SQL text; returns the queries made."""
  made = []
  for i in range(n):
    table = tables[i % len(tables)]
    state = rng.getstate()
    fast = make(table, rng, False)
    ref_rng = random.Random()
    ref_rng.setstate(state)
    ref = make(table, ref_rng, True)
    assert rng.getstate() == ref_rng.getstate(), what  # the same draws
    assert (fast is None) == (ref is None), what
    if fast is not None:
      assert fast.sql == ref.sql, (what, table.table_id)
      made.append((fast, ref))
  return made


@pytest.fixture(scope="session")
def same_sql_both_paths():
  """`fast_equals_reference`, for tests of the sampler and the templates."""
  return fast_equals_reference


@pytest.fixture(scope="session")
def cyclists() -> Table:
  """A hand-made table with number, date and text columns, and an empty cell."""
  return Table.from_rows("t_cyclists", ["Rank", "Cyclist", "Team", "Points", "Date"], [
      ["1", "Alejandro Valverde", "Caisse d'Epargne", "40", "2008-06-01"],
      ["2", "Alexandr Kolobnev", "Team CSC", "30", "2008-06-02"],
      ["3", "Davide Rebellin", "Gerolsteiner", "25", "2008-06-03"],
      ["4", "Paolo Bettini", "Quick Step", "20", "2008-06-04"],
      ["5", "Franco Pellizotti", "Liquigas", "15", "2008-06-05"],
      ["6", "Denis Menchov", "Rabobank", "", "2008-06-05"],
      ["7", "Samuel Sánchez", "Euskaltel", "5", "2008-06-07"],
      ["8", "Stéphane Goubert", "Team CSC", "3", "2008-06-08"],
  ])


@pytest.fixture(scope="session")
def sample_tables() -> list[Table]:
  """The ~100 real WTQ tables shipped in the package."""
  return sample.load_sample_tables()


@pytest.fixture
def wtq_root(shared_data) -> pathlib.Path:
  """../shared/data/wtq/official (skips where absent)."""
  return shared_data / "wtq" / "official"


@pytest.fixture
def wtq_tables(wtq_root):
  """n -> the first n loadable tables of ../shared/data/wtq/official."""
  def first(n: int) -> list[Table]:
    out = []
    for path in loaders.wtq_table_paths(wtq_root):
      try:
        out.append(loaders.load_wtq_csv(path))
      except Exception:  # pylint: disable=broad-except  (a few WTQ csvs are ragged)
        continue
      if len(out) == n:
        break
    return out
  return first


@pytest.fixture(scope="session")
def all_wtq_tables() -> list[Table]:
  """Every loadable table of ../shared/data/wtq/official (skips where absent)."""
  from symtune_jax import settings  # pylint: disable=g-import-not-at-top
  from symtune_jax.sql import builder as sx  # pylint: disable=g-import-not-at-top
  root = pathlib.Path(settings.get("shared_data")) / "wtq" / "official"
  if not (root / "csv").is_dir():
    pytest.skip(f"real WTQ tables not found at {root} (set SYMTUNE_SHARED_DATA)")
  return sx.load_tables(tables=root)
