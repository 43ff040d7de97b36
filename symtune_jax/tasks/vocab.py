"""The one place tasks take their vocabulary from.

T5 / Flan-T5 use the SentencePiece model at `T5_SPM_PATH` (a GCS path, which
needs network access). Offline runs, tests and the CPU smoke experiment use a
byte vocabulary or a local SentencePiece model instead. Choose with the
environment variable ``SYMTUNE_VOCAB`` *before* ``import symtune_jax.tasks``:

  SYMTUNE_VOCAB=t5            the T5 SentencePiece model (default)
  SYMTUNE_VOCAB=byte          seqio.ByteVocabulary() (no files needed)
  SYMTUNE_VOCAB=/path/x.model a local SentencePiece model

All symtune tasks share one vocabulary object, so they mix freely.
"""

from __future__ import annotations

import functools
import os

import seqio

T5_SPM_PATH = "gs://t5-data/vocabs/cc_all.32000.100extra/sentencepiece.model"
T5_EXTRA_IDS = 100
ENV_VAR = "SYMTUNE_VOCAB"


@functools.cache
def _vocabulary(spec: str) -> seqio.Vocabulary:
  if spec in ("", "t5"):
    return seqio.SentencePieceVocabulary(T5_SPM_PATH, T5_EXTRA_IDS)
  if spec == "byte":
    return seqio.ByteVocabulary()
  return seqio.SentencePieceVocabulary(spec)


def vocabulary_spec() -> str:
  return os.environ.get(ENV_VAR, "t5")


def get_vocabulary() -> seqio.Vocabulary:
  """The vocabulary named by ``$SYMTUNE_VOCAB`` (see module docstring)."""
  return _vocabulary(vocabulary_spec())


def output_features(add_eos: bool = True) -> dict[str, seqio.Feature]:
  """`inputs` / `targets` features on the shared vocabulary."""
  vocab = get_vocabulary()
  return {
      "inputs": seqio.Feature(vocabulary=vocab, add_eos=add_eos, required=False),
      "targets": seqio.Feature(vocabulary=vocab, add_eos=add_eos),
  }
