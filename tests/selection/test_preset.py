"""`symtune select --preset insta-p3`: the INSTA paper's P3 table."""

import json

import numpy as np
import pytest

from symtune_jax.cli import main
from symtune_jax.instructions import pools, protocols
from symtune_jax.selection import rates_file
from symtune_jax.tasks import mixtures


@pytest.fixture(scope="module")
def preset_out(tmp_path_factory):
  out = tmp_path_factory.mktemp("insta_p3")
  cache = tmp_path_factory.mktemp("cache")
  code = main.main(["select", "--preset", "insta-p3", "--out", str(out),
                    "--cache-dir", str(cache)])
  assert code == 0
  return out


def test_table_json_and_rates_files(preset_out):
  result = json.loads((preset_out / "insta_p3.json").read_text())
  names = [d.name for d in protocols.T0_EVAL]
  assert result["targets"] == names and result["pool"] == "t0_train"
  # The shipped embeddings serve every text: nothing is encoded.
  assert result["timings"]["unaligned_texts_encoded"] == 0
  table = (preset_out / "table.md").read_text()
  assert all(f"| {n} |" in table for n in names)
  t0_datasets = set(pools.merge_datasets(pools.load(["t0_train"]))[1])
  held = pools.held_out_keys()
  for name, row in result["selections"]["unaligned"].items():
    top = [t["dataset"] for t in row["top"]]
    assert len(top) == len(set(top)) == 5, name
    assert set(top) <= t0_datasets, name
    for t in row["top"]:
      assert not set(t["cards"]) & held
      # A dataset's score is the mean of its template scores.
      assert t["score"] == pytest.approx(
          np.mean([x["score"] for x in t["templates"]]), abs=2e-4)
    data = rates_file.read(preset_out / row["rates_file"])
    assert data["level"] == "dataset" and data["pool"]["sources"] == [
        "t0_train"]
    assert all(t.startswith("symtune_p3_") for t in data["rates"])


def test_preset_rates_files_register_as_mixtures(preset_out):
  path = preset_out / "rates" / "unaligned" / "rte_insta.json"
  name = mixtures.register_rates_file(path)
  assert name == "symtune_rte_insta_mix"


def test_preset_needs_an_out_folder(capsys):
  assert main.main(["select", "--preset", "insta-p3"]) == 2
  assert "--out DIR" in capsys.readouterr().err
