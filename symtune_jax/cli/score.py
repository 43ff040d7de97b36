"""`symtune score`: metrics from T5X inference (or evaluation) output files.

    symtune score /tmp/infer_out                  # every task file in the folder
    symtune score run/symtune_eval_wtq_qa_v1-predict.jsonl-00000-of-00001
    symtune score /tmp/eval_validation --select-templates

Reads the files T5X writes:
  * ``t5x.infer``: ``<task>-<mode>.jsonl-SSSSS-of-NNNNN`` (shards are joined),
    lines ``{"inputs": {"inputs_pretokenized", "targets_pretokenized", ...},
    "prediction": "..."}`` (``mode=predict``) or ``..., "score": -3.2}``
    (``mode=score``);
  * ``t5x.eval`` / ``t5x.train`` inference evals (``seqio.JSONLogger``):
    ``<task>-<step>.jsonl`` lines ``{"input": {...}, "target": ..., "prediction":
    ..., "score": ...}`` (already post-processed by SeqIO).
The task is named by the file (or ``--task``); its post-processor and metrics
are applied, as SeqIO's evaluator would. Score-mode files of rank-classification
tasks are matched line by line with the task's examples (``--split``) to recover
which option is right. Table-QA tasks score against the gold list of the
example's ``answers`` / ``answer_canons`` features, never the joined target
text: when the infer lines lack them (T5X writes only ``*_pretokenized`` fields
unless ``write_inferences_to_file.input_fields_to_include`` names them), each
line is matched by its ``inputs_pretokenized`` with the task's examples, which
needs the same data root, vocabulary and input length as the run.

Malformed input is an error naming ``file:line`` and the field, never a
traceback and never a right answer: a line that is not UTF-8 or not a JSON
object, a prediction that is not a string (null, a number, NaN, a list), a
target of the wrong type, a score that is not a finite number. ``--json`` is
checked to be writable before anything is scored.
``--select-templates`` picks, per benchmark, the prompt template with the best
score (run it on validation outputs).
"""

from __future__ import annotations

import dataclasses
import glob
import json
import math
import os
import re
from typing import Any, Sequence

from symtune_jax.errors import InputError
from symtune_jax.evaluation import template_selection
from symtune_jax.files import atomic_write_json, parse_jsonl_object

_INFER_RE = re.compile(
    r"^(?P<task>.+)-(?P<mode>predict|score|predict_with_aux)\.jsonl(?:-\d{5}-of-\d{5})?$")
_EVAL_RE = re.compile(r"^(?P<task>.+)-(?P<step>-?\d+)\.jsonl$")


def add_parser(subparsers) -> None:
  p = subparsers.add_parser(
      "score", help="compute metrics from T5X inference output files",
      description=__doc__.splitlines()[0])
  p.add_argument("paths", nargs="+", help="T5X output files or folders holding them")
  p.add_argument("--task", help="the task of every file (default: from the file name)")
  p.add_argument("--split", default=None,
                 help="split the outputs came from (rank classification; default: the "
                      "split whose examples match)")
  p.add_argument("--select-templates", action="store_true",
                 help="per benchmark, report the prompt template with the best score")
  p.add_argument("--json", metavar="PATH", help="also write the results as JSON")
  p.set_defaults(func=run)


@dataclasses.dataclass
class OutputFile:
  """One task's output: its files (shards) and how T5X wrote them."""
  task: str
  kind: str  # 'infer' or 'eval'
  mode: str  # 'predict', 'score', 'predict_with_aux', or the step for 'eval'
  paths: list[str]


def classify(path: str, task: str | None = None) -> OutputFile | None:
  """A file name -> what it holds, or None if it is not a T5X output file."""
  name = os.path.basename(path)
  if name.endswith((".COMPLETED", "-metrics.jsonl")) or name.startswith("tmp-"):
    return None
  m = _INFER_RE.match(name)
  if m:
    return OutputFile(task or m.group("task"), "infer", m.group("mode"), [path])
  m = _EVAL_RE.match(name)
  if m:
    return OutputFile(task or m.group("task"), "eval", m.group("step"), [path])
  return None


