"""Static checks of one Gin file and its includes, without T5X installed.

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
import tokenize
from typing import Any, Iterable, Sequence

from gin import config_parser

from symtune_jax.errors import InputError
from symtune_jax.files import atomic_write_text

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
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


