"""`symtune select` end to end on the symbolic-family pool (few texts)."""

import json

from symtune_jax.cli import main
from symtune_jax.instructions import catalog


def _run(capsys, *argv):
  code = main.main(["select", *argv])
  out = capsys.readouterr()
  return code, out.out, out.err


def test_select_writes_rates_file_and_plot(tmp_path, capsys):
  out = tmp_path / "wtq_sym.json"
  code, stdout, _ = _run(
      capsys, "--target", "wtq", "--k", "2", "--pool", "symbolic",
      "--symbolic-share", "list_functions=0.2", "--rates", "similarity",
      "--cache-dir", str(tmp_path / "cache"), "--out", str(out))
  assert code == 0
  assert "rank" in stdout and "symbolic:sql_execution" in stdout
  data = json.loads(out.read_text())
  assert data["target"]["name"] == "wtq" and data["k"] == 2
  assert data["method"] == "mean" and data["rates_method"] == "similarity"
  assert data["encoder"].startswith("sentence-transformers/all-MiniLM-L6-v2")
  assert data["rates"]["symtune_list_functions_v1"] == 0.2
  assert len(data["rates"]) == 3
  assert sum(data["rates"].values()) == 1.0 or abs(
      sum(data["rates"].values()) - 1) < 1e-5
  assert data["tasks"]["symtune_list_functions_v1"]["fixed"] is True
  png = out.with_suffix(".png")
  assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
  # An existing file is not overwritten without --force.
  code, _, err = _run(capsys, "--target", "wtq", "--k", "2", "--pool",
                      "symbolic", "--cache-dir", str(tmp_path / "cache"),
                      "--out", str(out), "--no-plot")
  assert code == 2 and "--force" in err


def test_bad_input_gives_clear_errors(tmp_path, capsys):
  cache = ["--cache-dir", str(tmp_path / "cache"), "--no-plot",
           "--out", str(tmp_path / "x.json")]
  code, _, err = _run(capsys, "--target", "nosuchtask", *cache)
  assert code == 2 and "unknown target 'nosuchtask'" in err
  code, _, err = _run(capsys, "--target", "", *cache)
  assert code == 2 and "empty target" in err
  code, _, err = _run(capsys, "--target", "wtq", "--k", "99", "--pool",
                      "symbolic", *cache)
  assert code == 2 and "larger than the pool" in err
  code, _, err = _run(capsys, "--target", "wtq", "--pool", "symbolic",
                      "--symbolic-share", "nosuch=0.2", *cache)
  assert code == 2 and "unknown symbolic family 'nosuch'" in err
  code, _, err = _run(capsys, "--target", "wtq", "--pool", "symbolic",
                      "--encoder", "no-such-org/no-model", *cache)
  assert code == 2 and "not found locally" in err
  assert not (tmp_path / "x.json").exists()


def test_unbuildable_tasks_are_kept_out_of_the_mixtures_dir(
    tmp_path, capsys, monkeypatch):
  # A card file of three real P3 cards keeps the encoding small.
  cards = [c.to_json() for c in catalog.load_cards()
           if c.name in ("ag_news", "samsum", "squad")]
  card_file = tmp_path / "cards.json"
  card_file.write_text(json.dumps({"format": "symtune-cards/1",
                                   "cards": cards}))
  monkeypatch.setattr(catalog, "CARDS_FILE", card_file)
  monkeypatch.setenv("SYMTUNE_MIXTURES_DIR", str(tmp_path / "mixtures"))
  code, _, err = _run(
      capsys, "--target", "Which newspaper section is this article from?",
      "--k", "1", "--pool", "p3", "--no-plot",
      "--cache-dir", str(tmp_path / "cache"))
  assert code == 2 and "--buildable-only" in err
  assert not (tmp_path / "mixtures").exists()
