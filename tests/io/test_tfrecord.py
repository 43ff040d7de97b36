"""TFRecords without TensorFlow: byte-equal to TF's writer, read back by TF, deterministic."""

import os
import subprocess
import sys

import pytest

from symtune_jax import tfrecord

RECORDS = [
    {"inputs": "Execute SQL: SELECT 1\n\ncol : a | b row 1 : x | y", "targets": "1",
     "table_id": "203_733", "shape": "select", "sql": "SELECT 1", "num_answers": 1,
     "index": 0},
    {"inputs": "ünïcödé ✓ \u200b | \x00", "targets": "a, b", "table_id": "t",
     "shape": "count", "sql": "", "num_answers": 123456789012, "index": 7},
    {"inputs": "", "targets": "", "table_id": "", "shape": "", "sql": "x" * 300,
     "num_answers": -3, "index": 1 << 40},
]


def test_crc32c_known_values():
  assert tfrecord._crc32c_python(b"123456789") == 0xE3069283
  assert tfrecord._crc32c_python(b"") == 0
  assert tfrecord.crc32c(b"123456789") == 0xE3069283
  data = bytes(range(256)) * 9
  assert tfrecord.crc32c(data) == tfrecord._crc32c_python(data)


def test_byte_identical_to_tensorflow_and_read_back(tmp_path):
  tf = pytest.importorskip("tensorflow")

  def tf_example(rec):
    feats = {}
    for k, v in rec.items():
      if isinstance(v, int):
        feats[k] = tf.train.Feature(int64_list=tf.train.Int64List(value=[v]))
      else:
        feats[k] = tf.train.Feature(bytes_list=tf.train.BytesList(value=[v.encode()]))
    return tf.train.Example(features=tf.train.Features(feature=feats))

  ours, theirs = tmp_path / "ours.tfrecord", tmp_path / "tf.tfrecord"
  tfrecord.write_examples(ours, RECORDS)
  with tf.io.TFRecordWriter(str(theirs)) as w:
    for rec in RECORDS:
      w.write(tf_example(rec).SerializeToString(deterministic=True))
  assert ours.read_bytes() == theirs.read_bytes()
  for rec in RECORDS:  # also list values and floats, proto by proto
    ex = tf_example(rec)
    ex.features.feature["f"].float_list.value.extend([0.5, -2.0])
    ex.features.feature["l"].bytes_list.value.extend([b"a", b""])
    ex.features.feature["e"].bytes_list.SetInParent()  # [] -> bytes_list
    assert tfrecord.example_bytes({**rec, "f": [0.5, -2.0], "l": ["a", b""], "e": []}) == \
        ex.SerializeToString(deterministic=True)
  back = [tf.train.Example.FromString(r.numpy()) for r in tf.data.TFRecordDataset(str(ours))]
  assert len(back) == len(RECORDS)
  for ex, rec in zip(back, RECORDS):
    f = ex.features.feature
    assert f["inputs"].bytes_list.value[0].decode() == rec["inputs"]
    assert f["num_answers"].int64_list.value[0] == rec["num_answers"]
  assert list(tfrecord.read_records(ours)) == [tfrecord.example_bytes(r) for r in RECORDS]


def test_same_content_same_bytes_whatever_the_key_order(tmp_path):
  a, b = tmp_path / "a", tmp_path / "b"
  tfrecord.write_examples(a, RECORDS)
  tfrecord.write_examples(b, [dict(reversed(list(r.items()))) for r in RECORDS])
  assert a.read_bytes() == b.read_bytes()


def test_corruption_is_detected(tmp_path):
  p = tmp_path / "x"
  tfrecord.write_examples(p, RECORDS[:1])
  data = bytearray(p.read_bytes())
  data[20] ^= 1
  p.write_bytes(bytes(data))
  with pytest.raises(ValueError, match="CRC"):
    list(tfrecord.read_records(p))


def test_module_does_not_import_tensorflow():
  code = ("import sys; from symtune_jax import tfrecord; "
          "tfrecord.write_examples(sys.argv[1], [{'a': 'b', 'n': 1}]); "
          "print('tensorflow' in sys.modules)")
  out = subprocess.run([sys.executable, "-c", code, os.devnull], capture_output=True,
                       text=True, check=True, env={**os.environ, "PYTHONPATH": os.getcwd()})
  assert out.stdout.strip() == "False"


def test_batched_crc_equals_per_record(monkeypatch):
  import random  # pylint: disable=g-import-not-at-top
  rng = random.Random(0)
  datas = [bytes(rng.randrange(256) for _ in range(rng.choice([0, 1, 7, 100, 3000])))
           for _ in range(300)] + [b"123456789"]
  monkeypatch.setattr(tfrecord, "CRC_IMPLEMENTATION", "python")
  monkeypatch.setattr(tfrecord, "_GROUP", 64)  # several groups
  assert tfrecord.crc32c_many(datas) == [tfrecord._crc32c_python(d) for d in datas]
  assert tfrecord.crc32c_many(datas)[-1] == 0xE3069283
  assert tfrecord.frames(datas) == b"".join(tfrecord.frame(d) for d in datas)


def test_fast_paths_write_what_the_general_encoder_writes():
  """`example_bytes` (fast paths for one str / one int) against `_feature` for every value."""
  import random  # pylint: disable=g-import-not-at-top

  def general(features):
    entries = b"".join(
        tfrecord._field(1, tfrecord._field(1, k.encode("utf-8"))  # pylint: disable=protected-access
                        + tfrecord._field(2, tfrecord._feature(features[k])))  # pylint: disable=protected-access
        for k in sorted(features))
    return tfrecord._field(1, entries)  # pylint: disable=protected-access

  rng = random.Random(0)
  for _ in range(500):
    rec = {}
    for key in ("inputs", "targets", "num_answers", "index", "é", "x" * 200):
      kind = rng.random()
      if kind < 0.4:  # text of lengths around the varint boundaries, non-ASCII too
        rec[key] = "".join(rng.choice("ab é\u4e2d\U0001F600")
                           for _ in range(rng.choice([0, 1, 42, 127, 128, 300, 20000])))
      elif kind < 0.7:
        rec[key] = rng.choice([0, 1, 127, 128, 300, 2**40, -1, -2**63, True, False])
      elif kind < 0.8:
        rec[key] = rng.random()
      elif kind < 0.9:
        rec[key] = [rng.randint(-5, 500) for _ in range(rng.randint(0, 3))]
      else:
        rec[key] = b"\x00\xff" * rng.randint(0, 100)
    assert tfrecord.example_bytes(rec) == general(rec), rec
