"""`symtune select` end to end on the symbolic-family pool (few texts)."""

import json

import pytest

from symtune_jax.cli import main
from symtune_jax.cli import select as select_cli
from symtune_jax.instructions import pools
from symtune_jax.selection import encoder as encoder_lib


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


def test_default_pool_and_a_p3_selection_register_as_mixtures(
    tmp_path, capsys, monkeypatch):
  mixtures_dir = tmp_path / "mixtures"
  mixtures_dir.mkdir()
  monkeypatch.setenv("SYMTUNE_MIXTURES_DIR", str(mixtures_dir))
  cache = ["--cache-dir", str(tmp_path / "cache"), "--no-plot"]
  code, stdout, _ = _run(capsys, "--target", "wtq", "--k", "3", *cache,
                         "--name", "wtq_try")
  assert code == 0, stdout
  data = json.loads((mixtures_dir / "wtq_try.json").read_text())
  assert data["pool"]["sources"] == ["niv2_train", "symbolic"]
  assert data["pool"]["size"] == len(pools.load(["niv2_train", "symbolic"]))
  assert "0 texts encoded" in stdout  # the shipped embeddings
  # A P3 selection (t0_train) goes to mixtures/ too: P3 cards have tasks.
  code, stdout, _ = _run(capsys, "--target", "rte", "--k", "5", "--pool",
                         "t0_train", *cache, "--name", "rte_try")
  assert code == 0, stdout
  assert "templates:" in stdout and "best:" in stdout
  data = json.loads((mixtures_dir / "rte_try.json").read_text())
  assert all(t.startswith("symtune_p3_") for t in data["rates"])
  assert len(data["ranking"]) == 5
  for entry in data["ranking"]:
    assert entry["templates"] and entry["cards"]
  datasets = [r["card"] for r in data["ranking"]]
  assert len(set(datasets)) == 5  # one place per dataset
  assert data["encoder_fingerprint"]
  assert main.main(["select", "--check-mixtures", str(mixtures_dir)]) == 0


def test_p3_pool_never_ranks_t0_evaluation_data(tmp_path, capsys):
  out = tmp_path / "anli.json"
  code, stdout, _ = _run(capsys, "--target", "anli", "--k", "10", "--pool",
                         "p3", "--cache-dir", str(tmp_path / "cache"),
                         "--no-plot", "--out", str(out))
  assert code == 0, stdout
  data = json.loads(out.read_text())
  held = pools.held_out_keys()
  for entry in data["ranking"]:
    assert not set(entry["cards"]) & held, entry
  for bad in ("p3:glue/rte", "p3:glue/ax", "p3:scitail/snli_format"):
    assert bad not in stdout


def test_help_explains_the_pool(capsys):
  with pytest.raises(SystemExit):
    main.main(["select", "--help"])
  text = " ".join(capsys.readouterr().out.split())
  assert "t0_train" in text and "niv2_train" in text and "p3_all" in text
  assert "--name wtq_demo" in text and "bert-large-nli-stsb-mean-tokens" in text
  assert select_cli.DEFAULT_POOL == "niv2_train,symbolic"


class _EncoderLoaded(Exception):
  pass


@pytest.fixture()
def no_encoder(monkeypatch):
  """Fails the test if the selection gets as far as loading the encoder."""
  def load(*args, **kwargs):
    raise _EncoderLoaded("the encoder was loaded")
  monkeypatch.setattr(encoder_lib, "Encoder", load)


def test_early_failures_do_not_load_the_encoder(tmp_path, capsys,
                                                monkeypatch, no_encoder):
  mixtures_dir = tmp_path / "mixtures"
  mixtures_dir.mkdir()
  monkeypatch.setenv("SYMTUNE_MIXTURES_DIR", str(mixtures_dir))
  checked_in = mixtures_dir / "wtq_insta.json"
  checked_in.write_text("{}")
  pool_size = len(pools.load(["niv2_train", "symbolic"]))
  # k larger than the pool (the default pool, the real card file).
  code, _, err = _run(capsys, "--target", "wtq", "--k", "100000",
                      "--name", "big")
  assert code == 2 and "larger than the pool" in err
  assert f"of {pool_size} selectable" in err
  code, _, err = _run(capsys, "--target", "wtq", "--k", str(pool_size - 1),
                      "--symbolic-share", "sql=0.25", "symbols=0.1",
                      "--name", "big")
  assert f"of {pool_size - 2} selectable" in err  # less the fixed shares
  code, _, err = _run(capsys, "--target", "wtq", "--k", "0", "--name", "big")
  assert code == 2 and "k must be at least 1" in err
  # The default output exists: the hint names --force and a free --name.
  code, _, err = _run(capsys, "--target", "wtq", "--k", "5")
  assert code == 2 and "rates file exists" in err and "--force" in err
  assert "--name wtq_demo" in err and str(checked_in) in err
  assert checked_in.read_text() == "{}"
  code, _, err = _run(capsys, "--target", "wtq", "--name", "wtq_insta")
  assert code == 2 and "--name wtq_insta_2" in err
  out = tmp_path / "taken.json"
  out.write_text("{}")
  code, _, err = _run(capsys, "--target", "wtq", "--out", str(out))
  assert code == 2 and "--force" in err and str(out) in err
  code, _, err = _run(capsys, "--target", "wtq", "--out", str(tmp_path),
                      "--force")
  assert code == 2 and "is a folder" in err
  code, _, err = _run(capsys, "--target", "wtq", "--name", "a", "--out",
                      str(tmp_path / "b.json"))
  assert code == 2 and "not both" in err
  code, _, err = _run(capsys, "--all", "--pool", "niv2", "--name",
                      "wtq_insta")
  assert code == 2 and "--force" in err
  assert sorted(p.name for p in mixtures_dir.iterdir()) == ["wtq_insta.json"]
  # With --force the selection goes on: to the encoder.
  with pytest.raises(_EncoderLoaded):
    _run(capsys, "--target", "wtq", "--k", "5", "--force", "--no-plot")


def test_a_local_encoder_folder_is_encoded_and_fingerprinted(tmp_path, capsys):
  import shutil  # pylint: disable=g-import-not-at-top
  folder = tmp_path / "my_encoder"
  shutil.copytree(encoder_lib.default_model_path(), folder)
  out = tmp_path / "wtq.json"
  code, stdout, _ = _run(capsys, "--target", "wtq", "--k", "2", "--pool",
                         "symbolic", "--encoder", str(folder), "--cache-dir",
                         str(tmp_path / "cache"), "--no-plot", "--out",
                         str(out))
  assert code == 0, stdout
  assert "0 from the shipped embeddings" in stdout  # not the default's
  data = json.loads(out.read_text())
  path, _, fingerprint = data["encoder"].partition("#")
  assert path == str(folder.resolve()) and len(fingerprint) == 16
  assert data["encoder_fingerprint"] == fingerprint
