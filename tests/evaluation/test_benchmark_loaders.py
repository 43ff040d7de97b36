"""Loaders of the evaluation benchmarks, on fixtures in their official formats."""

import json
import random

import pytest

from symtune_jax.errors import InputError
from symtune_jax.evaluation import bbh, data_roots, mmlu, sqa, svamp, tabfact, wikisql, wtq


def test_wikisql_executes_gold_sql_on_fixture(testdata):
  qs = list(wikisql.load_questions("validation", testdata / "wikisql"))
  assert [q.answers for q in qs] == [("Gillig",), ("2",), ("42",),
                                     ("Brad Lohaus", "Art Long")]
  assert qs[0].question.startswith("who is the manufacturer")
  assert qs[0].table.header[1] == "Manufacturer"


@pytest.mark.parametrize("sql,expected", [
    ({"sel": 1, "agg": 4, "conds": []}, ["98"]),          # SUM of No.
    ({"sel": 1, "agg": 5, "conds": [[3, 0, "Guard"]]}, ["2"]),  # AVG
    ({"sel": 1, "agg": 2, "conds": [[1, 2, 30]]}, ["2"]),  # MIN where No. < 30
    ({"sel": 0, "agg": 0, "conds": [[2, 0, "CANADA"]]}, []),
])
def test_wikisql_execute_aggregates(sql, expected):
  header = ["Player", "No.", "Nationality", "Position"]
  rows = [["A", 21, "United States", "Guard-Forward"], ["B", 2, "United States", "Guard"],
          ["C", 33, "United States", "Forward"], ["D", 42, "United States", "Center"]]
  assert wikisql.execute(sql, header, ["text", "real", "text", "text"], rows) == expected


def test_wikisql_bad_line_names_file_and_line(tmp_path, testdata):
  (tmp_path / "dev.tables.jsonl").write_text(
      (testdata / "wikisql" / "dev.tables.jsonl").read_text())
  (tmp_path / "dev.jsonl").write_text(
      '{"phase": 1, "table_id": "1-10007452-3", "question": "q", "sql": {"sel": 1, '
      '"conds": [], "agg": 0}}\n{"phase": 1, "table_id": "nope", "question": "q", '
      '"sql": {"sel": 0, "conds": [], "agg": 0}}\n')
  with pytest.raises(InputError, match=r"dev.jsonl:2.*table_id.*'nope'"):
    list(wikisql.load_questions("validation", tmp_path))


def test_sqa_sequences_carry_history(testdata):
  qs = list(sqa.load_questions("validation", testdata / "sqa"))
  assert [q.id for q in qs] == ["nt-639-0-0", "nt-639-0-1", "nt-639-1-0"]
  assert qs[0].answers[1] == "Valley HS (Las Vegas, NV)"
  assert qs[1].history == ("where are the players from?",)
  assert qs[2].history == ()
  assert qs[0].table.rows[1][4] == "Valley HS (Las Vegas, NV)"
  assert sqa.parse_coordinates(["(0, 4)", "(2, 1)"]) == [(0, 4), (2, 1)]


def test_sqa_bad_header_and_literal(tmp_path, testdata):
  (tmp_path / "test.tsv").write_text("id\tquestion\n")
  with pytest.raises(InputError, match=r"test.tsv:1: header"):
    list(sqa.load_questions("test", tmp_path))
  lines = (testdata / "sqa" / "test.tsv").read_text().splitlines()
  lines[2] = lines[2].replace("['Louisiana", "[Louisiana")
  (tmp_path / "test.tsv").write_text("\n".join(lines) + "\n")
  (tmp_path / "table_csv").mkdir()
  (tmp_path / "table_csv" / "203_149.csv").write_text(
      (testdata / "sqa" / "table_csv" / "203_149.csv").read_text())
  with pytest.raises(InputError, match=r"test.tsv:3.*answer_text"):
    list(sqa.load_questions("test", tmp_path))


def test_mmlu_official_csv_layout(testdata):
  root = testdata / "mmlu"
  qs = mmlu.load_questions("abstract_algebra", "test", root)
  assert len(qs) == 3 and qs[0].answer == "C" and qs[0].choices[2] == "S_3"
  dev = mmlu.load_questions("abstract_algebra", "dev", root)
  assert dev[3].choices[0] == "Yes, always"  # quoted comma kept
  prompts = list(mmlu.iter_prompts("abstract_algebra", "test", root))
  p = prompts[0]
  assert p["num_shots"] == 5 and p["targets"] == "C"
  assert p["inputs"].startswith("The following are multiple choice questions (with "
                                "answers) about abstract algebra.\n\n")
  assert p["inputs"].endswith("Which of these groups is not abelian?\nA. Z_2\nB. Z_3\n"
                              "C. S_3\nD. Z_4\nAnswer:")
  assert p["inputs"].count("Answer: ") == 5


