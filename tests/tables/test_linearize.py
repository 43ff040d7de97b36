"""TAPEX and markdown linearization."""

import itertools

from symtune_jax.tables import linearize
from symtune_jax.tables.table import Table


def _t():
  return Table.from_rows("t", ["Name", "Year"], [["Ann", "1999"], ["Bob", "2001"]])


def test_tapex_format():
  assert linearize.tapex(_t()) == "col : Name | Year row 1 : Ann | 1999 row 2 : Bob | 2001"
  assert linearize.tapex(_t(), lower=True) == (
      "col : name | year row 1 : ann | 1999 row 2 : bob | 2001")


def test_tapex_pieces_compose():
  t = _t()
  assert linearize.tapex(t) == " ".join(
      [linearize.tapex_header(t.header)]
      + [linearize.tapex_row(i, r) for i, r in enumerate(t.rows, start=1)])


def test_markdown_format():
  assert linearize.markdown(_t()) == (
      "| Name | Year |\n| --- | --- |\n| Ann | 1999 |\n| Bob | 2001 |")


def test_max_cell_chars():
  t = Table.from_rows("t", ["a"], [["abcdefghij"], ["abc   def"]])
  assert linearize.tapex(t, max_cell_chars=4) == "col : a row 1 : abcd row 2 : abc"


def test_clean_cell():
  assert linearize.clean_cell("a|b\n c\u200b") == "a/b c"
  assert linearize.clean_cell("plain text") == "plain text"
  assert linearize.clean_cell("  x  ") == "x"
  assert linearize.clean_cell("\u00e9t\u00e9 \u2603") == "\u00e9t\u00e9 \u2603"


def test_display_form_cached_per_table():
  t = _t()
  assert linearize.display_cells(t) is linearize.display_cells(t)
  assert linearize.display_cells(t, 2) != linearize.display_cells(t)


def test_tapex_rows_is_tapex_of_the_selected_rows():
  t = Table.from_rows("t", ["Name", "Year"], [["Ann", "1999"], ["Bob", "2001"], ["Cy", ""]])
  assert linearize.tapex_rows(t, [1]) == "col : Name | Year row 1 : Bob | 2001"
  for rows in ([], [0], [2], [0, 2], [1, 2], [0, 1, 2], [2, 0]):
    assert linearize.tapex_rows(t, rows) == linearize.tapex(t.select_rows(rows)), rows
  # The last cell empty: no trailing space, as tapex strips the whole text.
  assert linearize.tapex_rows(t, [2]).endswith("row 1 : Cy |")
  # A row whose whole text is empty (one empty cell), first, between, last.
  one = Table.from_rows("o", ["Name"], [[""], ["a"], [""], ["b"], [""]])
  for rows in itertools.chain.from_iterable(
      itertools.permutations(range(5), k) for k in range(4)):
    assert linearize.tapex_rows(one, rows) == linearize.tapex(one.select_rows(rows)), rows
  # Longer tables than 64 rows: more label blocks (and each is reused after).
  long = Table.from_rows("l", ["n", "m"], [[str(i), ""] for i in range(300)])
  for rows in (range(300), range(299, -1, -3), [7], range(150)):
    assert linearize.tapex_rows(long, list(rows)) == linearize.tapex(long.select_rows(rows))
