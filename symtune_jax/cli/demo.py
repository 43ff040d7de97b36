"""`symtune demo`: the main job on shipped data, on a fresh machine, in minutes.

    symtune demo --out demo_out

1. generates a small SQL-execution sample from the shipped WTQ tables
   (``symtune generate sql``) into ``OUT/sql``;
2. builds the WTQ-targeted mixture ``symtune_wtq_insta_mix`` (SQL execution +
   the instruction tasks INSTA selected for WTQ + symbol tuning; from the
   rates file ``mixtures/wtq_insta.json``) and inspects it like ``symtune
   inspect``: ``OUT/inspect.txt``, ``OUT/inspect.json``, ``OUT/mixture.png``;
3. with T5X installed, fine-tunes a tiny byte-level T5 on it on CPU
   (``gin_configs/experiments/smoke_cpu.gin``, ``--train-steps`` steps, 200 by
   default: a few CPU minutes, long enough for the loss to fall clearly), plots
   the training loss from T5X's summaries (``MODEL_DIR/train`` event files) to
   ``OUT/loss.png``, evaluates the checkpoint on WTQ questions
   (``smoke_cpu_eval.gin``), prints the eval metrics and scores the outputs
   with ``symtune score``; without T5X it says so and prints the exact T5X commands. Each
   T5X launch is checked first with ``symtune_jax.gin_check`` (macros,
   checkpoint and vocabulary paths, vocabulary match), so a bad path stops
   with a message naming it instead of a traceback from inside T5X. T5X's
   output goes to ``OUT/train.log`` and ``OUT/eval.log``, written atomically:
   each log appears when its step ends (on failure too); to follow a run
   live, run the printed commands yourself.

Offline by default: unless the ``vocab`` setting is given (``$SYMTUNE_VOCAB``),
the demo uses the byte vocabulary (the T5 SentencePiece model lives on GCS);
the smoke Gin files set ``symtune.settings.vocab = 'byte'`` and their lengths
themselves, so the T5X commands need no environment.
"""

from __future__ import annotations

import glob
import importlib.util
import json
import os
import shlex
import subprocess
import sys
import time

from symtune_jax import settings
from symtune_jax.errors import SymtuneError
from symtune_jax.files import atomic_open

MIXTURE = "symtune_wtq_insta_mix"
EVAL_TASK = "symtune_eval_wtq_qa_v1"
SMOKE_INPUT_LENGTH = 512  # smoke_cpu*.gin's INPUTS_LENGTH
# The demo's training run: long enough that the loss clearly falls on CPU.
TRAIN_STEPS = 200
BATCH_SIZE = 8
STATS_PERIOD = 10  # steps between T5X's train summaries (the loss curve's points)
LOSS_TAG = "loss_per_nonpadding_target_token"


def add_parser(subparsers) -> None:
  p = subparsers.add_parser(
      "demo", help="the main job on the shipped sample: build and inspect a WTQ-targeted "
      "mixture, tiny T5X run when T5X is installed", description=__doc__.splitlines()[0])
  p.add_argument("--out", default="demo_out", help="output folder (default demo_out)")
  p.add_argument("--num-sql", type=int, default=200,
                 help="SQL-execution examples to generate (default 200)")
  p.add_argument("--num-examples", type=int, default=20,
                 help="examples sampled per component for statistics (default 20)")
  p.add_argument("--train-steps", type=int, default=TRAIN_STEPS,
                 help=f"T5X training steps (default {TRAIN_STEPS}; a multiple of "
                 f"{STATS_PERIOD} gives a point per {STATS_PERIOD} steps)")
  p.add_argument("--skip-t5x", action="store_true", help="stop after inspecting")
  p.set_defaults(func=run)


def _step(title: str) -> None:
  print(f"\n=== {title}", flush=True)