def test_mmlu_drops_shots_to_fit(testdata):
  full = next(mmlu.iter_prompts("anatomy", "test", testdata / "mmlu"))
  short = next(mmlu.iter_prompts("anatomy", "test", testdata / "mmlu",
                                 max_input_tokens=len(full["inputs"].split()) // 2,
                                 length_fn=lambda s: len(s.split())))
  assert 0 < short["num_shots"] < 5
  assert len(short["inputs"].split()) <= len(full["inputs"].split()) // 2
  assert short["inputs"].endswith("Answer:")


def test_mmlu_bad_answer_and_unknown_subject(tmp_path):
  d = tmp_path / "data" / "test"
  d.mkdir(parents=True)
  (d / "anatomy_test.csv").write_text("q,a,b,c,d,E\n")
  with pytest.raises(InputError, match=r"anatomy_test.csv:1.*answer"):
    mmlu.load_questions("anatomy", "test", tmp_path)
  with pytest.raises(InputError, match="unknown MMLU subject"):
    mmlu.load_questions("anatomyy", "test", tmp_path)
  assert len(mmlu.SUBJECTS) == 57 == len(set(mmlu.SUBJECTS))


def test_missing_data_names_path_and_env_var(tmp_path, monkeypatch):
  monkeypatch.setenv("SYMTUNE_WIKISQL_ROOT", str(tmp_path / "nowhere"))
  with pytest.raises(InputError) as e:
    list(wikisql.load_questions("test"))
  assert "nowhere/test.jsonl" in str(e.value) and "$SYMTUNE_WIKISQL_ROOT" in str(e.value)


def test_wtq_uses_shipped_sample_without_shared_data(monkeypatch):
  monkeypatch.setenv("SYMTUNE_SHARED_DATA", "/nonexistent")
  monkeypatch.delenv("SYMTUNE_WTQ_ROOT", raising=False)
  assert data_roots.WTQ.path() == data_roots.PACKAGE_DATA / "wtq_sample"
  qs = list(wtq.load_questions("test", limit=5))
  assert len(qs) == 5 and qs[0].id == "nt-0" and qs[0].answers == ("2004",)
  assert len(qs[0].table.rows) > 0


def test_wtq_official_dev_split(shared_data):
  qs = list(wtq.load_questions("validation", shared_data / "wtq" / "official", limit=3))
  assert qs[0].id == "nt-2" and qs[0].answers == ("Wolfe Tones",)


def test_wtq_test_split_reads_official_canon_values(shared_data):
  root = shared_data / "wtq" / "official"
  if not (root / wtq.TAGGED_DIR / "pristine-unseen-tables.tagged").is_file():
    pytest.skip("no official tagged files")
  qs = {q.id: q for q in wtq.load_questions("test", root, limit=40)}
  assert qs["nu-1"].answers == ("100,000",) and qs["nu-1"].canons == ("100000.0",)
  assert qs["nu-0"].canons == ("Italy",)
  dev = next(wtq.load_questions("validation", root, limit=1))
  assert dev.canons == ()  # training.tagged is not in ../shared: no canon, as the official


def test_wtq_dev_and_test_share_no_question_or_table(shared_data):
  root = shared_data / "wtq" / "official"
  ids, tables = {}, {}
  for split in ("validation", "test"):
    path = wtq.questions_path(split, root)
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()[1:]]
    ids[split], tables[split] = {r[0] for r in rows}, {r[2] for r in rows}
  assert not ids["validation"] & ids["test"]
  assert not tables["validation"] & tables["test"]


def test_wtq_tagged_file_errors_name_file_and_line(tmp_path):
  f = tmp_path / "x.tagged"
  f.write_text("id\ttargetValue\ttargetCanon\nnu-0\ta|b\t1.0\n", encoding="utf-8")
  with pytest.raises(InputError, match=r"x.tagged:2.*targetCanon"):
    wtq.read_tagged(f)
  f.write_text("id\ttargetValue\nnu-0\ta\n", encoding="utf-8")
  with pytest.raises(InputError, match=r"x.tagged:1.*targetCanon"):
    wtq.read_tagged(f)
  f.write_text("id\ttargetValue\ttargetCanon\nnu-0\ta\\pb|c\t\\p|3.0\n", encoding="utf-8")
  assert wtq.read_tagged(f) == {"nu-0": (("a|b", "c"), ("|", "3.0"))}


def test_tabfact_dev_and_test_share_no_table(shared_data):
  v = json.loads((shared_data / "tabfact" / "val_examples.json").read_text())
  t = json.loads((shared_data / "tabfact" / "test_examples.json").read_text())
  assert not set(v) & set(t)


