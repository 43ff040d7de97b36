"""BIG-bench list_functions / simp_turing_concept loaders."""

import json

import numpy as np
import pytest

from symtune_jax.errors import InputError
from symtune_jax.symbols import bigbench


def test_list_functions_testdata(testdata):
  tasks = bigbench.load_list_functions(testdata / "bigbench")
  assert [t.name for t in tasks] == list(bigbench.PAPER_LIST_FUNCTIONS)  # c001..c020
  assert all(len(t.examples) == 32 for t in tasks)
  assert [t.name for t in bigbench.load_list_functions(testdata / "bigbench", ("c007",))] == [
      "c007"]
  with pytest.raises(InputError, match="'c021' not found"):
    bigbench.load_list_functions(testdata / "bigbench", ("c021",))
  inputs, target = bigbench.list_function_prompt(tasks[0], 5, np.random.default_rng(0), k=4)
  blocks = inputs.split("\n\n")
  assert len(blocks) == 5 and blocks[-1] == f"Q: {tasks[0].examples[5][0]}\nA:"
  assert target == tasks[0].examples[5][1][0]
  shots = [b.split("\nA: ") for b in blocks[:-1]]
  by_input = {i: t[0] for i, t in tasks[0].examples}
  assert all(by_input[q[len("Q: "):]] == a for q, a in shots)
  assert tasks[0].examples[5][0] not in [q[len("Q: "):] for q, _ in shots]
  with pytest.raises(InputError, match="k=40"):
    bigbench.list_function_prompt(tasks[0], 0, np.random.default_rng(0), k=40)


def test_simp_turing_concept_testdata(testdata):
  tasks = bigbench.load_simp_turing_concept(testdata / "bigbench",
                                            ("witness_set", "additional_set_1"))
  assert [len(t.examples) for t in tasks] == [30, 30]
  assert all(t[0].startswith("'") and t[0].endswith("'") for _, t in tasks[0].examples)


def test_shared_bigbench(shared_data):
  root = shared_data / "bigbench"
  assert len(bigbench.list_function_dirs(root)) == 250
  assert [len(t.examples) for t in bigbench.load_simp_turing_concept(root)] == [2130] * 3


def test_bad_task_json(tmp_path):
  p = tmp_path / "task.json"
  p.write_text('{"examples": [\n{"input": "a"}\n]}')
  with pytest.raises(InputError, match=r"examples\[0\]"):
    bigbench.read_task_json(p)
  p.write_text('{"examples": [\n{"input": "a",\n')
  with pytest.raises(InputError, match="not valid JSON"):
    bigbench.read_task_json(p)
  p.write_text(json.dumps({"examples": [{"input": "a", "target": ["x", "y"]}]}))
  assert bigbench.read_task_json(p).examples == (("a", ("x", "y")),)
  with pytest.raises(InputError, match="list_functions"):
    bigbench.list_function_dirs(tmp_path)