def find_outputs(paths: Sequence[str], task: str | None = None) -> list[OutputFile]:
  """Output files under ``paths``; infer shards of one task are grouped."""
  files = []
  for p in paths:
    if os.path.isdir(p):
      files.extend(sorted(glob.glob(os.path.join(p, "*.jsonl*"))))
    elif os.path.isfile(p):
      files.append(p)
    else:
      raise InputError("no such file or folder", path=p)
  groups: dict[tuple[str, str, str], OutputFile] = {}
  for f in files:
    out = classify(f, task)
    if out is None:
      if not os.path.isdir(paths[0]) or f in paths:
        raise InputError("not a T5X output file: expected <task>-<mode>.jsonl-SSSSS-of-"
                         "NNNNN (t5x.infer) or <task>-<step>.jsonl (evaluation)", path=f)
      continue
    key = (out.task, out.kind, out.mode)
    if key in groups:
      groups[key].paths.append(f)
    else:
      groups[key] = out
  if not groups:
    raise InputError(f"no T5X output files in {list(paths)}")
  return sorted(groups.values(), key=lambda o: (o.task, o.kind, o.mode))


def _iter_file_lines(path: str):
  """(line number, text) of each non-blank line; bad UTF-8 is an `InputError` at its line."""
  try:
    with open(path, "rb") as f:
      data = f.read()
  except OSError as e:
    raise InputError(f"cannot read ({e.strerror or e})", path=path) from None
  for i, raw in enumerate(data.split(b"\n"), start=1):
    try:
      line = raw.decode("utf-8")
    except UnicodeDecodeError as e:
      raise InputError(f"not valid UTF-8 (byte 0x{raw[e.start]:02x} at column {e.start + 1})",
                       path=path, line=i) from None
    if line.strip():
      yield i, line


def _describe(value: Any) -> str:
  text = json.dumps(value, ensure_ascii=False, allow_nan=True, default=str)
  return f"{type(value).__name__} {text[:60]}{'...' if len(text) > 60 else ''}"


def _is_number(value: Any) -> bool:
  return (isinstance(value, (int, float)) and not isinstance(value, bool)
          and math.isfinite(value))


def _check_infer_line(obj: dict[str, Any], mode: str, where: dict[str, Any]) -> None:
  inputs = obj["inputs"]
  for key in ("inputs_pretokenized", "targets_pretokenized"):
    if key in inputs and not isinstance(inputs[key], str):
      raise InputError(f"expected a string, got {_describe(inputs[key])}", **where,
                       field=f"inputs.{key}")
  for key in ("answers", "answer_canons"):
    if key in inputs and not (isinstance(inputs[key], list)
                              and all(isinstance(a, str) for a in inputs[key])):
      raise InputError(f"expected a list of strings, got {_describe(inputs[key])}", **where,
                       field=f"inputs.{key}")
  if ("answers" in inputs and "answer_canons" in inputs
      and len(inputs["answers"]) != len(inputs["answer_canons"])):
    raise InputError(f"{len(inputs['answers'])} answers but {len(inputs['answer_canons'])} "
                     "canon values", **where, field="inputs.answer_canons")
  if mode == "score":
    if "score" not in obj:
      raise InputError("missing 'score' (a score-mode file)", **where, field="score")
    score = obj["score"]
    if not (_is_number(score) or (isinstance(score, list) and score
                                  and all(_is_number(x) for x in score))):
      raise InputError(f"score must be a finite number, got {_describe(score)}", **where,
                       field="score")
    return
  if "prediction" not in obj:
    raise InputError(f"missing 'prediction' (a {mode}-mode file)", **where, field="prediction")
  if not isinstance(obj["prediction"], str):
    raise InputError("prediction must be a string (the decoded model output), got "
                     f"{_describe(obj['prediction'])}", **where, field="prediction")
  if "targets_pretokenized" not in inputs:
    raise InputError("inputs lack 'targets_pretokenized' (needed as the target)", **where,
                     field="inputs.targets_pretokenized")


def read_lines(paths: Sequence[str], kind: str, mode: str) -> list[dict[str, Any]]:
  """Parses and validates every line; errors name file:line and the field."""
  out = []
  inputs_key = "inputs" if kind == "infer" else "input"
  for path in sorted(paths):
    for i, line in _iter_file_lines(path):
      where = {"path": path, "line": i}
      obj = parse_jsonl_object(line, path, i)
      if not isinstance(obj.get(inputs_key), dict):
        raise InputError(f"missing the {inputs_key!r} object", **where, field=inputs_key)
      if kind == "infer":
        _check_infer_line(obj, mode, where)
      else:
        if "target" not in obj or not ("prediction" in obj or "score" in obj):
          raise InputError("expected 'target' and 'prediction' or 'score'", **where)
        if "output" in obj and not isinstance(obj["output"], str):
          raise InputError(f"output must be a string (the decoded model output), got "
                           f"{_describe(obj['output'])}", **where, field="output")
        for key in ("inputs_pretokenized", "targets_pretokenized"):
          if key in obj["input"] and not isinstance(obj["input"][key], str):
            raise InputError(f"expected a string, got {_describe(obj['input'][key])}",
                             **where, field=f"input.{key}")
      obj["_where"] = (path, i)
      out.append(obj)
  return out


