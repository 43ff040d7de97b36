"""The on-disk embedding cache and rates-file validation."""

import json

import numpy as np
import pytest

from symtune_jax.errors import InputError
from symtune_jax.selection import rates_file
from symtune_jax.selection.cache import EmbeddingCache, text_key


def test_cache_round_trip(tmp_path):
  cache = EmbeddingCache("model-x", tmp_path)
  keys = [text_key("a"), text_key("b")]
  assert cache.lookup(keys) == (None, [0, 1])
  cache.add(keys, np.eye(2, dtype=np.float32))
  cache.save()
  again = EmbeddingCache("model-x", tmp_path)
  out, missing = again.lookup([text_key("b"), text_key("zz"), text_key("a")])
  assert missing == [1]
  np.testing.assert_array_equal(out[[0, 2]], [[0, 1], [1, 0]])
  # Another encoder id never sees these vectors.
  assert EmbeddingCache("model-y", tmp_path).lookup(keys)[0] is None


def test_keys_ending_in_zero_bytes_survive(tmp_path):
  # numpy's bytes dtype drops trailing NULs; keys are stored as uint8 rows.
  key = b"\x01" * 31 + b"\x00"
  cache = EmbeddingCache("m", tmp_path)
  cache.add([key], np.ones((1, 3), np.float32))
  cache.save()
  assert EmbeddingCache("m", tmp_path).lookup([key])[1] == []


def test_corrupt_cache_is_ignored_and_rewritten(tmp_path):
  cache = EmbeddingCache("m", tmp_path)
  cache.path.parent.mkdir(parents=True, exist_ok=True)
  cache.path.write_bytes(b"not a zip")
  fresh = EmbeddingCache("m", tmp_path)
  assert len(fresh) == 0
  fresh.add([text_key("a")], np.ones((1, 2), np.float32))
  fresh.save()
  assert len(EmbeddingCache("m", tmp_path)) == 1


def _content(**over):
  content = rates_file.make(
      target={"name": "wtq", "source": "target", "instructions": ["Q?"]},
      encoder="enc", method="mean", k=2,
      rates={"t_a": 0.75, "t_b": 0.25},
      tasks={"t_a": {"card": "niv2:a"}, "t_b": {"card": "niv2:b"}},
      ranking=[], created="2025-01-01T00:00:00Z")
  content.update(over)
  return content


def test_rates_file_round_trip(tmp_path):
  path = tmp_path / "m.json"
  rates_file.write(path, _content())
  data = rates_file.read(path)
  assert data["rates"] == {"t_a": 0.75, "t_b": 0.25}
  assert data["shares"] == {"t_a": "75.0%", "t_b": "25.0%"}
  assert data["k"] == 2 and data["created"] == "2025-01-01T00:00:00Z"


@pytest.mark.parametrize("over, field", [
    ({"rates": {}}, "rates"),
    ({"rates": {"t_a": -1.0, "t_b": 0.25}}, "rates.t_a"),
    ({"rates": {"t_a": "x", "t_b": 0.25}}, "rates.t_a"),
    ({"k": 0}, "k"),
    ({"format": "other/2"}, "format"),
    ({"tasks": {"t_c": {}}}, "tasks.t_c"),
])
def test_bad_rates_files_name_the_field(tmp_path, over, field):
  path = tmp_path / "bad.json"
  path.write_text(json.dumps(_content(**over)))
  with pytest.raises(InputError) as e:
    rates_file.read(path)
  assert e.value.field == field and "bad.json" in str(e.value)


def test_missing_field_and_corrupt_json(tmp_path):
  path = tmp_path / "bad.json"
  data = _content()
  del data["encoder"]
  path.write_text(json.dumps(data))
  with pytest.raises(InputError, match="'encoder'"):
    rates_file.read(path)
  path.write_text('{"target": \n  oops}')
  with pytest.raises(InputError, match=r"bad.json:2.*not valid JSON"):
    rates_file.read(path)
  with pytest.raises(InputError, match="not found"):
    rates_file.read(tmp_path / "none.json")
