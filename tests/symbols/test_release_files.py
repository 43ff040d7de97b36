"""Tuning and held-out ICL datasets read from their official release files."""

import collections
import json

import pytest

from symtune_jax import settings
from symtune_jax.errors import InputError, SymtuneError
from symtune_jax.symbols import release_files, sources

FIXTURES = "symbol_tuning"
# Records per split of the copies in ../shared/data (its README; MRPC train is
# GLUE's 3,668 = 4,076 - the 408 dev pairs; Rotten Tomatoes and SUBJ by the
# 80/10/10 rule).
SHARED_COUNTS = {
    "rte": {"train": 2490, "validation": 277},
    "wnli": {"train": 635, "validation": 71},
    "qnli": {"validation": 5463},
    "cb": {"train": 250, "validation": 56},
    "sst2": {"train": 67349, "validation": 872},
    "rotten_tomatoes": {"train": 8530, "validation": 1066, "test": 1066},
    "mrpc": {"train": 3668, "validation": 408, "test": 1725},
    "copa": {"train": 400, "validation": 100},
    "piqa": {"validation": 1838},
    "wsc": {"train": 554, "validation": 104},
    "ag_news": {"validation": 7600, "test": 7600},
    "trec": {"train": 5452, "validation": 500, "test": 500},
    "wic": {"train": 5428, "validation": 638, "test": 1400},
    "cola": {"train": 8551, "validation": 1043},
    "subj": {"train": 8000, "validation": 1000, "test": 1000},
    **{f"raft_{t}": {"train": 50} for t in release_files.RAFT_TASKS},
}
NOT_IN_SHARED = ("mnli", "snli", "qqp", "paws", "winogrande")


def _root(base, name):
  return base / ("raft" if name.startswith("raft_") else name)


def test_every_reader_is_covered():
  assert set(release_files.READERS) == set(SHARED_COUNTS) | set(NOT_IN_SHARED)
  assert set(sources.FILE_TUNING_DATASETS) == {s.name for s in sources.TFDS_SPECS} | {
      "rotten_tomatoes"}
  assert len(sources.FILE_TUNING_DATASETS) + 3 == 22  # + TweetEval irony/offensive/sentiment


def test_every_shared_dataset_from_its_real_files(shared_data):
  for name, counts in SHARED_COUNTS.items():
    fmt = release_files.READERS[name]
    for split, n in counts.items():
      records = fmt.read(_root(shared_data, name), split)
      assert len(records) == n, (name, split)
      labels = collections.Counter(r.label for r in records)
      assert set(labels) == set(range(len(fmt.label_names))), (name, split)
      assert all(len(r.fields) == len(fmt.text_fields) for r in records)
      assert all(any(f.strip() for f in r.fields) for r in records), (name, split)


def test_shared_files_through_settings(shared_data, monkeypatch):
  monkeypatch.setenv("SYMTUNE_SHARED_DATA", str(shared_data))
  for name in ("rte", "sst2", "subj", "raft_overruling", "rotten_tomatoes"):
    assert sources.data_origin(name)[0] == "files"
    assert settings.resolve(sources.setting_name(name))[1] == "shared"
  sst2 = sources.dataset_source("sst2")
  assert len(sst2.load("train")) == sources.MAX_EXAMPLES  # the paper's 25k cap
  assert sst2.num_examples("train") == sources.MAX_EXAMPLES
  assert sst2.num_examples("validation") == 872
  # Labels keep the TFDS class order: GLUE RTE 0 = entailment.
  rte = sources.dataset_source("rte").load("train")
  assert rte.label_names == sources.TFDS_SPECS_BY_NAME["rte"].label_names
  first = rte.records[0]
  assert first.fields[0].startswith("No Weapons of Mass Destruction")
  assert rte.label_names[first.label] == "not_entailment"


def test_known_values_of_shared_files(shared_data):
  """Spot checks against the raw files: label mapping and field order."""
  read = lambda name, split: release_files.READERS[name].read(_root(shared_data, name), split)
  wic = read("wic", "train")[0]
  assert wic.fields[:2] == ("carry", "You must carry your camping gear .") and wic.label == 0
  trec = read("trec", "train")[0]
  assert trec == release_files.Record(("How did serfdom develop in and then leave Russia ?",),
                                      release_files.TREC_LABELS.index("DESC"))
  ag = read("ag_news", "test")[0]  # "3,Fears for T N pension after talks,..." -> Business
  assert ag.fields[0] == "Fears for T N pension after talks" and ag.label == 2
  wsc = read("wsc", "train")[0]
  assert wsc.fields[1:] == ("Mark", "He") and wsc.label == 0
  copa = read("copa", "train")
  assert len(copa) == 400  # train.jsonl (368) + the labelled rows of unlabeled.jsonl (32)
  mrpc_train, mrpc_dev = read("mrpc", "train"), read("mrpc", "validation")
  assert not {r.fields for r in mrpc_train} & {r.fields for r in mrpc_dev}
  semi = read("raft_semiconductor_org_types", "train")[0]
  assert semi.fields == ("3Gb/s AC-coupled chip-to-chip communication using a low-swing pulse "
                         "receiver", "North Carolina State Univ.,Raleigh,NC,USA")
  assert release_files.RAFT_TASKS["semiconductor_org_types"].label_names[semi.label] == \
      "university"


