"""The default encoder's embeddings of the shipped instructions, in the package."""

import numpy as np
import pytest

from symtune_jax.selection import cache, shipped
from symtune_jax.selection.encoder import Encoder, resolve_model


@pytest.fixture(scope="module")
def shipped_file():
  encoder_id = resolve_model(None)[1]
  path = cache.shipped_path(encoder_id)
  assert path.exists(), ("no shipped embeddings for the default encoder "
                         f"{encoder_id}: python -m symtune_jax.selection."
                         "shipped")
  with np.load(path, allow_pickle=False) as data:
    return {k: data[k] for k in data.files}, encoder_id


def test_keys_are_the_fingerprints_of_the_shipped_texts(shipped_file):
  """Recomputes every text's fingerprint: the file is never stale."""
  data, encoder_id = shipped_file
  assert str(data["encoder"]) == encoder_id
  texts = shipped.shipped_texts()
  keys = np.frombuffer(b"".join(cache.text_key(t) for t in texts),
                       np.uint8).reshape(-1, 32)
  assert np.array_equal(data["keys"], keys)
  assert data["vectors"].dtype == np.float16
  assert data["vectors"].shape == (len(texts), 384)


def test_first_selection_on_a_fresh_cache_loads_no_model(tmp_path):
  texts = shipped.shipped_texts()
  encoder = Encoder(cache_dir=tmp_path / "empty")
  vectors = encoder.encode(texts)
  assert encoder.encoded == 0 and encoder._model is None
  assert encoder.shipped_hits == len(texts)
  assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
  # Another encoder id never reads them.
  other = cache.EmbeddingCache("some/other-encoder", tmp_path / "empty")
  assert other.lookup([cache.text_key(texts[0])])[0] is None


def test_shipped_vectors_match_a_fresh_encode(tmp_path):
  texts = shipped.shipped_texts()[::700]
  fresh = Encoder(use_cache=False).encode(texts)
  served = Encoder(cache_dir=tmp_path).encode(texts)
  assert np.abs(fresh - served).max() < 2e-3
