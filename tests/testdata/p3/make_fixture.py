"""Writes the small P3 fixture in the bigscience/P3 release layout.

  python tests/testdata/p3/make_fixture.py   # from the repository root

``data/<dataset>_<subset>_<template>/{train,validation}.tfrecord-00000-of-
00001`` with ``inputs_pretokenized`` / ``targets_pretokenized`` (and token-id
features ``inputs`` / ``targets`` as P3 has them; these hold byte values
here, the tasks do not read them) plus ``info.<split>.json``. The texts are
made up in the style of the templates (not P3 data). Folders: two templates
of ``glue/mrpc``, one of ``ag_news``, and one each of ``glue/mnli`` and
``glue/mnli_matched``, whose folder names share the prefix ``glue_mnli_``.
"""

import json
import pathlib

import tensorflow as tf

ROOT = pathlib.Path(__file__).resolve().parent / "data"

FOLDERS = {
    "glue_mrpc_equivalent": {
        "train": [
            ("Are these sentences equivalent? The cat sat. A cat was sitting.",
             "yes"),
            ("Are these sentences equivalent? It rained. The sun shone.", "no"),
            ("Are these sentences equivalent? He left early. He went early.",
             "yes"),
        ],
        "validation": [("Are these sentences equivalent? A. B.", "no")],
    },
    "glue_mrpc_same_thing": {
        "train": [("Do they mean the same thing? Red car. Blue car.", "no"),
                  ("Do they mean the same thing? Big dog. Large dog.", "yes")],
        "validation": [("Do they mean the same thing? Up. Down.", "no")],
    },
    "ag_news_classify_question_first": {
        "train": [("What label best describes this news article? Stocks rose.",
                   "Business")],
        "validation": [("What label best describes this news article? "
                        "The team won.", "Sports")],
    },
    "glue_mnli_GPT_3_style": {
        "train": [("Premise. Question: True, False or Neither?", "True")],
    },
    "glue_mnli_matched_GPT_3_style": {
        "validation": [("Premise. Question: True, False or Neither?",
                        "Neither")],
    },
}


def _ids(text: str) -> tf.train.Feature:
  return tf.train.Feature(int64_list=tf.train.Int64List(
      value=list(text.encode("utf-8"))))


def _text(text: str) -> tf.train.Feature:
  return tf.train.Feature(bytes_list=tf.train.BytesList(
      value=[text.encode("utf-8")]))


def main() -> None:
  for folder, splits in FOLDERS.items():
    out = ROOT / folder
    out.mkdir(parents=True, exist_ok=True)
    for split, rows in splits.items():
      path = out / f"{split}.tfrecord-00000-of-00001"
      with tf.io.TFRecordWriter(str(path)) as w:
        for inputs, targets in rows:
          ex = tf.train.Example(features=tf.train.Features(feature={
              "inputs": _ids(inputs), "inputs_pretokenized": _text(inputs),
              "targets": _ids(targets),
              "targets_pretokenized": _text(" " + targets)}))
          w.write(ex.SerializeToString())
      info = {"features": {
          "inputs": {"dtype": "int32", "shape": [None]},
          "inputs_pretokenized": {"dtype": "string", "shape": []},
          "targets": {"dtype": "int32", "shape": [None]},
          "targets_pretokenized": {"dtype": "string", "shape": []}},
          "num_shards": 1}
      (out / f"info.{split}.json").write_text(json.dumps(info, indent=2)
                                               + "\n")


if __name__ == "__main__":
  main()
