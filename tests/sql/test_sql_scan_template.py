"""The sampler's templates (`sampler._TextCtx`, `textscan.scan_template`).

A sampled query's SQL is its template filled with its literals, and the facts
`scan_template` reads once per template are the facts `scan_cached` reads from
the query's text: on every shape, on the real tables, and on tables whose
names and values are made to be awkward for a template (quotes, digits,
negative numbers, braces, LIMIT in a name, non-ASCII digits, names equal but
for case).
"""

import random

import pytest

from symtune_jax.sql import executor as sqlx, textscan
from symtune_jax.sql.sampler import SHAPES, sample_query
from symtune_jax.tables.table import Table


def _check(tables, n, seed):
  """Samples n queries and compares `scan_template` with `scan_cached` on each,
  from an empty template cache; returns the shapes seen."""
  textscan._TEMPLATES.clear()  # pylint: disable=protected-access
  rng = random.Random(seed)
  shapes, probes, conditions = set(), 0, 0
  made = 0
  while made < n:
    table = tables[rng.randrange(len(tables))]
    query = sample_query(table, rng)
    if query is None:
      continue
    made += 1
    assert query.template.format(*query.literals) == query.sql
    assert len(set(query.literals)) == len(query.literals)  # one placeholder per text
    index, quoted = textscan.header_index(table.header), sqlx.quoted_index(table.header)
    # Every name the sampler writes is found by its text (no fall-back to the text).
    assert all(t in quoted for t in query.literals if t[0] == '"'), query.sql
    want = textscan.scan_cached(query.sql, index)
    got = textscan.scan_template(query.sql, query.template, query.literals, index, quoted)
    assert got == want, (query.sql, query.template)
    shapes.add(query.shape)
    if want is not None:
      probes += want.limit_probe is not None
      conditions += bool(want.order_free_if or want.probe_decides_if)
  # Every template of a sampled query is read from its entry, none as text.
  entries = textscan._TEMPLATES.values()  # pylint: disable=protected-access
  assert entries and all(e is not None for e in entries)
  assert probes and conditions  # the probe and the data's conditions were filled in too
  return shapes


def test_template_facts_equal_the_text_on_every_shape(sample_tables):
  assert _check(sample_tables, 6000, seed=0) == set(SHAPES)


def test_template_facts_equal_the_text_on_real_tables(all_wtq_tables):
  assert _check(all_wtq_tables, 20000, seed=1) == set(SHAPES)


def _awkward_tables() -> list[Table]:
  rng = random.Random(7)
  headers = [
      ["Team", "team x", 'odd "name"', "x1", "LIMIT", "2", "Points", "Date", "Diff"],
      ["{0}", "}{", "q0", "s0", "٣ rank", "1e3", "Rank", "When", "Score"],
      ["a'b", '"', "ORDER BY", "-1", "Nr.", "Total", "Day", "Gap", "Name"],
  ]
  texts = ["it's", "{1}", "{}", "LIMIT 2", "٣", "x1", "'", '"', "a, b", "-3", "1.5",
           "Team", "0", "q0", "s0", "ü", "{0!s}", "5 LIMIT", "", "--", "a.b"]
  numbers = ["-3", "-0.5", "0", "-0", "1.5", "12", "3", "0.333333", "1000000", "-12", "2",
             "1", ""]
  dates = ["2008-06-01", "2008-06-02", "2008-06-02", "2010-01-31", "1999-12-31", ""]
  tables = []
  for t, header in enumerate(headers):
    for size in (3, 7, 15):
      rows = []
      for i in range(size):
        rows.append([rng.choice(texts), rng.choice(texts), rng.choice(texts),
                     rng.choice(texts), rng.choice(texts + numbers),
                     str(i if t else -i), rng.choice(numbers), rng.choice(dates),
                     rng.choice(numbers)])
      tables.append(Table.from_rows(f"t_awkward_{t}_{size}", header, rows, fix_header=False))
  return tables


def test_template_facts_equal_the_text_on_awkward_tables():
  tables = _awkward_tables()
  assert any('"' in h for t in tables for h in t.header)
  assert _check(tables, 8000, seed=2) == set(SHAPES)


@pytest.mark.parametrize("template,literals", [
    # A number of the template's own outside LIMIT: a slot with no placeholder.
    ('SELECT {0!s} FROM w WHERE {1!s} > 2', ['"Team"', '"P"']),
    # A placeholder touching a digit: the query's literal is not the placeholder's.
    ('SELECT {0!s} FROM w WHERE {1!s} = {2:}5', ['"Team"', '"P"', "3"]),
    # A number touching a word: the query has a digit outside its literals.
    ('SELECT {0!s} FROM w WHERE {1!s} = x{2:}', ['"Team"', '"P"', "3"]),
])
def test_templates_that_cannot_stand_for_their_text_are_read_as_text(template, literals):
  textscan._TEMPLATES.clear()  # pylint: disable=protected-access
  header = ["Team", "P"]
  sql = template.format(*literals)
  index, quoted = textscan.header_index(header), sqlx.quoted_index(header)
  for _ in range(2):  # the entry made, then read
    got = textscan.scan_template(sql, template, literals, index, quoted)
    assert got == textscan.scan_cached(sql, index)
  assert textscan._TEMPLATES[template] is None  # pylint: disable=protected-access


def test_a_template_with_a_limit_reads_each_query_s_literals():
  textscan._TEMPLATES.clear()  # pylint: disable=protected-access
  header = ["Team", "P", "W"]
  index, quoted = textscan.header_index(header), sqlx.quoted_index(header)
  template = 'SELECT {0!s} FROM w WHERE {1!s} = {2:} OR {1!s} < -{3:} ORDER BY {4!s} DESC LIMIT 1'
  for literals in (['"Team"', '"P"', "1", "2", '"W"'], ['"W"', '"Team"', "0", "7", '"P"'],
                   ['"P"', '"W"', "12", "1", '"Team"']):
    sql = template.format(*literals)
    want = textscan.scan_cached(sql, index)
    assert want.limit_probe is not None
    assert textscan.scan_template(sql, template, literals, index, quoted) == want


def test_quoted_index_finds_what_the_header_index_finds():
  header = ["Team", "team", 'odd "name"', "P"]
  quoted = sqlx.quoted_index(header)
  assert quoted == {'"Team"': 0, '"team"': 0, '"odd ""name"""': 2, '"P"': 3}


def test_placeholders_past_the_ones_made_once():
  from symtune_jax.sql import sampler  # pylint: disable=g-import-not-at-top
  for kind in (sampler._PH_NAME, sampler._PH_STRING, sampler._PH_NUMBER, sampler._PH_NEGATIVE):
    assert sampler._placeholder(kind, 3) == kind[3]
    assert sampler._placeholder(kind, 70) == kind[7].replace("7", "70")
