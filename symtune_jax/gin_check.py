"""Static checks of the project's Gin files, without T5X installed.

Gin only reports a misspelt macro when T5X binds the config, on the training
host; these checks catch it at once. For one gin file and everything it
includes (project files are parsed; T5X's files are summarised in
``gin_configs/t5x_manifest.json``, made from the pinned T5X commit):

* every file parses (gin's own parser) and every ``include`` resolves;
* every ``%MACRO`` used is defined somewhere in the include closure;
* every macro a project file sets is used by something (else: a typo, with
  the closest known macro suggested);
* every macro left ``%gin.REQUIRED`` is named in the top file's header as a
  ``--gin.NAME`` launch flag;
* every configurable (``@module.fn``, ``module.fn.param = ...``) refers to
  a module alias imported in the closure.

`check_file` returns the problems as strings ``file:line: message``.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import os
import pathlib
import re
import tokenize
from typing import Any, Iterable, Sequence

from gin import config_parser

from symtune_jax import settings
from symtune_jax.errors import InputError
from symtune_jax.files import atomic_write_text

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
GIN_DIR = REPO_ROOT / "gin_configs"
MANIFEST = GIN_DIR / "t5x_manifest.json"
REQUIRED = "gin.REQUIRED"


@dataclasses.dataclass
class GinSummary:
  """What one gin file defines, uses, imports and includes."""
  path: str
  includes: list[tuple[str, int]] = dataclasses.field(default_factory=list)
  imports: set[str] = dataclasses.field(default_factory=set)
  modules: list[tuple[str, int]] = dataclasses.field(default_factory=list)
  # name -> list of (line, is_required)
  defined: dict[str, list[tuple[int, bool]]] = dataclasses.field(default_factory=dict)
  used: dict[str, list[int]] = dataclasses.field(default_factory=dict)
  configurables: list[tuple[str, int]] = dataclasses.field(default_factory=list)
  header: str = ""
  # ('include', path) and ('define', name, is_required) in file order.
  events: list[tuple] = dataclasses.field(default_factory=list)

  def to_json(self) -> dict[str, Any]:
    return {"includes": [i for i, _ in self.includes], "imports": sorted(self.imports),
            "events": [list(e) for e in self.events], "used": sorted(self.used)}


class _Delegate(config_parser.ParserDelegate):
  """Records references instead of resolving them."""

  def __init__(self):
    self.macros: list[str] = []
    self.refs: list[str] = []

  def configurable_reference(self, scoped_name: str, evaluate: bool) -> Any:
    self.refs.append(scoped_name)
    return ("@", scoped_name)

  def macro(self, macro_name: str) -> Any:
    self.macros.append(macro_name)
    return ("%", macro_name)


def _alias(module: str, is_from: bool, alias: str | None) -> str:
  if alias:
    return alias
  return module.split(".")[-1] if is_from else module.split(".")[0]


def _is_required(value: Any) -> bool:
  return value == ("%", REQUIRED)


def parse(path: str | os.PathLike, text: str | None = None) -> GinSummary:
  """Parses one gin file into a `GinSummary`; syntax errors name file:line."""
  path = str(path)
  if text is None:
    try:
      text = pathlib.Path(path).read_text(encoding="utf-8")
    except OSError as e:
      raise InputError(f"cannot read gin file: {e.strerror}", path=path) from None
  summary = GinSummary(path=path)
  header = []
  for line in text.splitlines():
    if not line.startswith("#") and line.strip():
      break
    header.append(line)
  summary.header = "\n".join(header)
  delegate = _Delegate()
  try:
    for st in config_parser.ConfigParser(text, delegate):
      line = st.location.line_num
      for m in delegate.macros:
        if m != REQUIRED:
          summary.used.setdefault(m, []).append(line)
      for r in delegate.refs:
        summary.configurables.append((r.split("/")[-1], line))
      delegate.macros, delegate.refs = [], []
      if isinstance(st, config_parser.IncludeStatement):
        summary.includes.append((st.filename, line))
        summary.events.append(("include", st.filename))
      elif isinstance(st, config_parser.ImportStatement):
        if st.module.startswith("__gin__"):
          continue
        summary.imports.add(_alias(st.module, st.is_from, st.alias))
        summary.modules.append((st.module, line))
      elif isinstance(st, config_parser.BindingStatement):
        if not st.arg_name and "." not in st.selector and not st.scope:
          summary.defined.setdefault(st.selector, []).append((line, _is_required(st.value)))
          summary.events.append(("define", st.selector, _is_required(st.value)))
        else:
          summary.configurables.append((st.selector, line))
  except SyntaxError as e:
    raise InputError(f"gin syntax error: {e.msg}", path=path,
                     line=getattr(e, "lineno", None)) from None
  except tokenize.TokenError as e:
    line = e.args[1][0] if len(e.args) > 1 else None
    raise InputError(f"gin syntax error: {e.args[0]}", path=path, line=line) from None
  return summary


def load_manifest(path: pathlib.Path = MANIFEST) -> dict[str, Any]:
  """The summary of T5X's gin files at the pinned commit."""
  try:
    return json.loads(path.read_text(encoding="utf-8"))
  except (OSError, json.JSONDecodeError) as e:
    raise InputError(f"cannot read the T5X gin manifest: {e}", path=str(path)) from None


