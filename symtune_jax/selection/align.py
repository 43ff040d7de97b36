"""INSTA alignment: fine-tune the encoder on a meta-dataset's instruction style.

Positive pairs are two instructions (templates) of the same task (label 1);
negative pairs join an instruction with one of another task whose cosine
under the base encoder is below ``threshold`` (0.3; label 0). The loss is
sentence-transformers' cosine-similarity loss, ``MSE(cos(u, v), label)``,
trained with AdamW at a small learning rate for a few epochs; the aligned
encoder is saved as a sentence-transformers folder (usable as ``--encoder``).

A fraction of the tasks (chosen by a hash of their names) is held out of
training; `retrieval` measures on their templates how often the nearest other
template belongs to the same task, before and after alignment.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import pathlib
import shutil
import tempfile
from typing import Sequence

import numpy as np

from symtune_jax.errors import InputError
from symtune_jax.files import atomic_write_json
from symtune_jax.instructions.card import TaskCard
from symtune_jax.selection import cache


@dataclasses.dataclass(frozen=True)
class AlignConfig:
  """Alignment settings (INSTA: small lr, a few epochs, threshold 0.3)."""
  threshold: float = 0.3
  epochs: int = 2
  learning_rate: float = 2e-5
  batch_size: int = 16
  max_positives_per_task: int = 10
  negatives_per_positive: int = 1
  held_out_fraction: float = 0.1
  max_pairs: int | None = None
  seed: int = 0


@dataclasses.dataclass(frozen=True)
class Pair:
  a: str
  b: str
  label: float


def _held_out(name: str, fraction: float) -> bool:
  digest = hashlib.sha256(name.encode("utf-8")).digest()
  return int.from_bytes(digest[:4], "big") / 2**32 < fraction


def split_cards(cards: Sequence[TaskCard], fraction: float
                ) -> tuple[list[TaskCard], list[TaskCard]]:
  """(train, held-out) cards with >= 2 instructions; held-out by name hash."""
  usable = [c for c in cards if len(c.instructions) >= 2]
  train = [c for c in usable if not _held_out(c.key, fraction)]
  held = [c for c in usable if _held_out(c.key, fraction)]
  return train, held


def make_pairs(cards: Sequence[TaskCard], vectors: np.ndarray,
               config: AlignConfig) -> list[Pair]:
  """Positive and negative pairs (deterministic for ``config.seed``).

  Args:
    cards: training cards (each with >= 2 instructions).
    vectors: base-encoder unit vectors of every card's instructions, in card
      order.
    config: the settings.

  Returns:
    Pairs, shuffled.
  """
  rng = np.random.default_rng([config.seed, 1])
  texts = [t for c in cards for t in c.instructions]
  owner = np.repeat(np.arange(len(cards)), [len(c.instructions) for c in cards])
  start = np.concatenate([[0], np.cumsum([len(c.instructions) for c in cards])])
  pairs = []
  for ci, card in enumerate(cards):
    n = len(card.instructions)
    cand = [(i, j) for i in range(n) for j in range(i + 1, n)]
    if len(cand) > config.max_positives_per_task:
      pick = rng.choice(len(cand), config.max_positives_per_task, replace=False)
      cand = [cand[p] for p in sorted(pick)]
    for i, j in cand:
      a, b = start[ci] + i, start[ci] + j
      pairs.append(Pair(texts[a], texts[b], 1.0))
      cos = vectors[a] @ vectors.T
      ok = np.flatnonzero((cos < config.threshold) & (owner != ci))
      if len(ok):
        for o in rng.choice(ok, min(config.negatives_per_positive, len(ok)),
                            replace=False):
          pairs.append(Pair(texts[a], texts[o], 0.0))
  order = rng.permutation(len(pairs))
  pairs = [pairs[i] for i in order]
  if config.max_pairs is not None:
    pairs = pairs[:config.max_pairs]
  return pairs


def retrieval(cards: Sequence[TaskCard], vectors: np.ndarray) -> dict[str, float]:
  """How well instructions find their own task among ``cards``' instructions.

  Returns:
    ``nearest_same_task``: share of instructions whose nearest other
    instruction is of the same task; ``same_task_cosine`` and
    ``other_task_cosine``: mean cosine of same-task and other-task pairs.
  """
  owner = np.repeat(np.arange(len(cards)), [len(c.instructions) for c in cards])
  if len(owner) < 2:
    raise InputError("retrieval needs at least two instructions")
  sims = vectors @ vectors.T
  np.fill_diagonal(sims, -np.inf)
  nearest = sims.argmax(axis=1)
  same = owner[:, None] == owner[None, :]
  off = ~np.eye(len(owner), dtype=bool)
  finite = np.where(np.isfinite(sims), sims, 0.0)
  return {
      "nearest_same_task": float((owner[nearest] == owner).mean()),
      "same_task_cosine": float(finite[same & off].mean()) if (same & off).any()
                          else float("nan"),
      "other_task_cosine": float(finite[~same].mean()) if (~same).any()
                           else float("nan"),
      "instructions": int(len(owner)),
      "tasks": int(len(cards)),
  }


def _encode(model, texts: Sequence[str]) -> np.ndarray:
  return np.asarray(model.encode(list(texts), batch_size=64,
                                 convert_to_numpy=True,
                                 normalize_embeddings=True,
                                 show_progress_bar=False), np.float32)


def train(model, pairs: Sequence[Pair], config: AlignConfig) -> list[float]:
  """Cosine-similarity-loss fine-tuning in place; returns per-epoch losses."""
  import torch  # pylint: disable=g-import-not-at-top
  torch.manual_seed(config.seed)
  device = model.device
  optimizer = torch.optim.AdamW(model.parameters(), lr=config.learning_rate)
  rng = np.random.default_rng([config.seed, 2])
  losses = []
  model.train()
  for _ in range(config.epochs):
    order = rng.permutation(len(pairs))
    total, batches = 0.0, 0
    for s in range(0, len(order), config.batch_size):
      batch = [pairs[i] for i in order[s:s + config.batch_size]]
      emb = []
      for side in ("a", "b"):
        texts = [getattr(p, side) for p in batch]
        prep = getattr(model, "preprocess", None) or model.tokenize
        feats = {k: v.to(device) if hasattr(v, "to") else v
                 for k, v in prep(texts).items()}
        emb.append(model(feats)["sentence_embedding"])
      cos = torch.nn.functional.cosine_similarity(emb[0], emb[1])
      labels = torch.tensor([p.label for p in batch], dtype=cos.dtype,
                            device=device)
      loss = torch.nn.functional.mse_loss(cos, labels)
      optimizer.zero_grad()
      loss.backward()
      optimizer.step()
      total += float(loss.detach())
      batches += 1
    losses.append(total / max(batches, 1))
  model.eval()
  return losses


def _save(model, out_dir: pathlib.Path, report: dict) -> None:
  """Saves the model folder atomically (temp folder, then rename)."""
  out_dir.parent.mkdir(parents=True, exist_ok=True)
  tmp = pathlib.Path(tempfile.mkdtemp(prefix=f".tmp-{out_dir.name}-",
                                      dir=out_dir.parent))
  try:
    model.save(str(tmp))
    atomic_write_json(tmp / "alignment.json", report)
    old = None
    if out_dir.exists():
      old = out_dir.with_name(f".old-{out_dir.name}-{os.getpid()}")
      os.replace(out_dir, old)
    os.replace(tmp, out_dir)
    if old is not None:
      shutil.rmtree(old, ignore_errors=True)
  except BaseException:
    shutil.rmtree(tmp, ignore_errors=True)
    raise


def align(cards: Sequence[TaskCard], out_dir: str | os.PathLike, *,
          base: str | os.PathLike | None = None,
          config: AlignConfig = AlignConfig()) -> dict:
  """Aligns an encoder to ``cards``' instruction style and saves it.

  Args:
    cards: the meta-dataset's cards (those with >= 2 instructions are used).
    out_dir: where the aligned sentence-transformers folder goes.
    base: the encoder to start from (default: all-MiniLM-L6-v2).
    config: the settings.

  Returns:
    The report (also saved as ``alignment.json`` in ``out_dir``): pairs,
    losses, and `retrieval` on the held-out tasks before and after.
  """
  from symtune_jax.selection.encoder import Encoder  # pylint: disable=g-import-not-at-top
  train_cards, held = split_cards(cards, config.held_out_fraction)
  if not train_cards:
    raise InputError("alignment needs tasks with at least two instructions "
                     "(templates); this pool has none outside the held-out "
                     "share. Use --pool p3", field="pool")
  encoder = Encoder(base, use_cache=False)
  model = encoder.model
  train_texts = [t for c in train_cards for t in c.instructions]
  pairs = make_pairs(train_cards, _encode(model, train_texts), config)
  held_texts = [t for c in held for t in c.instructions]
  before = retrieval(held, _encode(model, held_texts)) if len(held) >= 2 else {}
  losses = train(model, pairs, config)
  after = retrieval(held, _encode(model, held_texts)) if len(held) >= 2 else {}
  report = {
      "base": encoder.id,
      "config": dataclasses.asdict(config),
      "train_tasks": len(train_cards), "held_out_tasks": len(held),
      "pairs": len(pairs),
      "positives": sum(p.label == 1.0 for p in pairs),
      "negatives": sum(p.label == 0.0 for p in pairs),
      "epoch_losses": losses,
      "held_out_before": before, "held_out_after": after,
  }
  _save(model, pathlib.Path(out_dir), report)
  return report


def read_report(model_dir: str | os.PathLike) -> dict | None:
  path = pathlib.Path(model_dir) / "alignment.json"
  if not path.exists():
    return None
  return json.loads(path.read_text(encoding="utf-8"))


def cache_path(base_id: str, pool_keys: Sequence[str], config: AlignConfig,
               cache_dir: str | os.PathLike | None = None) -> pathlib.Path:
  """Where an aligned encoder is kept: keyed by the base encoder, the pool's
  cards and the settings, so a changed input never reuses a stale one.

  ``<cache dir>/aligned/<sha256 of them, 16 hex>`` (cache dir: --cache-dir's
  parent folder of ``embeddings``, default ``~/.cache/symtune_jax``).
  """
  digest = hashlib.sha256(json.dumps(
      [base_id, sorted(pool_keys), dataclasses.asdict(config)],
      sort_keys=True).encode("utf-8")).hexdigest()[:16]
  root = (pathlib.Path(cache_dir) if cache_dir
          else cache.default_cache_dir().parent)
  return root / "aligned" / digest


def is_complete(model_dir: str | os.PathLike, config: AlignConfig) -> bool:
  """Whether ``model_dir`` holds an encoder aligned with ``config``."""
  report = read_report(model_dir)
  return bool(report and report.get("config") == dataclasses.asdict(config)
              and (pathlib.Path(model_dir) / "modules.json").exists())
