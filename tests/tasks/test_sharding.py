"""Index-range shards: every generating task lists many, and their union is the split."""

import gin
import pytest
import seqio

import symtune_jax.tasks  # noqa: F401  (registers the tasks)
from symtune_jax.tasks import instructions, sharding
from symtune_jax.tasks import sql as sql_tasks
from symtune_jax.tasks import symbols as symbol_tasks


def test_index_ranges_partition():
  for size in (0, 1, 7, 10, 1000):
    for n in (1, 2, 3, 4, 64):
      ranges = sharding.index_ranges(size, n)
      assert len(ranges) == n
      assert [i for a, b in ranges for i in range(a, b)] == list(range(size))
      assert max(b - a for a, b in ranges) - min(b - a for a, b in ranges) <= 1
  assert sharding.shard_names("train", 10, 4) == ["train[0:3]", "train[3:6]", "train[6:10]"]
  assert sharding.shard_names("test", 0, 4) == ["test[0:0]"]
  with pytest.raises(ValueError):
    sharding.num_shards(10, 0)


def _union_of_listed_shards(source, split):
  """What Beam's workers build: shard k of len(list_shards) each, concatenated."""
  shards = source.list_shards(split)
  parts = [list(source.get_dataset(split, shuffle=False,
                                   shard_info=seqio.ShardInfo(k, len(shards)))
                .as_numpy_iterator())
           for k in range(len(shards))]
  return shards, parts


def _assert_union_is_split(source, split, min_shards=2):
  whole = list(source.get_dataset(split, shuffle=False).as_numpy_iterator())
  shards, parts = _union_of_listed_shards(source, split)
  assert len(shards) >= min_shards
  assert all(parts), "an empty shard"
  union = [ex for p in parts for ex in p]
  key = lambda ex: tuple(sorted((k, repr(v)) for k, v in ex.items()))  # noqa: E731
  assert [key(e) for e in union] == [key(e) for e in whole]
  return shards, whole


@pytest.fixture
def sql_small():
  sql_tasks.reset()
  sql_tasks.configure(num_examples={"train": 9, "validation": 4, "test": 4},
                      examples_per_shard=4)
  yield seqio.get_mixture_or_task(sql_tasks.TASK_NAME).source
  sql_tasks.reset()


def test_sql_union_of_shards_is_the_split(sql_small):
  shards, whole = _assert_union_is_split(sql_small, "train", min_shards=3)
  assert shards == ["train[0:3]", "train[3:6]", "train[6:9]"]
  assert len(whole) == 9
  assert sql_small.num_input_examples("train") == 9


def test_sql_size_seed_and_shards_from_gin():
  sql_tasks.reset()
  source = seqio.get_mixture_or_task(sql_tasks.TASK_NAME).source
  try:
    gin.parse_config("""
        symtune.sql_execution.num_examples = {'train': 30, 'test': 5}
        symtune.sql_execution.seed = 7
        symtune.sql_execution.examples_per_shard = 10
    """)
    assert source.num_input_examples("train") == 30
    assert source.num_input_examples("validation") == sql_tasks.DEFAULT_NUM_EXAMPLES["validation"]
    assert source.list_shards("train") == ["train[0:10]", "train[10:20]", "train[20:30]"]
    assert sql_tasks.current().seed == 7
    # configure() (this process) wins over Gin.
    sql_tasks.configure(num_examples={"train": 4})
    assert source.num_input_examples("train") == 4
    assert source.num_input_examples("test") == 5
  finally:
    gin.clear_config()
    sql_tasks.reset()
  assert source.num_input_examples("train") == sql_tasks.DEFAULT_NUM_EXAMPLES["train"]


def test_sql_bad_gin_size_is_named():
  sql_tasks.reset()
  try:
    gin.parse_config("symtune.sql_execution.num_examples = {'dev': 3}")
    with pytest.raises(ValueError, match=r"symtune.sql_execution.num_examples\['dev'\]"):
      seqio.get_mixture_or_task(sql_tasks.TASK_NAME).source.num_input_examples("train")
  finally:
    gin.clear_config()


def test_algorithmic_symbol_tasks_union(monkeypatch):
  monkeypatch.setitem(symbol_tasks.ALGORITHMIC_SIZES, "validation", 7)
  monkeypatch.setattr(symbol_tasks, "EXAMPLES_PER_SHARD", 3)
  for name in ("symtune_list_functions_v1", "symtune_binary_concepts_v1"):
    source = seqio.get_mixture_or_task(name).source
    shards, whole = _assert_union_is_split(source, "validation", min_shards=3)
    assert shards == ["validation[0:2]", "validation[2:4]", "validation[4:7]"]
    assert len(whole) == 7 == source.num_input_examples("validation")


def test_symbol_tuning_and_icl_union(monkeypatch):
  monkeypatch.setattr(symbol_tasks, "EXAMPLES_PER_SHARD", 4)
  tuning = seqio.get_mixture_or_task(symbol_tasks.tuning_task_name("tweeteval_irony")).source
  _, whole = _assert_union_is_split(tuning, "validation")
  assert whole
  icl = seqio.get_mixture_or_task(symbol_tasks.icl_task_name("tweeteval_hate", "instr_sym"))
  _assert_union_is_split(icl.source, "test")


def test_niv2_union(testdata, monkeypatch):
  monkeypatch.setattr(instructions, "EXAMPLES_PER_SHARD", 4)
  name = instructions.register_niv2_task("task9001_symtune_fixture_repeat",
                                         root=testdata / "niv2")
  try:
    source = seqio.get_mixture_or_task(name).source
    shards, whole = _assert_union_is_split(source, "test", min_shards=3)
    assert len(whole) == 11 == source.num_input_examples("test")
    assert shards[0] == "test[0:3]"
  finally:
    seqio.TaskRegistry.remove(name)
