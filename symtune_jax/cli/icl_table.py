"""`symtune icl-table`: the symbol-tuning paper's evaluation table from T5X output files.

    symtune icl-table /tmp/infer_icl                 # t5x.infer outputs of the suite
    symtune icl-table /tmp/infer_icl /tmp/infer_bb --json table.json

Reads the files T5X writes for the tasks of ``symtune_icl_eval_mix``,
``symtune_bigbench_list_functions_mix`` and
``symtune_bigbench_simp_turing_concept_v1`` (``t5x.infer`` predict mode:
``<task>-predict.jsonl-SSSSS-of-NNNNN``, shards joined; or ``t5x.eval``
inference logs ``<task>-<step>.jsonl``), scores each task and prints the
layout of Wei et al. (2023): the 11 held-out tasks x 4 settings (task
instructions yes/no x relevant labels yes/no) with their average, then List
Functions (the mean of the per-function scores), Simple Turing Concepts and
flipped labels (the mean over the binary tasks).

Scoring needs no data and no model: an ICL prediction is right when it names
the target's class among the labels shown in the prompt (`label_strings` when
the file has it, else read from the prompt's "Output: ..." lines); List
Functions and Simple Turing Concepts use BIG-bench's output regexes and exact
match. Files of other tasks are listed as ignored; tasks of the table with no
file are shown as "-" and listed as missing.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

from symtune_jax.cli import score
from symtune_jax.errors import InputError
from symtune_jax.evaluation import icl
from symtune_jax.files import atomic_write_json


def add_parser(subparsers) -> None:
  p = subparsers.add_parser(
      "icl-table", help="the symbol-tuning paper's table from T5X inference files",
      description=__doc__.splitlines()[0])
  p.add_argument("paths", nargs="+", metavar="INFER_DIR",
                 help="T5X output folders (or files) of the evaluation tasks")
  p.add_argument("--json", metavar="PATH", help="also write the table as JSON")
  p.set_defaults(func=run)


def _text(value: Any, path: str, line: int, field: str) -> str:
  if isinstance(value, str):
    return value
  raise InputError(f"expected a string, got {type(value).__name__} {value!r}", path=path,
                   line=line, field=field)


def _correct_infer(task: str, obj: dict[str, Any]) -> bool:
  """One ``t5x.infer`` predict line -> right or wrong."""
  path, line = obj["_where"]
  inputs = obj["inputs"]
  target = _text(inputs.get("targets_pretokenized"), path, line, "inputs.targets_pretokenized")
  prediction = _text(obj.get("prediction"), path, line, "prediction")
  if icl.ICL_TASK_RE.match(task):
    strings = inputs.get(icl.LABEL_STRINGS_KEY)
    if isinstance(strings, str) and strings:
      labels = tuple(strings.split(icl.SEPARATOR))
    else:
      labels = icl.context_labels(_text(inputs.get("inputs_pretokenized"), path, line,
                                        "inputs.inputs_pretokenized"))
    try:
      return icl.icl_correct(target, prediction, labels)
    except ValueError as e:
      raise InputError(f"{e} (not an output of {task}?)", path=path, line=line,
                       field="inputs.targets_pretokenized") from None
  if icl.LIST_FUNCTION_TASK_RE.match(task):
    return icl.list_correct(target, prediction)
  return icl.quoted_correct(target, prediction)


def _correct_eval(task: str, obj: dict[str, Any]) -> bool:
  """One ``t5x.eval`` inference-log line (already post-processed by SeqIO)."""
  path, line = obj["_where"]
  target, prediction = obj.get("target"), obj.get("prediction")
  if icl.ICL_TASK_RE.match(task):
    if not isinstance(target, int) or isinstance(target, bool) or target < 0:
      raise InputError(f"expected a class index as target, got {target!r}", path=path,
                       line=line, field="target")
    return prediction == target
  return _text(prediction, path, line, "prediction").strip() == \
      _text(target, path, line, "target").strip()


def _in_table(task: str) -> bool:
  m = icl.ICL_TASK_RE.match(task)
  return bool((m and m.group("dataset") in icl.PAPER_ICL_DATASETS) or
              icl.LIST_FUNCTION_TASK_RE.match(task) or task == icl.STC_TASK)


def score_files(paths: Sequence[str]) -> tuple[dict[str, float], dict[str, dict[str, Any]]]:
  """(task -> accuracy %, task -> {lines, files, kind}) of the table's tasks in `paths`."""
  scores: dict[str, float] = {}
  details: dict[str, dict[str, Any]] = {}
  outputs = score.find_outputs(paths)
  seen: dict[str, str] = {}
  for out in outputs:
    if out.task in seen and _in_table(out.task):
      raise InputError(f"several outputs of {out.task} ({seen[out.task]} and "
                       f"{out.kind} {out.mode}); give one folder per checkpoint",
                       path=out.paths[0])
    seen[out.task] = f"{out.kind} {out.mode}"
  for out in outputs:
    if not _in_table(out.task):
      details[out.task] = {"ignored": True, "files": out.paths}
      continue
    if out.kind == "infer" and out.mode != "predict":
      raise InputError(f"{out.task}: a {out.mode}-mode file; the table needs predictions "
                       "(t5x.infer in predict mode)", path=out.paths[0])
    lines = score.read_lines(out.paths, out.kind, out.mode)
    if not lines:
      raise InputError("no lines", path=out.paths[0])
    judge = _correct_infer if out.kind == "infer" else _correct_eval
    hits = sum(judge(out.task, obj) for obj in lines)
    scores[out.task] = 100.0 * hits / len(lines)
    details[out.task] = {"lines": len(lines), "files": out.paths, "kind": out.kind}
  return scores, details


