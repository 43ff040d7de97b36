"""With a SentencePiece vocabulary, a kept example's input is tokenized once and
a table's rows are measured once per table, never per attempt (issue 14.3)."""

import collections
import importlib.util
import pathlib

import pytest

from symtune_jax.sql import builder as sx
from symtune_jax.tables import truncate


def _spm_model() -> pathlib.Path:
  """seqio's own small SentencePiece test model (found without importing seqio)."""
  spec = importlib.util.find_spec("seqio")
  if spec is None or not spec.submodule_search_locations:
    pytest.skip("seqio is not installed")
  model = (pathlib.Path(list(spec.submodule_search_locations)[0])
           / "test_data" / "sentencepiece" / "sentencepiece.model")
  if not model.is_file():
    pytest.skip(f"no SentencePiece test model at {model}")
  return model


class _CountingVocab:
  """A SentencePiece 'vocabulary' (``encode``) that records what it encodes."""

  def __init__(self, model: pathlib.Path):
    spm = pytest.importorskip("sentencepiece")
    self.sp = spm.SentencePieceProcessor(model_file=str(model))
    self.calls: collections.Counter = collections.Counter()

  def encode(self, text: str) -> list[int]:
    self.calls[text] += 1
    return self.sp.encode(text)


def test_kept_inputs_are_tokenized_once_and_tables_once(sample_tables):
  vocab = _CountingVocab(_spm_model())
  length_fn = truncate.vocab_length_fn(vocab)
  config = sx.ExampleConfig(max_input_length=768)
  builder = sx.ExampleBuilder(sample_tables, config, length_fn=length_fn)
  out = [builder.example(0, "train", i) for i in range(300)]
  stats = builder.stats
  assert stats.attempts > len(out)  # some attempts were skipped ...
  inputs = [ex["inputs"] for ex in out]
  # Whole inputs: phrasing, query and table (the phrasings alone are measured
  # once each, with an empty query and table, for the budget).
  whole = {t: n for t, n in vocab.calls.items() if "\n" in t and "col : " in t}
  # ... and only kept inputs (and, on a refit, the re-cut ones) were encoded whole.
  assert set(inputs) <= set(whole)
  assert sum(whole.values()) <= len(out) + 3 * stats.refits
  assert sum(vocab.calls[t] for t in inputs) <= len(out) + stats.refits
  # Every input fits the budget (EOS included), measured by the real tokenizer.
  assert max(len(vocab.sp.encode(t)) for t in inputs) <= 767
  # Table rows are measured once per table: a row text is encoded at most as
  # often as it occurs in the tables (identical headers / rows recur).
  occurs = collections.Counter()
  for table in builder.tables("train"):
    occurs["col : " + " | ".join(table.header)] += 1
    occurs.update(" | ".join(r) for r in table.rows)
  rows = [t for t in vocab.calls if " | " in t and "\n" not in t]
  assert rows and all(vocab.calls[t] <= occurs[t] for t in rows), [
      (t, vocab.calls[t], occurs[t]) for t in rows if vocab.calls[t] > occurs[t]][:3]


def test_same_examples_with_and_without_counting(sample_tables):
  """Caching changes no output: a fresh builder gives the same examples in any order."""
  model = _spm_model()
  config = sx.ExampleConfig(max_input_length=768)
  a = sx.ExampleBuilder(sample_tables, config,
                        length_fn=truncate.vocab_length_fn(_CountingVocab(model)))
  b = sx.ExampleBuilder(sample_tables, config,
                        length_fn=truncate.vocab_length_fn(_CountingVocab(model)))
  first = [a.example(3, "train", i) for i in range(60)]
  second = [b.example(3, "train", i) for i in reversed(range(60))][::-1]
  assert first == second
