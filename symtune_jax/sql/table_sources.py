"""Where SQL-execution tables come from, and which tables SQL training must not use.

Sources (`load_tables`): SQUALL/TAPEX JSONL (``squall``), a WikiTableQuestions
folder holding ``csv/``, a folder of ``.csv`` / ``.jsonl`` table files, or one
such file (``tables`` / ``wtq_root``); else the ``wtq_root`` setting when it is
set explicitly (Gin ``symtune.settings.wtq_root``, a flag or
``$SYMTUNE_WTQ_ROOT``); else the ~100 WTQ tables shipped in the package.

Tables that don't load are skipped, counted by reason and logged. Several
tables with the same id (two files, or one JSONL file listing an id twice) are
never silently merged: the first (in file-name order) is kept, a WARNING names
every file, and ``duplicate_id`` counts the others.

Evaluation tables (default on): no table that an evaluation task of the
project reads is used to make SQL examples, so zero-shot numbers are not on
tables seen in training (`eval_table_ids`):

* WTQ: the tables of every registered evaluation split
  (`symtune_jax.evaluation.wtq.SPLITS`: ``random-split-1-dev.tsv`` and
  ``pristine-unseen-tables.tsv``): the list shipped in the package
  (``symtune_jax/data/wtq-eval-tables.ids``, so the same tables are left out
  on every machine), plus those of the split files under the ``wtq_root``
  setting when they are there (the package's demo ``sample.tsv`` holds
  training-split questions and is not an evaluation split);
* SQA (validation, test), WikiSQL (dev, test) and TabFact (val, test) tables,
  when their roots (``sqa_root``, ``wikisql_root``, ``tabfact_root``) exist.

Ids are compared as the loaders name them (WTQ ``csv/203-csv/733.csv`` ->
``203_733``; SQA ``table_csv/203_733.csv`` -> ``203_733``; TabFact
``1-10121127-1.html.csv`` -> ``1-10121127-1``). Plus ``exclude_tables``: a
file of table ids (one per line, ``#`` comments; WTQ ``csv/...`` paths are
turned into ids; or a JSON list), from ``--exclude-tables`` or the Gin setting
``symtune.settings.sql_exclude_tables``. Excluded tables are counted as
``eval_table`` and ``excluded``.
"""

from __future__ import annotations

import collections
import csv
import dataclasses
import functools
import hashlib
import io
import json
import logging
import os
import pathlib
from typing import Iterable, Mapping

from symtune_jax import settings
from symtune_jax.errors import InputError
from symtune_jax.files import iter_jsonl
from symtune_jax.evaluation import sqa, tabfact, wikisql, wtq
from symtune_jax.tables import loaders, sample
from symtune_jax.tables.table import Table

WTQ_ROOT_ENV = settings.SETTINGS["wtq_root"].env_var
TABLE_SUFFIXES = (".csv", ".jsonl")
TABLE_SOURCES = ("a WikiTableQuestions folder (holding csv/), a folder of .csv/.jsonl "
                 "tables, or one .csv/.jsonl file")
# The shipped demo question file: training-split questions, not an evaluation split.
_DEMO_QUESTIONS = "data/sample.tsv"


def skip_reason(error: Exception) -> str:
  """A short name for why a table did not load ('ragged_row', 'empty', ...)."""
  msg = str(error)
  for needle, reason in (("cells; expected", "ragged_row"), ("malformed CSV", "malformed_csv"),
                         ("not UTF-8", "not_utf8"), ("empty file", "empty"),
                         ("no rows", "empty"), ("header", "bad_header"),
                         ("not valid JSON", "bad_json"), ("corrupt JSON", "bad_json"), ("JSON object", "bad_json"),
                         ("missing key", "bad_field"), ("expected", "bad_field")):
    if needle in msg:
      return reason
  return "error"


@dataclasses.dataclass
class TableLoadStats(loaders.LoadStats):
  """`loaders.LoadStats` that also counts skip reasons and logs each skip.

  Attributes:
    reasons: reason (`skip_reason`, ``duplicate_id``, ``eval_table``,
      ``excluded``) -> tables not used.
  """
  reasons: collections.Counter = dataclasses.field(default_factory=collections.Counter)

  def skip(self, error: Exception, max_kept: int = 100) -> None:
    super().skip(error, max_kept)
    reason = skip_reason(error)
    self.reasons[reason] += 1
    logging.warning("skipped a table (%s): %s", reason, error)


def _count(stats: loaders.LoadStats | None, reason: str, n: int) -> None:
  if n and isinstance(stats, TableLoadStats):
    stats.reasons[reason] += n


