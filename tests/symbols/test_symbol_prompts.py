"""The prompt builder: remapping, consistency, flipping, settings, budget, determinism."""

import re

import numpy as np
import pytest

from symtune_jax.errors import InputError
from symtune_jax.symbols import formats, pools, prompts
from symtune_jax.symbols.labelled import Record, make_split


def _data(n_per_class=12, classes=("neg", "pos", "neu"), fields=("text",)):
  recs = [Record(tuple(f"{c}-{i}-{f}" for f in fields), ci)
          for ci, c in enumerate(classes) for i in range(n_per_class)]
  return make_split("toy", "train", fields, classes, recs)


def _pairs(prompt, fmt_name):
  """(input, label) of each exemplar, parsed back from the rendered prompt."""
  fmt = formats.get_format(fmt_name)
  blocks = prompt.inputs.split(fmt.example_sep)
  out = []
  for b in blocks[:-1]:
    body = b[len(fmt.input_prefix):]
    inp, label = body.rsplit(fmt.io_sep + fmt.output_prefix, 1)
    out.append((inp, label))
  return out, blocks[-1]


def test_tuning_prompt_symbols_consistent_between_context_and_target():
  data = _data()
  tuning = pools.tuning_pool().all_symbols()
  formats_seen = set()
  for i in range(60):
    q = data.records[i % len(data)]
    p = prompts.build_prompt(data, q, prompts.example_rng(0, "train", i),
                             prompts.tuning_config(), exclude=i % len(data))
    formats_seen.add(p.format_name)
    assert len(set(p.label_strings)) == 3 and set(p.label_strings) <= tuning
    assert p.targets == p.label_strings[q.label]
    pairs, query_block = _pairs(p, p.format_name)
    assert 2 * 3 <= len(pairs) <= 10 * 3 and p.num_exemplars == len(pairs)
    for inp, label in pairs:
      cls = ("neg", "pos", "neu").index(inp.split("-")[0])
      assert label == p.label_strings[cls]  # context uses the same mapping as the target
      assert inp != q.fields[0]  # the query never appears as an exemplar
    counts = {c: sum(1 for x, _ in pairs if x.startswith(c)) for c in ("neg", "pos", "neu")}
    assert len(set(counts.values())) == 1  # same count per class
    assert q.fields[0] in query_block and not p.inputs.startswith("Classify")
  assert len(formats_seen) >= 8


def test_determinism_by_seed():
  data = _data()
  a = prompts.build_prompt(data, data.records[0], prompts.example_rng(7, "train", 3),
                           prompts.tuning_config())
  b = prompts.build_prompt(data, data.records[0], prompts.example_rng(7, "train", 3),
                           prompts.tuning_config())
  c = prompts.build_prompt(data, data.records[0], prompts.example_rng(7, "train", 4),
                           prompts.tuning_config())
  assert a == b and a != c


def test_determinism_across_processes():
  """Python's salted hash() must not leak in: two interpreters build the same prompt."""
  import os
  import subprocess
  import sys
  code = ("from symtune_jax.symbols import prompts\n"
          "from symtune_jax.symbols.labelled import Record, make_split\n"
          "d = make_split('t', 'train', ('x',), ('a', 'b'),"
          " [Record((f'r{i}',), i % 2) for i in range(30)])\n"
          "p = prompts.build_prompt(d, d.records[0], prompts.example_rng(3, 'train', 5),"
          " prompts.tuning_config(), exclude=0)\n"
          "print(repr((p.inputs, p.targets)))")
  outs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONHASHSEED": seed}).stdout
          for seed in ("1", "2")]
  assert outs[0] == outs[1] and "r" in outs[0]


def test_flipped_really_flips():
  data = _data(classes=("not-hate", "hate"))
  cfg = prompts.eval_config("flipped", None)
  for i in range(20):
    q = data.records[i]
    p = prompts.build_prompt(data, q, prompts.example_rng(1, "test", i), cfg, exclude=i)
    assert p.label_strings == ("hate", "not-hate")
    assert p.targets == ("hate", "not-hate")[q.label]
    pairs, _ = _pairs(p, "input_output")
    assert len(pairs) == 2 * prompts.EVAL_K
    for inp, label in pairs:
      true = "hate" if inp.startswith("hate") else "not-hate"
      assert label != true  # every in-context label is swapped
  with pytest.raises(InputError, match="binary"):
    prompts.build_prompt(_data(), _data().records[0], np.random.default_rng(0), cfg)


