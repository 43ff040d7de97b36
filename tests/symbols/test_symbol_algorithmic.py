"""List-function DSL and binary concepts: behaviour, disjoint splits, prompts."""

import itertools

import numpy as np
import pytest

from symtune_jax.errors import InputError
from symtune_jax.symbols import algorithmic, formats, pools


def _by_name(fns):
  return {f.name: f for f in fns}


def test_primitives_and_composition_behave():
  tuning, evaluation = algorithmic.list_function_catalogue()
  every = _by_name(tuning + evaluation)
  xs = [5, 3, 8, 3, 10]
  checks = {"sort": [3, 3, 5, 8, 10], "reverse": [10, 3, 8, 3, 5], "count": [5],
            "take(2)": [5, 3], "drop(3)": [3, 10], "filter_even": [8, 10],
            "unique": [5, 3, 8, 10], "add(1)": [6, 4, 9, 4, 11], "max": [10]}
  for name, want in checks.items():
    assert every[name](xs) == want, name
  two = [f for f in every.values() if " | " in f.name]
  assert len(two) > 100  # compositions of two are in the catalogue
  f = every.get("sort | take(2)") or next(g for g in two if g.name.startswith("sort | take"))
  first, second = f.name.split(" | ")
  prims = _by_name(algorithmic._primitives())  # pylint: disable=protected-access
  assert f(xs) == prims[second](prims[first](xs))


def test_tuning_and_evaluation_functions_are_disjoint_in_behaviour():
  tuning, evaluation = algorithmic.list_function_catalogue()
  assert len(tuning) > 300 and len(evaluation) > 50
  assert not {f.name for f in tuning} & {f.name for f in evaluation}
  rng = np.random.default_rng(5)
  probes = algorithmic._probe_lists() + [algorithmic.random_list(rng) for _ in range(5)]  # pylint: disable=protected-access
  sig = lambda f: tuple(tuple(f(x)) for x in probes[:34])
  assert not {sig(f) for f in tuning} & {sig(f) for f in evaluation}


def test_list_function_prompt():
  fmt = formats.get_format("q_a")
  sort = _by_name(algorithmic._primitives())["sort"]  # pylint: disable=protected-access
  p = algorithmic.list_function_prompt(sort, np.random.default_rng(0), 3, fmt)
  blocks = p.inputs.split("\n\n")
  assert len(blocks) == 4 and blocks[-1].startswith("Q: [") and blocks[-1].endswith("A:")
  for b in blocks[:3]:
    q, a = b.split("\nA: ")
    xs = [int(v) for v in q[len("Q: ["):-1].split(", ")]
    assert a == algorithmic.format_list(sorted(xs))
  qxs = [int(v) for v in blocks[-1][len("Q: ["):-len("]\nA:")].split(", ")]
  assert p.targets == algorithmic.format_list(sorted(qxs))
  with pytest.raises(InputError):
    algorithmic.list_function_prompt(sort, np.random.default_rng(0), 0, fmt)


def test_concepts_disjoint_balanced_and_prompt_labels():
  tuning, evaluation = algorithmic.concept_catalogue()
  assert len(tuning) > 100 and len(evaluation) > 20
  probes = ["".join(b) for n in range(1, 9) for b in itertools.product("01", repeat=n)]
  sig = lambda c: tuple(c(s) for s in probes)
  t_sigs = {sig(c) for c in tuning}
  for c in evaluation:
    s = sig(c)
    assert s not in t_sigs and tuple(not x for x in s) not in t_sigs
  fmt = formats.get_format("input_output")
  pool = pools.evaluation_pool()
  for i, c in enumerate(evaluation[:20]):
    p, symbols, label = algorithmic.concept_prompt(c, np.random.default_rng(i), 3, fmt, pool)
    assert p.targets == symbols[label] and len(set(symbols)) == 2
    blocks = p.inputs.split("\n\n")
    assert len(blocks) == 7
    for b in blocks[:-1]:
      s, out = b[len("Input: "):].split("\nOutput: ")
      assert out == symbols[int(c(s))]
    query = blocks[-1][len("Input: "):-len("\nOutput:")]
    assert int(c(query)) == label


def test_impossible_concept_is_an_error():
  never = algorithmic.Concept("never", lambda s: False)
  with pytest.raises(InputError, match="could not sample"):
    algorithmic.concept_prompt(never, np.random.default_rng(0), 2,
                               formats.get_format("input_output"), pools.tuning_pool(),
                               max_tries=200)
