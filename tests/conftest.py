"""Shared test fixtures: offline vocabulary, paths to shared data."""

import os
import pathlib

import pytest

# Tests never reach a bucket: tasks use the byte vocabulary.
os.environ.setdefault("SYMTUNE_VOCAB", "byte")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

REPO = pathlib.Path(__file__).resolve().parents[1]
TESTDATA = REPO / "tests" / "testdata"
SHARED_DATA = pathlib.Path(os.environ.get("SYMTUNE_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture
def shared_data() -> pathlib.Path:
  """../shared/data, or skip: real public data is only beside a developer checkout."""
  if not SHARED_DATA.is_dir():
    pytest.skip(f"real public data not found at {SHARED_DATA} (set SYMTUNE_SHARED_DATA); "
                "a fresh clone has no ../shared")
  return SHARED_DATA


@pytest.fixture
def testdata() -> pathlib.Path:
  return TESTDATA
