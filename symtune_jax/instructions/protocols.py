"""Evaluation protocols: which datasets each one holds out, under every name.

A protocol is a meta-dataset's train/evaluation split. Its evaluation
datasets, and every card holding the same data under another name, never
enter a training pool (`pools`), whatever the target.

* ``t0`` (Sanh et al. 2022; INSTA's P3 setting): the 9 held-out datasets
  ANLI, CB, COPA, HellaSwag, RTE, StoryCloze, WiC, WinoGrande, WSC. T0 also
  keeps its whole NLI cluster out of training ("NLI reserved for
  generalization studies" in promptsource's ``experiment_D4.csv``): those
  cards are `T0_RESERVED`.
* ``niv2`` (Wang et al. 2022): the 119 tasks of ``test_tasks.txt`` (the
  cards of split ``test`` in the card file; FLAN's alias spellings of them
  are merged into them by `build_cards`).

NIV2 also holds tasks built from T0's held-out data (``task1389_hellaswag_
completion``, ``task489_mwsc_question_generation``, the xCOPA translations,
...); `EvalDataset.niv2_pattern` names them, and a T0 target excludes them
from a pool that mixes in NIV2 (`excluded_for`).
"""

from __future__ import annotations

import dataclasses
import re
from typing import Iterable

PROTOCOLS = ("t0", "niv2")


@dataclasses.dataclass(frozen=True)
class EvalDataset:
  """One evaluation dataset of a protocol.

  Attributes:
    name: the dataset name a user types (``rte``, ``story_cloze``).
    protocol: ``t0``.
    target: the card whose instructions are the target's (the T0 eval card).
    cards: every card key holding this dataset's data, ``target`` included
      (``p3:glue/rte`` is the RTE data under GLUE's name).
    niv2_pattern: a regex of NIV2 task names built from the same data.
    aliases: other names a user may type.
  """
  name: str
  protocol: str
  target: str
  cards: tuple[str, ...]
  niv2_pattern: str | None = None
  aliases: tuple[str, ...] = ()


T0_EVAL: tuple[EvalDataset, ...] = (
    EvalDataset("anli", "t0", "p3:anli", ("p3:anli",), r"(^|_)anli(_|$)"),
    EvalDataset("cb", "t0", "p3:super_glue/cb", ("p3:super_glue/cb",),
                r"(^|_)cb(_|$)|commitmentbank",
                aliases=("commitmentbank", "commitment_bank")),
    # xCOPA and the COPA translations are COPA's 100 test + 400 train items.
    EvalDataset("copa", "t0", "p3:super_glue/copa", ("p3:super_glue/copa",),
                r"(^|_)x?copa(_|$)"),
    EvalDataset("hellaswag", "t0", "p3:hellaswag", ("p3:hellaswag",),
                r"hellaswag"),
    # glue/rte and super_glue/rte are the same RTE 1-3, 5 data.
    EvalDataset("rte", "t0", "p3:super_glue/rte",
                ("p3:super_glue/rte", "p3:glue/rte"),
                r"(^|_)rte(_|$)|glue_entailment"),
    EvalDataset("story_cloze", "t0", "p3:story_cloze/2016",
                ("p3:story_cloze/2016",), r"story_?cloze",
                aliases=("storycloze", "story_cloze/2016")),
    # XL-WiC's English part is WiC.
    EvalDataset("wic", "t0", "p3:super_glue/wic", ("p3:super_glue/wic",),
                r"(^|_)(xl)?wic(_|$)"),
    EvalDataset("winogrande", "t0", "p3:winogrande/winogrande_xl",
                tuple(f"p3:winogrande/winogrande_{s}" for s in (
                    "debiased", "l", "m", "s", "xl", "xs")), r"winogrande"),
    # WSC273/285 are the Winograd schemas of SuperGLUE's WSC; MWSC rewrites
    # them; WNLI (glue/wnli) turns them into sentence pairs.
    EvalDataset("wsc", "t0", "p3:super_glue/wsc.fixed",
                ("p3:super_glue/wsc.fixed", "p3:winograd_wsc/wsc273",
                 "p3:winograd_wsc/wsc285", "p3:mwsc", "p3:glue/wnli"),
                r"(^|_)(m?wsc|wscfixed)(_|$)|winograd",
                aliases=("wsc.fixed", "winograd")),
)

# T0's NLI cluster: kept out of T0 training ("skip: NLI reserved for
# generalization studies" in experiment_D4.csv), so out of every P3 pool.
# The diagnostics are NLI in RTE form (AX-b: GLUE's diagnostic; AX-g:
# WinoGender); e-SNLI is SNLI with explanations; SemEval-2014 task 1 is SICK.
T0_RESERVED: tuple[str, ...] = (
    "p3:glue/mnli", "p3:glue/mnli_matched", "p3:glue/mnli_mismatched",
    "p3:multi_nli", "p3:glue/qnli", "p3:glue/ax", "p3:super_glue/axb",
    "p3:super_glue/axg", "p3:snli", "p3:esnli", "p3:scitail/snli_format",
    "p3:scitail/tsv_format", "p3:hans", "p3:sick", "p3:sem_eval_2014_task_1",
    "p3:xnli/en", "p3:art",
)
# NIV2 tasks on the data of T0's NLI cluster (left out for T0 targets).
T0_RESERVED_NIV2 = r"mnli|snli|scitail|(^|_)sick(_|$)|xnli|(^|_)[qw]nli(_|$)|(^|_)hans(_|$)"

_BY_NAME = {d.name: d for d in T0_EVAL}
_BY_ALIAS = {a: d for d in T0_EVAL for a in (d.name, *d.aliases)}


def eval_dataset(name: str) -> EvalDataset | None:
  """The evaluation dataset a user-typed name means (``RTE`` -> rte)."""
  return _BY_ALIAS.get(name.strip().lower())


def eval_dataset_of_card(key: str) -> EvalDataset | None:
  """The evaluation dataset whose data card ``key`` holds, if any."""
  return next((d for d in T0_EVAL if key in d.cards), None)


def held_out(protocol: str, niv2_test: Iterable[str] = ()) -> frozenset[str]:
  """Card keys a protocol never trains on.

  Args:
    protocol: ``t0`` or ``niv2``.
    niv2_test: the NIV2 test-split task names (for ``niv2``).
  """
  if protocol == "t0":
    return frozenset(k for d in T0_EVAL for k in d.cards) | frozenset(
        T0_RESERVED)
  if protocol == "niv2":
    return frozenset(f"niv2:{n}" for n in niv2_test)
  raise ValueError(f"unknown protocol {protocol!r}; use one of {PROTOCOLS}")


def niv2_same_data(name: str, datasets: Iterable[EvalDataset] = T0_EVAL,
                   reserved: bool = False) -> bool:
  """Whether NIV2 task ``name`` is built from one of ``datasets``' data."""
  for d in datasets:
    if d.niv2_pattern and re.search(d.niv2_pattern, name):
      return True
  return bool(reserved and re.search(T0_RESERVED_NIV2, name))
