"""`symtune contamination MIXTURE`: shared tables and 13-gram overlap, train vs evaluation.

    symtune contamination symtune_wtq_insta_mix --json report.json
    symtune contamination symtune_sql_instruction_mix --eval wtq --eval tabfact \\
        --num-train 500 --num-eval 1000

For each training component of the mixture (or the single task) and each
evaluation task:

  shared tables     table ids both read: for the SQL-execution task, its whole
                    table pool for the split (not only the sampled examples);
                    then how many evaluation examples are on those tables
  13-gram overlap   share of evaluation examples whose input has any 13-gram
                    (lower-cased words) that also occurs in the component's
                    sampled training inputs (GPT-3 / FLAN's contamination check)

Training inputs: the first --num-train examples of each component's split
(SQL execution: made by its example builder, the same examples as its SeqIO
source; other tasks: their SeqIO dataset). Components whose data is not
available are listed, not scored. Evaluation inputs: the question or
statement and the whole table (TAPEX text) for WTQ and TabFact, body and
question for SVAMP: the first --num-eval examples of --eval-split (default
test). Bounded on purpose: a sampled overlap, not a full-corpus scan.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from symtune_jax.errors import InputError, SymtuneError

EVALS = ("wtq", "tabfact", "svamp")


def add_parser(subparsers) -> None:
  p = subparsers.add_parser(
      "contamination", help="shared tables and 13-gram overlap between a mixture's "
      "training components and the evaluation tasks",
      description=__doc__, formatter_class=__import__("argparse").RawDescriptionHelpFormatter)
  p.add_argument("name", metavar="MIXTURE", help="a registered SeqIO mixture or task")
  p.add_argument("--eval", action="append", dest="evals", choices=EVALS, metavar="TASK",
                 help=f"evaluation task(s), repeatable: {', '.join(EVALS)} (default: all)")
  p.add_argument("--num-train", type=int, default=500,
                 help="training examples sampled per component (default 500)")
  p.add_argument("--num-eval", type=int, default=1000,
                 help="evaluation examples per task (default 1000; 0: all)")
  p.add_argument("--eval-split", default="test", choices=("validation", "test"),
                 help="evaluation split (default test)")
  p.add_argument("--split", default="train", help="training split (default train)")
  p.add_argument("--n", type=int, default=13, help="n-gram length (default 13)")
  p.add_argument("--sql-keep-eval-tables", action="store_true",
                 help="measure the SQL-execution task with the evaluation tables kept in its "
                 "pool (as it was before they were excluded), for a before/after comparison")
  p.add_argument("--json", metavar="PATH", help="also write the report as JSON")
  p.add_argument("--no-progress", action="store_true", help="no progress bars")
  p.set_defaults(func=run)


def _first_line(e: BaseException) -> str:
  text = getattr(e, "message", None) or str(e) or type(e).__name__
  return text.strip().splitlines()[0][:300]


def _sql_side(task, split: str, num: int, bar):
  """Inputs and the whole table pool of the SQL-execution task (builder, no TF)."""
  from symtune_jax.evaluation.contamination import TrainSide  # pylint: disable=g-import-not-at-top
  from symtune_jax.tasks import sql as sql_tasks  # pylint: disable=g-import-not-at-top
  builder = sql_tasks._builder()  # pylint: disable=protected-access
  seed = sql_tasks._SETTINGS.seed  # pylint: disable=protected-access
  n = min(num, sql_tasks._SETTINGS.num_examples.get(split, 0))  # pylint: disable=protected-access
  inputs = []
  for i in range(n):
    inputs.append(builder.example(seed, split, i)["inputs"])
    bar.update(1)
  ids = frozenset(t.table_id for t in builder.tables(split))
  return TrainSide(task.name, inputs, ids)


def train_side(task, split: str, num: int, bar):
  """A `TrainSide` for one component (errors caught and recorded)."""
  from symtune_jax.evaluation.contamination import TrainSide  # pylint: disable=g-import-not-at-top
  from symtune_jax.tasks import sql as sql_tasks  # pylint: disable=g-import-not-at-top
  if split not in task.splits:
    return TrainSide(task.name, error=f"no split {split!r}")
  try:
    if task.name == sql_tasks.TASK_NAME:
      return _sql_side(task, split, num, bar)
    ds = task.get_dataset(None, split=split, shuffle=False, num_epochs=1)
    inputs = []
    for ex in ds.take(num).as_numpy_iterator():
      value = ex.get("inputs_pretokenized", ex.get("inputs"))
      inputs.append(value.decode("utf-8", "replace") if isinstance(value, bytes)
                    else str(value))
      bar.update(1)
    return TrainSide(task.name, inputs)
  except SymtuneError as e:
    return TrainSide(task.name, error=_first_line(e))
  except Exception as e:  # pylint: disable=broad-except  (tf.errors, missing files, ...)
    return TrainSide(task.name, error=f"{type(e).__name__}: {_first_line(e)}")


def eval_side(name: str, split: str, limit: int | None):
  """An `EvalSide`: (input text, table id) per example of the evaluation task."""
  # pylint: disable=g-import-not-at-top
  from symtune_jax.evaluation import svamp, tabfact, wtq
  from symtune_jax.evaluation.contamination import EvalSide
  from symtune_jax.tables import linearize
  # pylint: enable=g-import-not-at-top
  texts: dict[str, str] = {}

  def table_text(table) -> str:
    hit = texts.get(table.table_id)
    if hit is None:
      hit = texts[table.table_id] = linearize.tapex(table)
    return hit

  try:
    if name == "wtq":
      examples = [(f"{q.question}\n{table_text(q.table)}", q.table.table_id)
                  for q in wtq.load_questions(split, limit=limit)]
    elif name == "tabfact":
      examples = [(f"{s.statement}\n{s.caption}\n{table_text(s.table)}", s.table.table_id)
                  for s in tabfact.load_statements(split, limit=limit)]
    else:
      examples = [(f"{p.body} {p.question}", None)
                  for p in svamp.load_problems(split, limit=limit)]
  except SymtuneError as e:
    return EvalSide(name, error=_first_line(e))
  return EvalSide(f"{name} {split}", examples)


def run(args) -> int:
  # pylint: disable=g-import-not-at-top
  from tqdm import tqdm
  from symtune_jax.inspection import components
  from symtune_jax.tasks.mixtures import require_mixture
  from symtune_jax.evaluation import contamination
  from symtune_jax.files import atomic_write_json
  # pylint: enable=g-import-not-at-top
  for flag, value, low in (("--num-train", args.num_train, 1), ("--num-eval", args.num_eval, 0),
                           ("--n", args.n, 1)):
    if value < low:
      raise InputError(f"{flag} is {value}; expected >= {low}", field=flag)
  evals_wanted = args.evals or list(EVALS)
  limit = args.num_eval or None
  evals = []
  for name in tqdm(evals_wanted, desc="evaluation data", disable=args.no_progress,
                   file=sys.stderr):
    evals.append(eval_side(name, args.eval_split, limit))
  provider = require_mixture(args.name)
  if args.sql_keep_eval_tables:
    from symtune_jax.tasks import sql as sql_tasks  # pylint: disable=g-import-not-at-top
    sql_tasks.configure(exclude_eval_tables=False)
  comps = components(provider)
  train = []
  with tqdm(total=len(comps) * args.num_train, desc="training inputs", unit="ex",
            disable=args.no_progress, file=sys.stderr) as bar:
    for task, _ in comps:
      train.append(train_side(task, args.split, args.num_train, bar))
  with tqdm(total=len(train) * len(evals), desc="overlap", disable=args.no_progress,
            file=sys.stderr) as bar:
    rep: dict[str, Any] = contamination.report(train, evals, n=args.n, progress=bar.update)
  rep.update(mixture=args.name, split=args.split, eval_split=args.eval_split,
             num_train=args.num_train, num_eval=args.num_eval,
             sql_eval_tables_kept=bool(args.sql_keep_eval_tables))
  print(f"{args.name}: {len(comps)} component(s) vs {', '.join(e.name for e in evals)}")
  print(contamination.format_report(rep))
  if args.json:
    atomic_write_json(args.json, rep)
    print(f"wrote {args.json}")
  return 0