def write_manifest(t5x_root: str | os.PathLike, commit: str,
                   out: pathlib.Path = MANIFEST) -> int:
  """Summarises every ``t5x/**/*.gin`` under ``t5x_root`` (a T5X checkout) into ``out``."""
  root = pathlib.Path(t5x_root)
  files = {}
  for p in sorted((root / "t5x").rglob("*.gin")):
    rel = p.relative_to(root).as_posix()
    if "/contrib/" in rel:
      continue
    files[rel] = parse(p).to_json()
  atomic_write_text(out, format_manifest(commit, files))
  return len(files)


def format_manifest(commit: str, files: dict[str, Any]) -> str:
  """The manifest's JSON, one T5X file per line (a diff shows which file changed)."""
  rows = ",\n".join(f"    {json.dumps(rel)}: {json.dumps(info, sort_keys=True)}"
                     for rel, info in sorted(files.items()))
  return ('{\n  "t5x_commit": ' + json.dumps(commit) + ',\n  "files": {\n' + rows
          + "\n  }\n}\n")


@dataclasses.dataclass
class _Closure:
  project: list[GinSummary]
  t5x: dict[str, dict[str, Any]]
  problems: list[str]


def _closure(path: pathlib.Path, repo_root: pathlib.Path, manifest: dict[str, Any]
             ) -> _Closure:
  out = _Closure([], {}, [])
  seen: set[str] = set()

  def visit_t5x(rel: str, where: str) -> None:
    info = manifest["files"].get(rel)
    if info is None:
      out.problems.append(f"{where}: include {rel!r} is not a T5X gin file at commit "
                          f"{manifest.get('t5x_commit', '?')[:12]}")
      return
    if rel in out.t5x:
      return
    out.t5x[rel] = info
    for inc in info["includes"]:
      visit_t5x(inc, rel)

  def visit(p: pathlib.Path) -> None:
    key = str(p.resolve())
    if key in seen:
      return
    seen.add(key)
    s = parse(p)
    out.project.append(s)
    for inc, line in s.includes:
      where = f"{p}:{line}"
      if inc.startswith("t5x/"):
        visit_t5x(inc, where)
      elif (repo_root / inc).is_file():
        visit(repo_root / inc)
      else:
        out.problems.append(f"{where}: include {inc!r} not found (paths are relative to "
                            f"the repository root, the --gin_search_paths=. of the launch)")
  visit(path)
  return out