def _cell(value: float | None, width: int = 8) -> str:
  return f"{'-':>{width}}" if value is None else f"{value:>{width}.1f}"


def render(table: dict[str, Any]) -> str:
  """The table as text, in the paper's layout."""
  name_w = 34
  yes = lambda b: "yes" if b else "no"
  out = ["Held-out in-context learning: accuracy (%), k = 4 exemplars per class",
         f"{'Relevant labels:':>{name_w}}" + "".join(f"{yes(r):>8}" for _, _, r in
                                                   icl.PAPER_SETTINGS),
         f"{'Task instructions:':>{name_w}}" + "".join(f"{yes(i):>8}" for _, i, _ in
                                                     icl.PAPER_SETTINGS) + f"{'flipped':>9}"]
  for dataset, (abbrev, _) in icl.PAPER_ICL_DATASETS.items():
    row = table["icl"][dataset]
    label = f"{abbrev} ({dataset})"
    flipped = " " + _cell(row["flipped"]) if "flipped" in row else ""
    out.append(f"{label:<{name_w}}" + "".join(_cell(row[s]) for s, _, _ in icl.PAPER_SETTINGS)
               + flipped)
  n = len(icl.PAPER_ICL_DATASETS)
  avg = table["average"]
  counts = {avg[s]["tasks"] for s, _, _ in icl.PAPER_SETTINGS}
  label = f"Average ({n} tasks)" if counts == {n} else \
      f"Average (tasks: {'/'.join(str(avg[s]['tasks']) for s, _, _ in icl.PAPER_SETTINGS)})"
  out.append(f"{label:<{name_w}}" + "".join(_cell(avg[s]["score"]) for s, _, _ in
                                            icl.PAPER_SETTINGS))
  out.append("")
  lf, fl = table["list_functions"], table["flipped"]
  out.append(f"{'List Functions':<{name_w}}{_cell(lf['mean'])}  (mean of {lf['functions']} "
             "per-function scores)")
  out.append(f"{'Simple Turing Concepts':<{name_w}}{_cell(table['simple_turing_concepts'])}")
  out.append(f"{'Flipped labels':<{name_w}}{_cell(fl['mean'])}  (mean of {fl['tasks']} of "
             f"{fl['binary_tasks']} binary tasks)")
  if lf["per_function"]:
    out.append("")
    out.append("List Functions per function: " + ", ".join(
        f"{k} {v:.1f}" for k, v in lf["per_function"].items()))
  if table["missing"]:
    out.append("")
    out.append(f"missing ({len(table['missing'])}): " + ", ".join(table["missing"]))
  return "\n".join(out)


def run(args) -> int:
  scores, details = score_files(args.paths)
  if not scores:
    raise InputError(f"no outputs of the table's tasks (symtune_icl_*, "
                     f"symtune_bigbench_list_functions_cNNN_v1, {icl.STC_TASK}) in "
                     f"{list(args.paths)}")
  table = icl.paper_table(scores)
  print(render(table))
  if args.json:
    try:
      atomic_write_json(args.json, {**table, "scores": scores, "outputs": details})
    except OSError as e:
      raise InputError(f"cannot write the JSON file ({e.strerror})", path=args.json) from None
  return 0 if all(not math.isnan(v) for v in scores.values()) else 1