def _example(inputs: dict[str, Any]) -> dict[str, Any]:
  return {k: (v.encode() if isinstance(v, str) else v) for k, v in inputs.items()}


# What a failing metric or post-processor raises on a malformed value.
_BAD_VALUE = (TypeError, ValueError, KeyError, AttributeError, IndexError)


def _line_error(line: dict[str, Any], message: str, field: str | None = None) -> InputError:
  path, i = line["_where"]
  return InputError(message, path=path, line=i, field=field)


def _postprocess(task, value: Any, example: dict[str, Any], is_target: bool,
                 line: dict[str, Any]) -> Any:
  try:
    return task.postprocess_fn(value, example=example, is_target=is_target)
  except InputError as e:
    raise _line_error(line, str(e)) from None
  except _BAD_VALUE as e:
    field = "inputs.targets_pretokenized" if is_target else "prediction"
    raise _line_error(line, f"cannot post-process ({e})", field) from None


def _apply_metric(fn, targets: list[Any], values: list[Any], lines: list[dict[str, Any]]
                  ) -> dict[str, Any]:
  """``fn(targets, values)``; a malformed value is an `InputError` at its line."""
  try:
    return fn(targets, values)
  except _BAD_VALUE as e:
    first = e
  for t, v, line in zip(targets, values, lines):  # find the line at fault
    try:
      fn([t], [v])
    except _BAD_VALUE as e:
      raise _line_error(line, f"{getattr(fn, '__name__', 'metric')}: {e}") from None
  path, _ = lines[0]["_where"]
  raise InputError(f"{getattr(fn, '__name__', 'metric')} failed on these lines: {first}",
                   path=path) from None


def _task_examples(task, split: str | None, n: int, first_inputs: str | None
                   ) -> list[dict[str, Any]]:
  """The task's examples of the split whose size (and first input) match the file."""
  splits = [split] if split else [s for s in ("test", "validation", "train")
                                  if s in task.splits]
  for s in splits:
    if s not in task.splits:
      raise InputError(f"task {task.name!r} has no split {s!r}", field="--split")
    ds = task.get_dataset(None, split=s, shuffle=False, num_epochs=1)
    exs = list(ds.as_numpy_iterator())
    if len(exs) == n and (split or first_inputs is None or
                          exs[0]["inputs_pretokenized"].decode() == first_inputs):
      return exs
  raise InputError(f"no split of {task.name!r} has {n} examples matching the file's "
                   f"lines; pass --split", field="--split")


def _gold_features(task, lines: list[dict[str, Any]], split: str | None,
                   required: Sequence[str]) -> None:
  """Adds the example features the target needs (``answers``, ...) to lines that lack them.

  Each such line is matched by its ``inputs_pretokenized`` with an example of
  the task (``--split``, else test, validation, train: the first split holding
  every line); its ``targets_pretokenized`` must agree.
  """
  todo = [l for l in lines if any(f not in l["inputs"] for f in required)]
  if not todo:
    return
  splits = [split] if split else [s for s in ("test", "validation", "train")
                                  if s in task.splits]
  tried = []
  best: tuple[int, dict[str, Any]] | None = None  # (lines found, first line not found)
  for s in splits:
    if s not in task.splits:
      raise InputError(f"task {task.name!r} has no split {s!r}", field="--split")
    index: dict[str, dict[str, Any]] = {}
    for ex in task.get_dataset(None, split=s, shuffle=False, num_epochs=1).as_numpy_iterator():
      index.setdefault(ex["inputs_pretokenized"].decode("utf-8", "replace"), ex)
    found = [index.get(l["inputs"].get("inputs_pretokenized")) for l in todo]
    hits = sum(f is not None for f in found)
    tried.append(f"{s}: {hits} of {len(todo)} lines found")
    if hits < len(todo):
      if best is None or hits > best[0]:
        best = (hits, next(l for l, f in zip(todo, found) if f is None))
      continue
    for line, ex in zip(todo, found):
      if ex["targets_pretokenized"].decode("utf-8", "replace") != line["inputs"].get(
          "targets_pretokenized"):
        raise _line_error(line, f"targets differ from those of the task's {s} example with "
                          "these inputs (outputs of other data?)",
                          "inputs.targets_pretokenized")
      for f in required:
        line["inputs"].setdefault(f, [v.decode("utf-8") if isinstance(v, bytes) else v
                                      for v in ex[f].tolist()])
      for f in ("answer_canons",):
        if f in ex and f not in line["inputs"]:
          line["inputs"][f] = [v.decode("utf-8") for v in ex[f].tolist()]
    return
  raise _line_error(
      best[1] if best else todo[0],
      f"the line lacks {list(required)} (the gold list) and its inputs "
      f"match no example of {task.name!r} ({'; '.join(tried)}). Score with the data root, "
      "vocabulary and input length of the run, pass --split, or write the features with "
      "T5X (write_inferences_to_file.input_fields_to_include)", f"inputs.{required[0]}")


