"""The SQL benchmark's stage breakdown times every stage of the real builder.

The builder calls some stage functions directly (not through a method the
benchmark could wrap): each stage's timer must still fire, or the breakdown
prints 0% for work that is done. Counts calls only; nothing is timed here.
"""

import argparse
import importlib.util
import pathlib

from symtune_jax.tables import sample

_BENCHMARK = pathlib.Path(__file__).resolve().parents[2] / "benchmarks" / "sql_generation.py"


def _benchmark():
  spec = importlib.util.spec_from_file_location("sql_generation_benchmark", _BENCHMARK)
  module = importlib.util.module_from_spec(spec)
  spec.loader.exec_module(module)
  return module


def test_every_stage_of_the_breakdown_is_reached():
  bench = _benchmark()
  args = argparse.Namespace(tables=str(sample.sample_root()), num=300, split="train", seed=0,
                            mode="grammar", table_budget=200, max_input_length=2048)
  out = bench.stage_breakdown(args, "approx")  # a small budget: cut tables too
  assert set(out["calls"]) == set(bench.STAGES)
  missing = [stage for stage, n in out["calls"].items() if n == 0]
  assert not missing, f"stage timers never called: {missing}"


def test_the_byte_path_counts_with_the_byte_vocabularys_function():
  """The benchmark's "byte" path takes, without SeqIO, the very function
  ``vocab_length_fn(seqio.ByteVocabulary())`` gives; "encode" encodes."""
  import pytest  # pylint: disable=g-import-not-at-top
  seqio = pytest.importorskip("seqio")
  from symtune_jax.tables import truncate  # pylint: disable=g-import-not-at-top
  bench = _benchmark()
  assert bench._length_fn("byte") is truncate.vocab_length_fn(seqio.ByteVocabulary())  # pylint: disable=protected-access
  text = "caf\u00e9 | \u6771\u4eac"
  assert bench._length_fn("encode")(text) == bench._length_fn("byte")(text) == 14  # pylint: disable=protected-access
