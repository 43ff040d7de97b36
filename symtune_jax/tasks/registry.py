"""Idempotent SeqIO registration helpers (re-import in a notebook must not raise)."""

from __future__ import annotations

from typing import Any

import seqio


def add_task(name: str, **kwargs: Any) -> str:
  """Registers a task unless one with that name exists; returns the name."""
  if name not in seqio.TaskRegistry.names():
    seqio.TaskRegistry.add(name, **kwargs)
  return name


def add_mixture(name: str, tasks: Any, **kwargs: Any) -> str:
  """Registers a mixture unless one with that name exists; returns the name."""
  if name not in seqio.MixtureRegistry.names():
    seqio.MixtureRegistry.add(name, tasks, **kwargs)
  return name
