"""Picking the best prompt template on validation, as the papers report.

Given validation scores per template (from `symtune score` on T5X outputs of
``symtune_eval_<benchmark>_<template>_v1`` tasks), choose per benchmark the
template with the highest score; ties go to the template listed first in
`templates.TEMPLATES` (a fixed order, so the choice is reproducible).
"""

from __future__ import annotations

import dataclasses
import re
from typing import Iterable, Mapping

from symtune_jax.errors import InputError
from symtune_jax.evaluation import templates as templates_lib

_TASK_RE = re.compile(r"^symtune_eval_(?P<bench>[a-z]+)_(?P<template>[a-z0-9_]+)_v\d+$")


@dataclasses.dataclass(frozen=True)
class Selection:
  """The chosen template of one benchmark and the scores it was chosen from."""
  benchmark: str
  template: str
  score: float
  scores: Mapping[str, float]


def parse_template_task(task_name: str) -> tuple[str, str] | None:
  """'symtune_eval_wtq_qa_v1' -> ('wtq', 'qa'); a task without templates -> None."""
  m = _TASK_RE.match(task_name)
  if not m:
    return None
  bench, template = m.group("bench"), m.group("template")
  if bench not in templates_lib.TEMPLATES:
    return None
  if template not in {t.name for t in templates_lib.TEMPLATES[bench]}:
    return None
  return bench, template


def select_best_template(scores: Mapping[str, float], benchmark: str | None = None
                         ) -> tuple[str, float]:
  """{'qa': 31.0, 'table_first': 35.5} -> ('table_first', 35.5).

  Ties: the template earlier in the benchmark's template list (or, without a
  benchmark, the alphabetically first name).
  """
  if not scores:
    raise InputError("no validation scores to select a template from")
  order = {}
  if benchmark in templates_lib.TEMPLATES:
    order = {t.name: i for i, t in enumerate(templates_lib.TEMPLATES[benchmark])}
  def key(name: str) -> tuple[float, int, str]:
    return (-float(scores[name]), order.get(name, len(order)), name)
  best = min(scores, key=key)
  return best, float(scores[best])


def select_per_benchmark(task_scores: Mapping[str, float]) -> list[Selection]:
  """Task name -> validation score, grouped by benchmark, best template each.

  {'symtune_eval_wtq_qa_v1': 30, 'symtune_eval_wtq_table_first_v1': 35} ->
  [Selection('wtq', 'table_first', 35, {...})]. Tasks that are not template
  variants are ignored.
  """
  grouped: dict[str, dict[str, float]] = {}
  for task, score in task_scores.items():
    parsed = parse_template_task(task)
    if parsed is None:
      continue
    grouped.setdefault(parsed[0], {})[parsed[1]] = float(score)
  out = []
  for bench in sorted(grouped):
    name, score = select_best_template(grouped[bench], bench)
    out.append(Selection(bench, name, score, dict(grouped[bench])))
  return out


def template_task_names(benchmark: str, version: int = 1) -> Iterable[str]:
  """All task names of a benchmark's templates: 'symtune_eval_svamp_plain_v1', ..."""
  for t in templates_lib.get_templates(benchmark):
    yield f"symtune_eval_{benchmark}_{t.name}_v{version}"
