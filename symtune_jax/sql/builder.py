"""SQL execution examples as a pure function of (seed, split, index).

    >>> builder = ExampleBuilder(tables)                 # any list of `Table`s
    >>> builder.example(seed=0, split="train", index=7)
    {'inputs': 'Execute the following SQL query on the table ...\\n\\nSQL: SELECT ...',
     'targets': '1969, 1972', 'table_id': '203_733', 'shape': 'select_where',
     'sql': 'SELECT ...', 'num_answers': 2}

Per example: the tables of the split are ordered by id; one RNG per attempt,
``random.Random(f"{seed}/{split_id}/{index}/{attempt}")`` (string seeds are
hashed with SHA-512: the same stream on every machine and Python version),
picks one and an instruction phrasing, truncates the table to the token budget
(random rows dropped, in an order drawn from a seed of that RNG only when the
table does not fit) *before* anything runs, samples a query on the rows kept, executes it
on those rows, and formats the input with the phrasing (`prompts.PROMPTS`).
A skipped query (error, over the SQLite step budget, empty, too many values, an
answer that depends on row order...; see `executor`) moves on to the
next attempt, so example i of split s with seed k is the same on every machine
and run, whatever came before it.

Budget: with ``ExampleConfig.max_input_length`` set (what the SeqIO task does)
the whole input, measured with the real vocabulary's ``length_fn``, is at most
``max_input_length - 1`` tokens (one is left for EOS), so SeqIO never trims it:
the table gets what the phrasing and a ``sql_allowance`` leave; if the sampled
query is longer than the allowance, more rows of the same random order are
dropped and the query is re-run on the rows left. Without it, the table alone
is cut to ``table_budget`` tokens.

Every index yields an example: after ``max_attempts`` random attempts, further
attempts walk through the split's tables in turn; only when every table failed
several times (tables that cannot make any example) is `InputError` raised.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import gc
import operator
import random
from typing import Any, Callable, Iterable, Mapping, Sequence

from symtune_jax import seeding
from symtune_jax.errors import InputError
from symtune_jax.sql import prompts, sampler
from symtune_jax.sql.executor import DEFAULT_MAX_STEPS, UNREAD, Executor, Skip
from symtune_jax.sql.sampler import SamplerConfig, sample_query
from symtune_jax.sql.splits import SPLITS, split_id, split_of
from symtune_jax.sql.templates import Template, load_templates, sample_from_templates
from symtune_jax.tables import linearize, truncate
from symtune_jax.tables.table import Table

MODES = ("grammar", "templates", "mixed")
# Indices `ExampleBuilder.examples` makes a round at a time. On the 1,341 WTQ
# training tables a round of 2,048 gives each table 1.5 attempts; 10,000 give
# it 7, back to back with its data in the CPU's caches. CPU for 20k examples
# with the collector off (`gc_for_generation`; one process, 4 alternating runs
# each, 13:34, load 0.4): 2,048: 2.05-2.23 s, 4,096: 1.86-2.05 s, 8,192:
# 1.72-1.91 s, 16,384: 1.70-1.78 s. With the collector on, a round's objects
# alive until its end cost its passes more than that saves (40k examples:
# 6.84 s at 2,048, 7.38 s at 10,000 with the memo below, 14:49, load 0.8), so
# the larger rounds go with `ExampleBuilder.for_generation`. Memory: a round
# holds its examples until it ends (about 2.5 KB each).
DEFAULT_CHUNK = 2048
GENERATION_CHUNK = 10_000  # one shard of `symtune generate sql`
GENERATION_MEMO = 1 << 16  # `Executor.memo_size` for generating
# Fallback attempts (after max_attempts) go round the split's tables this often.
FALLBACK_ROUNDS = 3


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
      takes, when ``max_input_length`` is None.
    max_input_length: most tokens of the whole input including EOS (the
      paper's 2,048); None: only the table is bounded (``table_budget``).
    sql_allowance: tokens set aside for the query when the table is cut to
      fit ``max_input_length`` (a longer query makes more rows go).
    max_cell_chars: longer cells are cut (in the table SQL runs on, too).
    min_values: fewest values in a kept answer.
    max_values: most values in a kept answer.
    max_attempts: random attempts per example before the fallback (the
      split's tables in turn) starts.
    max_steps: SQLite VM steps per query (a deterministic budget: the
      same queries are kept on every machine, under any load).
  """
  sampler: SamplerConfig = dataclasses.field(default_factory=SamplerConfig)
  mode: str = "grammar"
  template_probability: float = 0.5
  templates_path: str | None = None
  table_budget: int = 1800
  max_input_length: int | None = None
  sql_allowance: int = 128
  max_cell_chars: int | None = truncate.DEFAULT_MAX_CELL_CHARS
  min_values: int = 1
  max_values: int = 10
  max_attempts: int = 20
  max_steps: int = DEFAULT_MAX_STEPS

  def __post_init__(self):
    if self.mode not in MODES:
      raise InputError(f"mode {self.mode!r}; expected one of {', '.join(MODES)}", field="mode")
    if not 1 <= self.min_values <= self.max_values:
      raise InputError(f"need 1 <= min_values <= max_values, got {self.min_values}, "
                       f"{self.max_values}", field="max_values")
    if self.max_attempts < 1:
      raise InputError("max_attempts must be >= 1", field="max_attempts")
    if self.max_input_length is not None and self.max_input_length < 16:
      raise InputError(f"max_input_length is {self.max_input_length}; expected >= 16 "
                       "tokens", field="max_input_length")
    if self.sql_allowance < 0 or self.table_budget < 0:
      raise InputError("sql_allowance and table_budget must be >= 0", field="sql_allowance")


