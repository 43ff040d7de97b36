"""Every symbol-tuning task and mixture builds examples offline through SeqIO."""

import pytest
import seqio

from symtune_jax.symbols import algorithmic, formats, pools, prompts, sources
from symtune_jax.tasks import symbols as symbol_tasks

LENGTHS = {"inputs": 8192, "targets": 64}


# Datasets with fixtures in tests/testdata/symbol_tuning (official formats).
FIXTURE_DATASETS = ("mnli", "snli", "qqp", "paws", "winogrande", "qnli", "piqa", "ag_news",
                    "subj", "raft")


@pytest.fixture(autouse=True)
def _offline_roots(monkeypatch, testdata):
  monkeypatch.setenv(sources.TWEETEVAL_ENV, str(sources.SAMPLE_ROOT))
  monkeypatch.setenv("SYMTUNE_BIGBENCH_ROOT", str(testdata / "bigbench"))
  # The fixture folder is laid out like ../shared/data: SUBJ, RAFT and the
  # datasets ../shared/data lacks resolve there (env vars: datasets are read in
  # tf.data's threads, where a thread-local `settings.override` is not seen).
  monkeypatch.setenv("SYMTUNE_SHARED_DATA", str(testdata / "symbol_tuning"))


def _take(name, split, n=3):
  task = seqio.get_mixture_or_task(name)
  ds = task.get_dataset(LENGTHS, split=split, shuffle=False)
  return task, list(ds.take(n).as_numpy_iterator())


def _text(x):
  return x.decode("utf-8")


def _check_classification(task, examples):
  assert examples
  for ex in examples:
    target = _text(ex["targets_pretokenized"])
    strings = _text(ex["label_strings"]).split("\t")
    assert target == strings[ex["label"]]
    assert task.postprocess_fn(target, example=ex, is_target=True) == ex["label"]
    assert ex["inputs"][-1] == 1 and ex["targets"][-1] == 1  # EOS appended
    # Every symbol of the mapping appears as an in-context label.
    assert all(f" {s}\n" in _text(ex["inputs_pretokenized"]) or
               f"-> {s}\n" in _text(ex["inputs_pretokenized"]) for s in strings)
  labels = [int(ex["label"]) for ex in examples]
  assert task.metric_fns[0](labels, labels) == {"accuracy": 100.0}


def test_tuning_tasks_and_offline_mixture():
  tuning = pools.tuning_pool().all_symbols()
  for dataset in symbol_tasks.TWEETEVAL_TUNING:
    name = symbol_tasks.tuning_task_name(f"tweeteval_{dataset}")
    for split in ("train", "validation"):
      task, examples = _take(name, split)
      _check_classification(task, examples)
      for ex in examples:
        assert set(_text(ex["label_strings"]).split("\t")) <= tuning
        assert not _text(ex["inputs_pretokenized"]).startswith(("What", "Is", "Does"))
  mix = seqio.get_mixture_or_task("symtune_symbol_tuning_v1")
  rates = {t.name: mix.get_rate(t) for t in mix.tasks}
  assert rates == {"symtune_symbol_tuning_tweeteval_irony_v1": 300.0,
                   "symtune_symbol_tuning_tweeteval_offensive_v1": 300.0,
                   "symtune_symbol_tuning_tweeteval_sentiment_v1": 300.0}
  ds = mix.get_dataset(LENGTHS, split="train", shuffle=True, seed=1)
  got = list(ds.take(6).as_numpy_iterator())
  assert len(got) == 6 and all(len(ex["targets"]) > 1 for ex in got)
  assert seqio.get_mixture_or_task("symtune_symbol_tuning_mix").tasks == mix.tasks
  full = seqio.get_mixture_or_task("symtune_symbol_tuning_full_mix")
  assert len(full.tasks) == 22
  heldout = {t.name for t in seqio.get_mixture_or_task("symtune_symbol_tuning_heldout_mix").tasks}
  assert heldout == {t.name for t in full.tasks} - {
      "symtune_symbol_tuning_tweeteval_irony_v1", "symtune_symbol_tuning_tweeteval_offensive_v1"}


