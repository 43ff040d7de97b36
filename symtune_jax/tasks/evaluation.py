"""SeqIO registration of the evaluation suite (zero-shot and k-shot).

Tasks (all ``_v1``; data roots in `symtune_jax.evaluation.data_roots`):
  symtune_eval_{wtq,wikisql,sqa}_<template>_v1   denotation accuracy (official WTQ rule;
                                                 `evaluation.denotation`)
  symtune_eval_tabfact_<template>_v1             yes/no accuracy
  symtune_eval_svamp_<template>_v1               numeric accuracy (test: 700 of the 1,000
                                                 problems, disjoint from validation)
  symtune_eval_bbh_<task>_v1                     27 BBH tasks, 3-shot, exact match
  symtune_eval_bbh_<task>_rankclass_v1           23 multiple-choice BBH tasks, scored
  symtune_eval_mmlu_<subject>_v1                 57 subjects, 5-shot, accuracy
  symtune_eval_mmlu_<subject>_rankclass_v1       the same, scored
Mixtures: ``symtune_eval_<benchmark>_mix`` (every template of one table
benchmark, for template selection), ``symtune_eval_table_mix``,
``symtune_eval_bbh_mix``, ``symtune_eval_bbh_rankclass_mix``,
``symtune_eval_mmlu_mix``, ``symtune_eval_mmlu_rankclass_mix``.

``*_rankclass_v1`` tasks hold one (prompt, option) pair per option with
``idx``/``is_correct`` features; run them with T5X ``infer`` in ``score`` mode
(or a ``seqio.Evaluator`` with a score function): their metric is a score
metric. The others are scored on generated text.

Registration reads no files. A dataset is built when requested: the split's
examples are loaded and rendered eagerly (so a missing file or malformed line
raises an `InputError` naming it and the environment variable to set, before
TensorFlow runs), then fed to ``tf.data``. Prompts are fit to
the run's inputs length (``symtune.settings.inputs_length``, default 2048, the
paper's input length) in tokens of the task vocabulary: table rows / shots are
dropped, questions are never cut.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Iterable, Sequence

import seqio
import tensorflow as tf

from symtune_jax import settings
from symtune_jax.errors import InputError
from symtune_jax.evaluation import (bbh, denotation, mmlu, numeric, sqa, svamp, tabfact,
                                    templates, wikisql, wtq)
from symtune_jax.evaluation import rank_classification as rc
from symtune_jax.evaluation.table_prompt import render_table_question
from symtune_jax.tables import linearize, truncate
from symtune_jax.tasks import registry, vocab

VERSION = "v1"

_TEXT = tf.TensorSpec((), tf.string)
_BASE_SIGNATURE = {"id": _TEXT, "inputs": _TEXT, "targets": _TEXT}
# The gold list and its official canonical values ('' = none; WTQ targetCanon):
# the metric reads these, never the joined ``targets`` text.
_TABLE_QA_SIGNATURE = {**_BASE_SIGNATURE, "answers": tf.TensorSpec((None,), tf.string),
                       "answer_canons": tf.TensorSpec((None,), tf.string)}
_RANK_SIGNATURE = {**_BASE_SIGNATURE, "idx": tf.TensorSpec((2,), tf.int32),
                   "is_correct": tf.TensorSpec((), tf.bool)}

_PREPROCESSORS = (
    seqio.preprocessors.tokenize,
    seqio.CacheDatasetPlaceholder(),
    seqio.preprocessors.append_eos_after_trim,
)

TABLE_QA_BENCHMARKS = {"wtq": wtq, "wikisql": wikisql, "sqa": sqa}
TABLE_BENCHMARKS = ("wtq", "wikisql", "sqa", "tabfact", "svamp")


def input_length() -> int:
  """Prompt budget in tokens, EOS included: the inputs_length setting."""
  value, origin = settings.resolve("inputs_length")
  if value <= 16:
    raise InputError(f"inputs_length {value} (from {origin}): expected an integer "
                     "above 16")
  return value


def _length_fn() -> Callable[[str], int]:
  return truncate.vocab_length_fn(vocab.get_vocabulary())


def _budget() -> int:
  return input_length() - 1  # room for EOS


def task_name(benchmark: str, variant: str, rankclass: bool = False) -> str:
  """('wtq', 'qa') -> 'symtune_eval_wtq_qa_v1'; rankclass adds '_rankclass'."""
  return f"symtune_eval_{benchmark}_{variant}{'_rankclass' if rankclass else ''}_{VERSION}"


def _source(build: Callable[[str], list[dict[str, Any]]], splits: Sequence[str],
            signature: dict[str, tf.TensorSpec]) -> seqio.FunctionDataSource:
  """A source whose examples are built (eagerly, with clear errors) per split."""

  def dataset_fn(split: str, shuffle_files: bool, seed: int | None = None) -> tf.data.Dataset:
    del shuffle_files, seed
    examples = build(split)

    def gen() -> Iterable[dict[str, Any]]:
      for ex in examples:
        yield {k: ex[k] for k in signature}

    return tf.data.Dataset.from_generator(gen, output_signature=signature).apply(
        tf.data.experimental.assert_cardinality(len(examples)))

  return seqio.FunctionDataSource(dataset_fn=dataset_fn, splits=tuple(splits))


def _add(name: str, source: seqio.DataSource, postprocess_fn, metric_fns) -> str:
  return registry.add_task(
      name, source=source, preprocessors=list(_PREPROCESSORS),
      output_features=vocab.output_features(), postprocess_fn=postprocess_fn,
      metric_fns=list(metric_fns), shuffle_buffer_size=None)


# ------------------------------- table reasoning -------------------------------

def build_table_qa(benchmark: str, template_name: str, split: str) -> list[dict[str, Any]]:
  """Rendered examples of a WTQ / WikiSQL / SQA template for ``split``."""
  module = TABLE_QA_BENCHMARKS[benchmark]
  template = templates.get_template(benchmark, template_name)
  length_fn, budget = _length_fn(), _budget()
  out = []
  for q in module.load_questions(split):
    inputs, targets = render_table_question(template, q, max_input_tokens=budget,
                                            length_fn=length_fn)
    out.append({"id": q.id, "inputs": inputs, "targets": targets,
                "answers": list(q.answers),
                "answer_canons": list(q.canons) if q.canons else [""] * len(q.answers)})
  return out


def build_tabfact(template_name: str, split: str) -> list[dict[str, Any]]:
  """Rendered TabFact statements; target = the template's yes/no word."""
  template = templates.get_template("tabfact", template_name)
  yes, no = template.options or ("yes", "no")
  length_fn, budget = _length_fn(), _budget()
  out = []
  for s in tabfact.load_statements(split):
    fields = {"statement": s.statement, "caption": s.caption, "table": "",
              "answer": yes if s.label else no}
    overhead = length_fn(template.render(fields)[0])
    table = truncate.fit_to_budget(s.table, max(budget - overhead, 8), length_fn)
    fields["table"] = linearize.tapex(table)
    inputs, targets = template.render(fields)
    out.append({"id": s.id, "inputs": inputs, "targets": targets})
  return out


