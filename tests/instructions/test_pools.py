"""Named pools, evaluation protocols, targets by dataset name, datasets."""

import pytest

from symtune_jax.errors import InputError
from symtune_jax.instructions import catalog, pools, protocols, targets

# The 35 training datasets of T0 (Sanh et al. 2022, Figure 2), as P3
# datasets (adversarial_qa's subsets and duorc's are one dataset each).
T0_PAPER_DATASETS = {
    # Multiple-choice QA
    "cos_e", "dream", "quail", "quartz", "social_i_qa", "wiqa", "cosmos_qa",
    "qasc", "quarel", "sciq", "wiki_hop",
    # Extractive QA
    "adversarial_qa", "quoref", "duorc", "ropes",
    # Closed-book QA
    "kilt_tasks/hotpotqa", "wiki_qa",
    # Structure-to-text
    "common_gen", "wiki_bio",
    # Sentiment
    "amazon_polarity", "app_reviews", "imdb", "rotten_tomatoes",
    "yelp_review_full",
    # Summarization
    "cnn_dailymail", "gigaword", "multi_news", "samsum", "xsum",
    # Topic classification
    "ag_news", "dbpedia_14", "trec",
    # Paraphrase identification
    "glue/mrpc", "paws", "glue/qqp",
}

# The cards issue 12 found in the P3 pool though T0 keeps them out.
ISSUE_CARDS = (
    "glue/rte", "glue/mnli", "glue/mnli_matched", "glue/mnli_mismatched",
    "glue/qnli", "glue/wnli", "glue/ax", "super_glue/axb", "super_glue/axg",
    "snli", "esnli", "scitail/snli_format", "scitail/tsv_format", "hans",
    "sick", "winograd_wsc/wsc273", "winograd_wsc/wsc285", "mwsc", "xnli/en")

TARGETS = ([d.name for d in protocols.T0_EVAL]
           + [c.name for c in targets.target_cards()]
           + ["super_glue/rte", "p3:glue/rte", "story_cloze/2016",
              "task1385_anli_r1_entailment", "task033_winogrande_answer_generation",
              "duorc", "Decide whether the hypothesis follows from the premise."])


def test_t0_train_is_the_35_t0_datasets():
  cards = pools.load(["t0_train"])
  assert len(cards) == 38
  merged, members = pools.merge_datasets(cards)
  assert {k.split(":", 1)[1] for k in members} == T0_PAPER_DATASETS
  assert len(merged) == 35
  assert members["p3:adversarial_qa"] == (
      "p3:adversarial_qa/dbidaf", "p3:adversarial_qa/dbert",
      "p3:adversarial_qa/droberta")
  duorc = next(c for c in merged if c.key == "p3:duorc")
  subsets = [c for c in cards if c.name.startswith("duorc/")]
  assert set(duorc.instructions) == {t for c in subsets for t in c.instructions}


def test_pool_lists_match_their_sources():
  expected = pools.expected_lists()
  for name, keys in expected.items():
    assert list(pools.keys(name)) == keys, name
  assert len(pools.keys("niv2_train")) == 1613 - 119
  assert set(pools.keys("niv2_train")).isdisjoint(
      {f"niv2:{n}" for n in pools.niv2_test_names()})
  for name in pools.POOL_NAMES:
    text = (pools.POOLS_DIR / f"{name}.txt").read_text()
    assert text.startswith("# Pool " + name), name  # provenance header
  assert pools.canonical("p3") == "p3_all" and pools.canonical("niv2") == (
      "niv2_train")
  with pytest.raises(InputError, match="unknown pool 'p4'"):
    pools.canonical("p4")


def test_issue_cards_and_eval_datasets_are_in_no_pool():
  every = {k for name in pools.POOL_NAMES for k in pools.keys(name)}
  for name in ISSUE_CARDS:
    assert f"p3:{name}" not in every, name
  for ds in protocols.T0_EVAL:
    assert set(ds.cards).isdisjoint(every), ds.name
  assert "p3:multi_nli" not in every and "p3:sem_eval_2014_task_1" not in every
  test_tasks = {f"niv2:{n}" for n in pools.niv2_test_names()}
  assert len(test_tasks) == 119 and test_tasks.isdisjoint(every)


