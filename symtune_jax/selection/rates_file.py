"""Rates files: a selection's mixing rates with how they were made.

A rates file (``symtune-rates/1``) is a JSON object::

  {
    "format": "symtune-rates/1",
    "target": {"name": "wtq", "source": "target", "instructions": [...]},
    "encoder": "sentence-transformers/all-MiniLM-L6-v2 (...)",
    "method": "mean",                  # scoring: mean | vote | all
    "k": 5,
    "rates_method": "uniform",         # uniform | proportional | similarity
    "symbolic_share": {"sql_execution": 0.25},
    "pool": {"sources": [...], "size": 1804, "include_test": false},
    "created": "2025-01-01T00:00:00Z",
    "rates": {"<seqio task>": 0.25, ...},     # relative; they sum to 1
    "shares": {"<seqio task>": "25.0%", ...}, # the normalised share, for people
    "tasks": {"<seqio task>": {"card": "niv2:task...", "rank": 1,
                               "dataset": "niv2:task...",
                               "score": 0.58, "fixed": false}},
    "level": "dataset",                # what was ranked: datasets
    "encoder_fingerprint": "...",      # a folder encoder's fingerprint
    "ranking": [{"rank": 1, "card": <dataset key>, "score": ...,
                 "mean_cosine": ..., "cards": [<its cards>],
                 "templates": [{"score": 0.61, "text": ...}, ...]}]
  }

A selection ranks datasets: ``ranking[].card`` is the dataset's key, its
cards (P3 subsets) share its rate, and ``templates`` lists the score of each
template behind the dataset's score (their mean, for method ``mean``).

Method ``all`` (Flan-style: every training task of the pool, no target and
no encoder) records ``"target": null`` and ``"encoder": null``, ``k`` = the
number of tasks, and an empty ``ranking``.

JSON has no comments, so the normalised share FLAN writes in a comment
(``('flan2021_submix', 0.4),  # 40%``) sits in ``shares``, beside ``rates``.
`read` checks every field it relies on and names the file and field at fault.
"""

from __future__ import annotations

import datetime
import json
import math
import os
from typing import Any, Mapping

from symtune_jax.errors import InputError
from symtune_jax.files import atomic_write_json

FORMAT = "symtune-rates/1"
REQUIRED = ("target", "encoder", "method", "k", "created", "rates")


def share_text(rate: float, total: float) -> str:
  """``0.25, 1.0 -> "25.0%"``; below 1%, two significant digits:
  ``0.00054, 1.0 -> "0.054%"`` (a mixture of all NIV2 tasks has ~1,500)."""
  pct = 100 * rate / total
  return f"{pct:.1f}%" if pct >= 1 else f"{pct:.2g}%"


def round_rate(rate: float) -> float:
  """Six significant digits: ``0.130000004 -> 0.13``, ``8.25e-06`` kept
  (rounding to decimal places would distort the small rates of big mixtures)."""
  return float(f"{float(rate):.6g}")


def make(*, target: Mapping[str, Any] | None, encoder: str | None,
         method: str, k: int,
         rates: Mapping[str, float], tasks: Mapping[str, Mapping[str, Any]],
         ranking: list[Mapping[str, Any]], extra: Mapping[str, Any] = (),
         created: str | None = None) -> dict[str, Any]:
  """Assembles a rates file's content (rates in the given order)."""
  rates = {t: round_rate(r) for t, r in rates.items()}
  total = sum(rates.values())  # shares are of the rates as written
  out = {
      "format": FORMAT,
      "target": dict(target) if target is not None else None,
      "encoder": encoder,
      "method": method,
      "k": k,
      **dict(extra),
      "created": created or datetime.datetime.now(datetime.timezone.utc)
                 .strftime("%Y-%m-%dT%H:%M:%SZ"),
      "rates": rates,
      "shares": {t: share_text(r, total) for t, r in rates.items()},
      "tasks": {t: dict(v) for t, v in tasks.items()},
      "ranking": [dict(r) for r in ranking],
  }
  validate(out, "<new rates file>")
  return out


def write(path: str | os.PathLike, content: Mapping[str, Any]) -> None:
  """Writes a rates file atomically after validating it."""
  validate(content, os.fspath(path))
  atomic_write_json(path, content)


def validate(data: Any, path: str) -> None:
  """Raises `InputError` naming ``path`` and the field if ``data`` is bad."""
  if not isinstance(data, dict):
    raise InputError("a rates file must be a JSON object", path=path)
  fmt = data.get("format", FORMAT)
  if fmt != FORMAT:
    raise InputError(f"unknown format {fmt!r}, expected {FORMAT!r}",
                     path=path, field="format")
  for field in REQUIRED:
    if field not in data:
      raise InputError(f"missing; a rates file records {', '.join(REQUIRED)}",
                       path=path, field=field)
  if not isinstance(data["k"], int) or data["k"] < 1:
    raise InputError(f"expected a positive integer, got {data['k']!r}",
                     path=path, field="k")
  rates = data["rates"]
  if not isinstance(rates, dict) or not rates:
    raise InputError("expected a non-empty object {task: rate}", path=path,
                     field="rates")
  for task, rate in rates.items():
    if (isinstance(rate, bool) or not isinstance(rate, (int, float))
        or not math.isfinite(rate) or rate <= 0):
      raise InputError(f"rate of {task!r} must be a positive number, got "
                       f"{rate!r}", path=path, field=f"rates.{task}")
  tasks = data.get("tasks", {})
  if not isinstance(tasks, dict):
    raise InputError("expected an object {task: {card, ...}}", path=path,
                     field="tasks")
  for task, info in tasks.items():
    if task not in rates:
      raise InputError(f"describes {task!r}, which has no rate", path=path,
                       field=f"tasks.{task}")
    if not isinstance(info, dict):
      raise InputError("expected an object", path=path, field=f"tasks.{task}")


def read(path: str | os.PathLike) -> dict[str, Any]:
  """Reads and validates a rates file."""
  path = os.fspath(path)
  try:
    with open(path, encoding="utf-8") as f:
      data = json.load(f)
  except FileNotFoundError:
    raise InputError("rates file not found; write one with `symtune select`",
                     path=path) from None
  except (json.JSONDecodeError, UnicodeDecodeError) as e:
    line = getattr(e, "lineno", None)
    raise InputError(f"rates file is not valid JSON ({getattr(e, 'msg', e)}); "
                     "regenerate it with `symtune select`", path=path,
                     line=line) from None
  validate(data, path)
  return data
