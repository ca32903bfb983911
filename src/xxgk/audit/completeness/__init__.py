"""Audit rules: completeness."""
