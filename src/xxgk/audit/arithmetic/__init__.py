"""Audit rules: arithmetic."""