def test_icl_tasks_every_dataset_and_setting():
  evaluation = pools.evaluation_pool().all_symbols()
  names = [n for n in seqio.TaskRegistry.names() if n.startswith("symtune_icl_")]
  binary = ("subj", "tweeteval_hate", "raft_ade_corpus_v2", "raft_overruling",
            "raft_terms_of_service", "raft_twitter_complaints")
  assert len(symbol_tasks.ICL_HELD_OUT) == 11
  # 4 settings for the 11 held-out and the 3 extra datasets, flipped for the binary ones.
  assert len(names) == (11 + 3) * 4 + len(binary) + 2  # + irony, offensive flipped
  mix = seqio.get_mixture_or_task(symbol_tasks.ICL_EVAL_MIXTURE)
  in_mix = sorted(t.name for t in mix.tasks)
  assert len(in_mix) == 11 * 4 + len(binary)
  assert in_mix == sorted(n for n in names if any(
      n.startswith(f"symtune_icl_{d}_") and n[len(f"symtune_icl_{d}_"):-3] in
      prompts.EVAL_SETTINGS for d in symbol_tasks.ICL_HELD_OUT))
  # Held out means held out: no tuning dataset and no fifth stance topic in the mix.
  for d in ("irony", "offensive", "stance_climate", "sentiment"):
    assert not any(f"tweeteval_{d}_" in n for n in in_mix)
  assert {mix.get_rate(t) for t in mix.tasks} == {1.0}
  for dataset in symbol_tasks.ICL_HELD_OUT:
    source = symbol_tasks.ICL_SOURCES[dataset]
    for setting in prompts.EVAL_SETTINGS:
      name = symbol_tasks.icl_task_name(source.name, setting)
      if setting == "flipped" and source.num_classes != 2:
        assert name not in names
        continue
      assert (setting == "flipped") <= (dataset in binary)
      task, examples = _take(name, "test", 2)
      _check_classification(task, examples)
      for ex in examples:
        strings = _text(ex["label_strings"]).split("\t")
        inputs = _text(ex["inputs_pretokenized"])
        assert inputs.startswith(source.instruction) == setting.startswith("instr_")
        if setting.endswith("_sym"):
          assert set(strings) <= evaluation
        elif setting == "flipped":
          assert tuple(strings) == source.label_names[::-1]
        else:
          assert tuple(strings) == source.label_names
        assert inputs.count("Input: ") == source.num_classes * prompts.EVAL_K + 1


def test_raft_queries_are_never_their_own_exemplars():
  """RAFT has only its labelled train rows: leave-one-out over them."""
  for task in ("raft_overruling", "raft_semiconductor_org_types"):
    name = symbol_tasks.icl_task_name(task, "noinstr_nl")
    assert seqio.get_mixture_or_task(name).splits == ("test",)
    source, records = _queries(name, "test")
    _, examples = _take(name, "test", 100)
    assert len(examples) == len(records) == len(source.load("train"))
    for ex in examples:
      blocks = _text(ex["inputs_pretokenized"]).split("\n\n")
      assert blocks[-1] not in [b.rsplit("\nOutput:", 1)[0] + "\nOutput:" for b in blocks[:-1]]


def test_icl_settings_share_exemplars_and_are_deterministic():
  a = _take("symtune_icl_tweeteval_hate_noinstr_nl_v1", "validation", 2)[1]
  b = _take("symtune_icl_tweeteval_hate_noinstr_sym_v1", "validation", 2)[1]
  c = _take("symtune_icl_tweeteval_hate_noinstr_nl_v1", "validation", 2)[1]
  assert [x["inputs_pretokenized"] for x in a] == [x["inputs_pretokenized"] for x in c]
  strip = lambda ex: [l for l in _text(ex["inputs_pretokenized"]).split("\n")
                      if l.startswith("Input: ")]
  assert [strip(x) for x in a] == [strip(x) for x in b]


