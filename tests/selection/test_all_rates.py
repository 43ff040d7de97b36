"""Method ``all`` (Flan-style): every training task + fixed symbolic shares."""

import json
import random

import pytest

from symtune_jax.cli import main
from symtune_jax.errors import InputError
from symtune_jax.instructions import catalog, pools
from symtune_jax.instructions.card import TaskCard
from symtune_jax.selection import mixture_rates, rates_file, scoring

SQL = "symtune_sql_execution_v1"
FIXED = {"symbolic:sql_execution": 0.25}


def _card(name, n, split="train"):
  return TaskCard(name=name, source="niv2", instructions=(f"Do {name}.",),
                  num_examples=n, split=split)


def _pool():
  return [
      _card("task002_b", 9000),                # capped at 3000
      _card("task001_a", 100),
      _card("task003_c", None),                # unknown: counts as the cap
      _card("task137_detox-lms_tox", 500),     # official spelling ...
      _card("task137_detox_lms_tox", 500),     # ... and FLAN's alias of it
      _card("task602_wiki_103_gen", 700),      # alias of a held-out task
  ]


HELD_OUT = [_card("task602_wiki-103_gen", 700, split="test")]


def _content(pool, **kw):
  kw = {"rates_method": "proportional", "cap": 3000, "fixed": FIXED,
        "pool_sources": ["niv2"], "include_test": False,
        "held_out": HELD_OUT, **kw}
  return mixture_rates.all_rates_content(pool, **kw)


def test_unranked_is_sorted_and_refuses_duplicates():
  got = scoring.unranked(["niv2:b", "niv2:a", "niv2:c"])
  assert [(s.key, s.rank) for s in got] == [
      ("niv2:a", 1), ("niv2:b", 2), ("niv2:c", 3)]
  with pytest.raises(InputError, match="same card twice"):
    scoring.unranked(["niv2:a", "niv2:a"])


def test_all_tasks_keeps_official_names_and_drops_held_out_aliases():
  kept, dropped = mixture_rates.all_tasks(_pool(), HELD_OUT)
  assert [c.name for c in kept] == [
      "task001_a", "task002_b", "task003_c", "task137_detox-lms_tox"]
  assert dropped == ["niv2:task137_detox_lms_tox", "niv2:task602_wiki_103_gen"]


def test_proportional_with_cap_plus_fixed_share():
  content = _content(_pool())
  rates = content["rates"]
  assert sum(rates.values()) == pytest.approx(1.0, abs=1e-5)
  assert rates[SQL] == 0.25
  weights = {"task001_a": 100, "task002_b": 3000, "task003_c": 3000,
             "task137_detox-lms_tox": 500}
  total = sum(weights.values())
  for name, w in weights.items():
    task = f"symtune_niv2_{name.replace('-', '_')}_v1"
    assert rates[task] == pytest.approx(0.75 * w / total, rel=1e-5), name
  # Fixed share first, then the tasks by card key.
  assert list(rates) == [SQL] + [
      f"symtune_niv2_{n.replace('-', '_')}_v1" for n in sorted(weights)]
  assert content["method"] == "all" and content["k"] == 4
  assert content["target"] is None and content["encoder"] is None
  assert content["cap"] == 3000 and content["rates_method"] == "proportional"
  assert content["symbolic_share"] == {"sql_execution": 0.25}
  assert content["pool"] == {"sources": ["niv2"], "include_test": False,
                             "size": 6}
  assert content["excluded"] == ["niv2:task137_detox_lms_tox",
                                 "niv2:task602_wiki_103_gen"]
  detox = content["tasks"]["symtune_niv2_task137_detox_lms_tox_v1"]
  assert detox == {"card": "niv2:task137_detox-lms_tox", "fixed": False,
                   "num_examples": 500}
  assert content["tasks"][SQL]["fixed"] is True
  assert content["shares"][SQL] == "25.0%"
  assert content["ranking"] == []