def check_file(path: str | os.PathLike, repo_root: pathlib.Path = REPO_ROOT,
               manifest: dict[str, Any] | None = None) -> list[str]:
  """All problems of one gin file and its includes (empty: consistent)."""
  manifest = load_manifest() if manifest is None else manifest
  path = pathlib.Path(path)
  c = _closure(path, repo_root, manifest)
  problems = list(c.problems)
  defined = _final_definitions(path, repo_root, manifest)
  used: set[str] = set()
  for info in c.t5x.values():
    used.update(info["used"])
  imports: set[str] = set()
  for info in c.t5x.values():
    imports.update(info["imports"])
  for s in c.project:
    used.update(s.used)
    imports.update(s.imports)
  known = sorted(defined)
  for s in c.project:
    for name, lines in s.used.items():
      if name not in defined:
        hint = difflib.get_close_matches(name, known, n=1)
        problems.append(f"{s.path}:{lines[0]}: %{name} is not defined in this file or "
                        f"its includes" + (f" (did you mean %{hint[0]}?)" if hint else ""))
    for name, defs in s.defined.items():
      if s.path != str(path):
        continue  # library files may offer macros an experiment does not use
      if name not in used:
        hint = difflib.get_close_matches(name, sorted(used), n=1)
        problems.append(f"{s.path}:{defs[0][0]}: macro {name} is set but nothing uses it"
                        + (f" (did you mean {hint[0]}?)" if hint else " (a typo?)"))
    for ref, line in s.configurables:
      alias = ref.split(".")[0]
      if "." in ref and alias not in imports:
        problems.append(f"{s.path}:{line}: {ref}: module {alias!r} is not imported "
                        f"(add e.g. `from t5x import {alias}` or `import {alias}`)")
  top = parse(path)
  for name, still_required in sorted(defined.items()):
    if still_required and f"--gin.{name}" not in top.header:
      problems.append(f"{path}: {name} is %gin.REQUIRED and not set; set it or name "
                      f"--gin.{name} in the header's launch command")
  return problems


def _final_definitions(path: pathlib.Path, repo_root: pathlib.Path,
                       manifest: dict[str, Any]) -> dict[str, bool]:
  """Macro -> whether its last definition (in gin's include order) is REQUIRED."""
  final: dict[str, bool] = {}

  def walk_events(events: Sequence[Sequence[Any]], stack: tuple[str, ...]) -> None:
    for event in events:
      if event[0] == "define":
        final[event[1]] = bool(event[2])
        continue
      inc = event[1]
      if inc in stack:
        continue
      if inc.startswith("t5x/"):
        info = manifest["files"].get(inc)
        if info is not None:
          walk_events(info["events"], stack + (inc,))
      elif (repo_root / inc).is_file():
        walk_events(parse(repo_root / inc).events, stack + (inc,))

  walk_events(parse(path).events, (str(path),))
  return final


def check_files(paths: Iterable[str | os.PathLike]) -> dict[str, list[str]]:
  """{path: problems} for several files (one manifest read).

  Also flags a macro that a library file (runs/, models/) sets and that no
  file in ``paths`` uses: a typo there would otherwise go unnoticed.
  """
  manifest = load_manifest()
  paths = [pathlib.Path(p) for p in paths]
  out = {str(p): check_file(p, manifest=manifest) for p in paths}
  used: set[str] = set()
  library: dict[str, GinSummary] = {}
  for p in paths:
    c = _closure(p, REPO_ROOT, manifest)
    for info in c.t5x.values():
      used.update(info["used"])
    for s in c.project:
      used.update(s.used)
      if pathlib.Path(s.path).resolve() != p.resolve():
        library[s.path] = s
  for lib_path, s in sorted(library.items()):
    for name, defs in s.defined.items():
      if name not in used:
        hint = difflib.get_close_matches(name, sorted(used), n=1)
        out.setdefault(lib_path, []).append(
            f"{lib_path}:{defs[0][0]}: macro {name} is set but no experiment uses it"
            + (f" (did you mean {hint[0]}?)" if hint else " (a typo?)"))
  return out


def experiment_files(root: pathlib.Path = GIN_DIR) -> list[pathlib.Path]:
  """Every experiment gin file (the ones users launch)."""
  return sorted((root / "experiments").glob("*.gin"))


def all_gin_files(root: pathlib.Path = GIN_DIR) -> list[pathlib.Path]:
  return sorted(root.rglob("*.gin"))


def final_macro_value(path: str | os.PathLike, name: str,
                      repo_root: pathlib.Path = REPO_ROOT) -> Any:
  """The literal a project file (or its project includes) finally sets ``name`` to."""
  c = _closure(pathlib.Path(path), repo_root, {"files": {}})
  value = None
  for s in reversed(c.project):
    text = pathlib.Path(s.path).read_text(encoding="utf-8")
    for st in config_parser.ConfigParser(text, _Delegate()):
      if (isinstance(st, config_parser.BindingStatement) and st.selector == name
          and not st.arg_name and not st.scope):
        value = st.value
  return value


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


