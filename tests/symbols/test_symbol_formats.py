"""Prompt formats: at least 10, each renders exemplars and queries consistently."""

import pytest

from symtune_jax.symbols import formats


def test_ten_formats_with_distinct_names():
  names = [f.name for f in formats.FORMATS]
  assert len(names) >= 10 and len(set(names)) == len(names)
  prefixes = {(f.input_prefix, f.output_prefix) for f in formats.FORMATS}
  assert ("Sentences: ", "Mapped To: ") in prefixes and ("X = ", "Y = ") in prefixes


@pytest.mark.parametrize("fmt", formats.FORMATS, ids=lambda f: f.name)
def test_render(fmt):
  ex = fmt.render_exemplar("great film", "foo")
  q = fmt.render_query("dull film")
  assert ex.startswith(fmt.input_prefix + "great film") and ex.endswith("foo")
  # The query is the exemplar without its label.
  assert fmt.render_exemplar("dull film", "").rstrip(" ") == q
  two = fmt.render_input(["A man sleeps.", "He rests."], ["Premise", "Hypothesis"])
  assert "Premise: A man sleeps." in two and "Hypothesis: He rests." in two
  if fmt.name == "arrow":
    assert ex == "great film -> foo" and "\n" not in two


def test_display_name_and_unknown_format():
  assert formats.display_name("sentence1") == "Sentence 1"
  assert formats.display_name("goal") == "Goal"
  with pytest.raises(KeyError, match="known"):
    formats.get_format("nope")
