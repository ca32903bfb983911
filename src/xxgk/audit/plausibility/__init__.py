"""Audit rules: plausibility."""