def test_order_and_rates_do_not_depend_on_the_pool_order():
  pool = _pool()
  first = _content(pool)
  random.Random(0).shuffle(pool)
  second = _content(pool)
  assert list(first["rates"].items()) == list(second["rates"].items())
  assert first["tasks"] == second["tasks"]


def test_uniform_and_refusals():
  rates = _content(_pool(), rates_method="uniform")["rates"]
  assert {r for t, r in rates.items() if t != SQL} == {0.1875}
  with pytest.raises(InputError, match="similarity scores"):
    _content(_pool(), rates_method="similarity")
  with pytest.raises(InputError, match="no training task"):
    _content([])


def test_small_rates_keep_their_precision_and_round_trip(tmp_path):
  assert rates_file.round_rate(8.0354127e-06) == 8.03541e-06
  assert rates_file.round_rate(0.1300000004) == 0.13
  assert rates_file.share_text(0.25, 1.0) == "25.0%"
  assert rates_file.share_text(0.00054, 1.0) == "0.054%"
  content = _content(_pool())
  path = tmp_path / "all.json"
  rates_file.write(path, content)
  assert rates_file.read(path) == content


def _cards_file(tmp_path, monkeypatch):
  """A card file: 3 NIV2 training cards, an alias and a held-out card; a
  niv2_train pool list of the training cards (aliases included)."""
  cards = [c.to_json() for c in (*_pool()[1:], *HELD_OUT)]
  path = tmp_path / "cards.json"
  path.write_text(json.dumps({"format": "symtune-cards/1", "cards": cards}))
  monkeypatch.setattr(catalog, "CARDS_FILE", path)
  lists = tmp_path / "pools"
  lists.mkdir()
  (lists / "niv2_train.txt").write_text(
      "# Pool niv2_train (toy)\n" + "".join(f"{c.key}\n" for c in _pool()[1:]))
  monkeypatch.setattr(pools, "POOLS_DIR", lists)
  pools.keys.cache_clear()
  yield
  pools.keys.cache_clear()


@pytest.fixture
def toy_cards(tmp_path, monkeypatch):
  yield from _cards_file(tmp_path, monkeypatch)


def test_cli_all_writes_the_rates_file(tmp_path, capsys, monkeypatch,
                                       toy_cards):
  monkeypatch.setenv("SYMTUNE_MIXTURES_DIR", str(tmp_path / "mixtures"))
  (tmp_path / "mixtures").mkdir()
  argv = ["select", "--all", "--pool", "niv2", "--rates", "proportional",
          "--cap", "3000", "--symbolic-share", "sql_execution=0.25",
          "--name", "toy_instruction"]
  assert main.main(argv) == 0
  out = capsys.readouterr().out
  assert "all: 3 tasks of 5 cards (2 left out" in out and "25.0%" in out
  data = rates_file.read(tmp_path / "mixtures" / "toy_instruction.json")
  assert data["method"] == "all" and data["k"] == 3
  assert data["rates"][SQL] == 0.25
  assert data["excluded"] == ["niv2:task137_detox_lms_tox",
                              "niv2:task602_wiki_103_gen"]
  assert main.main(argv) == 2  # exists: needs --force
  assert "--force" in capsys.readouterr().err


@pytest.mark.parametrize("extra,message", [
    ([], "pass --name"),
    (["--name", "x", "--target", "wtq"], "takes no --target"),
    (["--name", "x", "--rates", "similarity"], "similarity scores"),
])
def test_cli_all_errors(tmp_path, capsys, monkeypatch, extra, message,
                        toy_cards):
  monkeypatch.setenv("SYMTUNE_MIXTURES_DIR", str(tmp_path))
  assert main.main(["select", "--all", "--pool", "niv2", *extra]) == 2
  assert message in capsys.readouterr().err
  assert not (tmp_path / "x.json").exists()