def test_algorithmic_tasks():
  task, examples = _take("symtune_list_functions_v1", "train", 5)
  tuning_fns = {f.name: f for f in algorithmic.list_function_catalogue()[0]}
  for ex in examples:
    fn = tuning_fns[_text(ex["_task_source"])]
    query = _text(ex["inputs_pretokenized"]).split("\n\n")[-1]
    xs = [int(v) for v in query[query.index("[") + 1:query.rindex("]")].split(", ") if v]
    assert _text(ex["targets_pretokenized"]) == algorithmic.format_list(fn(xs))
  _, val = _take("symtune_list_functions_v1", "validation", 5)
  eval_names = {f.name for f in algorithmic.list_function_catalogue()[1]}
  assert all(_text(ex["_task_source"]) in eval_names for ex in val)
  targets = [task.postprocess_fn(_text(ex["targets_pretokenized"])) for ex in val]
  assert task.metric_fns[0](targets, targets) == {"exact_match": 100.0}

  task, examples = _take("symtune_binary_concepts_v1", "train", 5)
  _check_classification(task, examples)
  task, examples = _take("symtune_binary_concepts_v1", "test", 5)
  _check_classification(task, examples)
  evaluation = pools.evaluation_pool().all_symbols()
  assert all(set(_text(ex["label_strings"]).split("\t")) <= evaluation for ex in examples)


def test_bigbench_tasks_from_testdata():
  task, examples = _take("symtune_bigbench_list_functions_v1", "test", 40)
  assert len(examples) == 40 and {_text(e["_task_source"]) for e in examples} == {"c001", "c002"}
  for ex in examples:
    assert _text(ex["inputs_pretokenized"]).count("\nA: ") == 4
    assert task.postprocess_fn(_text(ex["targets_pretokenized"])) == _text(
        ex["targets_pretokenized"])
  task, examples = _take("symtune_bigbench_simp_turing_concept_v1", "test", 100)
  assert len(examples) == 80
  assert task.postprocess_fn(" '01'\n\nInput") == "'01'"


def test_bigbench_tasks_on_shared_data(shared_data, monkeypatch):
  monkeypatch.setenv("SYMTUNE_BIGBENCH_ROOT", str(shared_data / "bigbench"))
  _, examples = _take("symtune_bigbench_list_functions_v1", "test", 40)
  assert {_text(e["_task_source"]) for e in examples} == {"c001", "c002"}


def test_tfds_tuning_tasks_offline_with_mock_data(tmp_path, monkeypatch):
  import tensorflow_datasets as tfds
  monkeypatch.setenv("SYMTUNE_SHARED_DATA", str(tmp_path))  # no release files: TFDS
  for dataset in ("rte", "ag_news", "wic"):
    assert sources.data_origin(dataset)[0] == "tfds"
    with tfds.testing.mock_data(num_examples=40):
      task, examples = _take(symbol_tasks.tuning_task_name(dataset), "train", 2)
    _check_classification(task, examples)
    spec = sources.TFDS_SPECS_BY_NAME[dataset]
    if len(spec.text_fields) > 1:
      assert all("\n" + "Description: " in _text(e["inputs_pretokenized"]) or
                 " | " in _text(e["inputs_pretokenized"]) or
                 "Sentence 2: " in _text(e["inputs_pretokenized"]) for e in examples)


def _queries(name, split):
  """(source, query records in order) behind a registered tuning / ICL task's split."""
  for dataset, source in symbol_tasks.TUNING_SOURCES.items():
    if name == symbol_tasks.tuning_task_name(dataset):
      train, val = symbol_tasks._TUNING_SPLITS.get(dataset, ("train", "validation"))  # pylint: disable=protected-access
      src_split = train if split == "train" else val
      return source, source.load(src_split, require_all_classes=src_split == train).records
  for dataset, source in symbol_tasks.ICL_SOURCES.items():
    if any(name == symbol_tasks.icl_task_name(dataset, s) for s in prompts.EVAL_SETTINGS):
      src_split = symbol_tasks._ICL_SPLITS.get(dataset, {}).get(split, split)  # pylint: disable=protected-access
      return source, source.load(src_split, require_all_classes=False).records
  raise KeyError(name)


