"""P3 instructions: the promptsource ``templates.yaml`` files.

Layout (bigscience-workshop/promptsource): ``templates/<dataset>[/<subset>]/
templates.yaml``, each file a mapping ``{dataset, subset?, templates: {id:
!Template {name, jinja, answer_choices, metadata: !TemplateMetadata {...}}}}``.
The custom ``!Template`` / ``!TemplateMetadata`` tags are read as plain
mappings by a dedicated safe loader (no promptsource import needed).

One card per ``dataset[/subset]``; its instructions are the templates' prompt
sides with the Jinja markup removed (`instruction_text`): that is the text a
reader sees as the instruction, with the slots for the example's fields left
out, so two templates compare by their wording, not by variable names.
"""

from __future__ import annotations

import os
import pathlib
import re
from typing import Any, Iterable

import yaml

from symtune_jax.errors import InputError
from symtune_jax.instructions.card import TaskCard

# The P3 held-out evaluation datasets of T0 (kept out of the source pool).
HELD_OUT = (
    "anli", "hellaswag", "story_cloze/2016", "super_glue/cb", "super_glue/copa",
    "super_glue/rte", "super_glue/wic", "super_glue/wsc.fixed",
    "winogrande/winogrande_debiased", "winogrande/winogrande_l",
    "winogrande/winogrande_m", "winogrande/winogrande_s",
    "winogrande/winogrande_xl", "winogrande/winogrande_xs",
)


class _TemplateLoader(yaml.SafeLoader):
  """SafeLoader that reads promptsource's custom tags as mappings."""


def _as_mapping(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
  return loader.construct_mapping(node, deep=True)


_TemplateLoader.add_constructor("!Template", _as_mapping)
_TemplateLoader.add_constructor("!TemplateMetadata", _as_mapping)

_COMMENT = re.compile(r"\{#.*?#\}", re.S)
_STATEMENT = re.compile(r"\{%.*?%\}", re.S)
_LITERAL = re.compile(r"""\{\{-?\s*(?:"([^"{}]*)"|'([^'{}]*)')\s*-?\}\}""")
_EXPRESSION = re.compile(r"\{\{.*?\}\}", re.S)
_SPACE = re.compile(r"\s+")
_EMPTY_QUOTES = re.compile(r"""(?<!\w)(?:"\s*"|'\s*'|“\s*”)(?!\w)""")
_WORD = re.compile(r"[^\W\d_]{2,}")
# Instructions with fewer words than this ("Q: A:", "TL;DR:") are slots only.
MIN_WORDS = 3


def instruction_text(jinja: str) -> str:
  """The instruction a template shows, without its Jinja markup.

  Only the prompt side (before ``|||``) counts. String literals in
  ``{{ "..." }}`` are kept (they are wording), field slots, quotes left
  empty by them and ``{% %}`` statements are dropped, whitespace is
  collapsed.

  Example:
    'Is this {{"sports or business"}}?\\n{{text}} ||| {{answer_choices[label]}}'
    -> 'Is this sports or business?'

  Args:
    jinja: the template's ``jinja`` text.

  Returns:
    The instruction text; empty when the prompt is made of slots only.
  """
  prompt = jinja.split("|||", 1)[0]
  prompt = _COMMENT.sub(" ", prompt)
  prompt = _STATEMENT.sub(" ", prompt)
  prompt = _LITERAL.sub(lambda m: m.group(1) or m.group(2) or "", prompt)
  prompt = _EXPRESSION.sub(" ", prompt)
  # Quotes that only held a slot ("{{premise}}") are now empty.
  prompt = _EMPTY_QUOTES.sub(" ", prompt)
  prompt = _SPACE.sub(" ", prompt).strip()
  # A slot removed before punctuation leaves " ?" or " :"; close the gap.
  return re.sub(r" ([?.,:;!])", r"\1", prompt)


def has_wording(text: str) -> bool:
  """True when a text has at least `MIN_WORDS` words (not just "Q: A:")."""
  return len(_WORD.findall(text)) >= MIN_WORDS


def read_templates(path: str | os.PathLike) -> dict[str, Any]:
  """Parses one ``templates.yaml``; errors name the file."""
  path = os.fspath(path)
  try:
    with open(path, encoding="utf-8") as f:
      data = yaml.load(f, Loader=_TemplateLoader)  # noqa: S506 (safe subclass)
  except yaml.YAMLError as e:
    raise InputError(f"not valid promptsource YAML: {e}", path=path) from e
  if not isinstance(data, dict) or not isinstance(data.get("templates"), dict):
    raise InputError("expected a mapping with a 'templates' mapping", path=path,
                     field="templates")
  return data


def card_from_file(path: str | os.PathLike, name: str) -> TaskCard | None:
  """The card of one ``templates.yaml`` (None if no template has wording)."""
  data = read_templates(path)
  instructions = []
  for tid, template in sorted(data["templates"].items()):
    if not isinstance(template, dict) or not isinstance(
        template.get("jinja"), str):
      raise InputError(f"template {tid} has no 'jinja' text", path=str(path),
                       field="jinja")
    text = instruction_text(template["jinja"])
    if has_wording(text) and text not in instructions:
      instructions.append(text)
  if not instructions:
    return None
  return TaskCard(name=name, source="p3", instructions=tuple(instructions),
                  split="test" if name in HELD_OUT else "train")


def load_cards(root: str | os.PathLike,
               skipped: list[str] | None = None) -> list[TaskCard]:
  """Cards of every ``templates.yaml`` under ``root`` (the ``templates/`` dir).

  Args:
    root: promptsource's ``templates`` folder (or its parent).
    skipped: if given, receives the names of datasets whose templates are all
      slots (no instruction wording), which are skipped.

  Returns:
    Cards sorted by name; card name = the folder path, e.g. ``glue/rte``.
  """
  root = pathlib.Path(root)
  if (root / "templates").is_dir():
    root = root / "templates"
  if not root.is_dir():
    raise InputError("promptsource templates folder not found", path=str(root))
  files = sorted(root.rglob("templates.yaml"))
  if not files:
    raise InputError("no templates.yaml under this folder", path=str(root))
  cards = []
  for path in files:
    name = path.parent.relative_to(root).as_posix()
    card = card_from_file(path, name)
    if card is None:
      if skipped is not None:
        skipped.append(name)
      continue
    cards.append(card)
  return cards


def task_clean(text: str) -> str:
  """promptsource's task-name cleaning (``seqio_tasks/utils.py``): every run
  of characters other than word characters, ``.`` and ``_`` becomes ``_``."""
  return re.sub(r"[^\w\d\._]+", "_", text)


def p3_folder_prefix(card_name: str) -> str:
  """The prefix of a card's P3 folders, ``data/<dataset>_<subset>_<template>``.

  promptsource names a P3 task ``task_clean(dataset + "_" + subset + "_" +
  template)`` (no subset: ``dataset + "_" + template``), so ``glue/mrpc`` ->
  ``glue_mrpc_`` and ``ag_news`` -> ``ag_news_``.
  """
  return task_clean(card_name.replace("/", "_", 1) + "_")


def seqio_task_name(card_name: str) -> str:
  """SeqIO task of a P3 card: ``super_glue/rte`` -> ``symtune_p3_super_glue_
  rte_v1`` (every template of the card, from the P3 release)."""
  return "symtune_p3_" + task_clean(card_name.replace("/", "_")) + "_v1"


def names(cards: Iterable[TaskCard]) -> list[str]:
  return [c.name for c in cards]
