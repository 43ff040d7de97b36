"""`linearize.tapex` against TAPEX's own linearizer, byte for byte, on the same cells.

`_tapex_reference` restates the logic of ``IndexedRowTableLinearize.process_table``
(microsoft/Table-Pretraining, tapex/processor/table_linearize.py, MIT): header
'col : ' + ' | '.join(header) + ' ', then per row 'row i : ' + ' | '.join(cells)
+ ' ', and ``strip()`` of the whole text; with lower_case, cells (not the header)
are lower-cased.
"""

import pytest

from symtune_jax.tables import linearize, loaders
from symtune_jax.tables.table import Table


def _tapex_reference(header, rows, lower_case=False):
  text = "col : " + " | ".join(header) + " "
  for i, row in enumerate(rows):
    cells = [c.lower() if lower_case else c for c in row]
    text += "row " + str(i + 1) + " : " + " | ".join(cells) + " "
  return text.strip()


def _same(table):
  return linearize.tapex(table) == _tapex_reference(table.header, table.rows)


@pytest.mark.parametrize("rows", [
    [["a", ""]],                       # empty last cell: no trailing space
    [["a", ""], ["b", ""]],            # ... and in a middle row the double space stays
    [["two  spaces", " pad "]],        # spaces kept as they are
    [["a|b", "c\nd"]],                 # '|' and newlines kept (cleaning is the loader's)
    [["", ""]],
    [],
])
def test_tapex_equals_reference_on_odd_cells(rows):
  t = Table.from_rows("t", ["h1", "h2"], rows)
  assert _same(t)
  assert linearize.tapex(t, lower=True) == linearize.tapex(t).lower()


def test_loader_cleaning_is_documented_and_switchable(tmp_path):
  path = tmp_path / "t.csv"
  path.write_text('a,b\n"x | y","two  spaces\n"\n')
  assert loaders.load_csv(path).rows == (("x / y", "two spaces"),)
  assert loaders.load_csv(path, clean=False).rows == (("x | y", "two  spaces\n"),)
  assert "clean" in loaders.__doc__ and "clean_cell" in loaders.__doc__


def test_every_wtq_table_matches_tapex(shared_data):
  """All official WTQ tables (2,108), cells as the file has them (loader cleaning off)."""
  root = shared_data / "wtq" / "official"
  stats = loaders.LoadStats()
  tables = list(loaders.iter_wtq_tables(root, on_error="skip", stats=stats, clean=False))
  assert len(tables) + stats.skipped == 2108
  bad = [t.table_id for t in tables if not _same(t)]
  assert not bad, f"{len(bad)} tables differ from TAPEX, e.g. {bad[:5]}"
