"""Input-pipeline throughput: a mixture's get_dataset through T5X's feature converter.

    python benchmarks/input_pipeline.py                      # symtune_wtq_insta_mix
    python benchmarks/input_pipeline.py --mixture symtune_sql_execution_v1 --seconds 30

Builds ``seqio.get_dataset(mixture, ...)`` with ``seqio.EncDecFeatureConverter``
(what T5X's ``utils.get_dataset`` uses for encoder-decoder models) at the paper's
lengths (2048 inputs / 128 targets, packed), on CPU, batch 1 rows, and reports
packed rows/s, source examples/s and non-padding tokens/s after a warm-up.

Accelerator consumption it is compared with (printed): Flan-T5 XL fine-tuning
(N = 2.85e9 parameters, about half in the encoder and half in the decoder)
costs ~6 * N/2 FLOPs per input token and per target token, so a packed
2048 + 128 row costs 3 * N * 2176 = 1.86e13 FLOPs. One H100 (989 TFLOP/s dense
bf16) at 40% MFU then consumes ~21 rows/s (~45k tokens/s). The goal is a
pipeline that feeds >= 10x that from the host's CPUs.

Vocabulary: the one the tasks use (``$SYMTUNE_VOCAB``; this script defaults it
to ``byte``, which needs no files; bytes give ~4x more tokens per example than
the T5 SentencePiece model, so example rates here are pessimistic).
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("SYMTUNE_VOCAB", "byte")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

FLAN_T5_XL_PARAMS = 2.85e9
H100_PEAK_FLOPS = 989e12
MFU = 0.40


def accelerator_rows_per_second(inputs: int, targets: int) -> float:
  """Packed rows/s one H100 consumes fine-tuning Flan-T5 XL (see module docstring)."""
  flops_per_row = 6 * (FLAN_T5_XL_PARAMS / 2) * (inputs + targets)
  return MFU * H100_PEAK_FLOPS / flops_per_row


def main() -> None:
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--mixture", default="symtune_wtq_insta_mix")
  parser.add_argument("--split", default="train")
  parser.add_argument("--inputs", type=int, default=2048)
  parser.add_argument("--targets", type=int, default=128)
  parser.add_argument("--no-pack", action="store_true")
  parser.add_argument("--warmup", type=int, default=20, help="rows before timing")
  parser.add_argument("--seconds", type=float, default=20.0, help="timed duration")
  args = parser.parse_args()

  import numpy as np  # pylint: disable=g-import-not-at-top
  import seqio  # pylint: disable=g-import-not-at-top
  from symtune_jax.tasks.mixtures import require_mixture  # pylint: disable=g-import-not-at-top

  require_mixture(args.mixture)  # registers everything; clear error for a bad name
  lengths = {"inputs": args.inputs, "targets": args.targets}
  converter = seqio.EncDecFeatureConverter(pack=not args.no_pack)
  t0 = time.perf_counter()
  ds = seqio.get_dataset(args.mixture, task_feature_lengths=lengths,
                         dataset_split=args.split, shuffle=True, seed=0, num_epochs=None,
                         feature_converter=converter)
  it = ds.as_numpy_iterator()
  for _ in range(args.warmup):
    next(it)
  built = time.perf_counter() - t0
  rows = examples = tokens = 0
  start = time.perf_counter()
  while time.perf_counter() - start < args.seconds:
    row = next(it)
    rows += 1
    if "encoder_segment_ids" in row:
      examples += int(row["encoder_segment_ids"].max())
    else:
      examples += 1
    tokens += int(np.count_nonzero(row["encoder_input_tokens"]) +
                  np.count_nonzero(row["decoder_target_tokens"]))
  elapsed = time.perf_counter() - start
  need = accelerator_rows_per_second(args.inputs, args.targets)
  rate = rows / elapsed
  print(f"mixture {args.mixture} split {args.split}, lengths {lengths}, "
        f"pack={not args.no_pack}, vocab={os.environ['SYMTUNE_VOCAB']}, "
        f"CPUs available {len(os.sched_getaffinity(0))}")
  print(f"pipeline built + {args.warmup} warm-up rows in {built:.1f}s; timed {elapsed:.1f}s")
  print(f"rows/s {rate:.1f}   examples/s {examples / elapsed:.1f}   "
        f"tokens/s {tokens / elapsed:,.0f}   (examples per packed row "
        f"{examples / max(rows, 1):.2f})")
  print(f"accelerator consumption (Flan-T5 XL, one H100, {MFU:.0%} MFU): {need:.1f} rows/s")
  print(f"ratio: {rate / need:.1f}x  (goal >= 10x: {'met' if rate >= 10 * need else 'NOT met'})")


if __name__ == "__main__":
  main()