@dataclasses.dataclass
class GenerationStats:
  """What was sampled, kept and skipped (mergeable across shards / processes).

  ``skips`` counts skipped attempts by reason (so attempts = examples +
  skips); ``table_skips`` counts tables that did not load, as
  ``table_<reason>`` (one count per table source: merging takes the larger,
  since every shard loads the same tables); ``fallbacks`` counts indices
  whose example came from the fallback attempts; ``refits`` counts examples
  whose table lost more rows because the query was longer than the allowance.
  """
  examples: int = 0
  attempts: int = 0
  fallbacks: int = 0
  refits: int = 0
  shapes: collections.Counter = dataclasses.field(default_factory=collections.Counter)
  sampled_shapes: collections.Counter = dataclasses.field(default_factory=collections.Counter)
  answer_counts: collections.Counter = dataclasses.field(default_factory=collections.Counter)
  skips: collections.Counter = dataclasses.field(default_factory=collections.Counter)
  table_skips: collections.Counter = dataclasses.field(default_factory=collections.Counter)

  @property
  def kept_share(self) -> float:
    """Share of sampled queries kept."""
    return self.examples / self.attempts if self.attempts else 0.0

  def merge(self, other: "GenerationStats") -> "GenerationStats":
    self.examples += other.examples
    self.attempts += other.attempts
    self.fallbacks += other.fallbacks
    self.refits += other.refits
    for name in ("shapes", "sampled_shapes", "answer_counts", "skips"):
      getattr(self, name).update(getattr(other, name))
    for reason, n in other.table_skips.items():
      self.table_skips[reason] = max(self.table_skips[reason], n)
    return self

  def to_json(self) -> dict[str, Any]:
    return {
        "examples": self.examples, "attempts": self.attempts,
        "fallbacks": self.fallbacks, "refits": self.refits,
        "kept_share": round(self.kept_share, 4),
        "shapes": dict(sorted(self.shapes.items())),
        "sampled_shapes": dict(sorted(self.sampled_shapes.items())),
        "answer_counts": {str(k): v for k, v in sorted(self.answer_counts.items())},
        "skips": dict(sorted(self.skips.items())),
        "table_skips": dict(sorted(self.table_skips.items())),
    }

  @classmethod
  def from_json(cls, obj: dict[str, Any]) -> "GenerationStats":
    return cls(examples=obj["examples"], attempts=obj["attempts"],
               fallbacks=obj.get("fallbacks", 0), refits=obj.get("refits", 0),
               table_skips=collections.Counter(obj.get("table_skips", {})),
               shapes=collections.Counter(obj["shapes"]),
               sampled_shapes=collections.Counter(obj["sampled_shapes"]),
               answer_counts=collections.Counter({int(k): v for k, v in
                                                  obj["answer_counts"].items()}),
               skips=collections.Counter(obj["skips"]))