def build_mixture() -> str:
  """``symtune_wtq_insta_mix`` if its rates file registered it, else a fallback."""
  import seqio  # pylint: disable=g-import-not-at-top
  from symtune_jax.inspection import register_all_tasks  # pylint: disable=g-import-not-at-top
  from symtune_jax.tasks import mixtures  # pylint: disable=g-import-not-at-top
  register_all_tasks()
  if MIXTURE in seqio.MixtureRegistry.names():
    return MIXTURE
  print(f"{MIXTURE} is not registered (no symtune_jax/mixtures/wtq_insta.json?); using "
        f"{mixtures.DEMO_FALLBACK_MIXTURE} (SQL execution + symbol tuning)")
  return mixtures.demo_fallback_mixture()


def t5x_commands(repo: str, out: str, mixture: str,
                 train_steps: int = TRAIN_STEPS) -> list[list[str]]:
  """The T5X train and eval commands of the demo run, then the score command.

  Training overrides the smoke config's 4 steps: ``train_steps`` steps of
  batch `BATCH_SIZE`, a train summary every `STATS_PERIOD` steps, one
  checkpoint and one inference eval at the end.
  """
  del repo  # the commands run from the repository root
  if train_steps < 1:
    raise SymtuneError(f"--train-steps {train_steps}: expected >= 1")
  model_dir = os.path.join(os.path.abspath(out), "t5x_smoke")
  py = sys.executable
  stats = min(STATS_PERIOD, train_steps)
  return [
      [py, "-m", "t5x.train", "--gin_search_paths=.",
       "--gin_file=gin_configs/experiments/smoke_cpu.gin",
       f"--gin.MIXTURE_OR_TASK_NAME='{mixture}'", f"--gin.MODEL_DIR='{model_dir}'",
       f"--gin.TRAIN_STEPS={train_steps}", f"--gin.BATCH_SIZE={BATCH_SIZE}",
       f"--gin.EVAL_PERIOD={train_steps}",
       f"--gin.utils.SaveCheckpointConfig.period={train_steps}",
       f"--gin.train.stats_period={stats}"],
      [py, "-m", "t5x.eval", "--gin_search_paths=.",
       "--gin_file=gin_configs/experiments/smoke_cpu_eval.gin",
       f"--gin.CHECKPOINT_PATH='{model_dir}/checkpoint_{train_steps}'",
       f"--gin.EVAL_OUTPUT_DIR='{model_dir}/eval'"],
      ["symtune", "score", f"{model_dir}/eval/inference_eval"],
  ]


def read_loss_curve(model_dir: str, tag: str = LOSS_TAG) -> list[tuple[int, float]]:
  """``[(step, loss), ...]`` from T5X's train summaries (``MODEL_DIR/train`` event files).

  T5X writes each scalar as a tensor summary, averaged over the steps since the
  previous summary; ``loss_per_nonpadding_target_token`` is the loss per
  target token (comparable across batches, unlike the summed ``loss``).
  """
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  # pylint: disable-next=g-import-not-at-top
  from tensorboard.backend.event_processing import event_accumulator
  train_dir = os.path.join(model_dir, "train")
  if not os.path.isdir(train_dir):
    raise SymtuneError(f"no T5X train summaries in {train_dir}")
  acc = event_accumulator.EventAccumulator(
      train_dir, size_guidance={event_accumulator.TENSORS: 0, event_accumulator.SCALARS: 0})
  acc.Reload()
  tags = acc.Tags()
  if tag in tags.get("tensors", []):
    points = {e.step: float(tf.make_ndarray(e.tensor_proto)) for e in acc.Tensors(tag)}
  elif tag in tags.get("scalars", []):
    points = {e.step: float(e.value) for e in acc.Scalars(tag)}
  else:
    raise SymtuneError(f"no {tag!r} summary in {train_dir}")
  return sorted(points.items())


def plot_loss_curve(curve: list[tuple[int, float]], path: str, title: str) -> None:
  """Writes the loss curve as a PNG (atomically)."""
  import matplotlib  # pylint: disable=g-import-not-at-top
  matplotlib.use("Agg")
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  fig, ax = plt.subplots(figsize=(6, 3.5))
  ax.plot([s for s, _ in curve], [v for _, v in curve], marker="o", markersize=3)
  ax.set_xlabel("training step")
  ax.set_ylabel("loss per target token")
  ax.set_title(title, fontsize=9)
  ax.grid(alpha=0.3)
  fig.tight_layout()
  with atomic_open(path, "wb") as f:
    fig.savefig(f, format="png", dpi=100)
  plt.close(fig)


