"""Audit rules: structure."""
