"""SeqIO tasks for P3 cards, read from the P3 release, registered lazily.

``register_p3_task("glue/mrpc")`` registers ``symtune_p3_glue_mrpc_v1``
(`symtune_jax.instructions.promptsource.seqio_task_name`): every template of
the card, as bigscience/P3 ships them::

  <p3_root>/data/<dataset>_<subset>_<template>/
      train.tfrecord-00000-of-0000N, validation.tfrecord-*, test.tfrecord-*
      info.train.json, info.validation.json, ...   ({"features": {...}})

Each record holds ``inputs_pretokenized`` / ``targets_pretokenized`` (the
prompted text; the token ids beside them are T5's and are not used: the text
is tokenized with the run's vocabulary). A card's folders are those whose
name starts with its prefix (`promptsource.p3_folder_prefix`, promptsource's
own task naming) and that no longer prefix of another P3 card claims
(``glue_mnli_`` vs ``glue_mnli_matched_``). The templates of a card are read
one after another, file by file (file order shuffled with the seed when
SeqIO asks for shuffled files).

The root is the ``p3_root`` setting (Gin ``symtune.settings.p3_root``,
``$SYMTUNE_P3_ROOT``, else ``../shared/data/p3``); it is read when a dataset
is built, never at registration, so a mixture of P3 tasks registers on any
machine and fails, naming the setting, only where the data is absent.
"""

from __future__ import annotations

import functools
import json
import pathlib
import random

import seqio

from symtune_jax import settings
from symtune_jax.errors import InputError
from symtune_jax.instructions import catalog, promptsource
from symtune_jax.tasks import registry, vocab

SPLITS = ("train", "validation", "test")
TEXT_FEATURES = ("inputs_pretokenized", "targets_pretokenized")


@functools.lru_cache(maxsize=1)
def _prefixes() -> tuple[tuple[str, str], ...]:
  """(folder prefix, card name) of every P3 card, longest prefix first."""
  names = [c.name for c in catalog.load_cards() if c.source == "p3"]
  return tuple(sorted(((promptsource.p3_folder_prefix(n), n) for n in names),
                      key=lambda p: (-len(p[0]), p[1])))


def card_of_folder(folder: str, prefixes=None) -> str | None:
  """The P3 card a release folder belongs to (longest matching prefix)."""
  for prefix, name in prefixes or _prefixes():
    if folder.startswith(prefix):
      return name
  return None


def data_dir(root: str | pathlib.Path | None = None) -> pathlib.Path:
  """``<p3_root>/data`` (or the root itself if it holds the folders)."""
  root = pathlib.Path(root) if root is not None else settings.require_root(
      "p3_root")
  return root / "data" if (root / "data").is_dir() else root


def folders(card_name: str, root: str | pathlib.Path | None = None
            ) -> list[pathlib.Path]:
  """The template folders of a P3 card in the release, sorted by name."""
  base = data_dir(root)
  prefix = promptsource.p3_folder_prefix(card_name)
  return sorted(p for p in base.iterdir()
                if p.is_dir() and p.name.startswith(prefix)
                and card_of_folder(p.name) == card_name)


def _check_info(folder: pathlib.Path, split: str) -> None:
  """Checks ``info.<split>.json`` (when present) lists the text features."""
  path = folder / f"info.{split}.json"
  if not path.exists():
    return
  try:
    info = json.loads(path.read_text(encoding="utf-8"))
  except json.JSONDecodeError as e:
    raise InputError(f"not valid JSON ({e.msg})", path=str(path),
                     line=e.lineno) from None
  features = info.get("features") if isinstance(info, dict) else None
  missing = [f for f in TEXT_FEATURES
             if not isinstance(features, dict) or f not in features]
  if missing:
    raise InputError(f"P3 info file lacks features {missing}; expected the "
                     "P3 release layout (inputs_pretokenized, "
                     "targets_pretokenized)", path=str(path), field="features")


def split_files(card_name: str, split: str,
                root: str | pathlib.Path | None = None) -> list[str]:
  """The TFRecord files of a card's split, over all its template folders."""
  if split not in SPLITS:
    raise InputError(f"unknown split {split!r}; use one of {SPLITS}",
                     field="split")
  found = folders(card_name, root)
  if not found:
    raise InputError(
        f"no P3 folder for card {card_name!r} under {data_dir(root)} "
        f"(expected {promptsource.p3_folder_prefix(card_name)}<template>/); "
        f"point p3_root at the P3 release: {settings.how_to_set('p3_root')}",
        path=str(data_dir(root)))
  files = []
  for folder in found:
    shards = sorted(str(p) for p in folder.glob(f"{split}.tfrecord-*"))
    if shards:
      _check_info(folder, split)
    files += shards
  if not files:
    raise InputError(f"P3 card {card_name!r} has no {split} files in "
                     f"{[f.name for f in found]}", path=str(data_dir(root)),
                     field="split")
  return files


def _dataset_fn(card_name: str, root: str | None):
  """A seqio.FunctionDataSource dataset_fn over a card's template folders."""

  def dataset_fn(split: str, shuffle_files: bool, seed: int | None = None):
    import tensorflow as tf  # pylint: disable=g-import-not-at-top
    files = split_files(card_name, split, root)
    if shuffle_files:
      random.Random(seed).shuffle(files)
    spec = {f: tf.io.FixedLenFeature([], tf.string) for f in TEXT_FEATURES}

    def parse(record):
      ex = tf.io.parse_single_example(record, spec)
      return {"inputs": ex["inputs_pretokenized"],
              "targets": tf.strings.strip(ex["targets_pretokenized"])}

    return tf.data.TFRecordDataset(files).map(
        parse, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)

  return dataset_fn


def register_p3_task(card_name: str, root: str | None = None) -> str:
  """Registers the SeqIO task of P3 card ``card_name``; returns its name.

  Args:
    card_name: e.g. ``glue/mrpc``, ``ag_news``.
    root: a P3 release folder; default: the ``p3_root`` setting, resolved
      when the dataset is built.

  Returns:
    ``symtune_p3_<dataset>_<subset>_v1``. Registering twice is a no-op.
  """
  if not card_name or not isinstance(card_name, str):
    raise InputError("empty P3 card name", field="task")
  return registry.add_task(
      promptsource.seqio_task_name(card_name),
      source=seqio.FunctionDataSource(_dataset_fn(card_name, root),
                                      splits=SPLITS),
      output_features=vocab.output_features(),
      preprocessors=[
          seqio.preprocessors.tokenize,
          seqio.CacheDatasetPlaceholder(),
          seqio.preprocessors.append_eos_after_trim,
      ],
      metric_fns=[],
  )
