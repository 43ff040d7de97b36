"""ICL postprocessors and metrics (evaluation.icl)."""

import pytest

from symtune_jax.evaluation import icl


def test_class_of_and_postprocessor():
  strings = ("4821", "QF", "lantern")
  assert icl.class_of("QF", strings) == 1
  assert icl.class_of(" lantern.\nInput: x", strings) == 2
  assert icl.class_of("qf", strings) == 1
  assert icl.class_of("banana", strings) == -1
  ex = {"label_strings": icl.join_label_strings(strings).encode()}
  assert icl.symbol_to_class("4821", example=ex) == 0
  with pytest.raises(ValueError, match="label_strings"):
    icl.symbol_to_class("4821", example={})
  with pytest.raises(ValueError):
    icl.join_label_strings(["a\tb"])


def test_metrics_and_extractors():
  assert icl.accuracy([0, 1, 1, 2], [0, 1, -1, 0]) == {"accuracy": 50.0}
  assert icl.exact_match(["[1]", "[2]"], [" [1]", "[3]"]) == {"exact_match": 50.0}
  assert icl.extract_list("so [1, 2] then [3]") == "[1, 2]"
  assert icl.extract_list("[]") == "[]"
  assert icl.extract_quoted(" '01'\n\nInput: ''") == "'01'"
  with pytest.raises(ValueError):
    icl.accuracy([0], [])
