"""Canonical answer text."""

import math

import pytest

from symtune_jax.sql.answers import answer_text, format_value


@pytest.mark.parametrize("value,text", [
    (1969.0, "1969"), (-0.0, "0"), (2.5, "2.5"), (1 / 3, "0.333333"), (-87.7, "-87.7"),
    (1e20, "100000000000000000000"), (0.1 + 0.2, "0.3"), (7, "7"), (True, "1"),
    ("Team CSC", "Team CSC"), ("", ""),
])
def test_format_value(value, text):
  assert format_value(value) == text


@pytest.mark.parametrize("value", [None, math.nan, math.inf])
def test_unformattable_values_are_none(value):
  assert format_value(value) is None


def test_answer_text_joins_with_comma_space():
  assert answer_text([1969.0, 2.5, "Team CSC"]) == "1969, 2.5, Team CSC"
  with pytest.raises(ValueError):
    answer_text([1.0, None])
