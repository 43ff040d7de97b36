"""NIV2 loaders: metadata cards, official task files, splits, prompt."""

import json

import pytest

from symtune_jax.errors import InputError
from symtune_jax.instructions import niv2
from symtune_jax.instructions.card import TaskCard


def test_metadata_cards_repair_names_and_mark_test_split(testdata):
  test = set(niv2.read_test_tasks(testdata / "niv2" / "test_tasks.txt"))
  cards = {c.name: c for c in niv2.load_metadata_cards(
      testdata / "niv2" / "task_metadata.json", test)}
  # FLAN's metadata cut the name at "."; the official name is restored.
  assert "task1529_scitail1.1_classification" in cards
  assert cards["task1529_scitail1.1_classification"].split == "test"
  assert cards["task9002_symtune-fixture_sentiment"].split == "test"
  repeat = cards["task9001_symtune_fixture_repeat"]
  assert repeat.split == "train" and repeat.num_examples == 11
  assert repeat.instructions[0].startswith("Repeat the given phrase")


def _card(name, split="train", definition="Do it."):
  return TaskCard(name=name, source="niv2", instructions=(definition,),
                  num_examples=5, split=split)


def test_merge_aliases_keeps_the_official_spelling():
  cards = [_card("task137_detox_lms_tox"), _card("task137_detox-lms_tox"),
           _card("task602_wiki_103_gen"),
           _card("task602_wiki-103_gen", split="test"),
           _card("task001_plain")]
  kept, dropped = niv2.merge_aliases(cards, {"task602_wiki-103_gen"})
  assert [(c.name, c.split) for c in kept] == [
      ("task001_plain", "train"), ("task137_detox-lms_tox", "train"),
      ("task602_wiki-103_gen", "test")]
  assert dropped == ["task137_detox_lms_tox", "task602_wiki_103_gen"]
  # The "_" copy of a test task is test even if it is the one kept.
  kept, _ = niv2.merge_aliases(
      [_card("task9_a_b", split="test"), _card("task9_a_c")], set())
  assert [(c.name, c.split) for c in kept] == [("task9_a_b", "test"),
                                                ("task9_a_c", "train")]


def test_metadata_aliases_become_one_card(tmp_path):
  entry = {"definition": "Classify.", "number_examples": 7,
           "positive_examples": {"input": "a", "output": "b"}}
  path = tmp_path / "task_metadata.json"
  path.write_text(json.dumps({"task5_x-y_cls": entry, "task5_x_y_cls": entry,
                              "task6_z_gen": entry}))
  cards = niv2.load_metadata_cards(path, {"task5_x-y_cls"})
  assert [(c.name, c.split) for c in cards] == [("task5_x-y_cls", "test"),
                                                 ("task6_z_gen", "train")]
  raw = niv2.load_metadata_cards(path, merge=False)
  assert [c.name for c in raw] == ["task5_x-y_cls", "task5_x_y_cls",
                                   "task6_z_gen"]


def test_task_file_old_and_new_format(testdata):
  old = niv2.read_task_file(
      testdata / "niv2" / "tasks" / "task9001_symtune_fixture_repeat.json")
  assert old.definition.startswith("Repeat the given phrase")
  assert len(old.instances) == 11 and old.categories == ("Program Execution",)
  assert old.instances[0].id == "task9001_symtune_fixture_repeat-0"
  new = niv2.read_task_file(
      testdata / "niv2" / "tasks" / "task9002_symtune-fixture_sentiment.json")
  assert new.definition.startswith("In this task, you are given")
  assert new.instances[1].id == "task9002-aa02"
  assert new.instances[1].outputs == ("Positive", "positive")
  card = niv2.card_from_task_file(new)
  assert card.category == "Sentiment Analysis" and card.num_examples == 3


@pytest.mark.parametrize("content, field", [
    ({"Instances": []}, "Definition"),
    ({"Definition": "d"}, "Instances"),
    ({"Definition": "d", "Instances": [{"input": "x", "output": []}]},
     "Instances[0].output"),
    ({"Definition": "", "Instances": []}, "Definition"),
])
def test_bad_task_file_names_field(tmp_path, content, field):
  path = tmp_path / "task1_bad.json"
  path.write_text(json.dumps(content))
  with pytest.raises(InputError) as e:
    niv2.read_task_file(path)
  assert e.value.field == field and str(path) in str(e.value)


def test_corrupt_json_names_line(tmp_path):
  path = tmp_path / "task1_bad.json"
  path.write_text('{\n  "Definition": "d",\n  "Instances": [,]\n}')
  with pytest.raises(InputError, match=r"task1_bad.json:3"):
    niv2.read_task_file(path)


def test_splits_partition_instances(testdata):
  task = niv2.read_task_file(
      testdata / "niv2" / "tasks" / "task9001_symtune_fixture_repeat.json")
  train = niv2.split_instances(task.instances, "train")
  val = niv2.split_instances(task.instances, "validation")
  assert len(train) == 10 and [v.input for v in val] == ["Repeat no twice"]
  assert set(train) | set(val) == set(task.instances)
  assert niv2.split_instances(task.instances, "test") == task.instances
  with pytest.raises(InputError):
    niv2.split_instances(task.instances, "dev")


def test_prompt_and_task_name():
  assert niv2.format_input(" Repeat it. ", "hi ") == (
      "Definition: Repeat it.\n\nNow complete the following example -\n"
      "Input: hi\nOutput:")
  assert niv2.seqio_task_name("task137_detoxifying-lms_x") == (
      "symtune_niv2_task137_detoxifying_lms_x_v1")


def test_real_metadata(shared_data):
  root = shared_data / "niv2"
  test = set(niv2.read_test_tasks(root / "test_tasks.txt"))
  cards = niv2.load_metadata_cards(root / "task_metadata.json", test)
  raw = niv2.load_metadata_cards(root / "task_metadata.json", test,
                                 merge=False)
  # 41 names are FLAN's "_" copies of official names with "-".
  assert len(raw) == 1654 and len(cards) == 1613
  assert len({niv2.seqio_task_name(c.name) for c in cards}) == 1613
  assert sum(c.split == "test" for c in cards) == len(test) == 119
