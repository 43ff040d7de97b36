"""`symtune score` on malformed T5X output: clear errors (exit 2, file:line, field), never a
traceback, never a malformed value scored as right."""

import json
import math
import random

import pytest
import seqio

from symtune_jax.cli import main as cli

SVAMP = "symtune_eval_svamp_plain_v1"
WTQ = "symtune_eval_wtq_qa_v1"
TABFACT = "symtune_eval_tabfact_yes_no_v1"


@pytest.fixture(autouse=True)
def _shipped_wtq(monkeypatch):
  monkeypatch.setenv("SYMTUNE_SHARED_DATA", "/nonexistent")
  monkeypatch.delenv("SYMTUNE_WTQ_ROOT", raising=False)


def _infer_file(tmp_path, task, lines, name=None):
  f = tmp_path / (name or f"{task}-predict.jsonl-00000-of-00001")
  f.write_bytes(b"".join((l if isinstance(l, bytes) else json.dumps(l).encode()) + b"\n"
                         for l in lines))
  return f


def _svamp_line(target="51", prediction="7"):
  return {"inputs": {"inputs_pretokenized": "Question: how many?\nAnswer:",
                     "targets_pretokenized": target}, "prediction": prediction}


def _wtq_line(answers=("2004",), canons=None, prediction="1999"):
  answers = list(answers)
  return {"inputs": {"inputs_pretokenized": "Q: when?\nA:",
                     "targets_pretokenized": ", ".join(answers), "answers": answers,
                     "answer_canons": list(canons) if canons else [""] * len(answers)},
          "prediction": prediction}


def _score(args, capsys):
  rc = cli.main(["score", *map(str, args)])
  captured = capsys.readouterr()
  return rc, captured.out, captured.err


def _assert_clear_error(rc, err, path, field=None, line=None):
  assert rc == 2, err
  assert err.startswith("symtune score: error: "), err
  assert "Traceback" not in err
  where = f"{path}:{line}" if line is not None else str(path)
  assert where in err, err
  if field is not None:
    assert f"field {field!r}" in err, err


@pytest.mark.parametrize("line,field", [
    (_svamp_line(target=51), "inputs.targets_pretokenized"),
    (_svamp_line(prediction=None), "prediction"),
    (_svamp_line(prediction=float("nan")), "prediction"),
    (_svamp_line(prediction=51), "prediction"),
    (_svamp_line(prediction=["51"]), "prediction"),
    (_svamp_line(prediction={"text": "51"}), "prediction"),
])
def test_bad_infer_values_are_errors(tmp_path, capsys, line, field):
  f = _infer_file(tmp_path, SVAMP, [_svamp_line(), line])
  rc, _, err = _score([f], capsys)
  _assert_clear_error(rc, err, f, field, line=2)


@pytest.mark.parametrize("line,field", [
    (_wtq_line(prediction=["2004"]), "prediction"),
    (_wtq_line(prediction=None), "prediction"),
    (dict(_wtq_line(), inputs=dict(_wtq_line()["inputs"], answers="2004")), "inputs.answers"),
    (dict(_wtq_line(), inputs=dict(_wtq_line()["inputs"], answers=[2004])), "inputs.answers"),
    (dict(_wtq_line(), inputs=dict(_wtq_line()["inputs"], answer_canons=["", ""])),
     "inputs.answer_canons"),
])
def test_bad_wtq_infer_values_are_errors(tmp_path, capsys, line, field):
  f = _infer_file(tmp_path, WTQ, [_wtq_line(), line])
  rc, _, err = _score([f], capsys)
  _assert_clear_error(rc, err, f, field, line=2)


def test_invalid_utf8_names_the_line(tmp_path, capsys):
  good = json.dumps(_svamp_line()).encode()
  f = _infer_file(tmp_path, SVAMP, [good, good[:-10] + b"\xff\xfe" + good[-10:]])
  rc, _, err = _score([f], capsys)
  _assert_clear_error(rc, err, f, line=2)
  assert "not valid UTF-8" in err


@pytest.mark.parametrize("where", ["missing/dir/out.json", "."])
def test_unwritable_json_path_fails_before_scoring(tmp_path, capsys, where):
  f = _infer_file(tmp_path, SVAMP, [_svamp_line()])
  target = tmp_path / where
  rc, out, err = _score([f, "--json", target], capsys)
  assert rc == 2 and err.startswith("symtune score: error: ") and "--json" in err
  assert out == ""  # nothing scored or printed first