def build_svamp(template_name: str, split: str) -> list[dict[str, Any]]:
  """Rendered SVAMP problems; target = the number ('51').

  ``validation`` (template selection) and ``test`` are disjoint: 300 and 700
  of SVAMP's 1,000 problems, split by a salted hash of the ID
  (`svamp.split_of`). The paper reports all 1,000; this test split is the 700
  that selection never saw.
  """
  template = templates.get_template("svamp", template_name)
  out = []
  for p in svamp.load_problems(split):
    inputs, targets = template.render({"body": p.body, "question": p.question,
                                       "answer": svamp.format_number(p.answer)})
    out.append({"id": p.id, "inputs": inputs, "targets": targets})
  return out


def _register_table_tasks() -> dict[str, list[str]]:
  names: dict[str, list[str]] = {}
  for bench in TABLE_BENCHMARKS:
    for t in templates.get_templates(bench):
      if bench in TABLE_QA_BENCHMARKS:
        source = _source(functools.partial(build_table_qa, bench, t.name),
                         TABLE_QA_BENCHMARKS[bench].SPLITS, _TABLE_QA_SIGNATURE)
        post = denotation.table_qa_postprocessor
        metrics = [denotation.denotation_accuracy, denotation.denotation_accuracy_or_whole]
      elif bench == "tabfact":
        source = _source(functools.partial(build_tabfact, t.name), tabfact.SPLITS,
                         _BASE_SIGNATURE)
        post, metrics = tabfact.tabfact_postprocessor, [tabfact.tabfact_accuracy]
      else:
        source = _source(functools.partial(build_svamp, t.name), svamp.SPLITS,
                         _BASE_SIGNATURE)
        post, metrics = numeric.numeric_postprocessor, [numeric.numeric_accuracy]
      names.setdefault(bench, []).append(_add(task_name(bench, t.name), source, post, metrics))
  return names


