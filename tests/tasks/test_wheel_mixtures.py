"""A non-editable install (a built wheel) registers every mixture.

The rates files are package data (symtune_jax/mixtures/), and the recipes are
code, so nothing is looked up beside the package. The wheel is built from a
copy of the sources (so the checkout gets no build/ folder), unpacked, and
imported in a subprocess whose path has the wheel's contents, not the repo.
"""

import json
import os
import pathlib
import shutil
import subprocess
import sys
import zipfile

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
LIST_MIXTURES = (
    "import json, seqio, symtune_jax, symtune_jax.tasks; "
    "print(json.dumps({'file': symtune_jax.__file__, 'mixtures': sorted("
    "n for n in seqio.MixtureRegistry.names() if n.startswith('symtune_'))}))")


def _env(pythonpath: str) -> dict[str, str]:
  env = {k: v for k, v in os.environ.items() if not k.startswith("SYMTUNE_")}
  env.update(SYMTUNE_VOCAB="byte", TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=pythonpath)
  return env


def _mixtures(cwd: pathlib.Path, pythonpath: str) -> dict:
  out = subprocess.run([sys.executable, "-c", LIST_MIXTURES], cwd=cwd, env=_env(pythonpath),
                       capture_output=True, text=True, check=False, timeout=600)
  assert out.returncode == 0, out.stderr[-3000:]
  return json.loads(out.stdout.strip().splitlines()[-1])


def test_wheel_registers_every_mixture(tmp_path):
  pytest.importorskip("setuptools")
  pytest.importorskip("wheel")
  src = tmp_path / "src"
  src.mkdir()
  for name in ("pyproject.toml", "README.md", "requirements.txt"):
    shutil.copy(REPO / name, src / name)
  shutil.copytree(REPO / "symtune_jax", src / "symtune_jax",
                  ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
  dist = tmp_path / "dist"
  build = subprocess.run(
      [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
       "--no-index", "-w", str(dist), str(src)],
      capture_output=True, text=True, check=False, timeout=600)
  assert build.returncode == 0, build.stdout[-2000:] + build.stderr[-2000:]
  (wheel,) = dist.glob("symtune_jax-*.whl")
  site = tmp_path / "site"
  with zipfile.ZipFile(wheel) as z:
    names = z.namelist()
    z.extractall(site)
  assert "symtune_jax/mixtures/wtq_insta.json" in names

  installed = _mixtures(tmp_path, str(site))
  assert pathlib.Path(installed["file"]).is_relative_to(site)
  checkout = _mixtures(REPO, str(REPO))
  assert pathlib.Path(checkout["file"]).is_relative_to(REPO)
  assert installed["mixtures"] == checkout["mixtures"]
  for name in ("symtune_wtq_insta_mix", "symtune_sql_instruction_mix",
               "symtune_niv2_train_mix", "symtune_eval_table_mix"):
    assert name in installed["mixtures"]