def explicit_wtq_root() -> pathlib.Path | None:
  """The ``wtq_root`` setting unless it fell through to the shipped sample.

  SQL tables follow the same rule as WTQ evaluation (Gin or flag,
  ``$SYMTUNE_WTQ_ROOT``, ``../shared/data/wtq/official``, else the shipped
  sample), so one run never reads two different WTQ copies; the run summary
  records which one was used.
  """
  value, origin = settings.resolve("wtq_root")
  if value is not None and origin != "package":
    return pathlib.Path(value)
  return None


def uses_shipped_sample(*, tables: str | os.PathLike | None = None,
                        wtq_root: str | os.PathLike | None = None,
                        squall: str | os.PathLike | None = None) -> bool:
  """True when `load_tables` with these arguments reads the ~100 shipped tables."""
  return (tables is None and wtq_root is None and squall is None
          and explicit_wtq_root() is None)


# --- evaluation tables ---------------------------------------------------------------
def _existing_root(name: str) -> pathlib.Path | None:
  value = settings.get(name)
  return pathlib.Path(value) if value is not None and pathlib.Path(value).is_dir() else None


SHIPPED_WTQ_EVAL_IDS = "wtq-eval-tables.ids"


@functools.cache
def shipped_wtq_eval_ids() -> dict[str, frozenset[str]]:
  """``{'validation': ids, 'test': ids}`` of the shipped ``wtq-eval-tables.ids``."""
  ref = settings.PACKAGE_DATA / SHIPPED_WTQ_EVAL_IDS
  return {k: frozenset(v) for k, v in json.loads(ref.read_text(encoding="utf-8")).items()}


def _wtq_eval_ids(root: pathlib.Path | None) -> dict[str, frozenset[str]]:
  out = {f"wtq {split} (shipped {SHIPPED_WTQ_EVAL_IDS})": ids
         for split, ids in shipped_wtq_eval_ids().items()}
  if root is None:
    return out
  for split in wtq.SPLITS:
    for rel in wtq.SPLIT_FILES[split]:
      if rel == _DEMO_QUESTIONS:
        continue
      path = root / rel
      if path.is_file():
        ids = frozenset(q["table_id"] for q in loaders.load_wtq_questions(path,
                                                                          on_error="skip"))
        out[f"wtq {split} ({rel})"] = ids
        break
  return out


def _sqa_eval_ids(root: pathlib.Path) -> dict[str, frozenset[str]]:
  out = {}
  for split in sqa.SPLITS:
    path = root / sqa.SPLIT_FILES[split]
    if not path.is_file():
      continue
    reader = csv.reader(io.StringIO(path.read_text(encoding="utf-8")), delimiter="\t")
    header = next(reader, [])
    if "table_file" not in header:
      raise InputError(f"header is {header!r}; expected a table_file column", path=str(path),
                       line=1)
    col = header.index("table_file")
    out[f"sqa {split} ({sqa.SPLIT_FILES[split]})"] = frozenset(
        pathlib.Path(r[col]).stem for r in reader if len(r) > col and r[col].strip())
  return out


def _wikisql_eval_ids(root: pathlib.Path) -> dict[str, frozenset[str]]:
  out = {}
  for split in wikisql.SPLITS:
    name = f"{wikisql.SPLIT_NAMES[split]}.tables.jsonl"
    path = root / name
    if not path.is_file():
      continue
    ids = set()
    for i, obj in iter_jsonl(path):
      if "id" not in obj:
        raise InputError("expected a JSON object with an 'id'", path=str(path), line=i,
                         field="id")
      ids.add(str(obj["id"]))
    out[f"wikisql {split} ({name})"] = frozenset(ids)
  return out


def _tabfact_eval_ids(root: pathlib.Path) -> dict[str, frozenset[str]]:
  out = {}
  for split in tabfact.SPLITS:
    path = root / tabfact.SPLIT_FILES[split]
    if not path.is_file():
      continue
    try:
      data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
      raise InputError(f"not valid JSON: {e.msg}", path=str(path), line=e.lineno) from None
    out[f"tabfact {split} ({tabfact.SPLIT_FILES[split]})"] = frozenset(
        n[:-len(".html.csv")] if n.endswith(".html.csv") else n.split(".")[0] for n in data)
  return out


@functools.lru_cache(maxsize=8)
def _eval_ids_cached(roots: tuple[tuple[str, str | None], ...]
                     ) -> tuple[tuple[str, frozenset[str]], ...]:
  readers = {"wtq_root": _wtq_eval_ids, "sqa_root": _sqa_eval_ids,
             "wikisql_root": _wikisql_eval_ids, "tabfact_root": _tabfact_eval_ids}
  out: dict[str, frozenset[str]] = {}
  for name, root in roots:
    if root is not None:
      out.update(readers[name](pathlib.Path(root)))
    elif name == "wtq_root":
      out.update(readers[name](None))
  return tuple(out.items())


