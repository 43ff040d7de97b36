"""Index-range shards for sources whose examples are a pure function of an index.

SeqIO's Beam caching (``seqio_cache_tasks`` / `symtune_jax.beam_cache`) gives
every name `list_shards` returns to a worker, which builds
``source.get_dataset(split, shard_info=ShardInfo(k, len(shards)))``. A
`FunctionDataSource` lists one shard per split, so one worker generated the
whole split. `IndexedSource` lists contiguous index ranges instead:

    >>> index_ranges(10, 4)
    [(0, 2), (2, 5), (5, 7), (7, 10)]
    >>> shard_names("train", 10, examples_per_shard=4)
    ['train[0:3]', 'train[3:6]', 'train[6:10]']

Shard k of n always covers ``index_ranges(size, n)[k]``, for Beam's shards and
for T5X's per-host `ShardInfo` alike, so the shards together hold every index
of the split exactly once, and example i is the same whatever the sharding.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Iterator, Mapping, Sequence

import seqio

DEFAULT_EXAMPLES_PER_SHARD = 1000


def index_ranges(size: int, num_shards: int) -> list[tuple[int, int]]:
  """``num_shards`` contiguous ``[start, stop)`` ranges covering ``range(size)``, balanced."""
  if size < 0 or num_shards < 1:
    raise ValueError(f"index_ranges({size}, {num_shards}): need size >= 0, num_shards >= 1")
  return [(k * size // num_shards, (k + 1) * size // num_shards) for k in range(num_shards)]


def num_shards(size: int, examples_per_shard: int) -> int:
  """How many shards of at most ``examples_per_shard`` indices (at least one)."""
  if examples_per_shard < 1:
    raise ValueError(f"examples_per_shard = {examples_per_shard}; expected >= 1")
  return max(1, math.ceil(size / examples_per_shard))


def shard_names(split: str, size: int, examples_per_shard: int) -> list[str]:
  """``['train[0:1000]', 'train[1000:2000]', ...]``: what `list_shards` returns."""
  n = num_shards(size, examples_per_shard)
  return [f"{split}[{a}:{b}]" for a, b in index_ranges(size, n)]


def shard_range(size: int, shard_info: seqio.ShardInfo | None) -> tuple[int, int]:
  """The ``[start, stop)`` of indices shard ``shard_info`` covers (all when None)."""
  if shard_info is None:
    return 0, size
  if not 0 <= shard_info.index < shard_info.num_shards:
    raise ValueError(f"shard {shard_info.index} of {shard_info.num_shards}")
  return index_ranges(size, shard_info.num_shards)[shard_info.index]


class IndexedSource(seqio.DataSource):
  """A source over indices ``0 .. size(split) - 1``, listed as index-range shards.

  Args:
    generate: ``generate(split, start, stop)`` yields the examples of indices
      ``start .. stop - 1`` in index order (an index may yield none, e.g. a
      prompt that does not fit; then pass ``exact=False``).
    size: ``size(split)``: the number of indices (read lazily: may load data).
    signature: ``signature()``: the ``tf.TensorSpec`` of each feature.
    splits: the split names.
    examples_per_shard: ``examples_per_shard()``: indices per listed shard.
    exact: every index yields exactly one example, so `num_input_examples`
      is ``size(split)``.
  """

  def __init__(self, *, generate: Callable[[str, int, int], Iterator[Mapping[str, Any]]],
               size: Callable[[str], int], signature: Callable[[], Mapping[str, Any]],
               splits: Sequence[str],
               examples_per_shard: Callable[[], int] = lambda: DEFAULT_EXAMPLES_PER_SHARD,
               exact: bool = True):
    super().__init__(splits=splits, caching_permitted=True)
    self._generate = generate
    self._size = size
    self._signature = signature
    self._examples_per_shard = examples_per_shard
    self._exact = exact

  @property
  def supports_arbitrary_sharding(self) -> bool:
    return True

  def list_shards(self, split: str) -> Sequence[str]:
    return shard_names(split, self._size(split), self._examples_per_shard())

  def num_input_examples(self, split: str) -> int | None:
    return self._size(split) if self._exact else None

  def get_dataset(self, split: str = "train", shuffle: bool = True,
                  seed: int | None = None, shard_info: seqio.ShardInfo | None = None,
                  *, sequence_length: Mapping[str, int] | None = None,
                  use_cached: bool = False, num_epochs: int | None = 1):
    """The examples of this shard's index range, in index order (SeqIO shuffles)."""
    import tensorflow as tf  # pylint: disable=g-import-not-at-top
    del shuffle, seed, sequence_length, use_cached
    start, stop = shard_range(self._size(split), shard_info)
    ds = tf.data.Dataset.from_generator(lambda: self._generate(split, start, stop),
                                        output_signature=dict(self._signature()))
    return ds.repeat(num_epochs) if num_epochs != 1 else ds