def test_split_80_10_10_is_the_hugging_face_rule():
  # rotten_tomatoes on the Hub: 8,530 / 1,066 / 1,066 from 5,331 per polarity.
  parts = [release_files.split_80_10_10(5331, s) for s in ("train", "validation", "test")]
  assert [len(p) for p in parts] == [4265, 533, 533]
  assert parts[0].stop == parts[1].start and parts[1].stop == parts[2].start == 4798
  assert [len(release_files.split_80_10_10(10, s)) for s in ("train", "validation", "test")] \
      == [8, 1, 1]


@pytest.mark.parametrize("name", [n for n in release_files.READERS if not n.startswith("raft_")])
def test_fixtures_in_official_formats(testdata, name):
  fmt = release_files.READERS[name]
  for split in fmt.splits:
    records = fmt.read(testdata / FIXTURES / name, split)
    assert {r.label for r in records} == set(range(len(fmt.label_names))), (name, split)


def test_raft_fixtures(testdata):
  for task, spec in release_files.RAFT_TASKS.items():
    records = release_files.READERS[f"raft_{task}"].read(testdata / FIXTURES / "raft", "train")
    counts = collections.Counter(r.label for r in records)
    assert len(counts) == len(spec.label_names)
    assert min(counts.values()) >= 5  # k = 4 exemplars per class + the query


def test_fixture_label_conventions(testdata):
  base = testdata / FIXTURES
  snli = release_files.READERS["snli"].read(base / "snli", "train")
  assert len(snli) == 12  # the gold_label "-" row is skipped
  wino = release_files.READERS["winogrande"].read(base / "winogrande", "train")
  assert [r.label for r in wino[:2]] == [0, 1]  # answer "1" -> option1
  ag = release_files.READERS["ag_news"].read(base / "ag_news", "train")
  assert ag[0].label == 0 and ag[0].fields[0] == "Talks resume in Geneva"  # no header row
  mrpc = release_files.READERS["mrpc"]
  assert [len(mrpc.read(base / "mrpc", s)) for s in mrpc.splits] == [6, 2, 8]  # dev_ids
  mnli = release_files.READERS["mnli"].read(base / "mnli", "validation")
  assert [release_files.READERS["mnli"].label_names[r.label] for r in mnli[:3]] == [
      "entailment", "contradiction", "neutral"]


def test_missing_file_names_dataset_and_setting(tmp_path, monkeypatch):
  (tmp_path / "qnli").mkdir()
  (tmp_path / "qnli" / "dev.tsv").write_text("index\tquestion\tsentence\tlabel\n")
  monkeypatch.setenv("SYMTUNE_SHARED_DATA", str(tmp_path))
  with pytest.raises(InputError) as e:
    sources.dataset_source("qnli").load("train")
  msg = str(e.value)
  assert "train.tsv" in msg and "'qnli'" in msg and "symtune.settings.qnli_root" in msg
  assert "$SYMTUNE_QNLI_ROOT" in msg


def test_malformed_rows_name_file_and_line(tmp_path):
  (tmp_path / "train.tsv").write_text("index\tsentence1\tsentence2\tlabel\n0\ta\tb\tmaybe\n")
  with pytest.raises(InputError, match=r"train.tsv:2.*label 'maybe'"):
    release_files.READERS["rte"].read(tmp_path, "train")
  (tmp_path / "train.jsonl").write_text('{"premise": "p", "hypothesis": "h"}\n')
  with pytest.raises(InputError, match=r"train.jsonl:1.*'label'"):
    release_files.READERS["cb"].read(tmp_path, "train")
  (tmp_path / "train.jsonl").write_text('{"premise": "p", "hypothesis": "h", "label": '
                                        '"neutral"}\n{oops\n')
  with pytest.raises(InputError, match=r"train.jsonl:2: not valid JSON"):
    release_files.READERS["cb"].read(tmp_path, "train")
  raft = tmp_path / "raft" / "overruling"
  raft.mkdir(parents=True)
  (raft / "task.json").write_text(json.dumps({"data_columns": ["Sentence", "ID"],
                                              "label_columns": {"Label": ["no", "yes"]}}))
  with pytest.raises(InputError, match="expected"):
    release_files.READERS["raft_overruling"].read(tmp_path / "raft", "train")


def test_no_files_and_no_tfds_is_a_clear_error(tmp_path, monkeypatch):
  monkeypatch.setenv("SYMTUNE_SHARED_DATA", str(tmp_path / "nothing"))
  monkeypatch.setenv("SYMTUNE_TFDS_DIR", str(tmp_path / "tfds"))
  with pytest.raises(SymtuneError) as e:
    sources.dataset_source("rotten_tomatoes").load("train")
  assert "'rotten_tomatoes'" in str(e.value)
  assert "$SYMTUNE_ROTTEN_TOMATOES_ROOT" in str(e.value)
  assert sources.data_origin("mnli") == ("tfds", "glue/mnli")
  source = sources.dataset_source("mnli")
  for call in (lambda: source.num_examples("train"), lambda: source.load("train")):
    with pytest.raises(SymtuneError) as e:
      call()
    msg = str(e.value)
    assert "dataset 'mnli'" in msg and "symtune.settings.mnli_root" in msg
    assert "$SYMTUNE_MNLI_ROOT" in msg and "tfds build glue/mnli" in msg