def test_wtq_gold_is_never_split_from_the_target_text(tmp_path, capsys):
  """The gold 'Bangkok, Thailand' is one answer; 'Bangkok, Thailand' output is two."""
  f = _infer_file(tmp_path, WTQ, [
      _wtq_line(["Bangkok, Thailand"], prediction="Bangkok, Thailand"),
      _wtq_line(["Chile", "Ecuador"], prediction="Ecuador, Chile"),
      _wtq_line(["17 years"], ["17.0"], prediction="17")])
  rc, out, _ = _score([f], capsys)
  assert rc == 0
  assert "denotation_accuracy=66.67" in out and "denotation_accuracy_or_whole=100.00" in out


def test_wtq_lines_without_answers_take_the_gold_from_the_task(tmp_path, capsys):
  """Default T5X infer lines (only *_pretokenized): the gold comes from the task's example."""
  task = seqio.get_mixture_or_task(WTQ)
  exs = list(task.get_dataset(None, split="test", shuffle=False).take(6).as_numpy_iterator())
  lines = []
  for i, ex in enumerate(exs):
    lines.append({"inputs": {"inputs_pretokenized": ex["inputs_pretokenized"].decode(),
                             "targets_pretokenized": ex["targets_pretokenized"].decode()},
                  "prediction": ex["targets_pretokenized"].decode() if i % 2 else "wrong"})
  f = _infer_file(tmp_path, WTQ, lines)
  rc, out, _ = _score([f], capsys)
  # A copy of the target is right unless a gold answer holds ", " (then it splits).
  right = sum(i % 2 == 1 and not any(b", " in a for a in ex["answers"])
              for i, ex in enumerate(exs))
  assert 0 < right < 3
  assert rc == 0 and f"denotation_accuracy={100 * right / 6:.2f}," in out
  assert "denotation_accuracy_or_whole=50.00" in out
  lines[4]["inputs"]["inputs_pretokenized"] += " (edited)"
  f = _infer_file(tmp_path, WTQ, lines)
  rc, _, err = _score([f], capsys)
  _assert_clear_error(rc, err, f, "inputs.answers", line=5)
  assert "match no example" in err


def test_eval_files_score_the_raw_output_and_check_logged_types(tmp_path, capsys):
  f = tmp_path / f"{SVAMP}-000004.jsonl"
  inp = {"inputs_pretokenized": "Question: how many?\nAnswer:", "targets_pretokenized": "51"}
  f.write_text(json.dumps({"input": inp, "target": 51.0, "output": "it is 51",
                           "prediction": 7.0}) + "\n")
  rc, out, _ = _score([f], capsys)
  assert rc == 0 and "numeric_accuracy=100.00" in out  # from the output, not the log
  f.write_text(json.dumps({"input": {}, "target": 51.0, "prediction": ["51"]}) + "\n")
  rc, _, err = _score([f], capsys)
  _assert_clear_error(rc, err, f, "prediction", line=1)
  g = tmp_path / f"{WTQ}-000004.jsonl"
  g.write_text(json.dumps({"input": {}, "target": 2004, "prediction": "2004"}) + "\n")
  rc, _, err = _score([g], capsys)
  _assert_clear_error(rc, err, g, line=1)
  assert "target #0" in err


# ------------------------------------ fuzz ------------------------------------

_BAD_VALUES = [None, float("nan"), float("inf"), 51, 51.0, True, [], ["51"], [51], {},
               {"answers": ["51"]}, "", "51", [["51"]], -1e308]


