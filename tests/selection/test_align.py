"""Alignment end to end on a tiny set: same-task pairs move closer."""

import numpy as np

from symtune_jax.instructions.card import TaskCard
from symtune_jax.selection import align
from symtune_jax.selection.encoder import Encoder

CARDS = [
    TaskCard("news", "p3", (
        "What label best describes this news article?",
        "Which section of a newspaper would this article appear in?",
        "Is this a piece of news about politics, sports, business or science?")),
    TaskCard("nli", "p3", (
        "Does the premise imply the hypothesis? Yes, no, or maybe?",
        "Given the premise, is the hypothesis definitely true?",
        "Suppose the first sentence is true. Can we infer the second one?")),
    TaskCard("summary", "p3", (
        "Summarize the dialogue in one sentence.",
        "Write a short summary of this conversation.",
        "What is the gist of the chat above, in brief?")),
    TaskCard("math", "p3", (
        "Solve the equation for x.",
        "Work out the value of the unknown in this linear equation.",
        "Find x such that the equation holds.")),
]


def _same_minus_other(model):
  texts = [t for c in CARDS for t in c.instructions]
  vecs = align._encode(model, texts)  # pylint: disable=protected-access
  stats = align.retrieval(CARDS, vecs)
  return stats["same_task_cosine"] - stats["other_task_cosine"], stats


def test_pairs_follow_the_threshold():
  model = Encoder(use_cache=False).model
  texts = [t for c in CARDS for t in c.instructions]
  vecs = align._encode(model, texts)  # pylint: disable=protected-access
  config = align.AlignConfig(threshold=0.3, max_positives_per_task=3)
  pairs = align.make_pairs(CARDS, vecs, config)
  index = {t: i for i, t in enumerate(texts)}
  owner = {t: c.name for c in CARDS for t in c.instructions}
  pos = [p for p in pairs if p.label == 1.0]
  neg = [p for p in pairs if p.label == 0.0]
  assert len(pos) == 12 and neg
  assert all(owner[p.a] == owner[p.b] for p in pos)
  assert all(owner[p.a] != owner[p.b] for p in neg)
  assert all(vecs[index[p.a]] @ vecs[index[p.b]] < 0.3 for p in neg)
  assert pairs == align.make_pairs(CARDS, vecs, config)  # deterministic


def test_alignment_moves_same_task_pairs_closer(tmp_path):
  base = Encoder(use_cache=False).model
  gap_before, _ = _same_minus_other(base)
  config = align.AlignConfig(epochs=1, learning_rate=1e-4, batch_size=8,
                             held_out_fraction=0.0)
  report = align.align(CARDS, tmp_path / "aligned", config=config)
  assert report["pairs"] == report["positives"] + report["negatives"] > 0
  assert (tmp_path / "aligned" / "alignment.json").exists()
  aligned = Encoder(tmp_path / "aligned", use_cache=False)
  assert aligned.id.startswith(str((tmp_path / "aligned").resolve()))
  gap_after, _ = _same_minus_other(aligned.model)
  assert gap_after > gap_before
  vec = aligned.encode(["Summarize the dialogue."])
  assert vec.shape == (1, 384) and np.isclose(np.linalg.norm(vec), 1.0)
