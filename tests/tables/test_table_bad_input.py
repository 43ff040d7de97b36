"""Bad input: each case gives a clear error naming file, line and field, or is skipped and counted."""

import json

import numpy as np
import pytest

from symtune_jax.errors import InputError, TableError
from symtune_jax.tables import linearize, loaders, truncate
from symtune_jax.tables.table import Table


def test_ragged_csv_row_names_path_and_line(tmp_path):
  p = tmp_path / "ragged.csv"
  p.write_text('a,b,c\n1,2,3\n"multi\nline",5,6\n7,8\n')
  with pytest.raises(TableError) as e:
    loaders.load_csv(p)
  assert e.value.path == str(p) and e.value.line == 5
  assert "ragged.csv:5" in str(e.value) and "2 cells; expected 3" in str(e.value)


def test_ragged_wtq_row(tmp_path):
  p = tmp_path / "csv/200-csv/1.csv"
  p.parent.mkdir(parents=True)
  p.write_text('"a","b"\n"1","2"\n"3"\n')
  with pytest.raises(TableError, match=r"1\.csv:3"):
    loaders.load_wtq_csv(p)


def test_malformed_csv_quote(tmp_path):
  p = tmp_path / "bad.csv"
  p.write_text('a,b\n"x"y,2\n')
  with pytest.raises(InputError, match=r"bad\.csv:2.*malformed CSV"):
    loaders.load_csv(p)


@pytest.mark.parametrize("text,match", [("", "empty file"), ("\n\n", "empty file"),
                                        ("a,b\n", "no rows"), (",\n1,2\n", "blank header")])
def test_empty_tables(tmp_path, text, match):
  p = tmp_path / "e.csv"
  p.write_text(text)
  with pytest.raises(TableError, match=match) as e:
    loaders.load_csv(p)
  assert str(p) in str(e.value)


def test_header_only_allowed_when_asked(tmp_path):
  p = tmp_path / "h.csv"
  p.write_text("a,b\n")
  t = loaders.load_csv(p, allow_empty=True)
  assert t.num_rows == 0 and t.header == ("a", "b")
  assert linearize.tapex(t) == "col : a | b"


def test_missing_and_non_utf8_files(tmp_path):
  with pytest.raises(InputError, match="file not found"):
    loaders.load_csv(tmp_path / "nope.csv")
  p = tmp_path / "latin.csv"
  p.write_bytes("a,b\ncaf\xe9,1\n".encode("latin-1"))
  with pytest.raises(InputError, match="not UTF-8"):
    loaders.load_csv(p)


def test_blank_and_duplicate_headers_renamed_or_strict(tmp_path):
  p = tmp_path / "h.csv"
  p.write_text("Year,,Year,year\n1,2,3,4\n")
  t = loaders.load_csv(p)
  assert t.header == ("Year", "column_2", "Year_2", "year_3")
  with pytest.raises(TableError, match="blank header") as e:
    loaders.load_csv(p, strict_header=True)
  assert e.value.field == "column 2" and e.value.line == 1
  p.write_text("Year,Year\n1,2\n")
  with pytest.raises(TableError, match="duplicate header 'Year'"):
    loaders.load_csv(p, strict_header=True)


def test_sql_keyword_and_quoted_headers_work_in_sqlite(tmp_path):
  p = tmp_path / "kw.csv"
  p.write_text('select,from,order,"say ""hi""",group by\n'
               "a,1,3,x,g\nb,2,1,y,g\nc,3,2,z,h\n")
  t = loaders.load_csv(p)
  assert t.header == ("select", "from", "order", 'say "hi"', "group by")
  conn = t.to_sqlite()
  rows = conn.execute(
      'SELECT "select", "say ""hi""" FROM w WHERE "from" > 1 ORDER BY "order"').fetchall()
  assert rows == [("b", "y"), ("c", "z")]
  assert conn.execute('SELECT SUM("from") FROM w WHERE "group by" = \'g\'').fetchone() == (3.0,)


ODD_CELLS = ["a|b", "two\nlines", "tab\there", "zero\u200bwidth", "\u05e9\u05dc\u05d5\u05dd rtl",
             "emoji \U0001f600", "bom\ufeff", "line\u2028sep", "ctrl\x00\x07", "  pad  ", "|"]


