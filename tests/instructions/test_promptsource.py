"""promptsource loader: custom YAML tags, Jinja stripping, card per dataset."""

import pytest

from symtune_jax.errors import InputError
from symtune_jax.instructions import promptsource


@pytest.mark.parametrize("jinja, expected", [
    ('Is this {{"sports or business"}}?\n{{text}} ||| {{answer_choices[label]}}',
     "Is this sports or business?"),
    ('{% if label != -1 %}{{premise}} Question: Does this imply that '
     '"{{hypothesis}}"? Yes, no, or maybe? ||| {{answer_choices[label]}}'
     '{% endif %}',
     "Question: Does this imply that? Yes, no, or maybe?"),
    ("{# a comment #}Summarize: {{ article }} |||{{summary}}", "Summarize:"),
    ("{{text}} ||| {{title}}", ""),
])
def test_instruction_text_strips_jinja(jinja, expected):
  assert promptsource.instruction_text(jinja) == expected


def test_has_wording_rejects_slot_only_prompts():
  assert not promptsource.has_wording("Q: A:")
  assert not promptsource.has_wording("TL;DR:")
  assert promptsource.has_wording("Question: True or False?")


def test_fixture_cards(testdata):
  cards = promptsource.load_cards(testdata / "promptsource")
  assert [c.name for c in cards] == ["toy_news", "toy_nli/sub_a"]
  news, nli = cards
  # The slots-only template has no wording and is dropped.
  assert news.instructions == (
      "What label best describes this news article?",
      "Is this a piece of news about world politics, sports, or business?")
  assert nli.instructions[1] == (
      "Suppose it's true that Then, is always, sometimes, or never true?")
  assert {c.source for c in cards} == {"p3"} and news.split == "train"


def test_broken_yaml_names_the_file(tmp_path):
  bad = tmp_path / "templates" / "x" / "templates.yaml"
  bad.parent.mkdir(parents=True)
  bad.write_text("dataset: x\ntemplates: [unclosed\n")
  with pytest.raises(InputError, match="templates.yaml"):
    promptsource.load_cards(tmp_path)
  bad.write_text("dataset: x\ntemplates:\n  a: !Template\n    name: n\n")
  with pytest.raises(InputError, match="jinja"):
    promptsource.load_cards(tmp_path)


def test_missing_folder(tmp_path):
  with pytest.raises(InputError, match="not found"):
    promptsource.load_cards(tmp_path / "nope")


def test_real_templates(shared_data):
  cards = promptsource.load_cards(shared_data / "promptsource")
  assert len(cards) == 279
  by_name = {c.name: c for c in cards}
  assert by_name["super_glue/rte"].split == "test"
  assert by_name["ag_news"].split == "train"
  assert all("{{" not in i and "|||" not in i for c in cards
             for i in c.instructions)
