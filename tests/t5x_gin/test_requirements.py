"""The install files agree: requirements, T5X's extra pins, the `beam` extra (static)."""

import importlib.metadata
import pathlib
import re
import tomllib

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = pathlib.Path(__file__).resolve().parents[2]
# What /work/shared/wheels/README.md (and docs/T5X.md) install beside the wheels.
T5X_DOC_PINS = {"grain": "0.2.12", "fiddle": "0.3.1", "libcst": "1.9.0", "jaxtyping": "0.3.11",
                "chex": "0.1.92", "cached-property": "2.0.1", "tensorboard": "2.21.0"}
# apache-beam 2.77.0's bounds on what requirements.txt resolves higher (its metadata).
BEAM_BOUNDS = {"protobuf": "<7.0.0.dev0,>=3.20.3", "pyarrow": "<26.0.0,>=14.0.1",
               "pillow": "<13,>=12.1.1", "python-dateutil": "<3,>=2.8.0"}


def _pins(path: pathlib.Path) -> dict[str, str]:
  out = {}
  for line in path.read_text().splitlines():
    line = line.split("#")[0].strip()
    if not line or line.startswith("-r"):
      continue
    req = Requirement(line)
    (spec,) = req.specifier
    assert spec.operator == "==", f"{path.name}: {line} is not pinned with =="
    out[canonicalize_name(req.name)] = spec.version
  return out


def _extra(name: str) -> dict[str, Requirement]:
  project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
  return {canonicalize_name(Requirement(r).name): Requirement(r)
          for r in project["optional-dependencies"][name]}


def test_t5x_pins_cover_the_documented_install_and_leave_the_stack_alone():
  runtime = _pins(REPO / "requirements.txt")
  t5x = _pins(REPO / "requirements-t5x.txt")
  for name, version in T5X_DOC_PINS.items():
    assert t5x.get(canonicalize_name(name)) == version, name
  assert not set(t5x) & set(runtime), "requirements-t5x.txt re-pins the runtime stack"
  # The missing packages `pip check` reported after the --no-deps install are pinned.
  assert {"toolz", "more-itertools", "graphviz", "wadler-lindig", "markdown", "werkzeug",
          "tensorboard-data-server"} <= set(t5x)
  assert "tfds-nightly" not in t5x  # the same package as tensorflow-datasets: see the file
  assert "requirements-t5x.txt" in (REPO / "docs" / "T5X.md").read_text()
  assert "requirements-t5x.txt" in (REPO / "Makefile").read_text()


def test_beam_extra_pins_what_beam_downgrades():
  runtime = _pins(REPO / "requirements.txt")
  beam = _extra("beam")
  assert str(beam["apache-beam"].specifier) == "==2.77.0"
  for name, bounds in BEAM_BOUNDS.items():
    req = beam.get(name)
    assert req is not None, f"the beam extra must pin {name} (beam caps it: {bounds})"
    (spec,) = req.specifier
    assert spec.operator == "==" and Requirement(f"{name}{bounds}").specifier.contains(
        spec.version), f"{name}=={spec.version} is outside apache-beam's {bounds}"
  for name, req in beam.items():
    if name in runtime:
      assert req.specifier.contains(runtime[name]), f"{name}: extra vs requirements.txt"
  doc = (REPO / "docs" / "T5X.md").read_text()
  for name in BEAM_BOUNDS:
    (spec,) = beam[name].specifier
    assert f"{name} {spec.version}" in doc, f"docs/T5X.md does not say {name} becomes {spec.version}"


def test_installed_beam_agrees_with_the_extra():
  try:
    requires = importlib.metadata.requires("apache-beam") or []
  except importlib.metadata.PackageNotFoundError:
    pytest.skip("apache-beam is not installed")
  beam = _extra("beam")
  for line in requires:
    req = Requirement(line)
    name = canonicalize_name(req.name)
    if req.marker is None and name in beam and name != "apache-beam":
      (spec,) = beam[name].specifier
      assert req.specifier.contains(spec.version), f"{name}: beam needs {req.specifier}"
    if name in BEAM_BOUNDS and req.marker is None:
      assert re.sub(r"\s", "", str(req.specifier)) != "", name