def _check_fit_and_query(n_tuning, n_icl):
  """Registered tuning / ICL prompts fit INPUT_LENGTH - 1 byte tokens and end with their query."""
  budget = symbol_tasks.prompt_budget()
  assert budget == symbol_tasks.INPUT_LENGTH - 1 == 2047
  tuning = [f"{symbol_tasks.tuning_task_name(f'tweeteval_{d}')}:{s}"
            for d in symbol_tasks.TWEETEVAL_TUNING for s in ("train", "validation")]
  icl = [f"{t.name}:test" for t in seqio.get_mixture_or_task(symbol_tasks.ICL_EVAL_MIXTURE).tasks]
  longest = 0
  for spec in tuning + icl:
    name, split = spec.split(":")
    source, records = _queries(name, split)
    n = min(n_tuning if spec in tuning else n_icl, len(records))
    _, examples = _take(name, split, n)
    assert len(examples) == n, spec  # no prompt skipped: the i-th example is the i-th query
    names = tuple(formats.display_name(f) for f in source.text_fields)
    for ex, query in zip(examples, records):
      inputs = _text(ex["inputs_pretokenized"])
      fmt = formats.get_format(_text(ex["format"]))
      assert inputs.endswith(fmt.render_query(fmt.render_input(query.fields, names))), spec
      # Untrimmed (LENGTHS is far above the budget): EOS + the exact byte count.
      assert len(ex["inputs"]) == prompts.byte_length(inputs) + 1, spec
      assert len(ex["inputs"]) - 1 <= budget, spec
      longest = max(longest, len(ex["inputs"]) - 1)
  return longest


def test_prompts_fit_the_vocabulary_budget_and_keep_the_query():
  assert _check_fit_and_query(24, 12) > 0


def test_prompts_fit_the_vocabulary_budget_on_full_tweeteval(shared_data, monkeypatch):
  monkeypatch.setenv(sources.TWEETEVAL_ENV, str(shared_data / "tweeteval"))
  monkeypatch.setenv("SYMTUNE_SHARED_DATA", str(shared_data))  # SUBJ, RAFT: real files
  # 60 irony tuning prompts: with chars/4 lengths about 1 in 50 went past 2,048 bytes.
  longest = _check_fit_and_query(60, 24)
  assert longest > 1500  # long prompts were built (and cut down to the budget)


def test_tuning_task_iterates_at_most_max_examples():
  """The cap is on the data the task iterates, not only on the mixture rate."""
  n, cap = 120, 30
  source = sources.from_records(
      "capped_synthetic", ("text",), ("a", "b"),
      {"train": [(f"record {i}", i % 2) for i in range(n)],
       "validation": [(f"held {i}", i % 2) for i in range(10)]}, max_examples=cap)
  name = symbol_tasks.add_tuning_task(source)
  try:
    task = seqio.get_mixture_or_task(name)
    got = list(task.get_dataset(LENGTHS, split="train", shuffle=False).as_numpy_iterator())
    assert len(got) == cap
    queries = [_text(ex["inputs_pretokenized"]).rsplit("record ", 1)[-1] for ex in got]
    assert [int(q.split()[0]) for q in queries] == list(range(cap))
    assert symbol_tasks.capped_rate(task) == cap
  finally:
    seqio.TaskRegistry.remove(name)
    symbol_tasks.TUNING_SOURCES.pop("capped_synthetic", None)


def test_list_functions_one_task_per_paper_function():
  from symtune_jax.symbols import bigbench
  assert bigbench.PAPER_LIST_FUNCTIONS == tuple(f"c{i:03d}" for i in range(1, 21))
  mix = seqio.get_mixture_or_task(symbol_tasks.LIST_FUNCTIONS_MIXTURE)
  assert [t.name for t in mix.tasks] == sorted(
      symbol_tasks.list_function_task_name(f) for f in bigbench.PAPER_LIST_FUNCTIONS)
  for fn in ("c001", "c020"):
    task, examples = _take(symbol_tasks.list_function_task_name(fn), "test", 100)
    assert len(examples) == 32 and {_text(e["_task_source"]) for e in examples} == {fn}
  _, pooled = _take("symtune_bigbench_list_functions_v1", "test", 1000)
  assert len(pooled) == 20 * 32  # the 20 paper functions, not all 250


