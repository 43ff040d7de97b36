"""One T5X launch checked before it starts: macros, paths, vocabulary, lengths."""

from __future__ import annotations

import difflib
import os
import pathlib
from typing import Any, Sequence

from symtune_jax import settings
from symtune_jax.errors import InputError
from symtune_jax.gin_check.bindings import (_SCHEME, _binding_required, _label, Binding,
                                            CHECKPOINT_MACROS, effective_bindings,
                                            FLAN_MACRO, LaunchReport, OUTPUT_MACROS, resolve,
                                            SETTINGS_PREFIX, SPM_FILE, T5X_BASE_GIN,
                                            T5X_DEFAULT_SPM, UNKNOWN, VOCAB_MACRO)
from symtune_jax.gin_check.paths import (_check_remote, check_checkpoint_path,
                                         check_vocabulary_path)
from symtune_jax.gin_check.static import check_file, load_manifest, REPO_ROOT

def model_vocabulary(bindings: dict[str, Binding], t5x_files: set[str]
                     ) -> tuple[str, str | None, str, str] | None:
  """The model's vocabulary: (kind 'byte'|'spm', spm path, label, where); None: unknown."""
  vocab = bindings.get("VOCABULARY")
  if vocab is not None and isinstance(vocab.value, tuple) and vocab.value[0] == "@":
    ref = vocab.value[1]
    if ref.endswith("ByteVocabulary"):
      return "byte", None, "VOCABULARY", vocab.where
    if not ref.endswith("SentencePieceVocabulary"):
      return None
  elif vocab is None or vocab.value is not UNKNOWN:
    return None
  b, chain = resolve(SPM_FILE, bindings)
  if b is not None and b.value is not UNKNOWN:
    return "spm", b.value, _label(chain), b.where
  if T5X_BASE_GIN in t5x_files:
    return "spm", T5X_DEFAULT_SPM, SPM_FILE, T5X_BASE_GIN
  return None


def _same_file(a: str, b: str) -> bool:
  if _SCHEME.match(a) or _SCHEME.match(b):
    return a == b
  return os.path.realpath(a) == os.path.realpath(b)


def setting_value(name: str, bindings: dict[str, Binding]) -> tuple[Any, str]:
  """A setting as this launch gives it: (value, where): its Gin binding
  (``symtune.settings.<name>``, macros followed), else `settings.resolve`."""
  b, _ = resolve(SETTINGS_PREFIX + name, bindings)
  if b is not None and b.value is not UNKNOWN and not _binding_required(b):
    return b.value, b.where
  value, origin = settings.resolve(name)
  return value, ("the default" if origin == "default" else origin)


def _set_vocab(value: str) -> str:
  return f"set symtune.settings.vocab = '{value}' (Gin) for this model"


def check_vocabulary_match(bindings: dict[str, Binding], t5x_files: set[str],
                           spec: str, report: LaunchReport, origin: str = "") -> None:
  """The model's vocabulary (gin) against the tasks' (the ``vocab`` setting)."""
  model = model_vocabulary(bindings, t5x_files)
  if model is None:
    report.notes.append("cannot tell the model's vocabulary from the gin files; the "
                        f"tasks use vocab {spec!r}")
    return
  kind, path, label, where = model
  tasks_desc = {"t5": "the T5 SentencePiece model", "": "the T5 SentencePiece model",
                "byte": "seqio.ByteVocabulary"}.get(spec, f"the SentencePiece model {spec}")
  if kind == "byte":
    ok = spec == "byte"
    model_desc = "seqio.ByteVocabulary"
    fix = _set_vocab("byte")
  else:
    model_desc = f"the SentencePiece model {path!r}"
    if spec in ("", "t5"):
      ok = path == settings.T5_SPM_PATH
    elif spec == "byte":
      ok = False
    else:
      ok = _same_file(path, spec)
    if path == settings.T5_SPM_PATH:
      fix = _set_vocab("t5") + " (the T5 SentencePiece model)"
    elif not _SCHEME.match(path):
      fix = _set_vocab(path) + " (the same file)"
    else:
      fix = (f"copy {path} to a local file and set both --gin.{VOCAB_MACRO}=\"'FILE'\" "
             "and symtune.settings.vocab = 'FILE'")
    if spec not in ("", "t5", "byte"):
      fix += f", or --gin.{VOCAB_MACRO}=\"'{spec}'\" to give the model the tasks' vocabulary"
    elif spec in ("", "t5") and path != settings.T5_SPM_PATH:
      fix += f", or --gin.{VOCAB_MACRO}=\"'{settings.T5_SPM_PATH}'\""
  if not ok:
    report.problems.append(
        f"{where}: vocabulary mismatch: the model uses {model_desc} ({label}) but the tasks "
        f"use {tasks_desc} (vocab {spec or 't5'!r} from {origin or 'the caller'}); "
        "T5X would stop "
        f"with a vocabulary-mismatch error. Fix: {fix}")