def eval_table_ids() -> dict[str, frozenset[str]]:
  """Table ids each evaluation split of the project reads, by source (see module doc).

  ``{'wtq validation (data/random-split-1-dev.tsv)': {'204_772', ...}, ...}``;
  a benchmark whose root is absent contributes nothing.
  """
  roots = tuple((name, None if (r := _existing_root(name)) is None else os.fspath(r))
                for name in ("wtq_root", "sqa_root", "wikisql_root", "tabfact_root"))
  return dict(_eval_ids_cached(roots))


def read_table_ids(path: str | os.PathLike) -> frozenset[str]:
  """Table ids from a file: a JSON list, or one id per line (``#`` comments).

  A WTQ path (``csv/203-csv/733.csv``) becomes its id (``203_733``).

  Raises:
    InputError: the file is missing or unreadable, or a JSON list is malformed.
  """
  p = os.fspath(path)
  try:
    text = pathlib.Path(p).read_text(encoding="utf-8-sig")
  except FileNotFoundError:
    raise InputError("not found; expected a file of table ids (one per line)",
                     path=p) from None
  except (OSError, UnicodeDecodeError) as e:
    raise InputError(f"unreadable ({e}); expected UTF-8 text, one table id per line",
                     path=p) from None
  if text.lstrip().startswith("["):
    try:
      items = json.loads(text)
    except json.JSONDecodeError as e:
      raise InputError(f"corrupt JSON ({e.msg}); expected a list of table ids", path=p,
                       line=e.lineno) from None
    if not isinstance(items, list) or not all(isinstance(x, (str, int)) for x in items):
      raise InputError("expected a JSON list of table ids (strings)", path=p)
    lines = [str(x) for x in items]
  else:
    lines = [line.split("#", 1)[0].strip() for line in text.splitlines()]
  return frozenset(loaders.wtq_table_id(x) if x.endswith((".csv", ".tsv")) else x
                   for x in lines if x)


@dataclasses.dataclass(frozen=True)
class Exclusion:
  """Table ids SQL examples must not use, and why.

  Attributes:
    eval_ids: ids read by evaluation tasks (`eval_table_ids`, merged).
    listed_ids: ids from the exclude file.
    sources: source name -> number of ids (for reports).
  """
  eval_ids: frozenset[str] = frozenset()
  listed_ids: frozenset[str] = frozenset()
  sources: Mapping[str, int] = dataclasses.field(default_factory=dict)

  @property
  def ids(self) -> frozenset[str]:
    return self.eval_ids | self.listed_ids

  def digest(self) -> str:
    """sha256 of the sorted ids (for manifests: a resume must exclude the same tables)."""
    return hashlib.sha256("\n".join(sorted(self.ids)).encode("utf-8")).hexdigest()[:16]


def exclusion(*, exclude_eval: bool = True,
              exclude_tables: str | os.PathLike | None = None) -> Exclusion:
  """The tables to keep out of SQL data (see module docstring).

  ``exclude_tables`` defaults to the ``sql_exclude_tables`` setting.
  """
  sources: dict[str, int] = {}
  eval_ids: set[str] = set()
  if exclude_eval:
    for name, ids in eval_table_ids().items():
      sources[name] = len(ids)
      eval_ids |= ids
  if exclude_tables is None:
    exclude_tables = settings.get("sql_exclude_tables")
  listed = frozenset()
  if exclude_tables is not None:
    listed = read_table_ids(exclude_tables)
    sources[f"exclude file ({os.fspath(exclude_tables)})"] = len(listed)
  return Exclusion(frozenset(eval_ids), listed, sources)


def apply_exclusion(tables: Iterable[Table], excl: Exclusion,
                    stats: loaders.LoadStats | None = None) -> list[Table]:
  """``tables`` without the excluded ids (counted as ``eval_table`` / ``excluded``)."""
  kept, n_eval, n_listed = [], 0, 0
  for t in tables:
    if t.table_id in excl.listed_ids:
      n_listed += 1
    elif t.table_id in excl.eval_ids:
      n_eval += 1
    else:
      kept.append(t)
  _count(stats, "eval_table", n_eval)
  _count(stats, "excluded", n_listed)
  if n_eval or n_listed:
    logging.info("SQL tables: %d read by evaluation tasks and %d listed in the exclude "
                 "file are not used", n_eval, n_listed)
  return kept


# --- loading -------------------------------------------------------------------------
def dedupe(tables_by_source: Iterable[tuple[str, Table]],
           stats: loaders.LoadStats | None = None) -> list[Table]:
  """The first table of each id; a WARNING names the sources of every duplicated id."""
  first: dict[str, Table] = {}
  sources: dict[str, list[str]] = collections.defaultdict(list)
  for source, t in tables_by_source:
    sources[t.table_id].append(source)
    first.setdefault(t.table_id, t)
  dups = {tid: s for tid, s in sources.items() if len(s) > 1}
  for tid, srcs in sorted(dups.items()):
    counts = collections.Counter(srcs)
    names = ", ".join(f"{s} ({n} times)" if n > 1 else s for s, n in counts.items())
    logging.warning("table id %r comes from %d tables: %s; using the first, from %s",
                    tid, len(srcs), names, srcs[0])
  _count(stats, "duplicate_id", sum(len(s) - 1 for s in dups.values()))
  return list(first.values())