def test_odd_cells_linearize_without_breaking_format(tmp_path):
  # The loaders clean cells (clean=True by default); the linearizer writes them as they are.
  path = tmp_path / "odd.jsonl"
  path.write_text(json.dumps({"table_id": "odd", "header": ["c|1", "c\n2"],
                              "rows": [[c, "v"] for c in ODD_CELLS]}) + "\n")
  (t,) = loaders.load_jsonl(path)
  (raw,) = loaders.load_jsonl(path, clean=False)
  assert raw.header[0] == "c|1" and [r[0] for r in raw.rows] == ODD_CELLS
  assert linearize.tapex(raw).startswith("col : c|1 | ")
  text = linearize.tapex(t)
  assert "\n" not in text and "\u2028" not in text and "\u200b" not in text
  pieces = text.split(" row ")
  assert pieces[0] == "col : c/1 | c 2"
  assert len(pieces) == len(ODD_CELLS) + 1
  for i, piece in enumerate(pieces[1:], start=1):
    prefix, cells = piece.split(" : ", 1)
    assert prefix == str(i)
    assert len(cells.split(" | ")) == 2  # exactly two cells: no stray '|'
  assert "row 1 : a/b | v" in text
  assert "row 6 : emoji \U0001f600 | v" in text
  assert "row 5 : \u05e9\u05dc\u05d5\u05dd rtl | v" in text
  md = linearize.markdown(t).split("\n")
  assert len(md) == len(ODD_CELLS) + 2
  assert all(line.count("|") == 3 for line in md)


def test_huge_table_truncates_to_budget():
  rng = np.random.default_rng(0)
  rows = [[str(i), f"name {i} " * 3, str(rng.integers(1000))] for i in range(5000)]
  t = Table.from_rows("huge", ["id", "name", "score"], rows)
  out = truncate.fit_to_budget(t, 512, truncate.approx_token_length, rng=rng)
  assert 0 < out.num_rows < 100
  assert truncate.approx_token_length(linearize.tapex(out)) <= 512
  ids = [int(r[0]) for r in out.rows]
  assert ids == sorted(ids) and ids[-1] > out.num_rows  # random rows, kept in order


def test_corrupt_jsonl_line_raises_or_skips(tmp_path):
  good = json.dumps({"table_id": "t", "header": ["a"], "rows": [["1"]]})
  p = tmp_path / "tables.jsonl"
  p.write_text(good + "\n{not json\n" + json.dumps({"table_id": "u", "header": ["a"]}) + "\n"
               + json.dumps({"table_id": "v", "header": ["a", "b"], "rows": [["1"]]}) + "\n"
               + good + "\n")
  with pytest.raises(InputError, match=r"tables\.jsonl:2: not valid JSON"):
    list(loaders.load_jsonl(p))
  stats = loaders.LoadStats()
  tables = list(loaders.load_jsonl(p, on_error="skip", stats=stats))
  assert len(tables) == 2 and (stats.loaded, stats.skipped) == (2, 3)
  assert "tables.jsonl:3, field 'rows': missing key" in stats.errors[1]
  assert "tables.jsonl:4, field 'rows': row 1 has 1 cells; expected 2" in stats.errors[2]
  with pytest.raises(ValueError, match="on_error"):
    list(loaders.load_jsonl(p, on_error="ignore"))


def test_jsonl_bad_types_field(tmp_path):
  p = tmp_path / "t.jsonl"
  p.write_text(json.dumps({"table_id": "t", "header": ["a"], "rows": [["1"]],
                           "types": ["float"]}) + "\n")
  with pytest.raises(InputError, match=r"t\.jsonl:1, field 'types'"):
    list(loaders.load_jsonl(p))


def test_corrupt_squall_line(tmp_path, testdata):
  lines = (testdata / "tables/squall_tables.jsonl").read_text().splitlines()
  p = tmp_path / "s.jsonl"
  p.write_text(lines[0] + "\n" + lines[1][: len(lines[1]) // 2] + "\n")
  with pytest.raises(InputError, match=r"s\.jsonl:2: not valid JSON"):
    list(loaders.load_squall_jsonl(p))
  stats = loaders.LoadStats()
  assert len(list(loaders.load_squall_jsonl(p, on_error="skip", stats=stats))) == 1
  assert stats.skipped == 1
