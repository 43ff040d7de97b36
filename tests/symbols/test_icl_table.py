"""`symtune icl-table` on synthetic T5X inference files (the JSONL `t5x.infer` writes)."""

import json

import pytest

from symtune_jax.cli import icl_table
from symtune_jax.cli import main as cli_main
from symtune_jax.errors import InputError
from symtune_jax.evaluation import icl
from symtune_jax.symbols import bigbench

SETTINGS = [s for s, _, _ in icl.PAPER_SETTINGS]
SYMBOLS = ("7312", "QF", "lantern")


def _prompt(labels, query_class, setting):
  """A prompt in the evaluation format (input_output) with k=2 per class."""
  head = "Is it so?\n\n" if setting.startswith("instr_") else ""
  blocks = [f"Input: text {c}-{j}\nOutput: {labels[c]}" for j in range(2)
            for c in range(len(labels))]
  return head + "\n\n".join(blocks + [f"Input: query {query_class}\nOutput:"])


def _labels(dataset, setting):
  classes = icl.PAPER_ICL_DATASETS[dataset][1]
  names = ("neg", "pos", "other")[:classes]
  if setting == "flipped":
    return names[::-1]
  return SYMBOLS[:classes] if setting.endswith("_sym") else names


def _write(path, lines):
  path.write_text("".join(json.dumps(l) + "\n" for l in lines), encoding="utf-8")


def _infer_line(inputs, target, prediction, **extra):
  return {"inputs": {"inputs_pretokenized": inputs, "targets_pretokenized": target, **extra},
          "prediction": prediction}


def _icl_lines(dataset, setting, hits, n=4):
  """n lines of which the first `hits` are right (in varied but valid spellings)."""
  labels = _labels(dataset, setting)
  lines = []
  for i in range(n):
    c = i % len(labels)
    target = labels[c]
    if i < hits:
      pred = [target, f" {target}.", f"{target}\nInput: x", target.upper()][i % 4]
    else:
      pred = [labels[(c + 1) % len(labels)], "no idea", ""][i % 3]
    lines.append(_infer_line(_prompt(labels, c, setting), target, pred))
  return lines


def _expected_hits(k):
  return k % 5  # 0..4 right of 4 -> 0, 25, 50, 75, 100 %


def _write_suite(folder):
  expected = {}
  k = 0
  for dataset, (_, classes) in icl.PAPER_ICL_DATASETS.items():
    for setting in SETTINGS + (["flipped"] if classes == 2 else []):
      name = f"symtune_icl_{dataset}_{setting}_v1"
      hits = _expected_hits(k)
      k += 1
      lines = _icl_lines(dataset, setting, hits)
      if k == 3:  # two shards, as infer.num_shards=2 writes them
        _write(folder / f"{name}-predict.jsonl-00000-of-00002", lines[:2])
        _write(folder / f"{name}-predict.jsonl-00001-of-00002", lines[2:])
      else:
        _write(folder / f"{name}-predict.jsonl-00000-of-00001", lines)
      expected[name] = 25.0 * hits
  for j, fn in enumerate(bigbench.PAPER_LIST_FUNCTIONS):
    name = f"symtune_bigbench_list_functions_{fn}_v1"
    lines = [_infer_line("Q: [3, 1]\nA: [1]\n\nQ: [5, 2]\nA:", "[2]",
                         "[2]" if i < j % 3 else "[5]") for i in range(2)]
    lines.append(_infer_line("Q: [3]\nA: []\n\nQ: [4, 4]\nA:", "[]", " [] \n\nQ: [9]"))
    _write(folder / f"{name}-predict.jsonl-00000-of-00001", lines)
    expected[name] = 100.0 * (min(j % 3, 2) + 1) / 3
  stc = [_infer_line("Input: 0101\nOutput: '01'\n\nInput: 11\nOutput:", "'1'", " '1'\n\nInput"),
         _infer_line("Input: 0101\nOutput: '01'\n\nInput: 10\nOutput:", "'0'", "'01'")]
  _write(folder / f"{icl.STC_TASK}-predict.jsonl-00000-of-00001", stc)
  expected[icl.STC_TASK] = 50.0
  # Another task's file in the same folder: ignored.
  _write(folder / "symtune_eval_svamp_plain_v1-predict.jsonl-00000-of-00001",
         [_infer_line("q", "3", "3")])
  return expected


