"""SQL execution examples as a pure function of (seed, split, index).

    >>> builder = ExampleBuilder(tables)                 # any list of `Table`s
    >>> builder.example(seed=0, split="train", index=7)
    {'inputs': 'Execute the following SQL query on the table ...\\n\\nSQL: SELECT ...',
     'targets': '1969, 1972', 'table_id': '203_733', 'shape': 'select_where',
     'sql': 'SELECT ...', 'num_answers': 2}

Per example: the tables of the split are ordered by id; a per-attempt RNG
``numpy.random.default_rng([seed, split_id, index, attempt])`` picks one,
truncates it to the token budget (random rows dropped) *before* anything runs,
samples a query on the rows kept, executes it on those rows, and formats the
input with one of `prompts.PROMPTS`. A skipped query (error, timeout, empty,
too many values...) moves on to the next attempt, so example i of split s with
seed k is the same on every machine and run, whatever came before it.
"""

from __future__ import annotations

import collections
import dataclasses
import os
import pathlib
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from symtune_jax.errors import InputError
from symtune_jax.sql import prompts
from symtune_jax.sql.executor import Executor, Skip
from symtune_jax.sql.sampler import SamplerConfig, sample_query
from symtune_jax.sql.splits import SPLITS, split_id, split_of
from symtune_jax.sql.templates import Template, load_templates, sample_from_templates
from symtune_jax.tables import linearize, truncate
from symtune_jax.tables.table import Table

MODES = ("grammar", "templates", "mixed")
WTQ_ROOT_ENV = "SYMTUNE_WTQ_ROOT"


@dataclasses.dataclass(frozen=True)
class ExampleConfig:
  """How examples are made.

  Attributes:
    sampler: the grammar sampler's shape distribution and knobs.
    mode: "grammar" (the sampler), "templates" (fill abstract templates) or
      "mixed" (templates with probability ``template_probability``).
    template_probability: share of template queries in "mixed" mode.
    templates_path: a template file (.txt / .jsonl); None: the shipped set.
    table_budget: most tokens (of the length function) the linearized table
      takes; the paper's inputs are 2,048 tokens, and the instruction and
      query need the rest.
    max_cell_chars: longer cells are cut (in the table SQL runs on, too).
    min_values: fewest values in a kept answer.
    max_values: most values in a kept answer.
    max_attempts: sampled queries per example before it is given up.
    time_budget_s: SQLite time per query.
  """
  sampler: SamplerConfig = dataclasses.field(default_factory=SamplerConfig)
  mode: str = "grammar"
  template_probability: float = 0.5
  templates_path: str | None = None
  table_budget: int = 1800
  max_cell_chars: int | None = truncate.DEFAULT_MAX_CELL_CHARS
  min_values: int = 1
  max_values: int = 10
  max_attempts: int = 20
  time_budget_s: float = 0.05

  def __post_init__(self):
    if self.mode not in MODES:
      raise InputError(f"mode {self.mode!r}; expected one of {', '.join(MODES)}", field="mode")
    if not 1 <= self.min_values <= self.max_values:
      raise InputError(f"need 1 <= min_values <= max_values, got {self.min_values}, "
                       f"{self.max_values}", field="max_values")
    if self.max_attempts < 1:
      raise InputError("max_attempts must be >= 1", field="max_attempts")


@dataclasses.dataclass
class GenerationStats:
  """What was sampled, kept and skipped (mergeable across shards / processes)."""
  examples: int = 0
  attempts: int = 0
  failed: int = 0  # indices with no example after max_attempts
  shapes: collections.Counter = dataclasses.field(default_factory=collections.Counter)
  sampled_shapes: collections.Counter = dataclasses.field(default_factory=collections.Counter)
  answer_counts: collections.Counter = dataclasses.field(default_factory=collections.Counter)
  skips: collections.Counter = dataclasses.field(default_factory=collections.Counter)

  @property
  def kept_share(self) -> float:
    """Share of sampled queries kept."""
    return self.examples / self.attempts if self.attempts else 0.0

  def merge(self, other: "GenerationStats") -> "GenerationStats":
    self.examples += other.examples
    self.attempts += other.attempts
    self.failed += other.failed
    for name in ("shapes", "sampled_shapes", "answer_counts", "skips"):
      getattr(self, name).update(getattr(other, name))
    return self

  def to_json(self) -> dict[str, Any]:
    return {
        "examples": self.examples, "attempts": self.attempts, "failed": self.failed,
        "kept_share": round(self.kept_share, 4),
        "shapes": dict(sorted(self.shapes.items())),
        "sampled_shapes": dict(sorted(self.sampled_shapes.items())),
        "answer_counts": {str(k): v for k, v in sorted(self.answer_counts.items())},
        "skips": dict(sorted(self.skips.items())),
    }

  @classmethod
  def from_json(cls, obj: dict[str, Any]) -> "GenerationStats":
    return cls(examples=obj["examples"], attempts=obj["attempts"], failed=obj["failed"],
               shapes=collections.Counter(obj["shapes"]),
               sampled_shapes=collections.Counter(obj["sampled_shapes"]),
               answer_counts=collections.Counter({int(k): v for k, v in
                                                  obj["answer_counts"].items()}),
               skips=collections.Counter(obj["skips"]))


def prepare_table(table: Table, max_cell_chars: int | None) -> Table:
  """The table in display form (what the model reads), typed values computed once."""
  shown = truncate.fit_to_budget(table, 1 << 40, max_cell_chars=max_cell_chars)
  shown.values  # noqa: B018  (computed once, shared by every truncation)
  return shown


