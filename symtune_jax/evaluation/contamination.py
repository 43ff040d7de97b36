"""Train/evaluation contamination: shared tables and 13-gram overlap of the inputs.

For each training component of a mixture and each evaluation task:

* **shared tables**: table ids that both read (e.g. a WTQ test table that the
  SQL-execution data was made from);
* **13-gram overlap**, as GPT-3 (Brown et al., 2020, appendix C) and FLAN
  (Wei et al., 2022) report it: the share of evaluation examples whose input
  has at least one 13-gram that also occurs in the component's training
  inputs. Text is lower-cased and split into words (``\\w+``), so punctuation
  and spacing don't matter; texts shorter than 13 words count their whole
  word sequence as one n-gram (the papers' rule for short examples).

Pure logic: callers give texts and table ids (`symtune contamination` reads
them from SeqIO tasks and the evaluation loaders).

    >>> index = NgramIndex(n=13)
    >>> index.add("col : year | city row 1 : 2004 | bangkok ...")
    >>> index.hits("... row 1 : 2004 | bangkok ...")
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, Mapping, Sequence

DEFAULT_N = 13
_WORD_RE = re.compile(r"\w+", re.UNICODE)
_TASKISH_RE = re.compile(r"\S*task\d+\w*\S*")


def words(text: str) -> list[str]:
  """Lower-cased words: 'Col : Year | 2,004' -> ['col', 'year', '2', '004']."""
  return _WORD_RE.findall(text.lower())


def ngrams(tokens: Sequence[str], n: int = DEFAULT_N) -> set[int]:
  """Hashes of the token n-grams (the whole sequence when shorter than n; none if empty).

  Hashes are Python's (salted per process): compare within one process only.
  """
  if not tokens:
    return set()
  if len(tokens) < n:
    return {hash(tuple(tokens))}
  return {hash(tuple(tokens[i:i + n])) for i in range(len(tokens) - n + 1)}


class NgramIndex:
  """The n-grams of a set of training inputs."""

  def __init__(self, n: int = DEFAULT_N):
    if n < 1:
      raise ValueError(f"n must be >= 1, got {n}")
    self.n = n
    self._grams: set[int] = set()
    self.texts = 0

  def add(self, text: str) -> None:
    self._grams |= ngrams(words(text), self.n)
    self.texts += 1

  def __len__(self) -> int:
    return len(self._grams)

  def hits(self, text: str) -> bool:
    """True when ``text`` has an n-gram of the index."""
    return self.hits_tokens(words(text))

  def hits_tokens(self, tokens: Sequence[str]) -> bool:
    grams = self._grams
    n = self.n
    if len(tokens) < n:
      return bool(tokens) and hash(tuple(tokens)) in grams
    return any(hash(tuple(tokens[i:i + n])) in grams for i in range(len(tokens) - n + 1))


@dataclasses.dataclass
class TrainSide:
  """What one training component showed: sampled inputs and the table ids it reads.

  Attributes:
    name: the component (SeqIO task).
    inputs: sampled training inputs.
    table_ids: tables the component reads (its whole pool where known).
    error: why the component could not be read (then it is reported, not scored).
  """
  name: str
  inputs: Sequence[str] = ()
  table_ids: frozenset[str] = frozenset()
  error: str | None = None


@dataclasses.dataclass
class EvalSide:
  """One evaluation task: its inputs, each with the table id it reads (or None)."""
  name: str
  examples: Sequence[tuple[str, str | None]] = ()
  error: str | None = None


def report(train: Sequence[TrainSide], evals: Sequence[EvalSide], *, n: int = DEFAULT_N,
           progress: Any = None, max_listed: int = 10) -> dict[str, Any]:
  """The contamination report as a JSON-able dict.

  ``{"n": 13, "components": [...], "evaluations": [...], "pairs": [{"component",
  "evaluation", "shared_tables", "shared_table_examples", "eval_examples",
  "eval_examples_with_ngram", "ngram_overlap"}]}``; ``progress`` is an
  optional ``callable(step)`` (e.g. a tqdm bar's update), called per pair.
  """
  pairs = []
  eval_tables = {e.name: frozenset(t for _, t in e.examples if t) for e in evals}
  for comp in train:
    index = NgramIndex(n)
    if comp.error is None:
      for text in comp.inputs:
        index.add(text)
    for ev in evals:
      if comp.error is not None or ev.error is not None:
        pairs.append({"component": comp.name, "evaluation": ev.name,
                      "error": comp.error or ev.error})
        if progress:
          progress(1)
        continue
      shared = sorted(comp.table_ids & eval_tables[ev.name])
      shared_set = frozenset(shared)
      hits = sum(index.hits(text) for text, _ in ev.examples) if comp.inputs else 0
      total = len(ev.examples)
      pairs.append({
          "component": comp.name, "evaluation": ev.name,
          "train_examples": len(comp.inputs), "train_ngrams": len(index),
          "shared_tables": len(shared), "shared_table_ids": shared[:max_listed],
          "eval_tables": len(eval_tables[ev.name]),
          "shared_table_examples": sum(1 for _, t in ev.examples if t in shared_set),
          "eval_examples": total, "eval_examples_with_ngram": hits,
          "ngram_overlap": round(hits / total, 4) if total else 0.0,
      })
      if progress:
        progress(1)
  return {
      "n": n,
      "components": [{"name": c.name, "train_examples": len(c.inputs),
                      "table_ids": len(c.table_ids), "error": c.error} for c in train],
      "evaluations": [{"name": e.name, "examples": len(e.examples),
                       "tables": len(eval_tables[e.name]), "error": e.error} for e in evals],
      "pairs": pairs,
  }


def format_report(rep: Mapping[str, Any], max_errors: int = 5) -> str:
  """A plain-text table of the report: one line per (component, evaluation)."""
  lines = [f"{rep['n']}-gram overlap: share of evaluation examples with any {rep['n']}-gram "
           "in the component's sampled training inputs; shared tables: table ids both read",
           ""]
  scored = [p for p in rep["pairs"] if "error" not in p]
  errors = [p for p in rep["pairs"] if "error" in p]
  if scored:
    cw = max(len("component"), *(len(p["component"]) for p in scored))
    ew = max(len("evaluation"), *(len(p["evaluation"]) for p in scored))
    lines.append(f"{'component':<{cw}}  {'evaluation':<{ew}}  {'train ex':>8}  "
                 f"{'shared tables':>13}  {'eval ex on them':>15}  {'ngram overlap':>13}")
    for p in scored:
      lines.append(
          f"{p['component']:<{cw}}  {p['evaluation']:<{ew}}  {p['train_examples']:>8,}  "
          f"{p['shared_tables']:>6,} / {p['eval_tables']:<5,}  "
          f"{p['shared_table_examples']:>6,} / {p['eval_examples']:<6,}  "
          f"{100 * p['ngram_overlap']:>6.2f}% ({p['eval_examples_with_ngram']:,})")
  if errors:
    by_comp = {}
    for p in errors:  # group messages that differ only in task names / paths
      key = _TASKISH_RE.sub("<task>", p["error"])[:90]
      by_comp.setdefault(key, set()).add(p["component"])
    lines.append("")
    lines.append(f"not scored ({len({p['component'] for p in errors})} components):")
    for err, comps in sorted(by_comp.items(), key=lambda kv: -len(kv[1]))[:max_errors]:
      names = sorted(comps)
      lines.append(f"  {len(names)} x {err} (e.g. {', '.join(names[:3])})")
  return "\n".join(lines)
