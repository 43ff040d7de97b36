"""k-shot prompts that fit a token budget: shots are dropped until they fit.

Pure logic, shared by BBH and MMLU. The last shots are dropped first, so the
prompt keeps the same prefix as k shrinks (a deterministic choice; the shots
themselves are chosen by the caller).
"""

from __future__ import annotations

from typing import Callable, Sequence, TypeVar

from symtune_jax.lengths import LengthFn, approx_token_length

T = TypeVar("T")


def fit_shots(render: Callable[[Sequence[T]], str], shots: Sequence[T], budget: int,
              length_fn: LengthFn = approx_token_length) -> tuple[str, int]:
  """The prompt with the most leading shots whose length fits ``budget``.

  Example: 3 shots of ~100 tokens, query ~50, budget 260 -> the prompt with
  shots[:2] and k=2. With no shots fitting, the zero-shot prompt is returned
  (even if it is itself longer than the budget: the query is never cut here;
  SeqIO trims the features to the sequence length).

  Args:
    render: shots -> the whole prompt (shots, then the query).
    shots: candidate shots, in order of preference.
    budget: most tokens the prompt may take under ``length_fn``.
    length_fn: text -> tokens.

  Returns:
    (prompt, number of shots kept).
  """
  if budget <= 0:
    raise ValueError(f"budget must be positive, got {budget}")
  lo, hi = 0, len(shots)
  # Lengths grow with k, so bisect for the largest k that fits.
  if length_fn(render(shots[:hi])) <= budget:
    return render(shots[:hi]), hi
  while lo < hi - 1:
    mid = (lo + hi) // 2
    if length_fn(render(shots[:mid])) <= budget:
      lo = mid
    else:
      hi = mid
  return render(shots[:lo]), lo
