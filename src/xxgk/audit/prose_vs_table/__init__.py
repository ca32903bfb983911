"""Audit rules: prose_vs_table."""