# While a process generates (`gc_for_generation`) the garbage collector is off:
# steady generation makes no reference cycles (none over 5,000 examples on the
# WTQ tables after 5,000), and its passes were walking, again and again, the
# objects each round keeps alive until its end and the per-table caches that
# grow as tables are used. `ExampleBuilder.examples` calls `gc_checkpoint`
# before each round, which collects (any cycle an odd input made) and freezes
# what survived, so each collection walks only what is new since the last.
# Measured on the 1,341 WTQ training tables (40k examples, after 10k): the
# collector took 8.9-10.4% of the CPU with CPython's defaults, 4.0-4.7% with
# generation 0 at 5,000 allocations, 1.1-1.5% this way (a pass every 2,048 to
# 20,000 examples).
_GC_BEFORE: list[bool] = []  # whether the collector ran, before each setup


def gc_for_generation() -> None:
  """Sets up the garbage collector of a process about to generate examples
  (see above): what is alive now (the tables, built once) is frozen out of its
  passes (`gc.freeze`) and automatic collection is off until `gc_restore`;
  `ExampleBuilder.examples` calls `gc_checkpoint` before each round. The
  examples do not change."""
  _GC_BEFORE.append(gc.isenabled())
  gc.disable()
  gc.freeze()


def gc_checkpoint() -> None:
  """Collects, then freezes what survived (nothing outside `gc_for_generation`)."""
  if _GC_BEFORE:
    gc.collect()
    gc.freeze()


def gc_restore() -> None:
  """Undoes the last `gc_for_generation`: the frozen objects go back to the
  collector, which runs again if it did before."""
  gc.unfreeze()
  if _GC_BEFORE.pop():
    gc.enable()


@contextlib.contextmanager
def generation_gc():
  """`gc_for_generation` for the duration of a ``with`` block, then `gc_restore`."""
  gc_for_generation()
  try:
    yield
  finally:
    gc_restore()


def attempt_rng(seed: int, sid: int, index: int, attempt: int | str) -> random.Random:
  """The one RNG of an attempt: a pure function of (seed, split id, index, attempt).

  ``random.Random(f"{seed}/{sid}/{index}/{attempt}")`` (`seeding.from_text`:
  the same stream, seeded without ``Random.seed``'s Python-level checks).
  """
  return seeding.from_text(f"{seed}/{sid}/{index}/{attempt}")


def prepare_table(table: Table, max_cell_chars: int | None) -> Table:
  """The table in display form (what the model reads), typed values computed once."""
  shown = truncate.fit_to_budget(table, 1 << 40, max_cell_chars=max_cell_chars)
  shown.values  # noqa: B018  (computed once, shared by every truncation)
  return shown


