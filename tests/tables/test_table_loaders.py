"""Loaders on small official-format fixtures (tests/testdata/tables)."""

import json
import unicodedata

import pytest

from symtune_jax.tables import loaders
from symtune_jax.tables.table import ColumnType


@pytest.fixture
def tdir(testdata):
  return testdata / "tables"


def test_wtq_csv_escapes_and_quoted_newline(tdir):
  t = loaders.load_wtq_csv(tdir / "wtq/csv/203-csv/733.csv")
  assert t.table_id == "203_733"
  assert t.header == ("Rank", "Cyclist", "Team", "Time", "UCI ProTour Points")
  assert t.num_rows == 10
  assert t.rows[0][3] == "5h 29' 10\""  # \" unescaped
  assert t.rows[7][3] == '+ 2"'
  assert t.types[0] == ColumnType.NUMBER and t.types[1] == ColumnType.TEXT
  assert t.values[0][4] == 40.0


def test_wtq_csv_backslash_escape(tdir):
  t = loaders.load_wtq_csv(tdir / "wtq/csv/203-csv/128.csv")
  assert t.rows[0] == ("NUL", "", "\\0", "U+0000", "NULL (NUL)")
  assert t.column(0)[:3] == ("NUL", "alert", "backspace")


@pytest.mark.parametrize("name", ["128", "733"])
def test_wtq_tsv_variant_agrees_with_csv(tdir, name):
  a = loaders.load_wtq_csv(tdir / f"wtq/csv/203-csv/{name}.csv")
  b = loaders.load_wtq_csv(tdir / f"wtq/csv/203-csv/{name}.tsv")
  assert (a.table_id, a.header, a.rows, a.types) == (b.table_id, b.header, b.rows, b.types)


def test_wtq_unescape():
  assert loaders.wtq_unescape(r"a\pb\nc\\d\\n") == "a|b\nc\\d\\n"
  assert loaders.wtq_unescape(r"x\qy") == r"x\qy"


def test_table_id_override_and_path_forms(tdir):
  assert loaders.load_wtq_csv(tdir / "wtq/csv/203-csv/733.csv", "mine").table_id == "mine"
  assert loaders.wtq_table_id("csv/204-csv/590.csv") == "204_590"
  assert loaders.wtq_table_id("/x/my_table.csv") == "my_table"


def test_iter_wtq_tables_sorted(tdir):
  ids = [t.table_id for t in loaders.iter_wtq_tables(tdir / "wtq")]
  assert ids == ["203_128", "203_733"]


def test_iter_wtq_tables_numeric_order(tmp_path, tdir):
  src = (tdir / "wtq/csv/203-csv/733.csv").read_bytes()
  for d, n in [("201", 10), ("201", 2), ("200", 7)]:
    (tmp_path / "csv" / f"{d}-csv").mkdir(parents=True, exist_ok=True)
    (tmp_path / "csv" / f"{d}-csv" / f"{n}.csv").write_bytes(src)
  ids = [t.table_id for t in loaders.iter_wtq_tables(tmp_path)]
  assert ids == ["200_7", "201_2", "201_10"]


def test_iter_wtq_tables_needs_csv_dir(tmp_path):
  with pytest.raises(loaders.InputError, match="csv"):
    list(loaders.iter_wtq_tables(tmp_path))


def test_wtq_questions(tdir):
  qs = list(loaders.load_wtq_questions(tdir / "wtq/data/questions.tsv"))
  assert len(qs) == 25
  q = next(q for q in qs if q["id"] == "nu-0")
  assert q == {"id": "nu-0",
               "utterance": "which country had the most cyclists finish within the top 10?",
               "context": "csv/203-csv/733.csv", "table_id": "203_733",
               "targetValue": ["Italy"]}


def test_wtq_questions_multi_answer_and_escapes(tmp_path):
  p = tmp_path / "q.tsv"
  p.write_text("id\tutterance\tcontext\ttargetValue\n"
               "nt-1\twho?\tcsv/200-csv/1.csv\tA|B\\pC|line\\nbreak|back\\\\slash\n")
  (q,) = loaders.load_wtq_questions(p)
  assert q["targetValue"] == ["A", "B|C", "line\nbreak", "back\\slash"]
  assert q["table_id"] == "200_1"


def test_wtq_questions_bad_line(tmp_path):
  p = tmp_path / "q.tsv"
  p.write_text("id\tutterance\tcontext\ttargetValue\nnt-1\tonly two\n"
               "nt-2\tok?\tcsv/200-csv/1.csv\t3\n")
  with pytest.raises(loaders.InputError, match=r"q\.tsv:2.*expected 4"):
    list(loaders.load_wtq_questions(p))
  stats = loaders.LoadStats()
  qs = list(loaders.load_wtq_questions(p, on_error="skip", stats=stats))
  assert [q["id"] for q in qs] == ["nt-2"]
  assert (stats.loaded, stats.skipped) == (1, 1)


def test_wtq_questions_bad_header(tmp_path):
  p = tmp_path / "q.tsv"
  p.write_text("question\tanswer\n")
  with pytest.raises(loaders.InputError, match=r"q\.tsv:1"):
    list(loaders.load_wtq_questions(p))