def test_tabfact_real_and_malformed(shared_data, tmp_path):
  s = list(tabfact.load_statements("validation", shared_data / "tabfact", limit=12))
  assert len(s) == 12 and s[0].label is True and s[5].label is False
  assert s[0].caption == "turkish cup" and s[0].table.header
  (tmp_path / "val_examples.json").write_text(json.dumps({"x.html.csv": [["a", "b"], [1]]}))
  with pytest.raises(InputError, match=r"val_examples.json.*'x.html.csv'"):
    list(tabfact.load_statements("validation", tmp_path))


def test_svamp_real_and_fixture(shared_data, tmp_path):
  problems = list(svamp.load_problems("test", shared_data / "svamp"))
  validation = list(svamp.load_problems("validation", shared_data / "svamp"))
  assert len(problems) == 700 and len(validation) == 300
  # Template selection never sees a test problem: disjoint ids and texts.
  assert not {p.id for p in problems} & {p.id for p in validation}
  assert not ({(p.body, p.question) for p in problems}
              & {(p.body, p.question) for p in validation})
  raw = json.loads((shared_data / "svamp" / "SVAMP.json").read_text())
  assert {p.id for p in problems} | {p.id for p in validation} == {r["ID"] for r in raw}
  first = next(r for r in raw if r["ID"] == problems[0].id)
  assert problems[0].answer == float(first["Answer"])
  assert svamp.format_number(51.0) == "51"
  # The split depends on ids only: the same for a shuffled file.
  shuffled = list(raw)
  random.Random(0).shuffle(shuffled)
  (tmp_path / "SVAMP.json").write_text(json.dumps(shuffled))
  assert {p.id for p in svamp.load_problems("validation", tmp_path)} == {
      p.id for p in validation}
  (tmp_path / "SVAMP.json").write_text('[{"ID": "x", "Body": "b", "Question": "q", '
                                       '"Answer": "many"}]')
  with pytest.raises(InputError, match="Answer"):
    list(svamp.load_problems("test", tmp_path))
  (tmp_path / "SVAMP.json").write_text(json.dumps(
      [{"ID": "x", "Body": "b", "Question": "q", "Answer": 1}] * 2))
  with pytest.raises(InputError, match="more than once"):
    list(svamp.load_problems("test", tmp_path))


def test_svamp_small_file_splits_by_fraction(tmp_path):
  items = [{"ID": f"p{i}", "Body": "b", "Question": f"q{i}", "Answer": i} for i in range(10)]
  (tmp_path / "SVAMP.json").write_text(json.dumps(items))
  val = [p.id for p in svamp.load_problems("validation", tmp_path)]
  test = [p.id for p in svamp.load_problems("test", tmp_path)]
  assert len(val) == 3 and len(test) == 7 and not set(val) & set(test)
  assert test == sorted(test, key=lambda i: int(i[1:]))  # file order


def test_bbh_task_kinds_match_real_data(shared_data):
  root = shared_data / "bbh"
  assert sorted(p.stem for p in root.glob("*.json")) == list(bbh.TASKS)
  for task in bbh.MULTIPLE_CHOICE_TASKS:
    examples = bbh.load_examples(task, root)
    prompts = list(bbh.iter_prompts(task, root, limit=20))
    mcs = [bbh.multiple_choice(task, p) for p in prompts]
    assert sum(m is not None for m in mcs) >= 18, task
    for m in mcs:
      if m is not None:
        assert m.options[m.answer] in (examples[0]["target"], *m.options)
  labels = {e["target"] for e in bbh.load_examples("formal_fallacies", root)}
  assert labels == set(bbh.LABEL_TASKS["formal_fallacies"])


def test_bbh_shots_dropped_until_fit(tmp_path):
  ex = [{"input": f"question {i} " + "word " * 50, "target": str(i)} for i in range(6)]
  (tmp_path / "object_counting.json").write_text(json.dumps({"examples": ex}))
  words = lambda s: len(s.split())
  full = list(bbh.iter_prompts("object_counting", tmp_path, length_fn=words))
  assert [p["num_shots"] for p in full] == [3, 3, 3]
  assert full[0]["inputs"].startswith("Q: question 0") and full[0]["inputs"].endswith(
      "A:")
  cut = list(bbh.iter_prompts("object_counting", tmp_path, length_fn=words,
                              max_input_tokens=170))
  assert [p["num_shots"] for p in cut] == [2, 2, 2]
  assert all(words(p["inputs"]) <= 170 for p in cut)
  assert cut[0]["id"] == "object_counting-3" and cut[0]["targets"] == "3"
  with pytest.raises(InputError, match="unknown BBH task"):
    bbh.load_examples("object_countin", tmp_path)
