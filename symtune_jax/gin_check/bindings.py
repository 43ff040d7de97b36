"""The effective bindings of one T5X launch: gin files in order, then --gin flags."""

from __future__ import annotations

import dataclasses
import os
import pathlib
import re
import tokenize
from typing import Any, Sequence

from gin import config_parser

from symtune_jax.errors import InputError
from symtune_jax.gin_check.static import _Delegate, load_manifest, REPO_ROOT, REQUIRED

# --------------------------------------------------------------------------
# Launch checks: the effective values of one T5X launch (gin files + flags).

CHECKPOINT_MACROS = ("INITIAL_CHECKPOINT_PATH", "CHECKPOINT_PATH")
OUTPUT_MACROS = ("MODEL_DIR", "EVAL_OUTPUT_DIR", "INFER_OUTPUT_DIR")
FLAN_MACRO = "FLAN_T5_CHECKPOINT"
VOCAB_MACRO = "VOCABULARY_PATH"
SPM_FILE = "seqio.SentencePieceVocabulary.sentencepiece_model_file"
T5X_BASE_GIN = "t5x/examples/t5/t5_1_1/base.gin"
# What T5X's t5_1_1/base.gin binds SPM_FILE to (the public T5 SentencePiece model).
T5X_DEFAULT_SPM = "gs://t5-data/vocabs/cc_all.32000.100extra/sentencepiece.model"
# Files T5X / Orbax write into a checkpoint directory (either one suffices).
CHECKPOINT_MARKERS = ("checkpoint", "state/checkpoint", "_METADATA", "state/_METADATA",
                      "_CHECKPOINT_METADATA")
_GS_PATH = re.compile(r"^gs://[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]/\S+$")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")
_STEP_DIR = re.compile(r"^checkpoint_(\d+)$")
SETTINGS_PREFIX = "symtune.settings."


class _Unknown:
  """A value set in a T5X file (the manifest keeps names, not values)."""

  def __repr__(self) -> str:
    return "<set by T5X>"


UNKNOWN = _Unknown()


@dataclasses.dataclass(frozen=True)
class Binding:
  """One binding's value and where it was made ('file:line' or '--gin.NAME')."""
  value: Any
  where: str


@dataclasses.dataclass
class LaunchReport:
  """What `check_launch` found: problems stop a launch, notes do not."""
  problems: list[str] = dataclasses.field(default_factory=list)
  notes: list[str] = dataclasses.field(default_factory=list)


def parse_override(flag: str) -> tuple[str, Any]:
  """``--gin.NAME=VALUE`` (T5X's flag) -> (NAME, VALUE parsed as gin).

  Example: ``--gin.MODEL_DIR='/tmp/m'`` -> ``('MODEL_DIR', '/tmp/m')``. The
  value is a gin literal, as T5X reads it: strings need quotes in the shell,
  ``--gin.MODEL_DIR="'/tmp/m'"``.
  """
  body = flag[len("--gin."):] if flag.startswith("--gin.") else flag
  name, sep, value = body.partition("=")
  if not sep or not name.strip():
    raise InputError("expected --gin.NAME=VALUE (T5X's form)", field=flag)
  name = name.strip()
  delegate = _Delegate()
  try:
    statements = list(config_parser.ConfigParser(f"{name} = {value}", delegate))
  except (SyntaxError, tokenize.TokenError):
    raise InputError(f"{value!r} is not a gin value; strings need quotes inside the "
                     f"shell's, e.g. --gin.{name}=\"'{value.strip(chr(39))}'\"",
                     field=flag) from None
  if len(statements) != 1 or not isinstance(statements[0], config_parser.BindingStatement):
    raise InputError("expected one binding NAME=VALUE", field=flag)
  st = statements[0]
  key = _binding_key(st)
  return key, st.value


def _binding_key(st: config_parser.BindingStatement) -> str:
  key = f"{st.selector}.{st.arg_name}" if st.arg_name else st.selector
  return f"{st.scope}/{key}" if st.scope else key


def _statements(path: pathlib.Path) -> list[tuple]:
  """('include', name, line) and ('bind', key, value, line), in file order."""
  text = path.read_text(encoding="utf-8")
  out = []
  for st in config_parser.ConfigParser(text, _Delegate()):
    line = st.location.line_num
    if isinstance(st, config_parser.IncludeStatement):
      out.append(("include", st.filename, line))
    elif isinstance(st, config_parser.BindingStatement):
      out.append(("bind", _binding_key(st), st.value, line))
  return out


def effective_bindings(files: Sequence[str | os.PathLike],
                       overrides: Sequence[tuple[str, Any]] = (),
                       repo_root: pathlib.Path = REPO_ROOT,
                       manifest: dict[str, Any] | None = None
                       ) -> tuple[dict[str, Binding], set[str]]:
  """The last binding of every macro / parameter, in gin's order.

  Files are read in order (each include where it stands), then the
  command-line overrides, as T5X does. Macros a T5X file sets carry the value
  `UNKNOWN` (or ``%gin.REQUIRED``). Returns (bindings, T5X files included).
  """
  manifest = load_manifest() if manifest is None else manifest
  out: dict[str, Binding] = {}
  t5x_files: set[str] = set()

  def walk_t5x(rel: str, stack: tuple[str, ...]) -> None:
    info = manifest["files"].get(rel)
    if info is None or rel in stack:
      return
    t5x_files.add(rel)
    for event in info["events"]:
      if event[0] == "define":
        out[event[1]] = Binding(("%", REQUIRED) if event[2] else UNKNOWN, rel)
      else:
        walk_t5x(event[1], stack + (rel,))

  def walk(path: pathlib.Path, stack: tuple[str, ...]) -> None:
    key = str(path.resolve())
    if key in stack:
      return
    for st in _statements(path):
      if st[0] == "bind":
        out[st[1]] = Binding(st[2], f"{_display(path, repo_root)}:{st[3]}")
      elif st[1].startswith("t5x/"):
        walk_t5x(st[1], ())
      elif (repo_root / st[1]).is_file():
        walk(repo_root / st[1], stack + (key,))

  for f in files:
    walk(pathlib.Path(f), ())
  for name, value in overrides:
    out[name] = Binding(value, f"--gin.{name}")
  return out, t5x_files


def _display(path: pathlib.Path, repo_root: pathlib.Path) -> str:
  """``path`` relative to the repository root when inside it."""
  try:
    return path.resolve().relative_to(repo_root.resolve()).as_posix()
  except ValueError:
    return str(path)


def resolve(name: str, bindings: dict[str, Binding]
            ) -> tuple[Binding | None, list[str]]:
  """Follows ``%MACRO`` references: (the binding holding the literal, chain of names)."""
  chain = [name]
  b = bindings.get(name)
  while b is not None and isinstance(b.value, tuple) and len(b.value) == 2 \
      and b.value[0] == "%" and b.value[1] != REQUIRED:
    ref = b.value[1]
    if ref in chain:
      break
    chain.append(ref)
    b = bindings.get(ref)
  return b, chain


def _label(chain: list[str]) -> str:
  """'CHECKPOINT_PATH = %FLAN_T5_CHECKPOINT' (a parameter shows its macro only)."""
  if "." in chain[0] and len(chain) > 1:
    chain = chain[1:]
  return " = %".join(chain)


def _binding_required(b: Binding) -> bool:
  return b.value == ("%", REQUIRED)


