"""Evaluation: question files, answer runs and their metrics and report, and the retrieval benchmark."""
