"""TFRecord files of ``tf.train.Example`` records, written without TensorFlow.

A process that only handles strings (``symtune generate sql`` workers) should
not pay TensorFlow's import (seconds of CPU, ~1 GB of memory) to write a file
format this simple:

* a record is ``uint64 length (LE) | uint32 masked_crc32c(length bytes) |
  data | uint32 masked_crc32c(data)``, where ``masked(c) = ((c >> 15 | c << 17)
  + 0xa282ead8) mod 2**32`` (tensorflow/core/lib/hash/crc32c.h);
* ``data`` is a serialized ``tf.train.Example`` (tensorflow/core/example/
  example.proto, feature.proto): ``Example{features = 1: Features{feature = 1:
  map<string, Feature>}}``, ``Feature`` a oneof of ``bytes_list = 1``,
  ``float_list = 2``, ``int64_list = 3`` (packed), each ``{value = 1}``.

Map entries are written in sorted key order, which is what protobuf's
deterministic serialization (``SerializeToString(deterministic=True)``) does,
so the same content gives the same bytes on every run and machine (a test
checks byte equality with TensorFlow's own writer and that TF reads the file).

CRC32C: ``google_crc32c`` (C) when installed (recommended), else a
table-driven implementation: per record in pure Python (~10 MB/s), or for many
records at once (`frames`) vectorized with numpy across records (each record
left-padded with zeros: a zero-initialised CRC register ignores leading zeros,
and the 0xFFFFFFFF initial value's contribution depends only on the length).

    >>> with TFRecordWriter("out.tfrecord") as w:
    ...   w.write(example_bytes({"inputs": "a", "num_answers": 2}))
"""

from __future__ import annotations

import functools
import os
import struct
from typing import Any, BinaryIO, Iterable, Mapping, Sequence

_MASK_DELTA = 0xA282EAD8


def _make_table() -> list[int]:
  table = []
  for n in range(256):
    c = n
    for _ in range(8):
      c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
    table.append(c)
  return table


_TABLE = _make_table()


def _crc32c_python(data: bytes, crc: int = 0) -> int:
  """CRC-32C (Castagnoli), table-driven: b'123456789' -> 0xE3069283."""
  table = _TABLE
  crc ^= 0xFFFFFFFF
  for b in data:
    crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
  return crc ^ 0xFFFFFFFF


try:  # pragma: no cover - depends on the environment
  import google_crc32c as _google_crc32c  # pylint: disable=g-import-not-at-top

  def crc32c(data: bytes) -> int:
    """CRC-32C of ``data`` (google_crc32c)."""
    return _google_crc32c.value(data)

  CRC_IMPLEMENTATION = f"google_crc32c ({_google_crc32c.implementation})"
except ImportError:  # pragma: no cover
  crc32c = _crc32c_python
  CRC_IMPLEMENTATION = "python"


def masked_crc32c(data: bytes) -> int:
  """TFRecord's masked CRC-32C of ``data``."""
  crc = crc32c(data)
  return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF


def frame(record: bytes) -> bytes:
  """One TFRecord frame around ``record``."""
  length = struct.pack("<Q", len(record))
  return (length + struct.pack("<I", masked_crc32c(length)) + record
          + struct.pack("<I", masked_crc32c(record)))


_GROUP = 2048  # records per vectorized batch (sorted by length, so little padding)


@functools.lru_cache(maxsize=1)
def _np_tables():
  import numpy as np  # pylint: disable=g-import-not-at-top
  return np, np.array(_TABLE, dtype=np.uint32)


def _zero_terms(max_len: int) -> list[int]:
  """r[k]: the register after k zero bytes from 0xFFFFFFFF (the init's share, by length)."""
  out, reg, table = [0xFFFFFFFF], 0xFFFFFFFF, _TABLE
  for _ in range(max_len):
    reg = table[reg & 0xFF] ^ (reg >> 8)
    out.append(reg)
  return out


def crc32c_many(datas: Sequence[bytes]) -> list[int]:
  """CRC-32C of each of ``datas`` (google_crc32c, else numpy across records)."""
  if CRC_IMPLEMENTATION != "python" or len(datas) < 8:
    return [crc32c(d) for d in datas]
  np, table = _np_tables()
  out = [0] * len(datas)
  order = sorted(range(len(datas)), key=lambda i: len(datas[i]))
  zeros = _zero_terms(max((len(d) for d in datas), default=0))
  for g in range(0, len(order), _GROUP):
    idx = order[g:g + _GROUP]
    width = len(datas[idx[-1]])
    buf = np.zeros((width, len(idx)), dtype=np.uint8)  # column k: record k, left-padded
    for k, i in enumerate(idx):
      d = datas[i]
      if d:
        buf[width - len(d):, k] = np.frombuffer(d, dtype=np.uint8)
    reg = np.zeros(len(idx), dtype=np.uint32)
    for row in buf:
      reg = table[(reg ^ row) & 0xFF] ^ (reg >> 8)
    for k, i in enumerate(idx):
      out[i] = (int(reg[k]) ^ zeros[len(datas[i])]) ^ 0xFFFFFFFF
  return out


def _mask(crc: int) -> int:
  return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF


