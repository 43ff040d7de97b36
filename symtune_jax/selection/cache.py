"""On-disk embedding cache: one ``.npz`` per encoder, keyed by text hash.

Layout: ``<cache dir>/<encoder id slug>.npz`` holding ``keys`` (the SHA-256
digests of the texts, ``uint8[n, 32]``) and ``vectors`` (float32, one row per key).
The default cache dir is ``~/.cache/symtune_jax/embeddings``; set
``$SYMTUNE_CACHE_DIR`` to move it. Files are rewritten atomically (temp file +
rename), so a killed run leaves the old cache or the new one; two processes
writing at once lose at most the other's new entries, which are recomputed.
"""

from __future__ import annotations

import hashlib
import os
import pathlib
import re
import zipfile

import numpy as np

from symtune_jax import settings
from symtune_jax.files import atomic_open

CACHE_ENV = settings.SETTINGS["cache_dir"].env_var


def default_cache_dir() -> pathlib.Path:
  """``<cache_dir setting>/embeddings`` (Gin, ``$SYMTUNE_CACHE_DIR``, ~/.cache/symtune_jax)."""
  return settings.get("cache_dir") / "embeddings"


def text_key(text: str) -> bytes:
  """Stable key of a text (SHA-256 of its UTF-8 bytes)."""
  return hashlib.sha256(text.encode("utf-8")).digest()


def _slug(encoder_id: str) -> str:
  digest = hashlib.sha256(encoder_id.encode("utf-8")).hexdigest()[:12]
  readable = re.sub(r"[^A-Za-z0-9._-]+", "_", encoder_id)[:60].strip("_")
  return f"{readable}-{digest}"


def _index(keys: np.ndarray) -> dict[bytes, int]:
  flat = keys.tobytes()
  return {flat[32 * i:32 * (i + 1)]: i for i in range(len(keys))}


class EmbeddingCache:
  """Vectors of texts already encoded by one encoder."""

  def __init__(self, encoder_id: str,
               cache_dir: str | os.PathLike | None = None):
    self.encoder_id = encoder_id
    root = pathlib.Path(cache_dir) if cache_dir else default_cache_dir()
    self.path = root / (_slug(encoder_id) + ".npz")
    self._index: dict[bytes, int] = {}
    self._vectors = np.zeros((0, 0), np.float32)
    self._new_keys: list[bytes] = []
    self._new_vectors: list[np.ndarray] = []
    self._load()

  def _load(self) -> None:
    if not self.path.exists():
      return
    try:
      with np.load(self.path, allow_pickle=False) as data:
        keys, vectors = data["keys"], data["vectors"]
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
      # A corrupt cache is only lost work: start again, overwrite on save.
      return
    if keys.ndim != 2 or keys.shape[1] != 32 or len(keys) != len(vectors):
      return
    self._vectors = vectors.astype(np.float32, copy=False)
    self._index = _index(keys)

  def __len__(self) -> int:
    return len(self._index) + len(self._new_keys)

  def lookup(self, keys: list[bytes]) -> tuple[np.ndarray | None, list[int]]:
    """Cached rows for ``keys`` and the positions of the missing ones.

    Returns:
      ``(matrix, missing)``: matrix has one row per key (rows of missing keys
      are zeros), or None when nothing is cached yet.
    """
    if not self._index and not self._new_keys:
      return None, list(range(len(keys)))
    rows, missing = [], []
    new = {k: i for i, k in enumerate(self._new_keys)}
    dim = self.dim
    out = np.zeros((len(keys), dim), np.float32)
    for pos, key in enumerate(keys):
      if key in self._index:
        rows.append((pos, self._index[key]))
      elif key in new:
        out[pos] = self._new_vectors[new[key]]
      else:
        missing.append(pos)
    if rows:
      positions, indices = zip(*rows)
      out[list(positions)] = self._vectors[list(indices)]
    return out, missing

  @property
  def dim(self) -> int:
    if self._vectors.size:
      return self._vectors.shape[1]
    if self._new_vectors:
      return self._new_vectors[0].shape[0]
    return 0

  def add(self, keys: list[bytes], vectors: np.ndarray) -> None:
    for key, vec in zip(keys, np.asarray(vectors, np.float32)):
      if key not in self._index:
        self._new_keys.append(key)
        self._new_vectors.append(vec)

  def save(self) -> None:
    """Writes the cache (atomically) if anything was added."""
    if not self._new_keys:
      return
    old_keys = sorted(self._index, key=self._index.get)
    keys = np.frombuffer(b"".join(old_keys + self._new_keys),
                         np.uint8).reshape(-1, 32)
    new = np.stack(self._new_vectors)
    vectors = (np.concatenate([self._vectors, new]) if self._vectors.size
               else new)
    with atomic_open(self.path, "wb") as f:
      np.savez(f, keys=keys, vectors=vectors)
    self._vectors = vectors
    self._index = _index(keys)
    self._new_keys, self._new_vectors = [], []
