"""The one place tasks take their vocabulary from.

The vocabulary is the ``vocab`` setting (`symtune_jax.settings`): in Gin
``symtune.settings.vocab = 'byte'``, else ``$SYMTUNE_VOCAB``, else 't5':

  't5'            T5's SentencePiece model on GCS (`T5_SPM_PATH`; needs network)
  'byte'          seqio.ByteVocabulary() (no files needed)
  '/path/x.model' a local SentencePiece model

Tasks are registered at ``import symtune_jax.tasks``, which a T5X Gin file
does *before* T5X applies the file's other bindings and the ``--gin.X``
flags. So the tasks' features hold a `TaskVocabulary`, which looks the setting
up when it is used (tokenizing, or T5X comparing it with the model's
vocabulary), not at import. All symtune tasks share it, so they mix freely.
"""

from __future__ import annotations

import functools
from typing import Any, Iterable, Sequence

import seqio
import tensorflow as tf

from symtune_jax import settings
from symtune_jax.errors import InputError

T5_SPM_PATH = settings.T5_SPM_PATH
T5_EXTRA_IDS = 100
ENV_VAR = settings.SETTINGS["vocab"].env_var


def _unreachable(spec: str, error: Exception) -> InputError:
  where = T5_SPM_PATH if spec in ("", "t5") else spec
  first = str(getattr(error, "message", error)).strip().splitlines()[0][:200]
  return InputError(
      f"the task vocabulary {spec!r} (SentencePiece model {where}) could not be read "
      f"({type(error).__name__}: {first}). Offline, choose another vocabulary: "
      "symtune.settings.vocab = 'byte' (Gin), or a local SentencePiece .model file, "
      f"or ${ENV_VAR}=byte / ${ENV_VAR}=/path/to/spm.model; use the same vocabulary "
      "as the model's")


@functools.cache
def _vocabulary(spec: str) -> seqio.Vocabulary:
  """The vocabulary of a spec, loaded (a SentencePiece model is read here)."""
  if spec == "byte":
    return seqio.ByteVocabulary()
  if spec in ("", "t5", T5_SPM_PATH):  # model files bind the path itself
    vocab = seqio.SentencePieceVocabulary(T5_SPM_PATH, T5_EXTRA_IDS)
  else:
    vocab = seqio.SentencePieceVocabulary(spec)
  try:
    vocab.sp_model  # pylint: disable=pointless-statement  (reads the model now)
  except (tf.errors.OpError, OSError, RuntimeError, ValueError) as e:
    raise _unreachable(spec, e) from None
  return vocab


def vocabulary_spec() -> str:
  """The ``vocab`` setting: 't5', 'byte' or a .model path."""
  return str(settings.get("vocab"))


def get_vocabulary() -> seqio.Vocabulary:
  """The concrete vocabulary the settings name, loaded.

  Raises:
    InputError: a SentencePiece model that can't be read (e.g. T5's on GCS,
      offline), saying what to set instead.
  """
  return _vocabulary(vocabulary_spec())


class TaskVocabulary(seqio.Vocabulary):
  """The tasks' vocabulary: delegates to `get_vocabulary()` on each use.

  Equal to the vocabulary it stands for (and to every other
  `TaskVocabulary`), so T5X's check that the model's vocabulary is the
  tasks' passes exactly when the settings name the model's vocabulary.
  """

  def __init__(self):
    super().__init__(extra_ids=0)

  @property
  def resolved(self) -> seqio.Vocabulary:
    return get_vocabulary()

  # Everything below forwards to `resolved`.
  @property
  def bos_id(self) -> int | None:
    return self.resolved.bos_id

  @property
  def eos_id(self) -> int | None:
    return self.resolved.eos_id

  @property
  def pad_id(self) -> int:
    return self.resolved.pad_id

  @property
  def unk_id(self) -> int | None:
    return self.resolved.unk_id

  @property
  def extra_ids(self) -> int:
    return self.resolved.extra_ids

  @property
  def vocab_size(self) -> int:
    return self.resolved.vocab_size

  @property
  def _base_vocab_size(self) -> int:
    return self.resolved._base_vocab_size  # pylint: disable=protected-access

  def _encode(self, s: str) -> Sequence[int]:
    return self.resolved._encode(s)  # pylint: disable=protected-access

  def encode(self, s: Any) -> Sequence[int]:
    return self.resolved.encode(s)

  def _decode(self, ids):
    return self.resolved._decode(ids)  # pylint: disable=protected-access

  def decode(self, ids: Iterable[int]):
    return self.resolved.decode(ids)

  def _encode_tf(self, s: tf.Tensor) -> tf.Tensor:
    return self.resolved._encode_tf(s)  # pylint: disable=protected-access

  def encode_tf(self, s: tf.Tensor) -> tf.Tensor:
    return self.resolved.encode_tf(s)

  def _decode_tf(self, ids: tf.Tensor) -> tf.Tensor:
    return self.resolved._decode_tf(ids)  # pylint: disable=protected-access

  def decode_tf(self, ids: tf.Tensor) -> tf.Tensor:
    return self.resolved.decode_tf(ids)

  def __eq__(self, other: Any) -> bool:
    if isinstance(other, TaskVocabulary):
      return True
    if not isinstance(other, seqio.Vocabulary):
      return NotImplemented
    return self.resolved == other

  def __hash__(self) -> int:
    return hash(TaskVocabulary)

  def __repr__(self) -> str:
    return f"TaskVocabulary(vocab={vocabulary_spec()!r})"

  def __reduce__(self):
    # Workers (Beam, multiprocessing) resolve the setting in their own process.
    return (TaskVocabulary, ())


TASK_VOCABULARY = TaskVocabulary()


def output_features(add_eos: bool = True) -> dict[str, seqio.Feature]:
  """`inputs` / `targets` features on the shared (lazily resolved) vocabulary."""
  return {
      "inputs": seqio.Feature(vocabulary=TASK_VOCABULARY, add_eos=add_eos, required=False),
      "targets": seqio.Feature(vocabulary=TASK_VOCABULARY, add_eos=add_eos),
  }