def load_tables(*, tables: str | os.PathLike | None = None,
                wtq_root: str | os.PathLike | None = None,
                squall: str | os.PathLike | None = None,
                stats: loaders.LoadStats | None = None,
                exclude_eval: bool = True,
                exclude_tables: str | os.PathLike | None = None,
                excl: Exclusion | None = None) -> list[Table]:
  """The tables SQL examples are made from (see module docstring).

  Args:
    tables / wtq_root: a WTQ root, a folder of tables or one file
      (`load_table_path`).
    squall: SQUALL/TAPEX JSONL tables instead.
    stats: counts loaded and skipped tables (a `TableLoadStats` also counts
      reasons, including ``duplicate_id``, ``eval_table`` and ``excluded``).
    exclude_eval: leave out the tables evaluation tasks read (default True).
    exclude_tables: a file of table ids to leave out (default: the
      ``sql_exclude_tables`` setting).
    excl: a precomputed `exclusion` (then the two above are unused).
  """
  stats = stats if stats is not None else TableLoadStats()
  if excl is None:
    excl = exclusion(exclude_eval=exclude_eval, exclude_tables=exclude_tables)
  if squall is not None:
    loaded = [(os.fspath(squall), t) for t in
              loaders.load_squall_jsonl(squall, on_error="skip", stats=stats)]
    if not loaded:
      raise InputError(f"no table loaded ({stats.skipped} skipped"
                       + (f"; first: {stats.errors[0]}" if stats.errors else "")
                       + "); expected SQUALL/TAPEX JSONL tables", path=os.fspath(squall))
    out = dedupe(loaded, stats)
  else:
    path = tables if tables is not None else wtq_root
    if path is None:
      path = explicit_wtq_root()
    out = (load_table_path(path, stats) if path is not None
           else sample.load_sample_tables())
  kept = apply_exclusion(out, excl, stats)
  if not kept:
    raise InputError(f"all {len(out)} tables are excluded (read by evaluation tasks or "
                     "listed in the exclude file); give other tables",
                     path=os.fspath(tables or wtq_root or squall or "shipped sample"))
  return kept


def load_table_path(path: str | os.PathLike, stats: loaders.LoadStats | None = None
                    ) -> list[Table]:
  """Tables from a WTQ root (with ``csv/``), a folder of .csv/.jsonl files, or one file.

  A ``.csv`` is one table (RFC 4180, first record the header, id = file
  name); a ``.jsonl`` holds tables one per line (`loaders.load_jsonl`). In a
  folder, files that don't load are skipped and counted; a single .csv that
  doesn't load raises. Duplicate ids: see `dedupe`.

  Raises:
    InputError: the path is missing or of another kind, or no table loaded.
  """
  stats = stats if stats is not None else TableLoadStats()
  p = pathlib.Path(path)
  where = os.fspath(path)
  if not p.exists():
    raise InputError(f"not found; expected {TABLE_SOURCES}", path=where)
  if p.is_dir() and (p / "csv").is_dir():
    out = list(loaders.iter_wtq_tables(p, on_error="skip", stats=stats))
  elif p.is_dir():
    files = sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() in TABLE_SUFFIXES)
    if not files:
      raise InputError(f"no csv/ folder and no .csv or .jsonl files; expected {TABLE_SOURCES}",
                       path=where)
    loaded = []
    for f in files:
      loaded.extend((os.fspath(f), t) for t in _load_table_file(f, stats, raise_csv=False))
    out = dedupe(loaded, stats)
  elif p.suffix.lower() in TABLE_SUFFIXES:
    out = dedupe([(where, t) for t in _load_table_file(p, stats, raise_csv=True)], stats)
  else:
    raise InputError(f"a {p.suffix or 'extensionless'} file; expected {TABLE_SOURCES}",
                     path=where)
  if not out:
    raise InputError(f"no table loaded ({stats.skipped} skipped"
                     + (f"; first: {stats.errors[0]}" if stats.errors else "")
                     + f"); expected {TABLE_SOURCES}", path=where)
  return out


def _load_table_file(path: pathlib.Path, stats: loaders.LoadStats, *,
                     raise_csv: bool) -> list[Table]:
  if path.suffix.lower() == ".jsonl":
    return list(loaders.load_jsonl(path, on_error="skip", stats=stats))
  try:
    table = loaders.load_csv(path)
  except InputError as e:
    if raise_csv:
      raise
    stats.skip(e)
    return []
  stats.loaded += 1
  return [table]
