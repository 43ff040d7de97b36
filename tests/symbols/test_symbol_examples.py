"""Bad input to `make_split` gives clear errors (never a silent wrong prompt)."""

import pytest

from symtune_jax.errors import InputError
from symtune_jax.symbols.labelled import Record, make_split


def test_valid_split_indexes_classes_and_skips_empty():
  s = make_split("d", "train", ("t",), ("a", "b"),
                 [Record(("x",), 0), Record(("  ",), 1), Record(("y",), 1)])
  assert len(s) == 2 and s.skipped_empty == 1
  assert [list(b) for b in s.by_class] == [[0], [1]]


@pytest.mark.parametrize("names,records,message", [
    (("a",), [Record(("x",), 0)], "at least 2 label names"),
    (("a", "a"), [Record(("x",), 0)], "not distinct"),
    (("a", "b\tc"), [Record(("x",), 0)], "tab"),
    (("a", "b"), [Record(("x",), 0), Record(("y",), 0)], "1 class"),
    (("a", "b"), [Record(("x",), 0), Record(("y",), 2)], "label 2"),
    (("a", "b", "c"), [Record(("x",), 0), Record(("y",), 1)], "no examples of class"),
    (("a", "b"), [Record(("x", "z"), 0)], "2 fields"),
])
def test_bad_input(names, records, message):
  with pytest.raises(InputError, match=message):
    make_split("d", "train", ("t",), names, records)