# ------------------------------------ BBH ------------------------------------

def build_bbh(task: str, split: str) -> list[dict[str, Any]]:
  del split  # one split
  return list(bbh.iter_prompts(task, max_input_tokens=_budget(), length_fn=_length_fn()))


def build_bbh_rankclass(task: str, split: str) -> list[dict[str, Any]]:
  """One scoring pair per option of every BBH example that has its answer among them."""
  out, n = [], 0
  for prompt in build_bbh(task, split):
    mc = bbh.multiple_choice(task, prompt)
    if mc is not None:
      out.extend(rc.expand(mc, index=n))
      n += 1
  return out


def _register_bbh() -> tuple[list[str], list[str]]:
  gen, ranked = [], []
  for task in bbh.TASKS:
    gen.append(_add(task_name("bbh", task), _source(
        functools.partial(build_bbh, task), bbh.SPLITS, _BASE_SIGNATURE),
        bbh.bbh_postprocessor, [bbh.exact_match]))
    if task in bbh.MULTIPLE_CHOICE_TASKS:
      ranked.append(_add(task_name("bbh", task, rankclass=True), _source(
          functools.partial(build_bbh_rankclass, task), bbh.SPLITS, _RANK_SIGNATURE),
          rc.rank_classification_postprocessor, [rc.rank_classification_accuracy]))
  return gen, ranked


# ------------------------------------ MMLU ------------------------------------

def build_mmlu(subject: str, split: str) -> list[dict[str, Any]]:
  return list(mmlu.iter_prompts(subject, split, max_input_tokens=_budget(),
                                length_fn=_length_fn()))


def build_mmlu_rankclass(subject: str, split: str) -> list[dict[str, Any]]:
  out = []
  for i, prompt in enumerate(build_mmlu(subject, split)):
    out.extend(rc.expand(mmlu.multiple_choice(prompt), index=i))
  return out


def _register_mmlu() -> tuple[list[str], list[str]]:
  gen, ranked = [], []
  for subject in mmlu.SUBJECTS:
    gen.append(_add(task_name("mmlu", subject), _source(
        functools.partial(build_mmlu, subject), mmlu.SPLITS, _BASE_SIGNATURE),
        mmlu.mmlu_postprocessor, [mmlu.mmlu_accuracy]))
    ranked.append(_add(task_name("mmlu", subject, rankclass=True), _source(
        functools.partial(build_mmlu_rankclass, subject), mmlu.SPLITS, _RANK_SIGNATURE),
        rc.rank_classification_postprocessor, [rc.rank_classification_accuracy]))
  return gen, ranked


# Task names by group, for the eval mixtures (`symtune_jax.tasks.mixtures`).
TABLE_TASKS: dict[str, list[str]] = _register_table_tasks()
BBH_TASKS, BBH_RANKCLASS_TASKS = _register_bbh()
MMLU_TASKS, MMLU_RANKCLASS_TASKS = _register_mmlu()