class ExampleBuilder:
  """Builds examples from a fixed set of tables (see module docstring).

  Holds the per-process caches (one SQLite database per table, templates,
  token lengths); the examples do not depend on them. One thread at a time
  (each database has one cursor); generators of `examples` may interleave.

  Args:
    tables: the tables, any order; split by `splits.split_of(table_id)`.
    config: an `ExampleConfig`.
    length_fn: text -> tokens for the budgets (default: the cheap
      `truncate.approx_token_length`; ``truncate.vocab_length_fn(vocab)``
      for the real vocabulary, which `max_input_length` is meant for).
    table_skips: tables that did not load, by reason (`TableLoadStats.reasons`),
      reported in ``stats.table_skips`` as ``table_<reason>``.
  """

  def __init__(self, tables: Iterable[Table], config: ExampleConfig | None = None,
               length_fn: Callable[[str], int] = truncate.approx_token_length,
               table_skips: Mapping[str, int] | None = None):
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
    self._budget_cache: dict[int, tuple[int | None, int]] = {}  # `_budgets`
    self._linear: dict[int, tuple[Table, str]] = {}
    self._whole: dict[tuple[int, int, bool], Table] = {}
    # id(table) -> (table, why an attempt on it whole is skipped before
    # sampling: "no_rows", "empty_columns", or "" when it is not).
    self._blank: dict[int, tuple[Table, str]] = {}
    self.executor = Executor(min_values=self.config.min_values,
                             max_values=self.config.max_values,
                             max_steps=self.config.max_steps)
    self._templates: list[Template] | None = None
    # Attempt generators `examples` reseeds round after round (one list per
    # running chunk: each is taken whole by one round at a time).
    self._spare_rngs: list[list[random.Random]] = []
    self.chunk = DEFAULT_CHUNK  # indices `examples` makes a round at a time
    self.table_skips = collections.Counter(
        {f"table_{r}": n for r, n in (table_skips or {}).items()})
    self.stats = self.new_stats()

  def new_stats(self) -> GenerationStats:
    """Fresh counts (keeping the table-load skips); also sets ``self.stats``."""
    self.stats = GenerationStats(table_skips=collections.Counter(self.table_skips))
    return self.stats

  def tables(self, split: str) -> list[Table]:
    """The split's tables (display form), in table-id order."""
    split_id(split)
    out = self._prepared.get(split)
    if out is None:
      out = [prepare_table(t, self.config.max_cell_chars) for t in self._raw[split]]
      self._prepared[split] = out
    return out

  def warm(self, split: str) -> None:
    """Builds now, for every table of ``split``, what a run builds once per
    table on first use: its SQLite database with the rows in the other
    orders and the executor's per-column lookups (`Executor.prepare`), its
    sampler view with every column's facts, the token length of each row,
    whether it fits whole in each phrasing's budget and its TAPEX text where
    it does, else the row texts a cut table's text is made of. The examples
    are the same either way; a benchmark warms before its clock starts, so it
    times what a long run spends per example."""
    budgets = sorted(set(map(self._budgets, range(len(prompts.PROMPTS)))))  # (one limit)
    cfg = self.config
    for table in self.tables(split):
      self.executor.prepare(table)
      sampler.warm(table, cfg.sampler)
      for limit, budget in budgets:
        if self._truncate(table, budget, 0, verify=limit is None) is table:
          self._tapex(table, table)
        else:  # shown cut: its text is made from the table's row texts
          linearize.tapex_rows(table, ())

  def num_tables(self, split: str) -> int:
    return len(self._raw[split])

  @property
  def templates(self) -> list[Template]:
    if self._templates is None:
      self._templates = load_templates(self.config.templates_path)
    return self._templates

  def _where_to_run(self, table: Table, shown: Table) -> tuple[Table, Sequence[int] | None]:
    """(table, rows) to execute on: the full table's cached database, restricted
    to the rows ``shown`` keeps: the rows a truncation selected (`Table.source_rows`),
    else found by identity (truncation reuses row tuples)."""
    if shown is table:
      return table, None
    source = shown.source_rows  # (truncation selects rows of ``table``)
    if source is not None and source[0] is table:
      return table, source[1]  # (its tuple, not a copy)
    index = self._row_index.get(id(table))  # (rows of another table)
    if index is None:
      index = self._row_index[id(table)] = {id(r): i for i, r in enumerate(table.rows)}
    try:
      return table, tuple([index[id(r)] for r in shown.rows])
    except KeyError:  # rows rebuilt: run on the truncated table itself
      return shown, None

  def _query(self, table: Table, rng: random.Random):
    cfg = self.config
    if cfg.mode == "templates" or (cfg.mode == "mixed" and rng.random() < cfg.template_probability):
      return sample_from_templates(self.templates, table, rng)
    return sample_query(table, rng, cfg.sampler)

  def _overhead(self, prompt: int, sql: str) -> int:
    """Tokens of the input without the table (for the empty query, measured
    once per phrasing: `_budgets` keeps what it gives)."""
    return self.length_fn(prompts.format_inputs(prompt, sql, ""))

  def _budgets(self, prompt: int) -> tuple[int | None, int]:
    """(tokens the whole input may take, EOS left out, or None without
    ``max_input_length``; tokens the table may take) with phrasing ``prompt``
    (kept per phrasing: the config and length function are fixed)."""
    hit = self._budget_cache.get(prompt)
    if hit is None:
      hit = self._budget_cache[prompt] = self._new_budgets(prompt)
    return hit

  def _new_budgets(self, prompt: int) -> tuple[int | None, int]:
    cfg = self.config
    if cfg.max_input_length is None:
      return None, cfg.table_budget
    limit = cfg.max_input_length - 1  # EOS
    return limit, limit - self._overhead(prompt, "") - cfg.sql_allowance

  def _truncate(self, table: Table, budget: int, order_seed: int, verify: bool = True
                ) -> Table:
    # The same seed gives the same random row order, so a smaller budget keeps
    # a subset of the rows a larger one keeps. Whether a pool table fits whole
    # does not depend on the order: that answer is kept per (table, budget).
    budget = max(0, budget)
    key = (id(table), budget, verify)
    if self._whole.get(key) is table:
      return table
    shown = truncate.fit_to_budget(table, budget, self.length_fn, order_seed=order_seed,
                                   max_cell_chars=self.config.max_cell_chars, verify=verify)
    if shown is table:
      self._whole[key] = table
    return shown

  def _tapex(self, shown: Table, table: Table,
             where: tuple[Table, Sequence[int] | None] | None = None) -> str:
    """TAPEX text of ``shown``; kept per pool table for the common case that it
    fits whole, else made from the pool table's row texts where ``where``
    (`_where_to_run`) names the rows."""
    if shown is not table:
      if where is not None and where[0] is table and where[1] is not None:
        return linearize.tapex_rows(table, where[1])
      return linearize.tapex(shown)
    hit = self._linear.get(id(table))
    if hit is None or hit[0] is not table:
      hit = self._linear[id(table)] = (table, linearize.tapex(table))
    return hit[1]

  def _run(self, table: Table, shown: Table, query, facts: Any = UNREAD,
           where: tuple[Table, Sequence[int] | None] | None = None,
           ahead: tuple | None = None) -> Any:
    """The query's `Answer` on the rows ``shown`` keeps (``where``: their
    `_where_to_run`, if known; ``ahead``: `Executor.run_ahead`'s for it);
    None (reason counted) if skipped."""
    run_on, rows = where or self._where_to_run(table, shown)
    answer = self.executor.execute(run_on, query, rows=rows, facts=facts, ahead=ahead)
    if isinstance(answer, Skip):
      self.stats.skips[answer.reason] += 1
      return None
    return answer

  def _attempt(self, table: Table, rng: random.Random) -> dict[str, Any] | None:
    """One attempt on ``table``; None (and the reason counted) if skipped."""
    staged = self._prepare(table, rng)
    return None if staged is None else self._finish(*staged)

  def _prepare(self, table: Table, rng: random.Random) -> tuple | None:
    """An attempt's first half, all its randomness: the rows shown and the
    query, for `_finish`; None (and the reason counted) if skipped already."""
    stats = self.stats
    prompt = int(rng.random() * len(prompts.PROMPTS))
    order_seed = rng.getrandbits(62)
    limit, budget = self._budget_cache.get(prompt) or self._budgets(prompt)  # (kept per phrasing)
    # With a whole-input limit the input is measured exactly below, so the
    # truncation trusts its cached per-row lengths (no encode of the table).
    # (The look-up `_truncate` starts with, inline: most tables fit whole.)
    verify = limit is None
    if budget < 0 or self._whole.get((id(table), budget, verify)) is not table:
      shown = self._truncate(table, budget, order_seed, verify)
    else:
      shown = table
    stats.attempts += 1
    hit = self._blank.get(id(shown)) if shown is table else None
    if hit is not None and hit[0] is table:
      blank = hit[1]
    else:
      blank = ("no_rows" if shown.num_rows == 0  # not even one row fits the budget
               else "" if any(v is not None for row in shown.values for v in row)
               else "empty_columns")  # every cell shown is empty
      if shown is table:
        self._blank[id(table)] = (table, blank)
    if blank:
      stats.skips[blank] += 1
      return None
    cfg = self.config
    query = (sample_query(shown, rng, cfg.sampler) if cfg.mode == "grammar"
             else self._query(shown, rng))
    if query is None:
      stats.skips["no_query"] += 1
      return None
    stats.sampled_shapes[query.shape] += 1
    where = (table, None) if shown is table else self._where_to_run(table, shown)
    # A LIMIT query's facts can spare its run (the probe may stand in for it);
    # others are read only if the result passes the cheap checks (`execute`).
    facts = self.executor.read(where[0], query) if "LIMIT" in query.sql else UNREAD
    return table, shown, query, prompt, order_seed, limit, facts, where

  def _finish(self, table: Table, shown: Table, query, prompt: int, order_seed: int,
              limit: int | None, facts: Any, where: tuple[Table, Sequence[int] | None],
              ahead: tuple | None = None) -> dict[str, Any] | None:
    """An attempt's second half (no randomness): execute, format, refit
    (``where``: `_where_to_run`'s for the rows shown)."""
    stats = self.stats
    # Execute before measuring the input: a skipped query's input is never
    # tokenized, a kept one is tokenized once (more only if it must refit).
    answer = self.executor.execute(where[0], query, rows=where[1], facts=facts, ahead=ahead)
    if answer.__class__ is Skip:  # (`_run`, inline)
      stats.skips[answer.reason] += 1
      return None
    hit = self._linear.get(id(table)) if shown is table else None  # (`_tapex`'s, inline)
    text = hit[1] if hit is not None and hit[0] is table else self._tapex(shown, table, where)
    inputs = prompts.format_inputs(prompt, query.sql, text)
    refit = False
    if limit is not None:
      # The query is known now: cut more rows (same order) until the input fits.
      for tries in range(4):
        over = self.length_fn(inputs) - limit
        if over <= 0:
          break
        if tries == 3:
          stats.skips["too_long"] += 1
          return None
        refit = True
        table_len = self.length_fn(linearize.tapex(shown))
        budget = min(table_len - over, limit - self._overhead(prompt, query.sql))
        shown = self._truncate(table, budget, order_seed)
        inputs = prompts.format_inputs(prompt, query.sql, linearize.tapex(shown))
      if refit:  # run again on the rows left
        answer = self._run(table, shown, query, facts)
        if answer is None:
          return None
    count = len(answer.values)  # (`Answer.count`)
    stats.examples += 1
    stats.refits += refit
    stats.shapes[query.shape] += 1
    stats.answer_counts[count] += 1
    return {
        "inputs": inputs,
        "targets": answer.text,
        "table_id": table.table_id,
        "shape": query.shape,
        "sql": query.sql,
        "num_answers": count,
    }

  def example(self, seed: int, split: str, index: int) -> dict[str, Any]:
    """Example ``index`` of ``split`` for ``seed`` (see module docstring).

    Raises:
      InputError: the split has no tables, or none of them could make an
        example for this index (e.g. every table is too small or the limits
        are too strict).
    """
    sid = split_id(split)
    pool = self.tables(split)
    if not pool:
      raise InputError(f"no tables in split {split!r}; give more tables", field="split")
    cfg = self.config
    skips_before = collections.Counter(self.stats.skips)
    for attempt in range(cfg.max_attempts):
      rng = attempt_rng(seed, sid, index, attempt)
      ex = self._attempt(pool[int(rng.random() * len(pool))], rng)
      if ex is not None:
        return ex
    return self._fallback(seed, split, index, pool, skips_before)

  def _fallback(self, seed: int, split: str, index: int, pool: list[Table],
                skips_before: collections.Counter | None = None) -> dict[str, Any]:
    """After ``max_attempts``: the split's tables in turn (from a random one),
    each a few times; InputError if none makes an example (naming the skips
    since ``skips_before``, else those of these attempts)."""
    cfg = self.config
    sid = split_id(split)
    if skips_before is None:
      skips_before = collections.Counter(self.stats.skips)
    n_fallback = FALLBACK_ROUNDS * len(pool)
    start = int(attempt_rng(seed, sid, index, "start").random() * len(pool))
    for k in range(n_fallback):
      rng = attempt_rng(seed, sid, index, cfg.max_attempts + k)
      ex = self._attempt(pool[(start + k) % len(pool)], rng)
      if ex is not None:
        self.stats.fallbacks += 1
        return ex
    why = self.stats.skips - skips_before
    raise InputError(
        f"no SQL example for index {index} of split {split!r} after "
        f"{cfg.max_attempts + n_fallback} attempts over all {len(pool)} tables; "
        f"skipped: {_skip_summary(why)}", field="split")

  def for_generation(self) -> None:
    """Settings for a process that generates with the collector off
    (`gc_for_generation`), where they are cheaper: rounds of
    `GENERATION_CHUNK` and the executor's memo of whole-table results
    (`GENERATION_MEMO`). The examples do not change."""
    self.chunk = GENERATION_CHUNK
    self.executor.memo_size = GENERATION_MEMO

  def examples(self, seed: int, split: str, start: int, stop: int, *,
               chunk: int | None = None):
    """Examples for indices start..stop-1 (one per index), in index order:
    the same as `example` for each index, made a chunk at a time.

    Each round takes the next attempt of every index of the chunk still
    without an example, first sampling all of them (`_prepare`), then running
    all (`_finish`): each stage runs as one tight loop (about a fifth less CPU
    than one example at a time), and every index sees the same attempts in the
    same order. Within a round the attempts go in table order, so the attempts
    on one table run one after the other while its rows, caches and database
    are in the CPU's caches (about a seventh less time than index order on the
    WTQ tables; nothing an attempt makes depends on the others); the larger
    the chunk, the more attempts each table gets in a row (``chunk``: None
    for ``self.chunk``, `DEFAULT_CHUNK` unless `for_generation`). Indices left
    after ``max_attempts`` rounds go to `example`'s fallback one by one.
    """
    chunk = chunk or self.chunk
    sid = split_id(split)
    pool = self.tables(split)
    if not pool and start < stop:
      raise InputError(f"no tables in split {split!r}; give more tables", field="split")
    max_attempts = self.config.max_attempts
    head, n_pool, from_text = f"{seed}/{sid}/", len(pool), seeding.from_text
    for c in range(start, stop, chunk):
      gc_checkpoint()  # the collector's pass, if it is off for generating
      todo = list(range(c, min(stop, c + chunk)))
      done: dict[int, dict[str, Any]] = {}
      # Each attempt's generator is one of ``rngs`` reseeded (`seeding.from_text`
      # with ``rng``: the stream of a new one): nothing keeps a generator past
      # its attempt's `_prepare`, so a round reuses the last round's objects.
      try:
        rngs = self._spare_rngs.pop()  # (list.pop: one owner, even across threads)
      except IndexError:
        rngs = []
      for attempt in range(max_attempts):
        if len(rngs) < len(todo):
          rngs += [seeding.unseeded() for _ in range(len(todo) - len(rngs))]
        picks = []
        for i, rng in zip(todo, rngs):
          from_text(f"{head}{i}/{attempt}", rng)  # (`attempt_rng`, inline, reseeding)
          picks.append((int(rng.random() * n_pool), i, rng))
        picks.sort(key=operator.itemgetter(0))  # the attempts on one table side by side
        staged = [(i, self._prepare(pool[t], rng)) for t, i, rng in picks]
        # The first statement of every attempt, back to back (`Executor.run_ahead`).
        firsts = iter(self.executor.run_ahead(
            [(st[7][0], st[2], st[7][1], st[6]) for _, st in staged if st is not None]))
        todo = []
        for i, st in staged:
          ex = None if st is None else self._finish(*st, next(firsts))  # (ahead)
          if ex is None:
            todo.append(i)
          else:
            done[i] = ex
        if not todo:
          break
      self._spare_rngs.append(rngs)
      for i in sorted(todo):
        done[i] = self._fallback(seed, split, i, pool)
      for i in range(c, min(stop, c + chunk)):
        yield done.pop(i)