def score_output(out: OutputFile, split: str | None = None) -> dict[str, float]:
  """Applies the task's post-processor and metrics to one output."""
  return score_output_lines(out, split)[0]


def score_output_lines(out: OutputFile, split: str | None = None
                       ) -> tuple[dict[str, float], int]:
  """`score_output` and the number of lines scored."""
  from symtune_jax.tasks import mixtures  # pylint: disable=g-import-not-at-top
  task = mixtures.require_mixture(out.task)
  if not hasattr(task, "postprocess_fn") or not hasattr(task, "predict_metric_fns"):
    raise InputError(f"{out.task!r} is a mixture; T5X writes one file per task")
  lines = read_lines(out.paths, out.kind, out.mode)
  if not lines:
    raise InputError("no lines", path=out.paths[0])
  metrics: dict[str, float] = {}
  if out.kind == "eval":
    targets = [l["target"] for l in lines]
    if "prediction" in lines[0] and task.predict_metric_fns:
      if any("prediction" not in l for l in lines):
        bad = next(l for l in lines if "prediction" not in l)
        raise _line_error(bad, "missing 'prediction' (the file's first line has one)",
                          "prediction")
      if all(isinstance(l.get("output"), str)
             and isinstance(l["input"].get("targets_pretokenized"), str) for l in lines):
        # Recompute from the raw text, as the infer path does: never trust a
        # logged post-processed value.
        for l in lines:
          l["inputs"], l["prediction"] = l["input"], l["output"]
        return _score_predictions(task, lines, split, metrics), len(lines)
      _check_logged_types(task, lines)
      preds = [l["prediction"] for l in lines]
      for fn in task.predict_metric_fns:
        metrics.update(_apply_metric(fn, targets, preds, lines))
    if "score" in lines[0] and task.score_metric_fns:
      for l in lines:
        t, score = l["target"], l.get("score")
        if not (isinstance(t, list) and len(t) == 2 and isinstance(t[0], list)
                and len(t[0]) == 2 and all(_is_number(x) and x == int(x) for x in t[0])
                and isinstance(t[1], bool)):
          raise _line_error(l, "expected a rank-classification target [[example, option], "
                            f"is_correct], got {_describe(t)}", "target")
        if not (_is_number(score) or (isinstance(score, list) and score
                                      and all(_is_number(x) for x in score))):
          raise _line_error(l, f"score must be a finite number, got {_describe(score)}",
                            "score")
      targets = [(tuple(t[0]), t[1]) if isinstance(t, list) else t for t in targets]
      for fn in task.score_metric_fns:
        metrics.update(_apply_metric(fn, targets, [l["score"] for l in lines], lines))
    return _clean(metrics), len(lines)
  if out.mode == "score":
    if not task.score_metric_fns:
      raise InputError(f"task {task.name!r} has no score metrics; score-mode outputs need a "
                       "rank-classification task (*_rankclass_v1)", path=out.paths[0])
    first = lines[0]["inputs"].get("inputs_pretokenized")
    exs = _task_examples(task, split, len(lines), first)
    for line, ex in zip(lines, exs):
      got = line["inputs"].get("inputs_pretokenized")
      if got is not None and got != ex["inputs_pretokenized"].decode():
        raise _line_error(line, "inputs differ from the task's example at this position "
                          "(outputs of another split or task?)", "inputs.inputs_pretokenized")
    targets = [task.postprocess_fn(ex["targets_pretokenized"], example=ex, is_target=True)
               for ex in exs]
    for fn in task.score_metric_fns:
      metrics.update(_apply_metric(fn, targets, [l["score"] for l in lines], lines))
    return _clean(metrics), len(lines)
  return _score_predictions(task, lines, split, metrics), len(lines)