def _check_remote(label: str, value: str, where: str, report: LaunchReport) -> bool:
  """gs:// and other URLs: syntax only. True when ``value`` is remote."""
  if value.startswith("gs://"):
    if not _GS_PATH.match(value):
      hint = (" (an unedited placeholder such as YOUR_BUCKET?)"
              if any(c.isupper() for c in value.split("/")[2]) else "")
      report.problems.append(
          f"{where}: {label} = {value!r} is not a well-formed GCS path: expected "
          f"gs://BUCKET/OBJECT, the bucket in lower-case letters, digits, '-', '_', '.'{hint}")
    else:
      report.notes.append(f"{where}: {label} = {value!r}: GCS path not checked (offline); "
                          f"`gsutil ls {value}` on the training host checks it")
    return True
  if _SCHEME.match(value):
    report.notes.append(f"{where}: {label} = {value!r}: remote path not checked (offline)")
    return True
  return False


def _local_path(label: str, value: Any, where: str, report: LaunchReport,
                expected: str) -> pathlib.Path | None:
  """``value`` as a local path to check; None (and reported) if not a string or remote."""
  if not isinstance(value, str) or not value.strip():
    report.problems.append(f"{where}: {label} = {value!r}: expected {expected}")
    return None
  if _check_remote(label, value, where, report):
    return None
  return pathlib.Path(value)


def check_checkpoint_path(label: str, value: Any, where: str, report: LaunchReport,
                          *, allow_none: bool = False) -> None:
  """A T5X checkpoint path: a local ``checkpoint_N`` folder T5X can restore."""
  if value is None and allow_none:
    report.notes.append(f"{where}: {label} = None: no checkpoint (the model starts from "
                        "random weights)")
    return
  p = _local_path(label, value, where, report,
                  "a checkpoint path (a string: a checkpoint_N folder, local or gs://)")
  if p is None:
    return
  if not p.exists():
    parent = p.parent if str(p.parent) else pathlib.Path(".")
    hint = ""
    if parent.is_dir():
      steps = _checkpoint_steps(parent)
      if steps:
        hint = f"; {parent} holds {', '.join(f'checkpoint_{s}' for s in steps[-3:])}"
    else:
      hint = f"; its folder {parent} does not exist either"
    report.problems.append(f"{where}: {label} = {value!r}: no such checkpoint (the path "
                           f"does not exist{_relative_to_cwd(p)}){hint}")
    return
  if p.is_file():
    if p.name != "checkpoint":
      report.problems.append(f"{where}: {label} = {value!r} is a file, not a T5X checkpoint "
                             "folder (expected .../checkpoint_N)")
    return
  if any((p / m).exists() for m in CHECKPOINT_MARKERS):
    return
  steps = _checkpoint_steps(p)
  if steps:
    report.problems.append(
        f"{where}: {label} = {value!r} is a model folder, not a checkpoint; T5X restores "
        f"one step here: did you mean {value.rstrip('/')}/checkpoint_{steps[-1]} (the latest)?")
  else:
    report.problems.append(
        f"{where}: {label} = {value!r} is not a T5X checkpoint: the folder has no "
        f"`checkpoint` file (T5X) and no `_METADATA` (Orbax)")


def _relative_to_cwd(p: pathlib.Path) -> str:
  return "" if p.is_absolute() else f"; relative paths are from {os.getcwd()}, where T5X runs"


def _checkpoint_steps(folder: pathlib.Path) -> list[int]:
  try:
    names = [c.name for c in folder.iterdir() if c.is_dir()]
  except OSError:
    return []
  return sorted(int(m.group(1)) for m in map(_STEP_DIR.match, names) if m)


def check_vocabulary_path(label: str, value: Any, where: str, report: LaunchReport) -> None:
  """A SentencePiece model path: a non-empty local file, or a gs:// path."""
  p = _local_path(label, value, where, report, "the path of a SentencePiece .model file")
  if p is None:
    return
  if not p.exists():
    report.problems.append(f"{where}: {label} = {value!r}: no such vocabulary file "
                           f"(the path does not exist{_relative_to_cwd(p)})")
  elif not p.is_file():
    report.problems.append(f"{where}: {label} = {value!r} is a folder; expected a "
                           "SentencePiece .model file")
  elif p.stat().st_size == 0:
    report.problems.append(f"{where}: {label} = {value!r} is empty; expected a "
                           "SentencePiece .model file")


