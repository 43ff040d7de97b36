"""What a mixture (or task) is made of: components, rates, lengths, examples.

The library behind `symtune inspect` (`symtune_jax.cli.inspect_cmd`), also used
by `symtune cache`, `symtune score`, `symtune contamination` and the demo.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any, Sequence

import numpy as np
import seqio
import tensorflow as tf

from symtune_jax import settings
from symtune_jax.errors import InputError, SymtuneError
from symtune_jax.files import atomic_open, atomic_write_json
from symtune_jax.tasks import mixtures


def register_all_tasks() -> None:
  """Every task family and mixture registers at ``import symtune_jax.tasks``
  (done at the top of this module): kept for callers."""


def components(provider) -> list[tuple[Any, float]]:
  """[(task, normalised rate)]: a task is its own single component."""
  if isinstance(provider, seqio.Mixture):
    rates = [(t, float(provider.get_rate(t))) for t in provider.tasks]
  else:
    rates = [(provider, 1.0)]
  total = sum(r for _, r in rates) or 1.0
  return [(t, r / total) for t, r in rates]


def _percentile(values: Sequence[int], q: float) -> float:
  return float(np.percentile(values, q)) if len(values) else 0.0


@dataclasses.dataclass
class ComponentReport:
  """Statistics of one component task."""
  task: str
  rate: float
  num_examples: int | None
  sampled: int
  lengths: dict[str, dict[str, float]]
  examples: list[dict[str, str]]
  error: str | None = None


def _text(value: Any) -> str:
  return value.decode("utf-8", errors="replace") if isinstance(value, bytes) else str(value)


def inspect_component(task, rate: float, split: str, num_examples: int,
                      lengths: dict[str, int], show: int) -> ComponentReport:
  """Samples the first ``num_examples`` of a task's split (no shuffling)."""
  if split not in task.splits:
    return ComponentReport(task.name, rate, None, 0, {}, [],
                           error=f"no split {split!r} (has {list(task.splits)})")
  try:
    n = task.num_input_examples(split)
  except Exception:  # pylint: disable=broad-except
    n = None
  seqs: dict[str, list[int]] = {k: [] for k in task.output_features}
  examples = []
  try:
    ds = task.get_dataset(None, split=split, shuffle=False, num_epochs=1)
    for ex in ds.take(num_examples).as_numpy_iterator():
      for k in seqs:
        if k in ex:
          seqs[k].append(len(ex[k]))
      if len(examples) < show:
        examples.append({k: _text(ex[f"{k}_pretokenized"]) for k in task.output_features
                         if f"{k}_pretokenized" in ex})
  except SymtuneError as e:
    return ComponentReport(task.name, rate, n, 0, {}, [], error=str(e))
  except (tf.errors.OpError, ValueError) as e:
    msg = getattr(e, "message", str(e)).strip().splitlines()[0]
    vocab = settings.get("vocab")
    hint = (" (vocab 't5' needs the T5 SentencePiece model on GCS; offline set "
            "symtune.settings.vocab = 'byte' or a local .model, or $SYMTUNE_VOCAB)"
            if vocab in ("", "t5") else "")
    return ComponentReport(task.name, rate, n, 0, {}, [], error=msg + hint)
  stats = {}
  for k, vals in seqs.items():
    if vals:
      limit = lengths.get(k)
      stats[k] = {"mean": sum(vals) / len(vals), "p50": _percentile(vals, 50),
                  "p95": _percentile(vals, 95), "max": float(max(vals)),
                  "over_length": (sum(v > limit for v in vals) / len(vals)) if limit else 0.0}
  return ComponentReport(task.name, rate, n, len(next(iter(seqs.values()), [])), stats,
                         examples)


def inspect_provider(name: str, split: str = "train", num_examples: int = 100,
                     lengths: dict[str, int] | None = None, show: int = 3
                     ) -> dict[str, Any]:
  """The whole report (what `symtune inspect` prints), as a dict."""
  lengths = dict(settings.feature_lengths() if lengths is None else lengths)
  provider = mixtures.require_mixture(name)
  comps = components(provider)
  reports = []
  shown = 0
  for task, rate in comps:
    r = inspect_component(task, rate, split, num_examples, lengths,
                          show=max(0, show - shown))
    shown += len(r.examples)
    reports.append(r)
  return {"name": name, "kind": "task" if len(comps) == 1 and comps[0][0].name == name
          else "mixture", "split": split, "sequence_length": lengths,
          "components": [dataclasses.asdict(r) for r in reports]}


def format_report(report: dict[str, Any]) -> str:
  """The report as text (a table, then examples)."""
  lines = [f"{report['kind']} {report['name']} (split {report['split']}), "
           f"{len(report['components'])} component(s)", ""]
  w = max([len(c["task"]) for c in report["components"]] + [9])
  lines.append(f"{'component':<{w}} {'rate':>7} {'examples':>9} {'inputs mean/p50/p95/max':>26}"
               f" {'targets mean/p95/max':>21} {'>len':>5}")
  for c in report["components"]:
    n = "?" if c["num_examples"] is None else str(c["num_examples"])
    if c["error"]:
      lines.append(f"{c['task']:<{w}} {100 * c['rate']:6.1f}% {n:>9}  ERROR: {c['error']}")
      continue
    li, lt = c["lengths"].get("inputs", {}), c["lengths"].get("targets", {})
    fi = (f"{li['mean']:.0f}/{li['p50']:.0f}/{li['p95']:.0f}/{li['max']:.0f}" if li else "-")
    ft = (f"{lt['mean']:.0f}/{lt['p95']:.0f}/{lt['max']:.0f}" if lt else "-")
    over = max(li.get("over_length", 0.0), lt.get("over_length", 0.0))
    lines.append(f"{c['task']:<{w}} {100 * c['rate']:6.1f}% {n:>9} {fi:>26} {ft:>21} "
                 f"{100 * over:4.0f}%")
  lines.append("")
  lines.append(f"lengths in tokens over the first sampled examples of each component; "
               f">len = share longer than {report['sequence_length']}")
  for c in report["components"]:
    for ex in c["examples"]:
      lines.append("")
      lines.append(f"--- {c['task']}")
      for k, v in ex.items():
        v = v if len(v) <= 600 else v[:600] + f" ... [{len(v)} chars]"
        lines.append(f"[{k}] {v}")
  return "\n".join(lines)


def plot_composition(report: dict[str, Any], path: str) -> None:
  """A horizontal bar chart of the normalised rates, written atomically as PNG."""
  import matplotlib  # pylint: disable=g-import-not-at-top
  matplotlib.use("Agg")
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  comps = sorted(report["components"], key=lambda c: c["rate"])
  fig, ax = plt.subplots(figsize=(8, 0.35 * len(comps) + 1.2))
  ax.barh([c["task"] for c in comps], [100 * c["rate"] for c in comps], color="#4c72b0")
  for i, c in enumerate(comps):
    ax.text(100 * c["rate"], i, f" {100 * c['rate']:.1f}%", va="center", fontsize=8)
  ax.set_xlabel("share of examples (%)")
  ax.set_title(f"{report['name']}: composition")
  ax.tick_params(axis="y", labelsize=8)
  fig.tight_layout()
  with atomic_open(path, "wb", encoding=None) as f:
    fig.savefig(f, format="png", dpi=100)
  plt.close(fig)
