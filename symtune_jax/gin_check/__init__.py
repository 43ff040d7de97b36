"""Checks of the project's Gin files and of T5X launches, without T5X installed.

Split by concern:

* `static`: one gin file and its includes (syntax, includes, macros,
  imports), T5X's own files summarised in ``gin_configs/t5x_manifest.json``;
* `bindings`: the effective bindings of a launch (files, then ``--gin`` flags);
* `paths`: checkpoint and vocabulary paths;
* `launch`: a whole launch (macros left required, paths, the model's
  vocabulary against the tasks', TASK_FEATURE_LENGTHS against the settings);
* `cli`: ``python -m symtune_jax.gin_check``.
"""

from symtune_jax.gin_check.bindings import (Binding, LaunchReport, effective_bindings,
                                            parse_override, resolve)
from symtune_jax.gin_check.cli import USAGE, main
from symtune_jax.gin_check.launch import (check_feature_lengths, check_launch,
                                          check_vocabulary_match, model_vocabulary,
                                          setting_value)
from symtune_jax.gin_check.paths import check_checkpoint_path, check_vocabulary_path
from symtune_jax.gin_check.static import (GIN_DIR, MANIFEST, REPO_ROOT, GinSummary,
                                          _closure, all_gin_files, check_file, check_files,
                                          experiment_files, final_macro_value,
                                          format_manifest, load_manifest, parse,
                                          write_manifest)

__all__ = ["Binding", "GIN_DIR", "GinSummary", "LaunchReport", "MANIFEST", "REPO_ROOT", "USAGE",
           "all_gin_files", "check_checkpoint_path", "check_feature_lengths", "check_file",
           "check_files", "check_launch", "check_vocabulary_match", "check_vocabulary_path",
           "effective_bindings", "experiment_files", "final_macro_value", "format_manifest",
           "load_manifest", "main", "model_vocabulary", "parse", "parse_override", "resolve",
           "setting_value", "write_manifest"]