def check_launch(files: Sequence[str | os.PathLike],
                 overrides: Sequence[tuple[str, Any]] = (),
                 *, repo_root: pathlib.Path = REPO_ROOT,
                 manifest: dict[str, Any] | None = None,
                 vocab_spec: str | None = None) -> LaunchReport:
  """Checks one T5X launch before it starts (no T5X, no network needed).

  Besides `check_file` on each file: every ``--gin.NAME`` names a macro of
  the config, no macro is left ``%gin.REQUIRED``, the checkpoint and
  vocabulary paths (``INITIAL_CHECKPOINT_PATH``, ``CHECKPOINT_PATH``,
  ``FLAN_T5_CHECKPOINT``, ``VOCABULARY_PATH``) exist locally (gs:// paths:
  syntax only), and the model's vocabulary is the tasks' (``symtune.settings.vocab``), and
  ``TASK_FEATURE_LENGTHS['inputs']`` is ``symtune.settings.inputs_length``.

  Args:
    files: the ``--gin_file``s, in order.
    overrides: (name, value) of each ``--gin.NAME=VALUE``, in order (`parse_override`).
    repo_root: the ``--gin_search_paths`` root of project includes.
    manifest: the T5X manifest (default: the shipped one).
    vocab_spec: the tasks' vocabulary (default: the launch's `setting_value`).

  Returns:
    problems (each ``where: message``) and notes.
  """
  manifest = load_manifest() if manifest is None else manifest
  report = LaunchReport()
  if not files:
    raise InputError("no gin file given (--gin_file=FILE)")
  for f in files:
    if not pathlib.Path(f).is_file():
      raise InputError("no such gin file (run from the repository root, where T5X runs "
                       "with --gin_search_paths=.)", path=str(f))
    report.problems.extend(p for p in check_file(f, repo_root, manifest)
                           if "is %gin.REQUIRED and not set" not in p)
  bindings, t5x_files = effective_bindings(files, overrides, repo_root, manifest)
  from_files, _ = effective_bindings(files, (), repo_root, manifest)
  known = sorted(k for k in from_files if "." not in k)
  for name, _ in overrides:
    if "." in name or "/" in name or name in from_files:
      continue
    hint = difflib.get_close_matches(name, known, n=1)
    report.problems.append(f"--gin.{name}: no macro {name} in this config"
                           + (f" (did you mean {hint[0]}?)" if hint else ""))
  for name, b in sorted(bindings.items()):
    if "." not in name and _binding_required(b):
      report.problems.append(f"{b.where}: {name} is %gin.REQUIRED: pass --gin.{name}=...")
  done: set[str] = set()  # where the literal checked was set
  overridden = {n for n, _ in overrides}
  for name in CHECKPOINT_MACROS + (FLAN_MACRO,):
    if name not in bindings or _binding_required(bindings[name]):
      continue
    if name == FLAN_MACRO and name not in overridden:
      continue  # checked where a checkpoint macro refers to it
    b, chain = resolve(name, bindings)
    if b is None or b.value is UNKNOWN or _binding_required(b) or b.where in done:
      continue
    done.add(b.where)
    check_checkpoint_path(_label(chain), b.value, b.where, report,
                          allow_none=name == "INITIAL_CHECKPOINT_PATH")
  for name in OUTPUT_MACROS:  # made by T5X; only a malformed gs:// path is wrong
    b, chain = resolve(name, bindings)
    if b is not None and isinstance(b.value, str) and b.value.startswith("gs://"):
      _check_remote(_label(chain), b.value, b.where, LaunchReport(report.problems, []))
  if VOCAB_MACRO in bindings:
    b, chain = resolve(VOCAB_MACRO, bindings)
    if b is not None and b.value is not UNKNOWN and not _binding_required(b):
      check_vocabulary_path(_label(chain), b.value, b.where, report)
  origin = "the caller"
  if vocab_spec is None:
    vocab_spec, origin = setting_value("vocab", bindings)
  check_vocabulary_match(bindings, t5x_files, str(vocab_spec), report, origin)
  check_feature_lengths(bindings, report)
  return report


def check_feature_lengths(bindings: dict[str, Binding], report: LaunchReport) -> None:
  """``TASK_FEATURE_LENGTHS`` against the settings the tasks build for.

  Tasks fit their inputs to ``symtune.settings.inputs_length``; a run whose
  feature length differs would trim (shorter) or waste (longer) them.
  """
  b, _ = resolve("TASK_FEATURE_LENGTHS", bindings)
  if b is None or not isinstance(b.value, dict):
    return
  for key in ("inputs",):  # targets: answers are short; SeqIO trims as T5X expects
    run = b.value.get(key)
    if isinstance(run, tuple) and len(run) == 2 and run[0] == "%":
      m, _ = resolve(run[1], bindings)
      run = m.value if m is not None else None
    if not isinstance(run, int):
      continue
    built, where = setting_value(f"{key}_length", bindings)
    if built != run:
      report.problems.append(
          f"{b.where}: TASK_FEATURE_LENGTHS['{key}'] is {run} but the tasks build "
          f"{key} for {built} tokens (symtune.settings.{key}_length from {where}); "
          "SeqIO would trim them. Fix: set INPUTS_LENGTH (the shipped run files bind "
          f"both from it) or symtune.settings.{key}_length = {run}")


