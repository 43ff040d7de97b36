"""Classification sources: the generic adapter, TweetEval files, TFDS builders (mocked)."""

import shutil

import pytest

from symtune_jax.errors import InputError, SymtuneError
from symtune_jax.symbols import sources


def test_from_records_in_a_few_lines():
  src = sources.from_records(
      "toy", ("review",), ("bad", "good"),
      {"train": [("Great!", "good"), (("Meh.",), 0), ({"review": "Fine"}, 1)]},
      instruction="Is the review positive?")
  split = src.load("train")
  assert [r.label for r in split.records] == [1, 0, 1]
  assert split.records[2].fields == ("Fine",) and src.num_examples("train") == 3
  with pytest.raises(InputError, match="no split 'test'"):
    src.load("test")
  with pytest.raises(InputError, match="'great' is not among the label names"):
    sources.from_records("toy", ("t",), ("bad", "good"), {"train": [("x", "great")]})
  with pytest.raises(InputError, match="missing text field"):
    sources.from_records("toy", ("t",), ("bad", "good"), {"train": [({"u": "x"}, 0)]})


def test_cap_per_split():
  src = sources.from_records("toy", ("t",), ("a", "b"),
                             {"train": [(f"x{i}", i % 2) for i in range(50)]}, max_examples=10)
  assert len(src.load("train")) == 10 and src.num_examples("train") == 10


def test_default_cap_is_25k_on_the_data():
  n = sources.MAX_EXAMPLES + 1_234
  src = sources.from_records("big", ("t",), ("a", "b"),
                             {"train": [((f"x{i}",), i % 2) for i in range(n)]})
  split = src.load("train")
  assert len(split) == sources.MAX_EXAMPLES == 25_000 == src.num_examples("train")
  # The first records in order are kept.
  assert split.records[-1].fields == (f"x{sources.MAX_EXAMPLES - 1}",)


def test_cap_applies_to_tweeteval_files(testdata):
  import dataclasses
  src = dataclasses.replace(sources.tweeteval_source("hate", testdata / "tweeteval"),
                            max_examples=7)
  assert sources.tweeteval_source("hate").max_examples == sources.MAX_EXAMPLES
  assert len(src.load("train")) == 7 and src.num_examples("train") == 7


def test_tweeteval_from_testdata(testdata):
  hate = sources.tweeteval_source("hate", testdata / "tweeteval")
  train = hate.load("train")
  assert len(train) == 40 and hate.label_names == ("not-hate", "hate")
  first = (testdata / "tweeteval/hate/train_text.txt").read_text().splitlines()[0].strip()
  assert train.records[0].fields == (first,)
  stance = sources.tweeteval_source("stance_abortion", testdata / "tweeteval")
  assert stance.label_names == ("none", "against", "favor")
  assert len(stance.load("test", require_all_classes=False)) == 40
  assert hate.num_examples("validation") == 40


def test_tweeteval_root_env_and_package_sample(monkeypatch, testdata, tmp_path):
  monkeypatch.setenv(sources.TWEETEVAL_ENV, str(testdata / "tweeteval"))
  assert sources.tweeteval_root() == testdata / "tweeteval"
  monkeypatch.delenv(sources.TWEETEVAL_ENV)
  # The one rule of every data root: ../shared/data when it holds the folder,
  # else the shipped slice.
  (tmp_path / "tweeteval").mkdir()
  monkeypatch.setenv("SYMTUNE_SHARED_DATA", str(tmp_path))
  assert sources.tweeteval_root() == tmp_path / "tweeteval"
  monkeypatch.setenv("SYMTUNE_SHARED_DATA", "/nonexistent")
  assert sources.tweeteval_root() == sources.SAMPLE_ROOT
  root = sources.tweeteval_root()
  assert root.name == "tweeteval_sample" and root.is_dir()
  for task in sources.TWEETEVAL_TASKS:
    src = sources.tweeteval_source(task, root)
    split = "validation" if task == "sentiment" else "train"
    assert len(src.load(split)) >= 40


def _copy(testdata, tmp_path):
  dst = tmp_path / "tweeteval"
  shutil.copytree(testdata / "tweeteval", dst)
  return dst


def test_tweeteval_bad_files(testdata, tmp_path):
  root = _copy(testdata, tmp_path)
  labels = root / "hate/train_labels.txt"
  lines = labels.read_text().splitlines()
  labels.write_text("\n".join(lines[:5] + ["7"] + lines[6:]) + "\n")
  with pytest.raises(InputError, match=r"train_labels.txt:6: expected a label id in 0..1"):
    sources.tweeteval_source("hate", root).load("train")
  labels.write_text("\n".join(lines[:-1]) + "\n")
  with pytest.raises(InputError, match="39 labels for 40 texts"):
    sources.tweeteval_source("hate", root).load("train")
  (root / "hate/mapping.txt").write_text("0\tnot-hate\n1\tsomething-else\n")
  with pytest.raises(InputError, match="expected labels"):
    sources.tweeteval_source("hate", root).load("validation")
  with pytest.raises(InputError, match="TweetEval file not found"):
    sources.tweeteval_source("stance_atheism", root).load("train")
  with pytest.raises(InputError, match="unknown TweetEval task"):
    sources.tweeteval_source("emoji")


def test_tweeteval_shared(shared_data):
  src = sources.tweeteval_source("hate", shared_data / "tweeteval")
  train = src.load("train")
  raw = (shared_data / "tweeteval/hate/train_text.txt").read_text(encoding="utf-8").split("\n")
  raw = raw[:-1] if raw[-1] == "" else raw
  assert len(train) == sum(1 for l in raw if l.strip()) and train.skipped_empty > 0
  assert len(train) + train.skipped_empty == len(raw) == src.num_examples("train")


def test_22_tuning_datasets_accounted_for():
  assert len(sources.TFDS_SPECS) + len(sources.NOT_IN_TFDS) == 22


@pytest.mark.parametrize("name", ["rte", "mnli", "trec", "winogrande", "copa"])
def test_tfds_sources_offline_with_mock_data(name):
  import tensorflow_datasets as tfds
  spec = sources.TFDS_SPECS_BY_NAME[name]
  with tfds.testing.mock_data(num_examples=12):
    src = sources.tfds_source(name, max_examples=8)
    split = src.load("train")
    val = src.load("validation", require_all_classes=False)
  assert 0 < len(split) <= 8 and len(val) <= 8
  assert all(len(r.fields) == len(spec.text_fields) and all(isinstance(f, str) for f in r.fields)
             for r in split.records)
  assert all(0 <= r.label < len(spec.label_names) for r in split.records)


def test_tfds_missing_data_is_a_clear_error(tmp_path):
  src = sources.tfds_source("cola", data_dir=str(tmp_path))
  with pytest.raises(SymtuneError, match="tfds build glue/cola"):
    src.load("train")
  with pytest.raises(InputError, match="unknown TFDS dataset"):
    sources.tfds_source("nope")