_SKIP_HINTS = {
    "no_rows": "no row fits the token budget",
    "empty_columns": "every cell of the table is empty",
    "no_query": "no query shape fits the table's columns",
    "too_many_columns": "more columns than SQLite holds",
    "empty": "queries return nothing",
    "too_many": "more values than max_values",
    "null": "NULL in the result",
    "tie": "the answer depends on row order",
    "unsplittable": "an answer holds the separator ', '",
    "timeout": "over the SQLite step budget",
    "too_long": "the query does not fit max_input_length",
}


def _skip_summary(skips: collections.Counter) -> str:
  """'empty_columns x63 (every cell of the table is empty), ...', most common first."""
  if not skips:
    return "nothing counted"
  return ", ".join(f"{r} x{n}" + (f" ({_SKIP_HINTS[r]})" if r in _SKIP_HINTS else "")
                   for r, n in skips.most_common())


def build_example(seed: int, split: str, index: int, tables: Sequence[Table],
                  config: ExampleConfig | None = None) -> dict[str, Any]:
  """One example, from scratch (use an `ExampleBuilder` for many)."""
  return ExampleBuilder(tables, config).example(seed, split, index)


# --- table sources (moved to `symtune_jax.sql.table_sources`; re-exported) ----------
from symtune_jax.sql.table_sources import (  # noqa: E402,F401  pylint: disable=g-import-not-at-top,g-bad-import-order
    TABLE_SOURCES, TABLE_SUFFIXES, WTQ_ROOT_ENV, TableLoadStats, load_table_path,
    load_tables, skip_reason, uses_shipped_sample)
