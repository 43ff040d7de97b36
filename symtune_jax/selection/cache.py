"""On-disk embedding cache: one ``.npz`` per encoder, keyed by text hash.

Layout: ``<cache dir>/<encoder id slug>.npz`` holding ``keys`` (the SHA-256
digests of the texts, ``uint8[n, 32]``) and ``vectors`` (float32, one row per key).
The default cache dir is ``~/.cache/symtune_jax/embeddings``; set
``$SYMTUNE_CACHE_DIR`` to move it. Files are rewritten atomically (temp file +
rename), so a killed run leaves the old cache or the new one; two processes
writing at once lose at most the other's new entries, which are recomputed.

Below the user's cache sits a read-only layer shipped in the package
(``symtune_jax/data/embeddings/<encoder id slug>.npz``, float16, built by
`symtune_jax.selection.shipped`): the default encoder's vectors of every
shipped instruction. It is keyed like the cache, by encoder id and by the
SHA-256 of each text, so an edited text or another encoder (version) simply
misses it and is encoded.
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
SHIPPED_DIR = pathlib.Path(__file__).resolve().parents[1] / "data" / (
    "embeddings")


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


def shipped_path(encoder_id: str) -> pathlib.Path:
  """The shipped embeddings file of an encoder (may not exist)."""
  return SHIPPED_DIR / (_slug(encoder_id) + ".npz")


def read_npz(path: pathlib.Path, encoder_id: str | None = None
             ) -> tuple[np.ndarray, np.ndarray] | None:
  """``(keys, vectors)`` of a cache file; None if absent, corrupt or made
  by another encoder (when the file records one)."""
  if not path.exists():
    return None
  try:
    with np.load(path, allow_pickle=False) as data:
      keys, vectors = data["keys"], data["vectors"]
      stored = str(data["encoder"]) if "encoder" in data.files else None
  except (OSError, ValueError, KeyError, zipfile.BadZipFile):
    return None
  if encoder_id is not None and stored is not None and stored != encoder_id:
    return None
  if keys.ndim != 2 or keys.shape[1] != 32 or len(keys) != len(vectors):
    return None
  return keys, vectors


def _index(keys: np.ndarray) -> dict[bytes, int]:
  flat = keys.tobytes()
  return {flat[32 * i:32 * (i + 1)]: i for i in range(len(keys))}


class EmbeddingCache:
  """Vectors of texts already encoded by one encoder."""

  def __init__(self, encoder_id: str,
               cache_dir: str | os.PathLike | None = None,
               shipped: bool = True):
    self.encoder_id = encoder_id
    root = pathlib.Path(cache_dir) if cache_dir else default_cache_dir()
    self.path = root / (_slug(encoder_id) + ".npz")
    self._index: dict[bytes, int] = {}
    self._vectors = np.zeros((0, 0), np.float32)
    self._new_keys: list[bytes] = []
    self._new_vectors: list[np.ndarray] = []
    self._shipped_index: dict[bytes, int] = {}
    self._shipped = np.zeros((0, 0), np.float32)
    self.shipped_hits = 0  # texts served by the shipped layer
    self._load()
    if shipped:
      found = read_npz(shipped_path(encoder_id), encoder_id)
      if found is not None:
        vectors = found[1].astype(np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        self._shipped_index = _index(found[0])
        self._shipped = vectors / np.maximum(norms, 1e-12)

  def _load(self) -> None:
    # A corrupt cache is only lost work: start again, overwrite on save.
    found = read_npz(self.path)
    if found is None:
      return
    keys, vectors = found
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
    if not self._index and not self._new_keys and not self._shipped_index:
      return None, list(range(len(keys)))
    rows, missing = [], []
    new = {k: i for i, k in enumerate(self._new_keys)}
    out = np.zeros((len(keys), self.dim), np.float32)
    for pos, key in enumerate(keys):
      if key in self._index:
        rows.append((pos, self._index[key]))
      elif key in new:
        out[pos] = self._new_vectors[new[key]]
      elif key in self._shipped_index:
        out[pos] = self._shipped[self._shipped_index[key]]
        self.shipped_hits += 1
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
    if self._shipped.size:
      return self._shipped.shape[1]
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