def test_full_mixture_builds_from_real_files_and_fixtures(shared_data, testdata, monkeypatch):
  """Real files where ../shared/data has them in full, fixtures (by settings overrides) else.

  `settings.override` is thread-local and tf.data reads in its own threads: the
  tasks resolve the data location when the dataset is asked for.
  """
  from symtune_jax import settings
  monkeypatch.setenv(sources.TWEETEVAL_ENV, str(shared_data / "tweeteval"))
  fixtures = {f"{name}_root": str(testdata / "symbol_tuning" / name)
              for name in ("mnli", "snli", "qqp", "paws", "winogrande", "qnli", "piqa",
                           "ag_news")}
  with settings.override(shared_data=str(shared_data), **fixtures):
    full = seqio.get_mixture_or_task("symtune_symbol_tuning_full_mix")
    assert len(full.tasks) == 22
    real = {"rte": 2490, "wnli": 635, "cb": 250, "sst2": 25_000, "rotten_tomatoes": 8530,
            "mrpc": 3668, "copa": 400, "wsc": 554, "trec": 5452, "wic": 5428, "cola": 8551}
    for dataset in symbol_tasks.FILE_TUNING:
      kind, where = sources.data_origin(dataset)
      assert kind == "files", dataset
      assert ("(shared)" if dataset in real else "(override)") in where, dataset
      task = seqio.get_mixture_or_task(symbol_tasks.tuning_task_name(dataset))
      rate = full.get_rate(task)
      if dataset in real:
        assert rate == real[dataset], dataset
      else:
        assert 0 < rate < 20, dataset  # a fixture
      for split in ("train", "validation"):
        _, examples = _take(task.name, split, 2)
        _check_classification(task, examples)
    ds = full.get_dataset(LENGTHS, split="train", shuffle=True, seed=3)
    got = list(ds.take(8).as_numpy_iterator())
  assert len(got) == 8 and all(len(ex["targets"]) > 1 for ex in got)


def test_full_mixture_builds_from_fixtures():
  """A fresh clone: every dataset from its fixture in the official format."""
  full = seqio.get_mixture_or_task("symtune_symbol_tuning_full_mix")
  assert len(full.tasks) == 22
  for dataset in symbol_tasks.FILE_TUNING:
    assert sources.data_origin(dataset)[0] == "files", dataset
    task = seqio.get_mixture_or_task(symbol_tasks.tuning_task_name(dataset))
    assert 0 < full.get_rate(task) < 20, dataset
    _, examples = _take(task.name, "validation", 2)
    _check_classification(task, examples)
  ds = full.get_dataset(LENGTHS, split="train", shuffle=True, seed=3)
  got = list(ds.take(8).as_numpy_iterator())
  assert len(got) == 8 and all(len(ex["targets"]) > 1 for ex in got)


def test_full_mixture_offline_without_data_names_what_to_set(tmp_path, monkeypatch):
  monkeypatch.setenv("SYMTUNE_SHARED_DATA", str(tmp_path / "nothing"))
  monkeypatch.setenv("SYMTUNE_TFDS_DIR", str(tmp_path / "tfds"))
  full = seqio.get_mixture_or_task("symtune_symbol_tuning_full_mix")
  for dataset in ("mnli", "rotten_tomatoes"):
    task = seqio.get_mixture_or_task(symbol_tasks.tuning_task_name(dataset))
    with pytest.raises(sources.SymtuneError) as e:
      full.get_rate(task)
    assert f"dataset {dataset!r}" in str(e.value)
    assert f"symtune.settings.{dataset}_root" in str(e.value)


def test_icl_suite_on_shared_data(shared_data, monkeypatch):
  monkeypatch.setenv("SYMTUNE_SHARED_DATA", str(shared_data))
  monkeypatch.setenv(sources.TWEETEVAL_ENV, str(shared_data / "tweeteval"))
  for dataset in symbol_tasks.ICL_HELD_OUT:
    if not dataset.startswith("tweeteval_"):
      assert sources.data_origin(dataset)[0] == "files"
    name = symbol_tasks.icl_task_name(dataset, "noinstr_sym")
    task, examples = _take(name, "test", 2)
    _check_classification(task, examples)
  _, subj = _take("symtune_icl_subj_noinstr_nl_v1", "test", 1000)
  assert len(subj) == 1000  # SUBJ test: the last 10% of each file
  _, raft = _take("symtune_icl_raft_terms_of_service_flipped_v1", "test", 100)
  assert len(raft) == 50
