"""Token-length functions: the one place a text's length in tokens is counted.

A `LengthFn` maps a text to its token count (EOS not counted). Three kinds:

* `vocab_length_fn(vocab)`: the exact count of a `seqio.Vocabulary`
  (what the tasks use, with the task vocabulary);
* `byte_length`: the exact count of `seqio.ByteVocabulary` (UTF-8 bytes);
* `approx_token_length`: a cheap estimate (words and punctuation marks), for
  library defaults where no vocabulary is given.

No SeqIO import: a vocabulary is recognised by its class name, so table and
prompt code stays free of TensorFlow.
"""

from __future__ import annotations

import re
from typing import Any, Callable

LengthFn = Callable[[str], int]

_PIECE_RE = re.compile(r"\w+|[^\w\s]", re.UNICODE)
# Texts up to this many characters (cells, exemplar blocks, queries) are cached
# by `vocab_length_fn`; whole prompts are longer and seldom repeat.
_CACHE_MAX_CHARS = 2048
_CACHE_MAX_ENTRIES = 200_000


def approx_token_length(text: str) -> int:
  """A cheap token count: words and single punctuation marks.

  'col : a | 1,999' -> 7 (col, :, a, |, 1, ',', 999).
  """
  return len(_PIECE_RE.findall(text))


def byte_length(text: str) -> int:
  """Tokens of `seqio.ByteVocabulary` (one per UTF-8 byte, no EOS): 'né' -> 3.

  An ASCII text (``str.isascii`` reads a flag CPython keeps on the string) is
  one byte per character: its length, without encoding it.
  """
  return len(text) if text.isascii() else len(text.encode("utf-8"))


def is_byte_vocabulary(vocab: Any) -> bool:
  """True for `seqio.ByteVocabulary` itself (by class name: no SeqIO import); a
  subclass may encode otherwise, so it is counted by encoding."""
  cls = type(vocab)
  return cls.__name__ == "ByteVocabulary" and cls.__module__.startswith("seqio")


# id(vocab) -> (vocab, length function); seqio vocabularies are not hashable.
_VOCAB_FNS: dict[int, tuple[Any, LengthFn]] = {}


def vocab_length_fn(vocab: Any) -> LengthFn:
  """``text -> len(vocab.encode(text))`` for a `seqio.Vocabulary`.

  A byte vocabulary gets `byte_length` (the same count, no id list built).
  For others (SentencePiece) the counts of short texts are cached, and the
  same function comes back for the same vocabulary object, so lengths
  cached per table or exemplar are reused across calls.

  Example: vocab_length_fn(seqio.ByteVocabulary())("Input: hi") -> 9.
  """
  if is_byte_vocabulary(vocab):
    return byte_length
  hit = _VOCAB_FNS.get(id(vocab))
  if hit is not None and hit[0] is vocab:
    return hit[1]
  cache: dict[str, int] = {}

  def length(text: str) -> int:
    n = cache.get(text)
    if n is None:
      n = len(vocab.encode(text))
      if len(text) <= _CACHE_MAX_CHARS:
        if len(cache) >= _CACHE_MAX_ENTRIES:
          cache.clear()
        cache[text] = n
    return n

  if len(_VOCAB_FNS) >= 16:
    _VOCAB_FNS.clear()
  _VOCAB_FNS[id(vocab)] = (vocab, length)
  return length