def test_table_from_synthetic_infer_files(tmp_path, capsys):
  folder = tmp_path / "infer"
  folder.mkdir()
  expected = _write_suite(folder)
  scores, details = icl_table.score_files([str(folder)])
  assert scores == pytest.approx(expected)
  assert details["symtune_eval_svamp_plain_v1"]["ignored"]
  out_json = tmp_path / "table.json"
  assert cli_main.main(["icl-table", str(folder), "--json", str(out_json)]) == 0
  text = capsys.readouterr().out
  table = json.loads(out_json.read_text())
  # 11 tasks x 4 settings, averaged per setting over the 11.
  for setting in SETTINGS:
    want = [expected[f"symtune_icl_{d}_{setting}_v1"] for d in icl.PAPER_ICL_DATASETS]
    assert table["average"][setting] == {"score": pytest.approx(sum(want) / 11), "tasks": 11}
  binary = [d for d, (_, c) in icl.PAPER_ICL_DATASETS.items() if c == 2]
  assert len(binary) == 6
  flips = [expected[f"symtune_icl_{d}_flipped_v1"] for d in binary]
  assert table["flipped"]["mean"] == pytest.approx(sum(flips) / 6)
  lf = [expected[f"symtune_bigbench_list_functions_{f}_v1"] for f in bigbench.PAPER_LIST_FUNCTIONS]
  assert table["list_functions"]["functions"] == 20
  assert table["list_functions"]["mean"] == pytest.approx(sum(lf) / 20)
  assert table["simple_turing_concepts"] == 50.0
  assert table["missing"] == [] and table["ignored"] == []
  assert "Average (11 tasks)" in text and "mean of 20 per-function scores" in text
  assert "mean of 6 of 6 binary tasks" in text
  row = next(l for l in text.splitlines() if l.startswith("TEAB (tweeteval_stance_abortion)"))
  cells = row.split(")")[-1].split()
  assert [float(c) for c in cells] == [
      expected[f"symtune_icl_tweeteval_stance_abortion_{s}_v1"] for s in SETTINGS]


def test_label_strings_in_the_file_take_precedence(tmp_path):
  name = "symtune_icl_subj_noinstr_sym_v1"
  prompt = _prompt(("A", "B"), 0, "noinstr_sym")
  # The prompt shows A / B, the file's label_strings feature (include_all_inputs) says X / Y.
  _write(tmp_path / f"{name}-predict.jsonl-00000-of-00001",
         [_infer_line(prompt, "X", "X", label_strings="X\tY"),
          _infer_line(prompt, "X", "Y", label_strings="X\tY")])
  assert icl_table.score_files([str(tmp_path)])[0] == {name: 50.0}


def test_missing_tasks_are_dashes_and_listed(tmp_path, capsys):
  name = "symtune_icl_raft_overruling_noinstr_sym_v1"
  _write(tmp_path / f"{name}-predict.jsonl-00000-of-00001",
         _icl_lines("raft_overruling", "noinstr_sym", 3))
  assert cli_main.main(["icl-table", str(tmp_path)]) == 0
  text = capsys.readouterr().out
  assert "Average (tasks: 0/0/0/1)" in text
  assert "missing (70):" in text  # 50 ICL tasks - 1, 20 List Functions, STC
  row = next(l for l in text.splitlines() if l.startswith("OR (raft_overruling)"))
  assert row.split(")")[-1].split() == ["-", "-", "-", "75.0", "-"]


def test_eval_logs_of_t5x_eval(tmp_path):
  """`<task>-<step>.jsonl` lines from seqio's JSONLogger: targets already classes."""
  name = "symtune_icl_tweeteval_hate_flipped_v1"
  _write(tmp_path / f"{name}-001000.jsonl",
         [{"input": {}, "target": 1, "prediction": 1}, {"input": {}, "target": 0,
                                                        "prediction": -1}])
  assert icl_table.score_files([str(tmp_path)])[0] == {name: 50.0}