def test_squall_jsonl(tdir):
  tables = {t.table_id: t for t in loaders.load_squall_jsonl(tdir / "squall_tables.jsonl")}
  assert set(tables) == {"203_128", "203_733"}
  csv_t = loaders.load_wtq_csv(tdir / "wtq/csv/203-csv/733.csv")
  sq = tables["203_733"]
  assert "id" not in sq.header and "agg" not in sq.header
  assert (sq.num_rows, sq.num_columns) == (csv_t.num_rows, csv_t.num_columns)
  assert sq.header[4] == "uci protour points"  # SQUALL lower-cases; newline -> space
  # SQUALL stores cells lower-cased and without accents.
  fold = lambda s: "".join(c for c in unicodedata.normalize("NFKD", s.lower())
                           if not unicodedata.combining(c))
  assert [r[1] for r in sq.rows] == [fold(r[1]) for r in csv_t.rows]
  assert sq.types[0] == ColumnType.NUMBER and sq.types[1] == ColumnType.TEXT


def test_squall_column_type():
  assert loaders.squall_column_type("number(text)") == ColumnType.NUMBER
  assert loaders.squall_column_type("date") == ColumnType.DATE
  assert loaders.squall_column_type("<c, number>") == ColumnType.TEXT
  assert loaders.squall_column_type("score") == ColumnType.TEXT


def test_squall_number_hint_checked_against_cells(tmp_path):
  row = {"headers": ["id", "agg", "x"], "types": ["id", "agg", "number"], "table_id": "t",
         "contents": [[{"col": "id", "data": [1, 2]}], [{"col": "agg", "data": [0, 0]}],
                      [{"col": "c1", "type": "TEXT", "data": ["abc", "def"]}]]}
  p = tmp_path / "s.jsonl"
  p.write_text(json.dumps(row) + "\n")
  (t,) = loaders.load_squall_jsonl(p)
  assert t.types == (ColumnType.TEXT,)  # 'number' hint, but no cell is a number


def test_tabfact_csv(tdir):
  t = loaders.load_tabfact_csv(tdir / "tabfact/1-10121127-1.html.csv")
  assert t.table_id == "1-10121127-1"
  assert t.header[0] == "un operation name"
  assert t.rows[0][0] == "none" and t.num_columns == 6


def test_user_csv_and_jsonl(tmp_path):
  p = tmp_path / "mine.csv"
  p.write_text('\ufeffname,year,note\n"Smith, J.",1999,"said ""hi"""\nLee,2001,\n')
  t = loaders.load_csv(p)
  assert t.table_id == "mine"
  assert t.rows == (("Smith, J.", "1999", 'said "hi"'), ("Lee", "2001", ""))
  assert t.types[1] == ColumnType.NUMBER
  j = tmp_path / "t.jsonl"
  j.write_text(json.dumps({"table_id": "a", "header": ["x", "y"], "rows": [[1, None], [2.5, "q"]],
                           "types": ["number", "text"], "caption": "cap"}) + "\n\n"
               + json.dumps({"table_id": 7, "header": ["k"], "rows": [["v"]]}) + "\n")
  a, b = loaders.load_jsonl(j)
  assert a.rows == (("1", ""), ("2.5", "q")) and a.caption == "cap"
  assert a.types == (ColumnType.NUMBER, ColumnType.TEXT)
  assert b.table_id == "7" and b.header == ("k",)


def test_user_tsv_delimiter(tmp_path):
  p = tmp_path / "t.tsv"
  p.write_text("a\tb\n1\t2\n")
  assert loaders.load_csv(p, delimiter="\t").rows == (("1", "2"),)


def test_infer_type_stops_early_with_the_same_answer_as_counting_every_cell():
  import random  # pylint: disable=g-import-not-at-top
  from symtune_jax.tables import table as tbl  # pylint: disable=g-import-not-at-top

  def counted(cells):  # the rule spelled out: every non-empty cell votes
    votes = [c for c in cells if c.strip()]
    if not votes:
      return tbl.ColumnType.TEXT
    need = tbl.TYPE_THRESHOLD * len(votes)
    for parse, kind in ((tbl.parse_number, tbl.ColumnType.NUMBER),
                        (tbl.parse_date, tbl.ColumnType.DATE)):
      if sum(parse(c) is not None for c in votes) >= need:
        return kind
    return tbl.ColumnType.TEXT

  rng = random.Random(0)
  pool = ["1", "2,000", "x", "", " ", "2004-05-01", "May 1, 2004", "12%", "abc", "3.5"]
  seen = set()
  for _ in range(5000):
    cells = [rng.choice(pool) for _ in range(rng.randint(0, 30))]
    assert tbl.infer_type(cells) == counted(cells), cells
    seen.add(tbl.infer_type(cells))
  assert seen == set(tbl.ColumnType)  # every outcome was exercised
  # At the threshold exactly: 9 of 10 numbers is a number column, 8 of 10 is not.
  assert tbl.infer_type(["1"] * 9 + ["x"]) == tbl.ColumnType.NUMBER
  assert tbl.infer_type(["1"] * 8 + ["x"] * 2) == tbl.ColumnType.TEXT