def _mutate(rng, base: list[dict]) -> bytes:
  """One malformed (or odd) file derived from ``base`` lines."""
  lines = [json.loads(json.dumps(l)) for l in base]
  k = rng.randrange(len(lines))
  op = rng.randrange(9)
  if op == 0:  # a field gets a value of another type
    keys = [("prediction",), ("inputs",), ("inputs", "targets_pretokenized"),
            ("inputs", "inputs_pretokenized"), ("inputs", "answers"),
            ("inputs", "answer_canons")]
    path = rng.choice(keys)
    obj = lines[k]
    for p in path[:-1]:
      obj = obj[p]
    obj[path[-1]] = rng.choice(_BAD_VALUES)
  elif op == 1:  # a field is dropped
    obj = lines[k] if rng.random() < 0.5 else lines[k]["inputs"]
    if obj:
      obj.pop(rng.choice(sorted(obj)))
  elif op == 2:  # the line is another JSON value
    lines[k] = rng.choice([[], "x", 3, None, [lines[k]], {"input": lines[k]}])
  data = [json.dumps(l, allow_nan=True).encode() for l in lines]
  if op == 3:  # truncated line
    data[k] = data[k][:rng.randrange(len(data[k]))]
  elif op == 4:  # random bytes, invalid UTF-8 among them
    b = bytearray(data[k])
    for _ in range(rng.randint(1, 4)):
      b[rng.randrange(len(b))] = rng.randrange(256)
    data[k] = bytes(b)
  elif op == 5:  # deep nesting
    data[k] = b"[" * 100000 + b"]" * 100000
  elif op == 6:  # an integer too long for Python to read
    data[k] = b'{"inputs": {"targets_pretokenized": "1"}, "prediction": ' + b"9" * 5000 + b"}"
  elif op == 7:  # CR line ends, a BOM, a NUL
    data[k] = rng.choice([b"\xef\xbb\xbf", b"\x00", b""]) + data[k] + rng.choice([b"\r", b""])
  elif op == 8:  # JSON NaN / Infinity literals
    data[k] = data[k].replace(b'"prediction": "', b'"prediction": NaN, "x": "', 1)
  return b"\n".join(data) + b"\n"


@pytest.mark.parametrize("task,base_line,metric", [
    (SVAMP, _svamp_line(prediction="7 apples"), "numeric_accuracy"),
    (WTQ, _wtq_line(["2004"], ["2004.0"], prediction="zzz wrong"), "denotation_accuracy"),
])
def test_fuzz_bad_t5x_infer_files(tmp_path, capsys, task, base_line, metric):
  """Every file: exit 2 with an error naming the file, or a score where nothing is right."""
  rng = random.Random(task)
  base = [base_line] * 3
  f = tmp_path / f"{task}-predict.jsonl-00000-of-00001"
  outcomes = {0: 0, 2: 0}
  for _ in range(150):
    f.write_bytes(_mutate(rng, base))
    try:
      rc, out, err = _score([f], capsys)
    except Exception as e:  # pylint: disable=broad-except
      pytest.fail(f"raised {type(e).__name__}: {e} on {f.read_bytes()[:300]!r}")
    assert rc in (0, 2), (rc, err)
    if rc == 2:
      _assert_clear_error(rc, err, f)
      assert f"{f}:" in err or "field" in err, err
    else:  # still parseable: the wrong predictions stay wrong
      value = float(out.split(f"{metric}=")[1].split(",")[0].split()[0])
      assert math.isclose(value, 0.0), (out, f.read_bytes()[:300])
    outcomes[rc] += 1
  assert outcomes[2] > 100  # mostly errors, as built


def test_fuzz_bad_eval_files(tmp_path, capsys):
  """SeqIO JSONLogger files (``t5x.eval``): bad values are errors, never right answers."""
  rng = random.Random(7)
  base = {"input": {"inputs_pretokenized": "Question: how many?\nAnswer:",
                    "targets_pretokenized": "51"},
          "target": 51.0, "output": "7 apples", "prediction": 7.0}
  non_strings = [v for v in _BAD_VALUES if not isinstance(v, str)]
  f = tmp_path / f"{SVAMP}-000004.jsonl"
  errors = 0
  for _ in range(120):
    lines = [json.loads(json.dumps(base)) for _ in range(3)]
    line = rng.choice(lines)
    op = rng.randrange(4)
    if op == 0:
      line["output"] = rng.choice(non_strings)
    elif op == 1:
      line.pop("output")
      line["prediction"] = rng.choice([v for v in _BAD_VALUES if v not in (51, 51.0)])
    elif op == 2:
      line["input"]["targets_pretokenized"] = rng.choice(non_strings)
      line.pop("output") if rng.random() < 0.5 else None
    else:
      line.pop(rng.choice(["target", "prediction", "input"]))
    f.write_text("\n".join(json.dumps(l) for l in lines) + "\n")
    try:
      rc, out, err = _score([f], capsys)
    except Exception as e:  # pylint: disable=broad-except
      pytest.fail(f"raised {type(e).__name__}: {e} on {f.read_text()[:300]!r}")
    if rc == 2:
      _assert_clear_error(rc, err, f)
      errors += 1
    else:
      assert rc == 0 and "numeric_accuracy=0.00" in out, (out, err, f.read_text())
  assert errors > 60
