"""The symbol-tuning prompt builder: exemplars, remapped labels, formats, budget.

A prompt is k exemplars per class from a `LabelledSplit` (shuffled), then the
query, written in one `PromptFormat`. Labels are remapped per prompt: each
class gets a symbol drawn from a `SymbolPool` (or its natural-language name),
and the target is the query's class's string under the same mapping.

Tuning prompts (Wei et al. 2023): no instruction, 2..10 exemplars per class
(one count per prompt), a random format, symbols from the tuning pool.

Evaluation settings (`EVAL_SETTINGS`): instruction yes/no x natural-language
labels yes/no, symbols from the evaluation pool, k=4 per class, and
`flipped`: binary tasks with natural labels swapped in context; the target
follows the flipped mapping.

Length: `length_fn(text) -> tokens` is pluggable (default `approx_length`,
a chars/4 estimate for offline analysis only). Registered tasks use
`vocab_length_fn(vocab)`, the exact token count of the task vocabulary
(`byte_length` for a byte vocabulary; a cached encode for SentencePiece), with
a budget of the input length minus one for EOS. When a prompt exceeds
`max_length`, exemplars are dropped (from the class with most exemplars, the
longest first; at least one per class is kept), never the query. If it still
does not fit, `Prompt.fits` is False: callers skip such prompts and count
them, rather than let a later trim cut the query off.

Fall-back when a class has fewer exemplars than asked (a k larger than the
data): all of that class's exemplars are used; `Prompt.num_exemplars` shows
the real count. A class with none is an error at `make_split` time.

Every prompt is a pure function of its `numpy.random.Generator`; use
`example_rng(seed, split, index)` for per-example determinism.
"""

from __future__ import annotations

import dataclasses
import zlib
from collections.abc import Sequence

import numpy as np

from symtune_jax import lengths
from symtune_jax.errors import InputError
from symtune_jax.lengths import LengthFn
from symtune_jax.symbols import formats as formats_lib
from symtune_jax.symbols import pools
from symtune_jax.symbols.labelled import LabelledSplit, Record


ALL_FORMATS = tuple(f.name for f in formats_lib.FORMATS)
EVAL_SETTINGS = ("instr_nl", "instr_sym", "noinstr_nl", "noinstr_sym", "flipped")
EVAL_K = 4


# A cheap estimate where no vocabulary is given (the one of `symtune_jax.lengths`).
approx_length = lengths.approx_token_length
byte_length = lengths.byte_length
vocab_length_fn = lengths.vocab_length_fn


def split_id(split: str) -> int:
  """A stable integer for a split name (crc32; Python's `hash` is salted)."""
  return zlib.crc32(split.encode("utf-8"))


def example_rng(seed: int, split: str, index: int) -> np.random.Generator:
  """The generator of example `index` of `split` for `seed`."""
  return np.random.default_rng([seed, split_id(split), index])


@dataclasses.dataclass(frozen=True)
class PromptConfig:
  """What kind of prompt to build.

  Attributes:
    min_per_class: fewest exemplars per class (drawn per prompt).
    max_per_class: most exemplars per class.
    formats: names of the formats to choose from (uniformly, per prompt).
    pool: "tuning" or "evaluation" symbol pool (when `natural_labels` is False).
    natural_labels: use the dataset's label names instead of symbols.
    instruction: text put before the exemplars, or None.
    flipped: swap the two labels (binary tasks only, natural or symbol labels).
    max_length: input token budget, or None for no limit.
    length_fn: token counter for the budget.
  """
  min_per_class: int = 2
  max_per_class: int = 10
  formats: tuple[str, ...] = ALL_FORMATS
  pool: str = "tuning"
  natural_labels: bool = False
  instruction: str | None = None
  flipped: bool = False
  max_length: int | None = 2048
  length_fn: LengthFn = approx_length

  def __post_init__(self):
    if not 1 <= self.min_per_class <= self.max_per_class:
      raise InputError(f"need 1 <= min_per_class <= max_per_class, got {self.min_per_class}, "
                       f"{self.max_per_class}", field="per_class")
    if not self.formats:
      raise InputError("at least one prompt format is needed", field="formats")
    for f in self.formats:
      formats_lib.get_format(f)


