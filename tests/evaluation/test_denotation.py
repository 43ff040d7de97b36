"""Denotation accuracy with the WikiTableQuestions evaluator's semantics."""

import numpy as np
import pytest

from symtune_jax.evaluation import denotation as d
from symtune_jax.tables import loaders


@pytest.mark.parametrize("raw,norm", [
    ("  \u201cCaf\u00e9\u201d  ", "cafe"),
    ("Foo (band)", "foo"),
    ("Smith [1]", "smith"),
    ("Gold\u2020", "gold"),
    ("U.S.", "u.s"),
    ("1990\u20131991", "1990-1991"),
    ("It\u2019s   A  Test", "it's a test"),
    ("(alone)", "(alone)"),  # a leading parenthesis is content
])
def test_normalize(raw, norm):
  assert d.normalize(raw) == norm


@pytest.mark.parametrize("pred,target", [
    (["3.0"], ["3"]),
    (["1234"], ["1,234"]),
    (["b", "a"], ["a", "b"]),
    (["2004-05-01"], ["May 1, 2004"]),
    (["1990"], ["1990-xx-xx"]),
    (["ALEJANDRO VALVERDE (ESP)"], ["Alejandro Valverde"]),
    (["Bangkok", "Thailand"], ["Bangkok, Thailand"]),
    ([], []),
])
def test_matches(pred, target):
  assert d.denotation_match(pred, target)


@pytest.mark.parametrize("pred,target", [
    (["3.5"], ["3"]),
    (["a"], ["a", "b"]),
    (["a", "c"], ["a", "b"]),
    (["xx-01-12"], ["1990-01-12"]),
    ([], ["0"]),
    (["2004-05-02"], ["May 1, 2004"]),
])
def test_mismatches(pred, target):
  assert not d.denotation_match(pred, target)


def test_duplicates_collapse_unless_multiset():
  assert d.denotation_match(["a", "a"], ["a"])
  assert d.denotation_match(["3", "3.0"], ["3"])
  assert not d.denotation_match(["a", "a"], ["a"], multiset=True)
  assert d.denotation_match(["a", "b", "a"], ["b", "a", "a"], multiset=True)


def test_lists_required():
  with pytest.raises(TypeError):
    d.denotation_match("a", ["a"])


def test_split_answer():
  assert d.split_answer("1,234, Paris") == ["1,234", "Paris"]
  assert d.split_answer(b" 12 ") == ["12"]
  assert d.split_answer("") == []


def test_postprocessor():
  assert d.denotation_postprocessor(b"Paris, 1,234") == ["Paris", "1,234"]
  ex = {"answers": np.array([b"Bangkok, Thailand"])}
  assert d.denotation_postprocessor(b"x", example=ex, is_target=True) == ["Bangkok, Thailand"]
  assert d.denotation_postprocessor(b"a, b", example=ex, is_target=False) == ["a", "b"]
  assert d.denotation_postprocessor("a", example={}, is_target=True) == ["a"]


def test_metric():
  targets = [["a", "b"], "3", ["Bangkok, Thailand"], "x"]
  preds = [["b", "a"], "3.0", "Bangkok, Thailand", "y"]
  assert d.denotation_accuracy(targets, preds) == {"denotation_accuracy": 75.0}
  assert d.denotation_accuracy([], []) == {"denotation_accuracy": 0.0}
  with pytest.raises(ValueError):
    d.denotation_accuracy(["a"], [])


def test_real_wtq_answers_match_themselves(testdata):
  qs = list(loaders.load_wtq_questions(testdata / "tables/wtq/data/questions.tsv"))
  for q in qs:
    t = q["targetValue"]
    assert d.denotation_match(t, t)
    assert d.denotation_match(d.split_answer(", ".join(t)), t)
  assert d.denotation_accuracy([q["targetValue"] for q in qs],
                               [["wrong answer"] for _ in qs])["denotation_accuracy"] < 10
