"""Audit rules: timeliness."""