@pytest.mark.parametrize("line, message", [
    (_infer_line(_prompt(("A", "B"), 0, "noinstr_sym"), "Z", "Z"), "not among the prompt's"),
    (_infer_line(_prompt(("A", "B"), 0, "noinstr_sym"), "A", None), "field 'prediction'"),
    (_infer_line(_prompt(("A", "B"), 0, "noinstr_sym"), "A", ["A"]), "field 'prediction'"),
    (_infer_line(_prompt(("A", "B"), 0, "noinstr_sym"), 3, "A"),
     "inputs.targets_pretokenized"),
])
def test_bad_lines_are_clear_errors(tmp_path, capsys, line, message):
  name = "symtune_icl_subj_noinstr_sym_v1"
  path = tmp_path / f"{name}-predict.jsonl-00000-of-00001"
  _write(path, [_infer_line(_prompt(("A", "B"), 1, "noinstr_sym"), "B", "B"), line])
  with pytest.raises(InputError, match=message) as e:
    icl_table.score_files([str(tmp_path)])
  assert f"{path}:2" in str(e.value)
  assert cli_main.main(["icl-table", str(tmp_path)]) == 2
  err = capsys.readouterr().err
  assert err.startswith("symtune icl-table: error:") and "Traceback" not in err


def test_other_bad_inputs(tmp_path):
  name = "symtune_icl_subj_noinstr_sym_v1"
  _write(tmp_path / f"{name}-score.jsonl-00000-of-00001",
         [{"inputs": {"inputs_pretokenized": "x"}, "score": -1.0}])
  with pytest.raises(InputError, match="score-mode"):
    icl_table.score_files([str(tmp_path)])
  other = tmp_path / "other"
  other.mkdir()
  _write(other / "symtune_eval_svamp_plain_v1-predict.jsonl-00000-of-00001",
         [_infer_line("q", "3", "3")])
  with pytest.raises(InputError, match="no outputs of the table's tasks"):
    icl_table.run(type("Args", (), {"paths": [str(other)], "json": None})())
  (tmp_path / "dup").mkdir()
  for f in (f"{name}-predict.jsonl-00000-of-00001", f"{name}-000010.jsonl"):
    _write(tmp_path / "dup" / f, [_infer_line("Input: a\nOutput: A\n\nInput: b\nOutput: B"
                                              "\n\nInput: c\nOutput:", "A", "A")])
  with pytest.raises(InputError, match="several outputs"):
    icl_table.score_files([str(tmp_path / "dup")])


def test_context_labels_match_the_task_label_strings(testdata, monkeypatch):
  """The labels read back from real evaluation prompts are the prompt's mapping."""
  import seqio
  from symtune_jax.symbols import sources
  from symtune_jax.tasks import symbols as symbol_tasks
  monkeypatch.setenv(sources.TWEETEVAL_ENV, str(sources.SAMPLE_ROOT))
  monkeypatch.setenv("SYMTUNE_SHARED_DATA", str(testdata / "symbol_tuning"))
  for dataset in ("subj", "tweeteval_stance_hillary", "raft_semiconductor_org_types"):
    for setting in ("instr_nl", "noinstr_sym", "flipped"):
      name = symbol_tasks.icl_task_name(dataset, setting)
      if name not in seqio.TaskRegistry.names():
        continue
      ds = seqio.get_mixture_or_task(name).get_dataset(
          {"inputs": 8192, "targets": 64}, split="test", shuffle=False)
      for ex in ds.take(3).as_numpy_iterator():
        inputs = ex["inputs_pretokenized"].decode()
        strings = ex["label_strings"].decode().split("\t")
        assert sorted(icl.context_labels(inputs)) == sorted(strings)
        target = ex["targets_pretokenized"].decode()
        assert icl.icl_correct(target, target, icl.context_labels(inputs))
