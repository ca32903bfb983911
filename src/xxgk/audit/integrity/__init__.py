"""Audit rules: integrity."""