def tuning_config(max_length: int | None = 2048, length_fn: LengthFn = approx_length,
                  ) -> PromptConfig:
  """Symbol tuning: no instruction, 2..10 per class, any format, tuning pool."""
  return PromptConfig(max_length=max_length, length_fn=length_fn)


def eval_config(setting: str, instruction: str | None, *, k: int = EVAL_K,
                fmt: str = "input_output", max_length: int | None = 2048,
                length_fn: LengthFn = approx_length) -> PromptConfig:
  """One of `EVAL_SETTINGS`: k per class, one fixed format, evaluation pool.

  `instr_*` settings need an `instruction`; `*_nl` use label names; `*_sym`
  use evaluation-pool symbols; `flipped` uses label names, swapped, and no
  instruction.
  """
  if setting not in EVAL_SETTINGS:
    raise InputError(f"unknown evaluation setting {setting!r}; expected one of {EVAL_SETTINGS}",
                     field="setting")
  with_instruction = setting.startswith("instr_")
  if with_instruction and not instruction:
    raise InputError(f"setting {setting!r} needs an instruction for the dataset",
                     field="instruction")
  return PromptConfig(
      min_per_class=k, max_per_class=k, formats=(fmt,), pool="evaluation",
      natural_labels=setting.endswith("_nl") or setting == "flipped",
      instruction=instruction if with_instruction else None,
      flipped=setting == "flipped", max_length=max_length, length_fn=length_fn)


@dataclasses.dataclass(frozen=True)
class Prompt:
  """A built prompt.

  Attributes:
    inputs: the model input.
    targets: the string of the query's class under this prompt's mapping.
    label: the query's true class index.
    label_strings: the string each class index is written as in context
      (after flipping), so an output string maps back to a class.
    format_name: the format used.
    num_exemplars: exemplars kept in the prompt.
    num_dropped: exemplars dropped to fit the budget.
    fits: False when the prompt exceeds the budget even with one exemplar per
      class (callers skip it).
  """
  inputs: str
  targets: str
  label: int
  label_strings: tuple[str, ...]
  format_name: str
  num_exemplars: int
  num_dropped: int
  fits: bool


def _sample_distinct(rng: np.random.Generator, pop: int, n: int, exclude: int) -> np.ndarray:
  """`n` distinct positions in range(pop), avoiding position `exclude` (-1: none)."""
  avail = pop - (0 <= exclude < pop)
  n = min(n, avail)
  if n * 4 < avail:
    picked: dict[int, None] = {}
    while len(picked) < n:
      for x in rng.integers(pop, size=n - len(picked)).tolist():
        if x != exclude:
          picked.setdefault(x, None)
    return np.fromiter(picked, dtype=np.int64, count=len(picked))[:n]
  perm = rng.permutation(pop)
  if exclude >= 0:
    perm = perm[perm != exclude]
  return perm[:n]


def label_strings_for(data: LabelledSplit, rng: np.random.Generator,
                      config: PromptConfig) -> tuple[str, ...]:
  """The string of each class in context: symbols or names, flipped if asked.

  Example (flipped, natural): ("not-hate", "hate") -> ("hate", "not-hate").
  """
  if config.natural_labels:
    strings = data.label_names
  else:
    strings = pools.get_pool(config.pool).sample(rng, data.num_classes)
  if config.flipped:
    if data.num_classes != 2:
      raise InputError(f"flipped labels need a binary task; {data.name!r} has "
                       f"{data.num_classes} classes", field="label_names")
    strings = (strings[1], strings[0])
  return tuple(strings)


