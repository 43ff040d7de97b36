"""Heat-map of a selection: target instructions x top sources (mean cosine)."""

from __future__ import annotations

import os
import textwrap

import numpy as np

from symtune_jax.files import atomic_open


def _cut(text: str, width: int) -> str:
  return text if len(text) <= width else text[:width - 1] + "…"


def heatmap(sel, k: int, path: str | os.PathLike) -> None:
  """Saves a PNG: rows = target instructions, columns = the top-k sources."""
  import matplotlib  # pylint: disable=g-import-not-at-top
  matplotlib.use("Agg")
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top

  top = sel.top[:k]
  values = np.stack([sel.column(s.key) for s in top], axis=1)
  rows = [textwrap.shorten(t, 60) for t in sel.target.instructions]
  cols = [f"{s.rank}. {_cut(s.key, 45)}" for s in top]
  fig, ax = plt.subplots(figsize=(2 + 0.7 * len(cols), 1.5 + 0.45 * len(rows)))
  im = ax.imshow(values, cmap="viridis", aspect="auto")
  ax.set_xticks(range(len(cols)), cols, rotation=45, ha="right", fontsize=7)
  ax.set_yticks(range(len(rows)), rows, fontsize=7)
  for i in range(values.shape[0]):
    for j in range(values.shape[1]):
      ax.text(j, i, f"{values[i, j]:.2f}", ha="center", va="center",
              fontsize=6, color="white" if values[i, j] < values.mean()
              else "black")
  ax.set_title(f"{sel.target.key}: mean cosine to the top {len(cols)} "
               f"({sel.ranking.method})", fontsize=8)
  fig.colorbar(im, ax=ax, fraction=0.03)
  with atomic_open(path, "wb") as f:
    fig.savefig(f, format="png", dpi=120, bbox_inches="tight")
  plt.close(fig)