def model_vocabulary(bindings: dict[str, Binding], t5x_files: set[str]
                     ) -> tuple[str, str | None, str, str] | None:
  """The model's vocabulary: (kind 'byte'|'spm', spm path, label, where); None: unknown."""
  vocab = bindings.get("VOCABULARY")
  if vocab is not None and isinstance(vocab.value, tuple) and vocab.value[0] == "@":
    ref = vocab.value[1]
    if ref.endswith("ByteVocabulary"):
      return "byte", None, "VOCABULARY", vocab.where
    if not ref.endswith("SentencePieceVocabulary"):
      return None
  elif vocab is None or vocab.value is not UNKNOWN:
    return None
  b, chain = resolve(SPM_FILE, bindings)
  if b is not None and b.value is not UNKNOWN:
    return "spm", b.value, _label(chain), b.where
  if T5X_BASE_GIN in t5x_files:
    return "spm", T5X_DEFAULT_SPM, SPM_FILE, T5X_BASE_GIN
  return None


def _same_file(a: str, b: str) -> bool:
  if _SCHEME.match(a) or _SCHEME.match(b):
    return a == b
  return os.path.realpath(a) == os.path.realpath(b)


def setting_value(name: str, bindings: dict[str, Binding]) -> tuple[Any, str]:
  """A setting as this launch gives it: (value, where): its Gin binding
  (``symtune.settings.<name>``, macros followed), else `settings.resolve`."""
  b, _ = resolve(SETTINGS_PREFIX + name, bindings)
  if b is not None and b.value is not UNKNOWN and not _binding_required(b):
    return b.value, b.where
  value, origin = settings.resolve(name)
  return value, ("the default" if origin == "default" else origin)


def _set_vocab(value: str) -> str:
  return f"set symtune.settings.vocab = '{value}' (Gin) for this model"


def check_vocabulary_match(bindings: dict[str, Binding], t5x_files: set[str],
                           spec: str, report: LaunchReport, origin: str = "") -> None:
  """The model's vocabulary (gin) against the tasks' (the ``vocab`` setting)."""
  from symtune_jax.tasks import vocab as vocab_mod  # pylint: disable=g-import-not-at-top
  model = model_vocabulary(bindings, t5x_files)
  if model is None:
    report.notes.append("cannot tell the model's vocabulary from the gin files; the "
                        f"tasks use vocab {spec!r}")
    return
  kind, path, label, where = model
  tasks_desc = {"t5": "the T5 SentencePiece model", "": "the T5 SentencePiece model",
                "byte": "seqio.ByteVocabulary"}.get(spec, f"the SentencePiece model {spec}")
  if kind == "byte":
    ok = spec == "byte"
    model_desc = "seqio.ByteVocabulary"
    fix = _set_vocab("byte")
  else:
    model_desc = f"the SentencePiece model {path!r}"
    if spec in ("", "t5"):
      ok = path == vocab_mod.T5_SPM_PATH
    elif spec == "byte":
      ok = False
    else:
      ok = _same_file(path, spec)
    if path == vocab_mod.T5_SPM_PATH:
      fix = _set_vocab("t5") + " (the T5 SentencePiece model)"
    elif not _SCHEME.match(path):
      fix = _set_vocab(path) + " (the same file)"
    else:
      fix = (f"copy {path} to a local file and set both --gin.{VOCAB_MACRO}=\"'FILE'\" "
             "and symtune.settings.vocab = 'FILE'")
    if spec not in ("", "t5", "byte"):
      fix += f", or --gin.{VOCAB_MACRO}=\"'{spec}'\" to give the model the tasks' vocabulary"
    elif spec in ("", "t5") and path != vocab_mod.T5_SPM_PATH:
      fix += f", or --gin.{VOCAB_MACRO}=\"'{vocab_mod.T5_SPM_PATH}'\""
  if not ok:
    report.problems.append(
        f"{where}: vocabulary mismatch: the model uses {model_desc} ({label}) but the tasks "
        f"use {tasks_desc} (vocab {spec or 't5'!r} from {origin or 'the caller'}); "
        "T5X would stop "
        f"with a vocabulary-mismatch error. Fix: {fix}")