def eval_metrics(eval_dir: str) -> dict[str, dict[str, float]]:
  """``{task: {metric: value}}``: the last line of each ``*-metrics.jsonl`` T5X wrote."""
  out = {}
  for path in sorted(glob.glob(os.path.join(eval_dir, "inference_eval", "*-metrics.jsonl"))):
    with open(path, encoding="utf-8") as f:
      lines = [l for l in f.read().splitlines() if l.strip()]
    if lines:
      last = json.loads(lines[-1])
      task = os.path.basename(path)[:-len("-metrics.jsonl")]
      out[task] = {k: v for k, v in last.items() if isinstance(v, (int, float))}
  return out


def _report_training(model_dir: str, out: str) -> None:
  curve = read_loss_curve(model_dir)
  png = os.path.join(out, "loss.png")
  (s0, l0), (s1, l1) = curve[0], curve[-1]
  plot_loss_curve(curve, png, f"symtune demo: tiny T5 on CPU ({LOSS_TAG})")
  print(f"  loss per target token: {l0:.3f} at step {s0} -> {l1:.3f} at step {s1} "
        f"({len(curve)} summaries); wrote {png}", flush=True)


def _report_eval(eval_dir: str) -> None:
  metrics = eval_metrics(eval_dir)
  if not metrics:
    print(f"  no metrics found under {eval_dir}/inference_eval")
  for task, values in metrics.items():
    shown = ", ".join(f"{k}={v:.4g}" for k, v in sorted(values.items()) if k != "step")
    print(f"  eval {task}: {shown}", flush=True)


def check_command(cmd: list[str]) -> list[str]:
  """The `python -m symtune_jax.gin_check` line that checks a T5X command first."""
  return [sys.executable, "-m", "symtune_jax.gin_check"] + [
      c for c in cmd[3:] if c.startswith(("--gin_file=", "--gin."))]


def launch_problems(cmd: list[str], repo: str, vocab_spec: str | None = None) -> list[str]:
  """`gin_check.check_launch` on a T5X command (files relative to ``repo``)."""
  from symtune_jax import gin_check  # pylint: disable=g-import-not-at-top
  files = [os.path.join(repo, c.split("=", 1)[1]) for c in cmd
           if c.startswith("--gin_file=")]
  overrides = [gin_check.parse_override(c) for c in cmd if c.startswith("--gin.")]
  return gin_check.check_launch(files, overrides, vocab_spec=vocab_spec).problems


def format_command(cmd: list[str]) -> str:
  """A command as a shell line: --gin.X='v' is shown as --gin.X="'v'"; python as `python`."""
  first = "python" if os.path.basename(cmd[0]).startswith("python") else cmd[0]
  out = []
  for c in [first] + cmd[1:]:
    name, sep, value = c.partition("=")
    if c.startswith("--gin.") and sep:
      out.append(f'{name}="{value}"')
    else:
      out.append(shlex.quote(c))
  return " ".join(out)


def _env() -> dict[str, str]:
  """The environment of `symtune score`: the smoke run's inputs length (as its Gin sets)."""
  return settings.child_env(inputs_length=SMOKE_INPUT_LENGTH)


def run(args) -> int:
  """The demo, with the smoke run's settings (byte vocabulary unless set, inputs 512)."""
  vocab = None
  if settings.resolve("vocab")[1] == "default":
    vocab = "byte"
    print("SYMTUNE_VOCAB is unset: using the byte vocabulary (offline). With the T5 "
          "SentencePiece model reachable, set SYMTUNE_VOCAB=t5.")
  with settings.override(vocab=vocab, inputs_length=SMOKE_INPUT_LENGTH):
    return _run(args)