def test_eval_settings():
  data = _data(classes=("no", "yes"))
  q = data.records[0]
  evaluation = pools.evaluation_pool().all_symbols()
  built = {}
  for s in ("instr_nl", "instr_sym", "noinstr_nl", "noinstr_sym"):
    cfg = prompts.eval_config(s, "Is it positive?")
    built[s] = prompts.build_prompt(data, q, prompts.example_rng(0, "test", 0), cfg)
  assert built["instr_nl"].inputs.startswith("Is it positive?\n\nInput: ")
  assert built["noinstr_nl"].inputs.startswith("Input: ")
  assert built["noinstr_nl"].label_strings == ("no", "yes")
  assert set(built["noinstr_sym"].label_strings) <= evaluation
  # Same rng: the settings share exemplars and their order.
  strip = lambda p: re.sub(r"Output: .*", "", p.inputs.split("\n\n", 1)[-1] if
                           p.inputs.startswith("Is") else p.inputs)
  assert strip(built["instr_sym"]) == strip(built["noinstr_nl"])
  with pytest.raises(InputError, match="instruction"):
    prompts.eval_config("instr_nl", None)
  with pytest.raises(InputError, match="setting"):
    prompts.eval_config("bogus", "x")


def test_multi_field_inputs_render_consistently():
  data = _data(classes=("entailment", "contradiction"), fields=("premise", "hypothesis"))
  p = prompts.build_prompt(data, data.records[0], np.random.default_rng(0),
                           prompts.PromptConfig(formats=("input_output",)), exclude=0)
  blocks = p.inputs.split("\n\n")
  assert all(b.startswith("Input: Premise: ") and "\nHypothesis: " in b for b in blocks)


def test_length_budget_drops_exemplars_never_query():
  data = _data(n_per_class=20, classes=("a", "b"))
  q = Record(("the query text",), 1)
  cfg = prompts.PromptConfig(min_per_class=10, max_per_class=10, formats=("input_output",),
                             max_length=40, length_fn=lambda s: len(s.split()))
  p = prompts.build_prompt(data, q, np.random.default_rng(0), cfg)
  assert p.fits and p.num_dropped > 0 and len(p.inputs.split()) <= 40
  assert p.inputs.endswith("Input: the query text\nOutput:")
  pairs, _ = _pairs(p, "input_output")
  assert {x.split("-")[0] for x, _ in pairs} == {"a", "b"}  # one per class kept at least
  tight = prompts.PromptConfig(min_per_class=10, max_per_class=10, max_length=3,
                               length_fn=lambda s: len(s.split()))
  p2 = prompts.build_prompt(data, q, np.random.default_rng(0), tight)
  assert not p2.fits and p2.inputs.endswith("the query text\nOutput:".split("\n")[-1])


def test_k_larger_than_data_falls_back_to_all():
  recs = [Record(("x1",), 0), Record(("x2",), 0), Record(("y1",), 1)]
  data = make_split("small", "train", ("text",), ("x", "y"), recs)
  cfg = prompts.PromptConfig(min_per_class=4, max_per_class=4, formats=("input_output",))
  p = prompts.build_prompt(data, Record(("q",), 0), np.random.default_rng(0), cfg)
  assert p.num_exemplars == 3


TEXTS = ["héllo", "Input: I love Mondays \U0001F644 #not\nOutput: 4821", "", "a\n\nb",
         "Sentences: 日本語のツイート\nMapped To: QF"]


def test_vocab_length_fn_byte_vocabulary_is_exact():
  import seqio
  vocab = seqio.ByteVocabulary()
  fn = prompts.vocab_length_fn(vocab)
  assert fn is prompts.byte_length  # no encode call per text
  assert fn("héllo") == 6
  assert [fn(t) for t in TEXTS] == [len(vocab.encode(t)) for t in TEXTS]


def test_vocab_length_fn_sentencepiece_caches_and_is_exact():
  import pathlib

  import seqio
  model = pathlib.Path(seqio.__file__).parent / "test_data/sentencepiece/sentencepiece.model"
  if not model.is_file():
    pytest.skip(f"no SentencePiece test model at {model}")
  vocab = seqio.SentencePieceVocabulary(str(model))
  calls = []

  class Counting:
    def encode(self, text):
      calls.append(text)
      return vocab.encode(text)

  fn = prompts.vocab_length_fn(Counting())
  assert [fn(t) for t in TEXTS] == [len(vocab.encode(t)) for t in TEXTS]
  assert [fn(t) for t in TEXTS] == [len(vocab.encode(t)) for t in TEXTS]
  assert calls == TEXTS  # second round from the cache


def test_byte_budget_keeps_query_with_multibyte_text():
  emoji = "\U0001F602" * 30  # 30 chars, 120 bytes
  recs = [Record((f"{emoji} {i}",), i % 2) for i in range(40)]
  data = make_split("emoji", "train", ("text",), ("a", "b"), recs)
  q = Record(("the query \U0001F602",), 0)
  cfg = prompts.PromptConfig(min_per_class=10, max_per_class=10, max_length=1000,
                             length_fn=prompts.byte_length)
  for seed in range(20):
    p = prompts.build_prompt(data, q, np.random.default_rng(seed), cfg)
    assert p.fits and p.num_dropped > 0
    assert prompts.byte_length(p.inputs) <= 1000
    assert p.inputs.endswith(formats.get_format(p.format_name).render_query(q.fields[0]))
    # chars/4 would have let every exemplar in: it undercounts bytes 4x here.
    assert prompts.approx_length(p.inputs) < 1000