def check_launch(files: Sequence[str | os.PathLike],
                 overrides: Sequence[tuple[str, Any]] = (),
                 *, repo_root: pathlib.Path = REPO_ROOT,
                 manifest: dict[str, Any] | None = None,
                 vocab_spec: str | None = None) -> LaunchReport:
  """Checks one T5X launch before it starts (no T5X, no network needed).

  Besides `check_file` on each file: every ``--gin.NAME`` names a macro of
  the config, no macro is left ``%gin.REQUIRED``, the checkpoint and
  vocabulary paths (``INITIAL_CHECKPOINT_PATH``, ``CHECKPOINT_PATH``,
  ``FLAN_T5_CHECKPOINT``, ``VOCABULARY_PATH``) exist locally (gs:// paths:
  syntax only), and the model's vocabulary is the tasks' (``symtune.settings.vocab``), and
  ``TASK_FEATURE_LENGTHS['inputs']`` is ``symtune.settings.inputs_length``.

  Args:
    files: the ``--gin_file``s, in order.
    overrides: (name, value) of each ``--gin.NAME=VALUE``, in order (`parse_override`).
    repo_root: the ``--gin_search_paths`` root of project includes.
    manifest: the T5X manifest (default: the shipped one).
    vocab_spec: the tasks' vocabulary (default: the launch's `setting_value`).

  Returns:
    problems (each ``where: message``) and notes.
  """
  manifest = load_manifest() if manifest is None else manifest
  report = LaunchReport()
  if not files:
    raise InputError("no gin file given (--gin_file=FILE)")
  for f in files:
    if not pathlib.Path(f).is_file():
      raise InputError("no such gin file (run from the repository root, where T5X runs "
                       "with --gin_search_paths=.)", path=str(f))
    report.problems.extend(p for p in check_file(f, repo_root, manifest)
                           if "is %gin.REQUIRED and not set" not in p)
  bindings, t5x_files = effective_bindings(files, overrides, repo_root, manifest)
  from_files, _ = effective_bindings(files, (), repo_root, manifest)
  known = sorted(k for k in from_files if "." not in k)
  for name, _ in overrides:
    if "." in name or "/" in name or name in from_files:
      continue
    hint = difflib.get_close_matches(name, known, n=1)
    report.problems.append(f"--gin.{name}: no macro {name} in this config"
                           + (f" (did you mean {hint[0]}?)" if hint else ""))
  for name, b in sorted(bindings.items()):
    if "." not in name and _binding_required(b):
      report.problems.append(f"{b.where}: {name} is %gin.REQUIRED: pass --gin.{name}=...")
  done: set[str] = set()  # where the literal checked was set
  overridden = {n for n, _ in overrides}
  for name in CHECKPOINT_MACROS + (FLAN_MACRO,):
    if name not in bindings or _binding_required(bindings[name]):
      continue
    if name == FLAN_MACRO and name not in overridden:
      continue  # checked where a checkpoint macro refers to it
    b, chain = resolve(name, bindings)
    if b is None or b.value is UNKNOWN or _binding_required(b) or b.where in done:
      continue
    done.add(b.where)
    check_checkpoint_path(_label(chain), b.value, b.where, report,
                          allow_none=name == "INITIAL_CHECKPOINT_PATH")
  for name in OUTPUT_MACROS:  # made by T5X; only a malformed gs:// path is wrong
    b, chain = resolve(name, bindings)
    if b is not None and isinstance(b.value, str) and b.value.startswith("gs://"):
      _check_remote(_label(chain), b.value, b.where, LaunchReport(report.problems, []))
  if VOCAB_MACRO in bindings:
    b, chain = resolve(VOCAB_MACRO, bindings)
    if b is not None and b.value is not UNKNOWN and not _binding_required(b):
      check_vocabulary_path(_label(chain), b.value, b.where, report)
  origin = "the caller"
  if vocab_spec is None:
    vocab_spec, origin = setting_value("vocab", bindings)
  check_vocabulary_match(bindings, t5x_files, str(vocab_spec), report, origin)
  check_feature_lengths(bindings, report)
  return report