@pytest.mark.parametrize("pool_name", pools.POOL_NAMES)
def test_no_pool_and_target_ranks_evaluation_data(pool_name):
  """Over every pool and target: nothing held out is ever a candidate."""
  held = pools.held_out_keys()
  cards = pools.load([pool_name])
  known = pools.all_cards()
  for text in TARGETS:
    target, excluded = pools.resolve_target(text, known)
    candidates = [c for c in cards if c.key not in set(excluded)]
    assert not [c.key for c in candidates if c.key in held], (pool_name, text)
    ds = protocols.eval_dataset_of_card(target.key)
    if ds is not None:  # a T0 target: no NIV2 task on T0's held-out data
      bad = [c.key for c in candidates if c.source == "niv2"
             and protocols.niv2_same_data(c.name, reserved=True)]
      assert not bad, (pool_name, text, bad[:3])
      assert target.key not in {c.key for c in candidates}


def test_niv2_same_data_patterns():
  same = protocols.niv2_same_data
  assert same("task1389_hellaswag_completion")
  assert same("task489_mwsc_question_generation")
  assert same("task1168_xcopa_commonsense_reasoning_ht")
  assert same("task296_storycloze_correct_end_classification")
  assert same("task625_xlwic_true_or_false_answer_generation")
  assert not same("task1370_newscomm_classification")  # "wsc" inside a word
  assert not same("task1665_trainglecopa_question_generation")
  assert not same("task001_quoref_question_generation")
  assert same("task197_mnli_domain_answer_generation", reserved=True)
  assert not same("task197_mnli_domain_answer_generation")


@pytest.mark.parametrize("name, key", [
    ("rte", "p3:super_glue/rte"), ("RTE", "p3:super_glue/rte"),
    ("super_glue/rte", "p3:super_glue/rte"), ("cb", "p3:super_glue/cb"),
    ("story_cloze", "p3:story_cloze/2016"), ("storycloze",
                                             "p3:story_cloze/2016"),
    ("anli", "p3:anli"), ("copa", "p3:super_glue/copa"),
    ("hellaswag", "p3:hellaswag"), ("wic", "p3:super_glue/wic"),
    ("winogrande", "p3:winogrande/winogrande_xl"),
    ("wsc", "p3:super_glue/wsc.fixed"), ("wtq", "target:wtq"),
    ("duorc", "p3:duorc"), ("p3:glue/rte", "p3:glue/rte"),
])
def test_targets_by_dataset_or_card_name(name, key):
  card, excluded = pools.resolve_target(name, pools.all_cards())
  assert card.key == key
  assert key in excluded


def test_alias_of_a_target_is_excluded():
  known = pools.all_cards()
  _, excluded = pools.resolve_target("rte", known)
  assert "p3:glue/rte" in excluded
  _, excluded = pools.resolve_target("wsc", known)
  assert {"p3:winograd_wsc/wsc273", "p3:mwsc", "p3:glue/wnli",
          "niv2:task489_mwsc_question_generation"} <= set(excluded)
  _, excluded = pools.resolve_target("duorc", known)
  assert {"p3:duorc/SelfRC", "p3:duorc/ParaphraseRC",
          "niv2:task194_duorc_answer_generation"} <= set(excluded)
  # A non-T0 target keeps NIV2's train split as it is.
  _, excluded = pools.resolve_target("wtq", known)
  assert "niv2:task1389_hellaswag_completion" not in excluded


def test_dataset_of():
  cards = {c.name: c for c in catalog.load_cards()}
  assert pools.dataset_of(cards["adversarial_qa/dbert"]) == "p3:adversarial_qa"
  assert pools.dataset_of(cards["glue/mrpc"]) == "p3:glue/mrpc"
  assert pools.dataset_of(cards["ag_news"]) == "p3:ag_news"
  assert pools.dataset_of(cards["task1420_mathqa_general"]) == (
      "niv2:task1420_mathqa_general")