def _score_predictions(task, lines: list[dict[str, Any]], split: str | None,
                       metrics: dict[str, Any]) -> dict[str, float]:
  """Post-processes raw ``prediction`` texts and ``inputs.targets_pretokenized``, then scores."""
  # Task.postprocess_fn is a method; the function given at registration is `postprocessor`.
  post = getattr(task, "postprocessor", None) or getattr(task, "_postprocess_fn", None)
  required = tuple(getattr(post, "required_features", ()))
  if required:
    _gold_features(task, lines, split, required)
  examples = [_example(l["inputs"]) for l in lines]
  targets = [_postprocess(task, ex["targets_pretokenized"], ex, True, l)
             for l, ex in zip(lines, examples)]
  preds = [_postprocess(task, l["prediction"], ex, False, l)
           for l, ex in zip(lines, examples)]
  for fn in task.predict_metric_fns:
    metrics.update(_apply_metric(fn, targets, preds, lines))
  return _clean(metrics)


def _json_kind(value: Any) -> str:
  if isinstance(value, bool):
    return "bool"
  if value is None or isinstance(value, (int, float)):
    return "number"  # SeqIO post-processors give None for 'no number'
  if isinstance(value, (str, bytes)):
    return "string"
  if isinstance(value, (list, tuple)):
    return "list"
  if isinstance(value, dict):
    return "object"
  return type(value).__name__


def _check_logged_types(task, lines: list[dict[str, Any]]) -> None:
  """Logged post-processed predictions (no raw ``output``) must have the task's type.

  The type is what the task's post-processor makes of a text ('1'); a list
  where a number is expected (``["51"]``) would otherwise be read as text.
  """
  try:
    probe = task.postprocess_fn("1", example=None, is_target=False)
  except Exception:  # pylint: disable=broad-except
    return  # the post-processor needs features: the metric checks the values
  kind = _json_kind(probe)
  for l in lines:
    got = _json_kind(l["prediction"])
    ok = got == kind or (kind == "number" and got == "number")
    if kind == "number" and isinstance(l["prediction"], float):
      ok = ok and not math.isnan(l["prediction"])
    if kind == "list":
      ok = ok and all(isinstance(x, str) for x in l["prediction"])
    if not ok:
      raise _line_error(l, f"prediction of task {task.name!r} should be a {kind} (what its "
                        f"post-processor gives), got {_describe(l['prediction'])}",
                        "prediction")


def _clean(metrics: dict[str, Any]) -> dict[str, float]:
  out = {}
  for k, v in metrics.items():
    v = getattr(v, "value", v)
    try:
      out[k] = float(v)
    except (TypeError, ValueError):
      continue
  return out


def check_writable(path: str) -> None:
  """An `InputError` unless ``path`` can be written (its folder exists and is writable)."""
  if os.path.isdir(path):
    raise InputError("is a folder; expected a file path", path=path, field="--json")
  folder = os.path.dirname(os.path.abspath(path))
  if not os.path.isdir(folder):
    raise InputError(f"folder {folder} does not exist", path=path, field="--json")
  if not os.access(folder, os.W_OK | os.X_OK):
    raise InputError(f"folder {folder} is not writable", path=path, field="--json")
  if os.path.exists(path) and not os.access(path, os.W_OK):
    raise InputError("file is not writable", path=path, field="--json")


def run(args) -> int:
  if args.json:
    check_writable(args.json)
  outputs = find_outputs(args.paths, args.task)
  results = []
  for out in outputs:
    metrics, n = score_output_lines(out, args.split)
    results.append({"task": out.task, "kind": out.kind, "mode": out.mode, "lines": n,
                    "files": out.paths, "metrics": metrics})
  width = max(len(r["task"]) for r in results)
  print(f"{'task':<{width}}  {'mode':<8} {'lines':>6}  metrics")
  for r in results:
    m = ", ".join(f"{k}={v:.2f}" for k, v in sorted(r["metrics"].items()))
    print(f"{r['task']:<{width}}  {r['mode']:<8} {r['lines']:>6}  {m}")
  selections = []
  if args.select_templates:
    task_scores = {}
    for r in results:
      if r["metrics"]:
        first = sorted(r["metrics"])[0]
        task_scores[r["task"]] = r["metrics"][first]
    selections = template_selection.select_per_benchmark(task_scores)
    if not selections:
      raise InputError("--select-templates: no outputs of template tasks "
                       "(symtune_eval_<benchmark>_<template>_v1)")
    print()
    for s in selections:
      others = ", ".join(f"{k}={v:.2f}" for k, v in sorted(s.scores.items()))
      print(f"best template for {s.benchmark}: {s.template} ({s.score:.2f}; {others})")
  if args.json:
    try:
      atomic_write_json(args.json, {"results": results, "selected": [
          dataclasses.asdict(s) for s in selections]})
    except OSError as e:
      raise InputError(f"cannot write ({e.strerror or e})", path=args.json,
                       field="--json") from None
  return 0 if all(not math.isnan(v) for r in results for v in r["metrics"].values()) else 1
