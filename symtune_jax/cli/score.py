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
which option is right. A malformed line is an error naming ``file:line``.
``--select-templates`` picks, per benchmark, the prompt template with the best
score (run it on validation outputs).
"""

from __future__ import annotations

import dataclasses
import glob
import math
import os
import re
from typing import Any, Sequence

from symtune_jax.errors import InputError
from symtune_jax.files import parse_jsonl_object

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


def read_lines(paths: Sequence[str], kind: str, mode: str) -> list[dict[str, Any]]:
  """Parses and validates every line; errors name file:line and the field."""
  out = []
  inputs_key = "inputs" if kind == "infer" else "input"
  for path in sorted(paths):
    with open(path, encoding="utf-8") as f:
      for i, line in enumerate(f, start=1):
        if not line.strip():
          continue
        obj = parse_jsonl_object(line, path, i)
        if not isinstance(obj.get(inputs_key), dict):
          raise InputError(f"missing the {inputs_key!r} object", path=path, line=i,
                           field=inputs_key)
        if kind == "infer":
          need = "score" if mode == "score" else "prediction"
          if need not in obj:
            raise InputError(f"missing {need!r} (a {mode}-mode file)", path=path, line=i,
                             field=need)
          if need == "score" and not isinstance(obj["score"], (int, float, list)):
            raise InputError(f"score must be a number, got {obj['score']!r}", path=path,
                             line=i, field="score")
          if need == "prediction" and "targets_pretokenized" not in obj[inputs_key]:
            raise InputError("inputs lack 'targets_pretokenized' (needed as the target)",
                             path=path, line=i, field="inputs.targets_pretokenized")
        else:
          if "target" not in obj or not ("prediction" in obj or "score" in obj):
            raise InputError("expected 'target' and 'prediction' or 'score'", path=path,
                             line=i)
        obj["_where"] = (path, i)
        out.append(obj)
  return out


def _example(inputs: dict[str, Any]) -> dict[str, Any]:
  return {k: (v.encode() if isinstance(v, str) else v) for k, v in inputs.items()}


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


def score_output(out: OutputFile, split: str | None = None) -> dict[str, float]:
  """Applies the task's post-processor and metrics to one output."""
  from symtune_jax.cli.inspect import get_provider  # pylint: disable=g-import-not-at-top
  task = get_provider(out.task)
  if not hasattr(task, "postprocess_fn") or not hasattr(task, "predict_metric_fns"):
    raise InputError(f"{out.task!r} is a mixture; T5X writes one file per task")
  lines = read_lines(out.paths, out.kind, out.mode)
  if not lines:
    raise InputError("no lines", path=out.paths[0])
  metrics: dict[str, float] = {}
  if out.kind == "eval":
    targets = [l["target"] for l in lines]
    if "prediction" in lines[0] and task.predict_metric_fns:
      preds = [l.get("prediction") for l in lines]
      for fn in task.predict_metric_fns:
        metrics.update(fn(targets, preds))
    if "score" in lines[0] and task.score_metric_fns:
      targets = [(tuple(t[0]), t[1]) if isinstance(t, list) else t for t in targets]
      for fn in task.score_metric_fns:
        metrics.update(fn(targets, [l["score"] for l in lines]))
    return _clean(metrics)
  if out.mode == "score":
    if not task.score_metric_fns:
      raise InputError(f"task {task.name!r} has no score metrics; score-mode outputs need a "
                       "rank-classification task (*_rankclass_v1)", path=out.paths[0])
    first = lines[0]["inputs"].get("inputs_pretokenized")
    exs = _task_examples(task, split, len(lines), first)
    for line, ex in zip(lines, exs):
      got = line["inputs"].get("inputs_pretokenized")
      if got is not None and got != ex["inputs_pretokenized"].decode():
        path, i = line["_where"]
        raise InputError("inputs differ from the task's example at this position "
                         "(outputs of another split or task?)", path=path, line=i,
                         field="inputs.inputs_pretokenized")
    targets = [task.postprocess_fn(ex["targets_pretokenized"], example=ex, is_target=True)
               for ex in exs]
    for fn in task.score_metric_fns:
      metrics.update(fn(targets, [l["score"] for l in lines]))
    return _clean(metrics)
  examples = [_example(l["inputs"]) for l in lines]
  targets = [task.postprocess_fn(ex["targets_pretokenized"], example=ex, is_target=True)
             for ex in examples]
  preds = [task.postprocess_fn(l["prediction"], example=ex, is_target=False)
           for l, ex in zip(lines, examples)]
  for fn in task.predict_metric_fns:
    metrics.update(fn(targets, preds))
  return _clean(metrics)


def _clean(metrics: dict[str, Any]) -> dict[str, float]:
  out = {}
  for k, v in metrics.items():
    v = getattr(v, "value", v)
    try:
      out[k] = float(v)
    except (TypeError, ValueError):
      continue
  return out


def run(args) -> int:
  from symtune_jax.evaluation import template_selection  # pylint: disable=g-import-not-at-top
  outputs = find_outputs(args.paths, args.task)
  results = []
  for out in outputs:
    metrics = score_output(out, args.split)
    n = sum(1 for p in out.paths for l in open(p, encoding="utf-8") if l.strip())
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
    from symtune_jax.files import atomic_write_json  # pylint: disable=g-import-not-at-top
    atomic_write_json(args.json, {"results": results, "selected": [
        dataclasses.asdict(s) for s in selections]})
  return 0 if all(not math.isnan(v) for r in results for v in r["metrics"].values()) else 1
