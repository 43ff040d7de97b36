"""Preset ``insta-p3``: the INSTA paper's P3 table in one command.

For each of T0's 9 held-out datasets (`protocols.T0_EVAL`), the top-k
(default 5) datasets of the ``t0_train`` pool, ranked by instruction
similarity with each encoder given (the unaligned default, and the encoder
aligned on ``p3_all`` when asked). The target's instructions are the
templates of the card T0 evaluates on (``super_glue/rte`` for RTE); a
source dataset's score is the mean cosine over every (target template,
source template) pair, all its subsets together (`pools.merge_datasets`).

Writes under the output folder:

* ``table.md``: one row per target, the top-k per encoder;
* ``insta_p3.json``: every selection with its scores and the template
  scores behind each dataset, the encoders, the timings;
* ``rates/<encoder>/<target>_insta.json``: a rates file per selection
  (uniform rates over the top-k datasets' P3 tasks), registrable as a
  mixture (`symtune_jax.tasks.mixtures.register_rates_file`).
"""

from __future__ import annotations

import pathlib
import time
from typing import Any, Sequence

from symtune_jax.errors import InputError
from symtune_jax.files import atomic_write_json, atomic_open
from symtune_jax.instructions import pools, protocols
from symtune_jax.selection import mixture_rates, rates_file, selector
from symtune_jax.selection.encoder import Encoder

POOL = "t0_train"


def insta_p3(out_dir: str | pathlib.Path,
             encoders: Sequence[tuple[str, str | None]], *, k: int = 5,
             method: str = "mean", vote_n: int = 10,
             cache_dir: str | None = None, force: bool = False
             ) -> dict[str, Any]:
  """Runs the preset; writes the rates files; returns the result (JSON).

  Args:
    out_dir: the output folder (created).
    encoders: ``(label, encoder name or folder)``; None is the default.
    k: datasets per target.
    method: ``mean`` or ``vote`` (see `select`).
    vote_n: for ``vote``.
    cache_dir: the embedding cache folder.
    force: overwrite existing rates files.
  """
  out_dir = pathlib.Path(out_dir)
  pool = pools.load([POOL])
  known = pools.all_cards()
  result: dict[str, Any] = {
      "preset": "insta-p3", "pool": POOL, "k": k, "method": method,
      "level": "dataset", "targets": [d.name for d in protocols.T0_EVAL],
      "encoders": {}, "selections": {}, "timings": {}}
  for label, model in encoders:
    t0 = time.time()
    encoder = Encoder(model, cache_dir=cache_dir)
    result["encoders"][label] = encoder.id
    rows = {}
    for ds in protocols.T0_EVAL:
      target, excluded = pools.resolve_target(ds.name, known)
      merged, members = pools.merge_datasets(pool)
      by_key = {c.key: c for c in pool}
      member_cards = {d: [by_key[c] for c in keys]
                      for d, keys in members.items()}
      drop = set(excluded) | {d for d, keys in members.items()
                              if set(keys) & set(excluded)}
      sel = selector.select_tasks(target, merged, encoder, k=k, method=method,
                                  vote_n=vote_n, exclude=sorted(drop))
      content = mixture_rates.rates_content(
          sel, encoder_id=encoder.id, k=k, method=method,
          rates_method="uniform", temperature=0.05, cap=3000, fixed={},
          pool_sources=[POOL], include_test=False, vote_n=vote_n,
          members=member_cards,
          extra={"preset": "insta-p3", "encoder_label": label})
      path = out_dir / "rates" / label / f"{ds.name}_insta.json"
      if path.exists() and not force:
        raise InputError("rates file exists; pass --force to overwrite",
                         path=str(path), field="--out")
      path.parent.mkdir(parents=True, exist_ok=True)
      rates_file.write(path, content)
      rows[ds.name] = {
          "target_card": target.key,
          "top": [{"rank": r["rank"], "dataset": r["card"],
                   "score": r["score"], "cards": r["cards"],
                   "templates": r["templates"]} for r in content["ranking"]],
          "rates_file": str(path.relative_to(out_dir)),
          "excluded": len(sel.ranking.excluded)}
    result["selections"][label] = rows
    result["timings"][f"{label}_s"] = round(time.time() - t0, 2)
    result["timings"][f"{label}_texts_encoded"] = encoder.encoded
    result["timings"][f"{label}_shipped_hits"] = encoder.shipped_hits
  return result


def _short(key: str) -> str:
  return key.split(":", 1)[1]


def table(result: dict[str, Any]) -> str:
  """The Markdown table: a row per target, the top-k per encoder."""
  labels = list(result["selections"])
  head = "| target | " + " | ".join(
      f"top-{result['k']} ({label})" for label in labels) + " |"
  lines = [head, "|" + "---|" * (1 + len(labels))]
  for name in result["targets"]:
    cells = []
    for label in labels:
      top = result["selections"][label][name]["top"]
      cells.append(", ".join(f"{_short(t['dataset'])} ({t['score']:.3f})"
                             for t in top))
    lines.append(f"| {name} | " + " | ".join(cells) + " |")
  return "\n".join(lines)


def write(out_dir: str | pathlib.Path, result: dict[str, Any]) -> None:
  """Writes ``table.md`` and ``insta_p3.json``."""
  out_dir = pathlib.Path(out_dir)
  out_dir.mkdir(parents=True, exist_ok=True)
  encoders = "; ".join(f"{k}: {v}" for k, v in result["encoders"].items())
  text = (f"# INSTA on P3: top-{result['k']} {result['pool']} datasets per "
          f"T0 held-out target\n\nScore: mean cosine over every (target "
          f"template, source template) pair of a dataset (all subsets).\n"
          f"Encoders: {encoders}\n\n{table(result)}\n")
  with atomic_open(out_dir / "table.md", "w") as f:
    f.write(text)
  atomic_write_json(out_dir / "insta_p3.json", result)