def _run(args) -> int:
  from symtune_jax import gin_check  # pylint: disable=g-import-not-at-top
  from symtune_jax import inspection as inspect_cmd  # pylint: disable=g-import-not-at-top
  from symtune_jax.cli import main as cli_main  # pylint: disable=g-import-not-at-top
  # pylint: disable-next=g-import-not-at-top
  from symtune_jax.files import atomic_open, atomic_write_json, atomic_write_text
  start = time.time()
  out = args.out
  os.makedirs(out, exist_ok=True)

  _step(f"1/3 generate {args.num_sql} SQL-execution examples from the shipped WTQ tables")
  sql_out = os.path.join(out, "sql")
  rc = cli_main.main(["generate", "sql", "--num", str(args.num_sql), "--out", sql_out,
                      "--format", "jsonl", "--no-progress", "--overwrite"])
  if rc != 0:
    raise SymtuneError(f"symtune generate sql failed (exit {rc})")

  _step("2/3 build and inspect the WTQ-targeted mixture")
  mixture = build_mixture()
  report = inspect_cmd.inspect_provider(mixture, "train", args.num_examples, show=3)
  text = inspect_cmd.format_report(report)
  print(text)
  atomic_write_text(os.path.join(out, "inspect.txt"), text + "\n")
  atomic_write_json(os.path.join(out, "inspect.json"), report)
  inspect_cmd.plot_composition(report, os.path.join(out, "mixture.png"))
  print(f"\nwrote {out}/inspect.txt, {out}/inspect.json, {out}/mixture.png")
  bad = [c["task"] for c in report["components"] if c["error"]]
  if bad:
    raise SymtuneError(f"components failed to build: {bad}")

  repo = str(gin_check.REPO_ROOT)
  commands = t5x_commands(repo, out, mixture, args.train_steps)
  prefix = ""
  shown_lines = []
  for cmd in commands:
    if cmd[0] != "symtune":
      shown_lines.append("  " + prefix + format_command(check_command(cmd)) + "   # check")
    shown_lines.append("  " + (prefix if cmd[0] != "symtune" else "") + format_command(cmd))
  shown = "\n".join(shown_lines)
  _step(f"3/3 tiny T5X fine-tune ({args.train_steps} steps) + eval on CPU")
  if args.skip_t5x:
    print(f"skipped (--skip-t5x). From {repo}:\n{shown}")
    return 0
  if importlib.util.find_spec("t5x") is None or importlib.util.find_spec("t5x.train") is None:
    print("T5X is not installed, so no model is trained here. T5X is not on the package "
          "registry; install it from git (docs/T5X.md), then run from the repository "
          f"root {repo}:\n{shown}")
    return 0
  for cmd in commands:
    if cmd[0] == "symtune":
      print("$ " + format_command(cmd), flush=True)
      # `symtune` (the console script) may not be on PATH: run its module, in
      # the smoke run's inputs length.
      proc = subprocess.run([sys.executable, "-m", "symtune_jax.cli.main", *cmd[1:]],
                            cwd=repo, env=_env(), check=False)
      if proc.returncode != 0:
        raise SymtuneError(f"symtune score failed (exit {proc.returncode})")
      continue
    problems = launch_problems(cmd, repo)
    if problems:
      raise SymtuneError("the T5X launch would fail:\n  " + "\n  ".join(problems)
                         + "\n(checked by: " + format_command(check_command(cmd)) + ")")
    print("$ " + format_command(cmd), flush=True)
    log = os.path.join(out, f"{cmd[2].split('.')[-1]}.log")
    # Atomic: the log lands when T5X exits (also when it fails), never half-written.
    with atomic_open(log, "w") as f:
      proc = subprocess.run(cmd, cwd=repo, stdout=f, stderr=subprocess.STDOUT,
                            check=False)
    print(f"  log: {log}")
    if proc.returncode != 0:
      raise SymtuneError(f"{cmd[2]} failed (exit {proc.returncode}); see {log}")
    if cmd[2] == "t5x.train":
      _report_training(os.path.join(os.path.abspath(out), "t5x_smoke"), out)
    else:
      _report_eval(os.path.join(os.path.abspath(out), "t5x_smoke", "eval"))
  print(f"\ndone in {time.time() - start:.0f}s; T5X logs and checkpoint under {out}/")
  return 0