def check_feature_lengths(bindings: dict[str, Binding], report: LaunchReport) -> None:
  """``TASK_FEATURE_LENGTHS`` against the settings the tasks build for.

  Tasks fit their inputs to ``symtune.settings.inputs_length``; a run whose
  feature length differs would trim (shorter) or waste (longer) them.
  """
  b, _ = resolve("TASK_FEATURE_LENGTHS", bindings)
  if b is None or not isinstance(b.value, dict):
    return
  for key in ("inputs",):  # targets: answers are short; SeqIO trims as T5X expects
    run = b.value.get(key)
    if isinstance(run, tuple) and len(run) == 2 and run[0] == "%":
      m, _ = resolve(run[1], bindings)
      run = m.value if m is not None else None
    if not isinstance(run, int):
      continue
    built, where = setting_value(f"{key}_length", bindings)
    if built != run:
      report.problems.append(
          f"{b.where}: TASK_FEATURE_LENGTHS['{key}'] is {run} but the tasks build "
          f"{key} for {built} tokens (symtune.settings.{key}_length from {where}); "
          "SeqIO would trim them. Fix: set INPUTS_LENGTH (the shipped run files bind "
          f"both from it) or symtune.settings.{key}_length = {run}")


USAGE = """\
usage: python -m symtune_jax.gin_check                      (every experiment, static)
       python -m symtune_jax.gin_check FILE [--gin.NAME=VALUE ...]
       python -m symtune_jax.gin_check --gin_file=FILE [--gin_file=...] [--gin.NAME=VALUE ...]
       python -m symtune_jax.gin_check --write-manifest T5X_CHECKOUT COMMIT

With a file: checks that launch as T5X would run it (same --gin_file / --gin.NAME
flags; other T5X flags are ignored): the static checks, macros left
%gin.REQUIRED, checkpoint and vocabulary paths, and the model's vocabulary
against the tasks' (symtune.settings.vocab), and TASK_FEATURE_LENGTHS against
symtune.settings.inputs_length. Exit 1 on problems."""


def main(argv: Sequence[str] | None = None) -> int:
  """``python -m symtune_jax.gin_check``: print problems; exit 1 if any, 2 on bad flags."""
  import sys  # pylint: disable=g-import-not-at-top
  argv = list(sys.argv[1:] if argv is None else argv)
  if argv[:1] in (["-h"], ["--help"]):
    print(USAGE)
    return 0
  if argv[:1] == ["--write-manifest"]:
    n = write_manifest(argv[1], argv[2])
    print(f"wrote {MANIFEST} ({n} T5X gin files)")
    return 0
  files: list[str] = []
  overrides: list[tuple[str, Any]] = []
  ignored: list[str] = []
  try:
    args = iter(argv)
    for a in args:
      if a.startswith("--gin."):
        overrides.append(parse_override(a))
      elif a.startswith("--gin_bindings="):
        overrides.append(parse_override(a.split("=", 1)[1]))
      elif a == "--gin_file":
        files.append(next(args, ""))
      elif a.startswith("--gin_file="):
        files.append(a.split("=", 1)[1])
      elif a.startswith("-"):
        ignored.append(a)
      else:
        files.append(a)
    if not files and not overrides:
      paths = [str(p) for p in experiment_files()]
      bad = 0
      for path, problems in check_files(paths).items():
        for p in problems:
          print(p)
        bad += len(problems)
      print(f"{len(paths)} gin file(s), {bad} problem(s)")
      return 1 if bad else 0
    report = check_launch(files, overrides)
  except InputError as e:
    print(f"error: {e}", file=sys.stderr)
    return 2
  for a in ignored:
    if not a.startswith("--gin_search_paths"):
      print(f"note: {a}: not a gin flag, not checked")
  for n in report.notes:
    print(f"note: {n}")
  for p in report.problems:
    print(f"error: {p}")
  print(f"{' + '.join(files)}: {len(report.problems)} problem(s)"
        + ("" if report.problems else "; ready to launch"))
  return 1 if report.problems else 0


if __name__ == "__main__":
  raise SystemExit(main())