class ExampleBuilder:
  """Builds examples from a fixed set of tables (see module docstring).

  Holds the per-process caches (one SQLite database per table, templates);
  the examples do not depend on them.

  Args:
    tables: the tables, any order; split by `splits.split_of(table_id)`.
    config: an `ExampleConfig`.
    length_fn: text -> tokens for the table budget (default: the cheap
      `truncate.approx_token_length`; ``truncate.vocab_length_fn(vocab)``
      for the real vocabulary).
  """

  def __init__(self, tables: Iterable[Table], config: ExampleConfig | None = None,
               length_fn: Callable[[str], int] = truncate.approx_token_length):
    self.config = config or ExampleConfig()
    self.length_fn = length_fn
    by_id: dict[str, Table] = {}
    for t in tables:
      by_id.setdefault(t.table_id, t)
    self._raw = {s: [] for s in SPLITS}
    for tid in sorted(by_id):
      self._raw[split_of(tid)].append(by_id[tid])
    self._prepared: dict[str, list[Table]] = {}
    self._row_index: dict[int, dict[int, int]] = {}
    self.executor = Executor(min_values=self.config.min_values,
                             max_values=self.config.max_values,
                             time_budget_s=self.config.time_budget_s)
    self._templates: list[Template] | None = None
    self.stats = GenerationStats()

  def tables(self, split: str) -> list[Table]:
    """The split's tables (display form), in table-id order."""
    split_id(split)
    out = self._prepared.get(split)
    if out is None:
      out = [prepare_table(t, self.config.max_cell_chars) for t in self._raw[split]]
      self._prepared[split] = out
    return out

  def num_tables(self, split: str) -> int:
    return len(self._raw[split])

  @property
  def templates(self) -> list[Template]:
    if self._templates is None:
      self._templates = load_templates(self.config.templates_path)
    return self._templates

  def _where_to_run(self, table: Table, shown: Table) -> tuple[Table, list[int] | None]:
    """(table, rows) to execute on: the full table's cached database, restricted
    to the rows ``shown`` keeps (found by identity: truncation reuses row tuples)."""
    if shown is table:
      return table, None
    index = self._row_index.get(id(table))
    if index is None:
      index = self._row_index[id(table)] = {id(r): i for i, r in enumerate(table.rows)}
    try:
      return table, [index[id(r)] for r in shown.rows]
    except KeyError:  # rows rebuilt: run on the truncated table itself
      return shown, None

  def _query(self, table: Table, rng: np.random.Generator):
    cfg = self.config
    if cfg.mode == "templates" or (cfg.mode == "mixed" and rng.random() < cfg.template_probability):
      return sample_from_templates(self.templates, table, rng)
    return sample_query(table, rng, cfg.sampler)

  def example(self, seed: int, split: str, index: int) -> dict[str, Any] | None:
    """Example ``index`` of ``split`` for ``seed``; None if every attempt was skipped."""
    sid = split_id(split)
    pool = self.tables(split)
    if not pool:
      raise InputError(f"no tables in split {split!r}; give more tables", field="split")
    cfg, stats = self.config, self.stats
    for attempt in range(cfg.max_attempts):
      rng = np.random.default_rng([seed, sid, index, attempt])
      table = pool[int(rng.random() * len(pool))]
      shown = truncate.fit_to_budget(table, cfg.table_budget, self.length_fn, rng=rng,
                                     max_cell_chars=cfg.max_cell_chars)
      stats.attempts += 1
      query = self._query(shown, rng)
      if query is None:
        stats.skips["no_query"] += 1
        continue
      stats.sampled_shapes[query.shape] += 1
      run_on, rows = self._where_to_run(table, shown)
      answer = self.executor.execute(run_on, query, rows=rows)
      if isinstance(answer, Skip):
        stats.skips[answer.reason] += 1
        continue
      prompt = int(rng.random() * len(prompts.PROMPTS))
      stats.examples += 1
      stats.shapes[query.shape] += 1
      stats.answer_counts[answer.count] += 1
      return {
          "inputs": prompts.format_inputs(prompt, query.sql, linearize.tapex(shown)),
          "targets": answer.text,
          "table_id": table.table_id,
          "shape": query.shape,
          "sql": query.sql,
          "num_answers": answer.count,
      }
    stats.failed += 1
    return None

  def examples(self, seed: int, split: str, start: int, stop: int):
    """Examples for indices start..stop-1 (skipping indices that failed)."""
    for i in range(start, stop):
      ex = self.example(seed, split, i)
      if ex is not None:
        yield ex


def build_example(seed: int, split: str, index: int, tables: Sequence[Table],
                  config: ExampleConfig | None = None) -> dict[str, Any] | None:
  """One example, from scratch (use an `ExampleBuilder` for many)."""
  return ExampleBuilder(tables, config).example(seed, split, index)


def load_tables(*, wtq_root: str | os.PathLike | None = None,
                squall: str | os.PathLike | None = None) -> list[Table]:
  """The table source: a SQUALL/TAPEX JSONL file, a WTQ root, or the default.

  The default is ``$SYMTUNE_WTQ_ROOT`` (the folder holding ``csv/``) if set,
  else the ~100 WTQ tables shipped in the package. Tables that don't load
  (ragged rows, ...) are skipped.
  """
  from symtune_jax.tables import loaders, sample  # pylint: disable=g-import-not-at-top
  if squall is not None:
    return list(loaders.load_squall_jsonl(squall, on_error="skip"))
  root = wtq_root if wtq_root is not None else os.environ.get(WTQ_ROOT_ENV) or None
  if root is not None:
    if not pathlib.Path(root, "csv").is_dir():
      raise InputError("no csv/ folder; expected the WikiTableQuestions layout "
                       "ROOT/csv/20N-csv/M.csv", path=os.fspath(root))
    return list(loaders.iter_wtq_tables(root, on_error="skip"))
  return sample.load_sample_tables()