def build_prompt(data: LabelledSplit, query: Record, rng: np.random.Generator,
                 config: PromptConfig, *, exclude: int = -1) -> Prompt:
  """Builds one prompt.

  Example (tuning, format input_output, symbols ("4821", "QF")):
    exemplars [("great film", 1), ("dull", 0), ...], query ("loved it", 1) ->
    inputs  "Input: dull\nOutput: 4821\n\nInput: great film\nOutput: QF\n\n...
             Input: loved it\nOutput:"
    targets "QF"

  Args:
    data: where exemplars come from.
    query: the record to classify (must use `data`'s fields and label names).
    rng: the prompt's generator (see `example_rng`).
    config: the kind of prompt.
    exclude: index into `data.records` never used as an exemplar (the query's
      own index when it comes from `data`); -1 for none.

  Returns:
    The `Prompt`.
  """
  if not 0 <= query.label < data.num_classes:
    raise InputError(f"query label {query.label} is not among the {data.num_classes} labels of "
                     f"{data.name!r}", field="label")
  # Exemplars are drawn before labels and format, so the settings of one
  # dataset (natural labels or symbols) see the same exemplars for one seed.
  n = int(rng.integers(config.min_per_class, config.max_per_class + 1))

  chosen: list[tuple[int, int]] = []  # (class, record index)
  for c, members in enumerate(data.by_class):
    excl = -1
    if exclude >= 0 and data.records[exclude].label == c:
      hits = np.flatnonzero(members == exclude)
      excl = int(hits[0]) if len(hits) else -1
    for pos in _sample_distinct(rng, len(members), n, excl).tolist():
      chosen.append((c, int(members[pos])))
  order = rng.permutation(len(chosen))
  chosen = [chosen[i] for i in order]
  fmt = formats_lib.get_format(config.formats[int(rng.integers(len(config.formats)))])
  strings = label_strings_for(data, rng, config)
  names = tuple(formats_lib.display_name(f) for f in data.text_fields)

  blocks = [fmt.render_exemplar(fmt.render_input(data.records[i].fields, names), strings[c])
            for c, i in chosen]
  query_block = fmt.render_query(fmt.render_input(query.fields, names))
  head = [config.instruction] if config.instruction else []
  keep = [True] * len(blocks)
  dropped = 0
  fits = True
  if config.max_length is not None:
    length = config.length_fn
    # Estimates from parts (exact for additive counts such as bytes); the
    # whole prompt is measured below, so a non-additive count stays exact.
    query_cost = length(query_block)
    sep_cost = 0
    if blocks:
      sep_cost = max(0, length(blocks[0] + fmt.example_sep + query_block)
                     - length(blocks[0]) - query_cost)
    sizes = [length(b) + sep_cost for b in blocks]
    fixed = query_cost + sum(length(h + "\n\n") for h in head)
    total = fixed + sum(sizes)
    # Drop order per class: longest first, ties by position (built lazily:
    # most prompts fit as drawn).
    order: list[list[int]] = []
    kept = [0] * data.num_classes

    def drop_one() -> bool:
      nonlocal total, dropped
      if not order:
        for c in range(data.num_classes):
          order.append(sorted((j for j, (cj, _) in enumerate(chosen) if cj == c),
                              key=lambda j: -sizes[j]))
          kept[c] = len(order[c])
      c_max = max(range(data.num_classes), key=kept.__getitem__)
      if kept[c_max] <= 1:
        return False
      j = order[c_max][len(order[c_max]) - kept[c_max]]
      keep[j] = False
      kept[c_max] -= 1
      total -= sizes[j]
      dropped += 1
      return True

    while total > config.max_length and drop_one():
      pass
    inputs = _join(fmt, head, blocks, keep, query_block)
    while length(inputs) > config.max_length:
      if not drop_one():
        fits = False
        break
      inputs = _join(fmt, head, blocks, keep, query_block)
  else:
    inputs = _join(fmt, head, blocks, keep, query_block)
  return Prompt(inputs=inputs, targets=strings[query.label], label=query.label,
                label_strings=strings, format_name=fmt.name,
                num_exemplars=len(blocks) - dropped, num_dropped=dropped, fits=fits)


def _join(fmt: formats_lib.PromptFormat, head: Sequence[str], blocks: Sequence[str],
          keep: Sequence[bool], query_block: str) -> str:
  parts = [b for b, k in zip(blocks, keep) if k]
  parts.append(query_block)
  body = fmt.example_sep.join(parts)
  return "\n\n".join([*head, body]) if head else body
