"""In-context-learning evaluation: map output symbols back to classes, score.

Symbol-tuning examples carry a passthrough feature `label_strings`: the string
each class is written as in that prompt's context, joined by tabs (symbols and
label names never contain tabs). `symbol_to_class` uses it to turn a decoded
output (or the target) into a class index, so accuracy counts the predicted
symbol against the prompt's own mapping, flipped or not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
import re
from typing import Any

from symtune_jax.symbols import bigbench

LABEL_STRINGS_KEY = "label_strings"
SEPARATOR = "\t"
_TRAILING = " \t\r\n.,;:!?\"'"
_LIST_RE = re.compile(r"\[(?:\d+, )*(?:\d+)?\]")
_QUOTED_RE = re.compile(r"'.*?'")


def _text(value: Any) -> str:
  if hasattr(value, "numpy"):
    value = value.numpy()
  if hasattr(value, "item") and getattr(value, "shape", None) == ():
    value = value.item()
  return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def join_label_strings(strings: Sequence[str]) -> str:
  """Example: ("foo", "42") -> "foo\\t42"."""
  for s in strings:
    if SEPARATOR in s:
      raise ValueError(f"label string {s!r} contains a tab")
  return SEPARATOR.join(strings)


def class_of(output: str, label_strings: Sequence[str]) -> int:
  """The class whose string the output is, or -1.

  Matching is exact after stripping whitespace and trailing punctuation, then
  case-insensitive, then on the output's first line.

  Example: ("Foo.\\n", ("bar", "foo")) -> 1; ("baz", ("bar", "foo")) -> -1.
  """
  candidates = [output.strip(_TRAILING)]
  first = output.strip().split("\n", 1)[0].strip(_TRAILING)
  if first != candidates[0]:
    candidates.append(first)
  for cand in candidates:
    if cand in label_strings:
      return label_strings.index(cand)
    lowered = [s.lower() for s in label_strings]
    if cand.lower() in lowered and lowered.count(cand.lower()) == 1:
      return lowered.index(cand.lower())
  return -1


def symbol_to_class(output: str, example: Mapping[str, Any] | None = None,
                    is_target: bool = False) -> int:
  """SeqIO postprocessor: a decoded output (or target) -> class index (-1: none).

  Example: ("QF", example={"label_strings": b"4821\\tQF"}) -> 1.
  """
  del is_target
  if example is None or LABEL_STRINGS_KEY not in example:
    raise ValueError(f"symbol_to_class needs the example's {LABEL_STRINGS_KEY!r} feature "
                     "(is the task's passthrough feature dropped?)")
  return class_of(output, _text(example[LABEL_STRINGS_KEY]).split(SEPARATOR))


def accuracy(targets: Sequence[int], predictions: Sequence[int]) -> dict[str, float]:
  """Accuracy in percent on predicted classes (a prediction of -1 is wrong).

  Example: ([0, 1, 1], [0, 1, -1]) -> {"accuracy": 66.67}.
  """
  if len(targets) != len(predictions):
    raise ValueError(f"{len(targets)} targets but {len(predictions)} predictions")
  if not targets:
    return {"accuracy": 0.0}
  hits = sum(1 for t, p in zip(targets, predictions) if t == p and t >= 0)
  return {"accuracy": 100.0 * hits / len(targets)}


def extract_list(output: str, example: Any = None, is_target: bool = False) -> str:
  """Postprocessor: the first "[a, b, ...]" list in the output (BIG-bench's regex).

  Example: "The answer is [1, 2].\\n" -> "[1, 2]"; "none" -> "none".
  """
  del example, is_target
  m = _LIST_RE.search(output)
  return m.group(0) if m else output.strip()


def extract_quoted(output: str, example: Any = None, is_target: bool = False) -> str:
  """Postprocessor: the first '...' quoted string (Simple Turing Concepts' regex).

  Example: " '01'\\n\\nInput" -> "'01'".
  """
  del example, is_target
  m = _QUOTED_RE.search(output)
  return m.group(0) if m else output.strip()


def exact_match(targets: Sequence[str], predictions: Sequence[str]) -> dict[str, float]:
  """Exact string match in percent after stripping whitespace.

  Example: (["[1]", "[2]"], [" [1]", "[3]"]) -> {"exact_match": 50.0}.
  """
  if len(targets) != len(predictions):
    raise ValueError(f"{len(targets)} targets but {len(predictions)} predictions")
  if not targets:
    return {"exact_match": 0.0}
  hits = sum(1 for t, p in zip(targets, predictions) if t.strip() == p.strip())
  return {"exact_match": 100.0 * hits / len(targets)}


# ---------------------------------------------------------------- the paper's table

# The 11 held-out ICL datasets of Wei et al. (2023) with the abbreviations of
# the paper's tables, in its order, and their number of classes.
PAPER_ICL_DATASETS: dict[str, tuple[str, int]] = {
    "subj": ("SUBJ", 2),
    "tweeteval_hate": ("TEH", 2),
    "tweeteval_stance_abortion": ("TEAB", 3),
    "tweeteval_stance_atheism": ("TEAT", 3),
    "tweeteval_stance_feminist": ("TEFE", 3),
    "tweeteval_stance_hillary": ("TEHI", 3),
    "raft_ade_corpus_v2": ("ADEC", 2),
    "raft_overruling": ("OR", 2),
    "raft_semiconductor_org_types": ("SOT", 3),
    "raft_terms_of_service": ("TOS", 2),
    "raft_twitter_complaints": ("TC", 2),
}
# (setting, task instructions, relevant labels), in the paper's column order.
PAPER_SETTINGS = (("instr_nl", True, True), ("noinstr_nl", False, True),
                  ("instr_sym", True, False), ("noinstr_sym", False, False))
ICL_TASK_RE = re.compile(r"^symtune_icl_(?P<dataset>.+)_(?P<setting>instr_nl|instr_sym|"
                         r"noinstr_nl|noinstr_sym|flipped)_v1$")
LIST_FUNCTION_TASK_RE = re.compile(r"^symtune_bigbench_list_functions_(?P<fn>c\d{3})_v1$")
STC_TASK = "symtune_bigbench_simp_turing_concept_v1"
_OUTPUT_LINE = re.compile(r"^Output: (.+)$", re.MULTILINE)


def context_labels(inputs: str) -> tuple[str, ...]:
  """The label strings shown in an evaluation prompt (format input_output), in order.

  T5X's infer files keep only the pretokenized features, not `label_strings`;
  the evaluation prompts write every class's string after "Output: " in context
  (k >= 1 per class), so they can be read back from the prompt.

  Example: "Input: a\\nOutput: 7\\n\\nInput: b\\nOutput: QF\\n\\nInput: c\\nOutput:"
    -> ("7", "QF").
  """
  return tuple(dict.fromkeys(m.strip() for m in _OUTPUT_LINE.findall(inputs)))


def icl_correct(target: str, prediction: str, label_strings: Sequence[str]) -> bool:
  """Whether the prediction names the target's class under the prompt's mapping.

  Raises:
    ValueError: if the target is not one of `label_strings`.
  """
  t = class_of(target, label_strings)
  if t < 0:
    raise ValueError(f"target {target!r} is not among the prompt's labels {list(label_strings)}")
  return class_of(prediction, label_strings) == t


def list_correct(target: str, prediction: str) -> bool:
  """List Functions exact match after BIG-bench's output regex."""
  return extract_list(prediction).strip() == target.strip()


def quoted_correct(target: str, prediction: str) -> bool:
  """Simple Turing Concepts exact match after its output regex."""
  return extract_quoted(prediction).strip() == extract_quoted(target).strip()


def _mean(values: Sequence[float]) -> float | None:
  return sum(values) / len(values) if values else None


def paper_table(scores: Mapping[str, float]) -> dict[str, Any]:
  """The paper's table from per-task scores (task name -> accuracy in percent).

  Returns a dict with:
    icl: dataset -> {setting -> score or None}, for the 11 datasets and the
      four settings plus `flipped` (binary datasets);
    average: setting -> {"score": mean over the datasets present, "tasks": n};
    list_functions: {"per_function": {cNNN: score}, "mean": mean of those,
      "functions": n} (a mean of per-function scores, never a pooled one);
    simple_turing_concepts: score or None;
    flipped: {"per_task": {dataset: score}, "mean": ..., "tasks": n};
    missing: the table's tasks without a score; ignored: other tasks given.
  """
  icl: dict[str, dict[str, float | None]] = {}
  missing, used = [], set()
  for dataset, (_, classes) in PAPER_ICL_DATASETS.items():
    row = {}
    settings = [s for s, _, _ in PAPER_SETTINGS] + (["flipped"] if classes == 2 else [])
    for setting in settings:
      name = f"symtune_icl_{dataset}_{setting}_v1"
      row[setting] = scores.get(name)
      if name in scores:
        used.add(name)
      else:
        missing.append(name)
    icl[dataset] = row
  average = {}
  for setting, _, _ in PAPER_SETTINGS:
    vals = [r[setting] for r in icl.values() if r.get(setting) is not None]
    average[setting] = {"score": _mean(vals), "tasks": len(vals)}
  flipped = {d: r["flipped"] for d, r in icl.items() if "flipped" in r and
             r["flipped"] is not None}
  per_function = {}
  for name, value in scores.items():
    m = LIST_FUNCTION_TASK_RE.match(name)
    if m:
      per_function[m.group("fn")] = value
      used.add(name)
  missing += [f"symtune_bigbench_list_functions_{f}_v1" for f in bigbench.PAPER_LIST_FUNCTIONS
              if f not in per_function]
  stc = scores.get(STC_TASK)
  if stc is not None:
    used.add(STC_TASK)
  return {
      "icl": icl, "average": average,
      "list_functions": {"per_function": dict(sorted(per_function.items())),
                         "mean": _mean(list(per_function.values())),
                         "functions": len(per_function)},
      "simple_turing_concepts": stc,
      "flipped": {"per_task": flipped, "mean": _mean(list(flipped.values())),
                  "tasks": len(flipped),
                  "binary_tasks": sum(1 for _, c in PAPER_ICL_DATASETS.values() if c == 2)},
      "missing": missing + ([] if stc is not None else [STC_TASK]),
      "ignored": sorted(set(scores) - used),
  }
