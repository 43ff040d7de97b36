"""Evaluation: metrics and postprocessors (denotation accuracy, ...)."""
