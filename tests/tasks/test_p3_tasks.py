"""P3 SeqIO tasks over the P3 release layout (fixture: tests/testdata/p3)."""

import json
import shutil

import pytest
import seqio

from symtune_jax import settings
from symtune_jax.errors import InputError
from symtune_jax.instructions import catalog, promptsource
from symtune_jax.selection import rates_file
from symtune_jax.tasks import instructions, mixtures, p3

LENGTHS = {"inputs": 256, "targets": 32}


@pytest.fixture
def p3_root(testdata):
  return testdata / "p3"


def _texts(ds, key="inputs"):
  vocab = seqio.ByteVocabulary()  # tests run on the byte vocabulary
  return [vocab.decode([int(i) for i in e[key]])
          for e in ds.as_numpy_iterator()]


def test_folders_follow_promptsource_naming(p3_root):
  assert promptsource.p3_folder_prefix("glue/mrpc") == "glue_mrpc_"
  assert [f.name for f in p3.folders("glue/mrpc", p3_root)] == [
      "glue_mrpc_equivalent", "glue_mrpc_same_thing"]
  # glue_mnli_ is a prefix of glue_mnli_matched_: the longer card claims it.
  assert [f.name for f in p3.folders("glue/mnli", p3_root)] == [
      "glue_mnli_GPT_3_style"]
  assert [f.name for f in p3.folders("glue/mnli_matched", p3_root)] == [
      "glue_mnli_matched_GPT_3_style"]
  assert p3.folders("ag_news", p3_root)[0].name == (
      "ag_news_classify_question_first")


def test_task_reads_every_template_of_a_card(p3_root):
  # The task may already be registered (without a root) by a rates file: the
  # root then comes from the p3_root setting, as in a real run.
  with settings.override(p3_root=str(p3_root)):
    name = p3.register_p3_task("glue/mrpc", root=str(p3_root))
    assert name == "symtune_p3_glue_mrpc_v1"
    assert name == catalog.task_for_card(
        next(c for c in catalog.load_cards() if c.name == "glue/mrpc"))
    task = seqio.get_mixture_or_task(name)
    ds = task.get_dataset(LENGTHS, split="train", shuffle=False)
    inputs = _texts(ds)
    assert len(inputs) == 5  # 3 + 2 examples of the two templates
    assert inputs[0].startswith("Are these sentences equivalent? The cat sat.")
    assert sum(t.startswith("Do they mean the same thing?") for t in inputs) == 2
    targets = _texts(task.get_dataset(LENGTHS, split="train", shuffle=False),
                     "targets")
    # targets_pretokenized " yes" is stripped (EOS is not decoded).
    assert targets[:3] == ["yes", "no", "yes"]
    val = task.get_dataset(LENGTHS, split="validation", shuffle=False)
    assert len(_texts(val)) == 2


def test_root_comes_from_the_p3_root_setting(p3_root):
  name = p3.register_p3_task("ag_news")
  task = seqio.get_mixture_or_task(name)
  with settings.override(p3_root=str(p3_root)):
    ds = task.get_dataset(LENGTHS, split="train", shuffle=False)
    assert len(_texts(ds)) == 1
  with settings.override(p3_root=str(p3_root / "nowhere")):
    with pytest.raises(InputError, match="p3_root"):
      task.get_dataset(LENGTHS, split="train", shuffle=False)


def test_clear_errors(p3_root, tmp_path):
  with pytest.raises(InputError, match="no P3 folder for card 'imdb'"):
    p3.split_files("imdb", "train", p3_root)
  with pytest.raises(InputError, match="no test files"):
    p3.split_files("glue/mrpc", "test", p3_root)
  bad = tmp_path / "p3"
  shutil.copytree(p3_root, bad)
  info = bad / "data" / "ag_news_classify_question_first" / "info.train.json"
  info.write_text(json.dumps({"features": {"inputs": {}}}))
  with pytest.raises(InputError, match="inputs_pretokenized") as e:
    p3.split_files("ag_news", "train", bad)
  assert str(info) in str(e.value)


def test_p3_selection_registers_and_builds_a_mixture(p3_root, tmp_path):
  cards = {c.name: c for c in catalog.load_cards()}
  tasks = {catalog.task_for_card(cards[n]): {"card": f"p3:{n}"}
           for n in ("glue/mrpc", "ag_news")}
  path = tmp_path / "p3_demo.json"
  rates_file.write(path, rates_file.make(
      target={"name": "custom", "source": "target", "instructions": ["x"]},
      encoder="enc", method="mean", k=2, rates={t: 0.5 for t in tasks},
      tasks=tasks, ranking=[]))
  name = mixtures.register_rates_file(path)
  assert name == "symtune_p3_demo_mix"
  mix = seqio.get_mixture_or_task(name)
  assert sorted(t.name for t in mix.tasks) == sorted(tasks)
  with settings.override(p3_root=str(p3_root)):
    ds = mix.get_dataset(LENGTHS, split="train", shuffle=False, num_epochs=1)
    inputs = _texts(ds.take(20))
  assert any(t.startswith("What label best describes") for t in inputs)
  assert any(t.startswith("Are these sentences equivalent?") for t in inputs)


def test_register_card_is_the_one_mapping():
  for key in ("p3:glue/mrpc", "niv2:task1420_mathqa_general",
              "symbolic:sql_execution"):
    name = instructions.register_card(key)
    assert name in seqio.TaskRegistry.names() or (
        name in seqio.MixtureRegistry.names())
