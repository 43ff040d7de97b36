"""Algorithmic symbolic tasks: list functions and binary-string concepts.

List functions (in the spirit of BIG-bench List Functions): a small DSL of
list-to-list functions over lists of integers 0..99 (filters, maps,
take/drop, sort, reverse, count, ...) and pipelines of two. A prompt shows k
input/output pairs of a hidden function and asks for the output on a new
input.

Binary concepts (in the spirit of Simple Turing Concepts): a hidden rule
classifies binary strings (contains "011", starts with "1", has an even
number of 1s, ... and their conjunctions/disjunctions); k labelled examples
per class are shown, labels remapped to symbols, and the model names the label
of a new string.

Both catalogues are deduplicated by behaviour on fixed probe inputs, and split
into tuning and evaluation sets by a stable hash of each behaviour class's
canonical name, so no evaluation function/rule behaves like a tuning one on
the probes. Catalogues are built lazily and cached.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import zlib
from collections.abc import Callable, Sequence

import numpy as np

from symtune_jax.errors import InputError
from symtune_jax.symbols import formats as formats_lib
from symtune_jax.symbols import pools

EVAL_BUCKETS = 4  # one behaviour class in 4 goes to evaluation
MAX_VALUE = 99


def _is_eval(name: str) -> bool:
  return zlib.crc32(name.encode("utf-8")) % EVAL_BUCKETS == 0


# ---------------------------------------------------------------- list functions

ListFn = Callable[[list[int]], list[int]]


@dataclasses.dataclass(frozen=True)
class ListFunction:
  """A named list-to-list function; `name` reads as a pipeline ("sort | take(3)")."""
  name: str
  fn: ListFn

  def __call__(self, xs: Sequence[int]) -> list[int]:
    return self.fn(list(xs))


def _dedupe(xs: list[int]) -> list[int]:
  return list(dict.fromkeys(xs))


def _primitives() -> list[ListFunction]:
  p: list[ListFunction] = [
      ListFunction("reverse", lambda xs: xs[::-1]),
      ListFunction("sort", sorted),
      ListFunction("sort_desc", lambda xs: sorted(xs, reverse=True)),
      ListFunction("unique", _dedupe),
      ListFunction("count", lambda xs: [len(xs)]),
      ListFunction("sum", lambda xs: [sum(xs)]),
      ListFunction("first", lambda xs: xs[:1]),
      ListFunction("last", lambda xs: xs[-1:]),
      ListFunction("max", lambda xs: [max(xs)] if xs else []),
      ListFunction("min", lambda xs: [min(xs)] if xs else []),
      ListFunction("rotate_left", lambda xs: xs[1:] + xs[:1]),
      ListFunction("rotate_right", lambda xs: xs[-1:] + xs[:-1]),
      ListFunction("repeat_each", lambda xs: [x for x in xs for _ in (0, 1)]),
      ListFunction("filter_even", lambda xs: [x for x in xs if x % 2 == 0]),
      ListFunction("filter_odd", lambda xs: [x for x in xs if x % 2 == 1]),
      ListFunction("mod_10", lambda xs: [x % 10 for x in xs]),
      ListFunction("div_10", lambda xs: [x // 10 for x in xs]),
  ]
  for n in (1, 2, 3, 4):
    p.append(ListFunction(f"take({n})", lambda xs, n=n: xs[:n]))
    p.append(ListFunction(f"drop({n})", lambda xs, n=n: xs[n:]))
    p.append(ListFunction(f"element({n + 1})", lambda xs, n=n: xs[n:n + 1]))
  for t in (20, 50, 80):
    p.append(ListFunction(f"filter_gt({t})", lambda xs, t=t: [x for x in xs if x > t]))
    p.append(ListFunction(f"filter_lt({t})", lambda xs, t=t: [x for x in xs if x < t]))
  for c in (1, 2, 3, 5, 10):
    p.append(ListFunction(f"add({c})", lambda xs, c=c: [x + c for x in xs]))
  for c in (2, 3):
    p.append(ListFunction(f"mul({c})", lambda xs, c=c: [x * c for x in xs]))
  for c in (0, 7):
    p.append(ListFunction(f"append({c})", lambda xs, c=c: xs + [c]))
    p.append(ListFunction(f"prepend({c})", lambda xs, c=c: [c] + xs))
  return p


def _compose(f: ListFunction, g: ListFunction) -> ListFunction:
  return ListFunction(f"{f.name} | {g.name}", lambda xs: g.fn(f.fn(xs)))


def random_list(rng: np.random.Generator, min_len: int = 1, max_len: int = 10) -> list[int]:
  """A list of `min_len..max_len` integers in 0..99."""
  n = int(rng.integers(min_len, max_len + 1))
  return rng.integers(0, MAX_VALUE + 1, size=n).tolist()


def _probe_lists() -> list[list[int]]:
  rng = np.random.default_rng(20230301)
  return [random_list(rng, 0, 10) for _ in range(32)] + [[5, 5, 5], [1, 2, 3, 4, 5, 6]]


@functools.cache
def list_function_catalogue() -> tuple[tuple[ListFunction, ...], tuple[ListFunction, ...]]:
  """(tuning functions, evaluation functions): behaviour-distinct, disjoint.

  Functions that are the identity, constant, or mostly empty on the probes
  are left out.
  """
  prims = _primitives()
  candidates = prims + [_compose(f, g) for f, g in itertools.permutations(prims, 2)]
  probes = _probe_lists()
  groups: dict[tuple, ListFunction] = {}
  for fn in candidates:
    outs = tuple(tuple(fn(x)) for x in probes)
    if len(set(outs)) == 1 or all(o == tuple(x) for o, x in zip(outs, probes)):
      continue
    if sum(1 for o in outs if o) < len(outs) // 2:
      continue
    if outs not in groups:  # primitives come first: the simplest name represents the group
      groups[outs] = fn
  tuning = tuple(f for f in groups.values() if not _is_eval(f.name))
  evaluation = tuple(f for f in groups.values() if _is_eval(f.name))
  return tuning, evaluation


def format_list(xs: Sequence[int]) -> str:
  """Example: [3, 1] -> "[3, 1]" (BIG-bench's list syntax)."""
  return "[" + ", ".join(str(x) for x in xs) + "]"


@dataclasses.dataclass(frozen=True)
class AlgorithmicPrompt:
  """A built prompt: model input, target, and the hidden rule's name."""
  inputs: str
  targets: str
  rule: str
  format_name: str


def list_function_prompt(fn: ListFunction, rng: np.random.Generator, k: int,
                         fmt: formats_lib.PromptFormat) -> AlgorithmicPrompt:
  """k input/output pairs of `fn`, then a new input.

  Example (k=2, q_a, fn=sort):
    "Q: [3, 1]\nA: [1, 3]\n\nQ: [9, 2, 5]\nA: [2, 5, 9]\n\nQ: [4, 0]\nA:" -> "[0, 4]"
  """
  if k < 1:
    raise InputError(f"k must be >= 1, got {k}", field="k")
  inputs: list[list[int]] = []
  seen: set[tuple[int, ...]] = set()
  while len(inputs) < k + 1:
    xs = random_list(rng)
    if tuple(xs) not in seen:
      seen.add(tuple(xs))
      inputs.append(xs)
  blocks = [fmt.render_exemplar(format_list(x), format_list(fn(x))) for x in inputs[:k]]
  blocks.append(fmt.render_query(format_list(inputs[k])))
  return AlgorithmicPrompt(fmt.example_sep.join(blocks), format_list(fn(inputs[k])), fn.name,
                           fmt.name)


# ---------------------------------------------------------------- binary concepts

Predicate = Callable[[str], bool]


@dataclasses.dataclass(frozen=True)
class Concept:
  """A named predicate over binary strings."""
  name: str
  fn: Predicate

  def __call__(self, s: str) -> bool:
    return bool(self.fn(s))


def _concept_primitives() -> list[Concept]:
  c: list[Concept] = []
  for n in (2, 3):
    for bits in itertools.product("01", repeat=n):
      sub = "".join(bits)
      c.append(Concept(f"contains({sub})", lambda s, sub=sub: sub in s))
  for n in (1, 2):
    for bits in itertools.product("01", repeat=n):
      sub = "".join(bits)
      c.append(Concept(f"starts({sub})", lambda s, sub=sub: s.startswith(sub)))
      c.append(Concept(f"ends({sub})", lambda s, sub=sub: s.endswith(sub)))
  c += [
      Concept("even_ones", lambda s: s.count("1") % 2 == 0),
      Concept("even_zeros", lambda s: s.count("0") % 2 == 0),
      Concept("more_ones", lambda s: s.count("1") > s.count("0")),
      Concept("more_zeros", lambda s: s.count("0") > s.count("1")),
      Concept("even_length", lambda s: len(s) % 2 == 0),
      Concept("palindrome", lambda s: s == s[::-1]),
      Concept("alternating", lambda s: all(a != b for a, b in zip(s, s[1:]))),
      Concept("same_ends", lambda s: s[:1] == s[-1:]),
  ]
  for n in (4, 6):
    c.append(Concept(f"longer_than({n})", lambda s, n=n: len(s) > n))
  for n in (2, 3, 4):
    c.append(Concept(f"ones_at_least({n})", lambda s, n=n: s.count("1") >= n))
  for r in (0, 1):
    c.append(Concept(f"ones_mod3({r})", lambda s, r=r: s.count("1") % 3 == r))
  return c


def random_bits(rng: np.random.Generator, min_len: int = 1, max_len: int = 10) -> str:
  """A uniformly random binary string of `min_len..max_len` characters."""
  n = int(rng.integers(min_len, max_len + 1))
  return "".join("1" if b else "0" for b in rng.integers(0, 2, size=n).tolist())


@functools.cache
def concept_catalogue() -> tuple[tuple[Concept, ...], tuple[Concept, ...]]:
  """(tuning concepts, evaluation concepts): behaviour-distinct, disjoint, balanced.

  Kept concepts have a positive rate in [0.2, 0.8] on the probe strings
  (all strings of length 1..8), so balanced prompts are quick to sample.
  """
  prims = _concept_primitives()
  candidates = list(prims)
  for a, b in itertools.combinations(prims, 2):
    candidates.append(Concept(f"{a.name} and {b.name}", lambda s, a=a, b=b: a.fn(s) and b.fn(s)))
    candidates.append(Concept(f"{a.name} or {b.name}", lambda s, a=a, b=b: a.fn(s) or b.fn(s)))
  probes = ["".join(bits) for n in range(1, 9) for bits in itertools.product("01", repeat=n)]
  groups: dict[tuple, Concept] = {}
  for c in candidates:
    sig = tuple(c.fn(s) for s in probes)
    rate = sum(sig) / len(sig)
    if not 0.2 <= rate <= 0.8:
      continue
    neg = tuple(not x for x in sig)  # a rule and its negation are the same task
    key = min(sig, neg)
    if key not in groups:
      groups[key] = c
  tuning = tuple(c for c in groups.values() if not _is_eval(c.name))
  evaluation = tuple(c for c in groups.values() if _is_eval(c.name))
  return tuning, evaluation


def concept_prompt(concept: Concept, rng: np.random.Generator, k: int,
                   fmt: formats_lib.PromptFormat, pool: pools.SymbolPool,
                   max_tries: int = 10_000) -> tuple[AlgorithmicPrompt, tuple[str, str], int]:
  """k labelled strings per class (shuffled), then a new string.

  Example (k=1, input_output, symbols ("AB", "731") for (False, True)):
    "Input: 0110\nOutput: 731\n\nInput: 000\nOutput: AB\n\nInput: 1011\nOutput:" -> "731"

  Returns:
    (prompt, the symbol of class False and of class True, the query's class).

  Raises:
    InputError: if balanced examples cannot be found within `max_tries`.
  """
  if k < 1:
    raise InputError(f"k must be >= 1, got {k}", field="k")
  symbols = pool.sample(rng, 2)
  query_class = int(rng.integers(2))
  need = [k, k]
  need[query_class] += 1
  found: list[list[str]] = [[], []]
  seen: set[str] = set()
  for _ in range(max_tries):
    if need[0] == 0 and need[1] == 0:
      break
    s = random_bits(rng)
    if s in seen:
      continue
    c = int(concept(s))
    if need[c]:
      seen.add(s)
      found[c].append(s)
      need[c] -= 1
  if need[0] or need[1]:
    raise InputError(f"could not sample {k} examples per class of concept {concept.name!r}",
                     field="k")
  query = found[query_class].pop()
  shots = [(s, c) for c in (0, 1) for s in found[c]]
  order = rng.permutation(len(shots))
  blocks = [fmt.render_exemplar(shots[i][0], symbols[shots[i][1]]) for i in order]
  blocks.append(fmt.render_query(query))
  prompt = AlgorithmicPrompt(fmt.example_sep.join(blocks), symbols[query_class], concept.name,
                             fmt.name)
  return prompt, (symbols[0], symbols[1]), query_class