def frames(records: Sequence[bytes]) -> bytes:
  """The TFRecord frames of ``records``, concatenated (CRCs computed in one batch)."""
  lengths = [struct.pack("<Q", len(r)) for r in records]
  crcs = crc32c_many(list(records))
  parts = []
  for length, rec, crc in zip(lengths, records, crcs):
    parts.append(length + struct.pack("<I", masked_crc32c(length)) + rec
                 + struct.pack("<I", _mask(crc)))
  return b"".join(parts)


# --- protobuf wire format -----------------------------------------------------------
_SMALL = tuple(bytes((n,)) for n in range(0x80))  # one-byte varints


def _varint(n: int) -> bytes:
  if 0 <= n < 0x80:
    return _SMALL[n]
  if n < 0:
    n += 1 << 64  # int64: two's complement, 10 bytes
  out = bytearray()
  while True:
    b = n & 0x7F
    n >>= 7
    if n:
      out.append(b | 0x80)
    else:
      out.append(b)
      return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
  """A length-delimited field (wire type 2)."""
  return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _feature(value: Any) -> bytes:
  """A serialized ``tf.train.Feature`` for a str/bytes/int/float or a list of one kind."""
  values: Sequence[Any] = value if isinstance(value, (list, tuple)) else [value]
  if all(isinstance(v, (str, bytes)) for v in values):
    payload = b"".join(_field(1, v.encode("utf-8") if isinstance(v, str) else v)
                       for v in values)
    return _field(1, payload)
  if all(isinstance(v, int) for v in values):  # bool is an int
    packed = b"".join(_varint(int(v)) for v in values)
    return _field(3, _field(1, packed) if values else b"")
  if all(isinstance(v, (int, float)) for v in values):
    packed = b"".join(struct.pack("<f", float(v)) for v in values)
    return _field(2, _field(1, packed) if values else b"")
  raise TypeError(f"feature value {value!r}: expected str/bytes, int or float "
                  "(or a list of one kind)")


def _one_feature(value: Any) -> bytes:
  """`_feature` with fast paths for one str or one int (what the generators write)."""
  kind = type(value)
  if kind is str:
    data = value.encode("utf-8")
    inner = b"\x0a" + _varint(len(data)) + data  # BytesList.value
    return b"\x0a" + _varint(len(inner)) + inner  # Feature.bytes_list
  if kind is int:
    packed = _varint(value)
    inner = b"\x0a" + _SMALL[len(packed)] + packed  # Int64List.value (packed)
    return b"\x1a" + _SMALL[len(inner)] + inner  # Feature.int64_list
  return _feature(value)


@functools.lru_cache(maxsize=256)
def _key_field(key: str) -> bytes:
  """The map entry's key field: field 1 of ``key``."""
  return _field(1, key.encode("utf-8"))


def example_bytes(features: Mapping[str, Any]) -> bytes:
  """A serialized ``tf.train.Example`` (deterministic: keys in sorted order).

  Values: str (UTF-8) / bytes -> bytes_list, int -> int64_list, float ->
  float_list; a list or tuple of one kind gives several values.
  """
  parts = []
  for key in sorted(features):
    entry = _key_field(key) + _field(2, _one_feature(features[key]))
    parts.append(b"\x0a" + _varint(len(entry)) + entry)  # Features.feature (map entry)
  return _field(1, b"".join(parts))


class TFRecordWriter:
  """Writes TFRecord frames to a file (uncompressed), like ``tf.io.TFRecordWriter``."""

  def __init__(self, path: str | os.PathLike):
    self._f: BinaryIO = open(path, "wb")  # pylint: disable=consider-using-with

  def write(self, record: bytes) -> None:
    self._f.write(frame(record))

  def flush(self) -> None:
    self._f.flush()

  def close(self) -> None:
    self._f.close()

  def __enter__(self) -> "TFRecordWriter":
    return self

  def __exit__(self, *exc) -> None:
    self.close()


def write_examples(path: str | os.PathLike, records: Iterable[Mapping[str, Any]]) -> None:
  """Writes each mapping as a ``tf.train.Example`` to ``path`` (not atomic: see callers)."""
  with open(path, "wb") as f:
    f.write(frames([example_bytes(rec) for rec in records]))


def read_records(path: str | os.PathLike, check_crc: bool = True) -> Iterable[bytes]:
  """The records of a TFRecord file (for tests and tools; raises ValueError on corruption)."""
  with open(path, "rb") as f:
    while True:
      head = f.read(12)
      if not head:
        return
      if len(head) < 12:
        raise ValueError(f"{os.fspath(path)}: truncated record header")
      (length,), (crc,) = struct.unpack("<Q", head[:8]), struct.unpack("<I", head[8:])
      if check_crc and crc != masked_crc32c(head[:8]):
        raise ValueError(f"{os.fspath(path)}: bad length CRC")
      data = f.read(length)
      tail = f.read(4)
      if len(data) < length or len(tail) < 4:
        raise ValueError(f"{os.fspath(path)}: truncated record")
      if check_crc and struct.unpack("<I", tail)[0] != masked_crc32c(data):
        raise ValueError(f"{os.fspath(path)}: bad data CRC")
      yield data
