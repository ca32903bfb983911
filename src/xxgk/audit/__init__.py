"""Audit: run every rule over a report and return its findings.

Rules are grouped by category in sub-packages (``arithmetic``, ``structure``, ``prose_vs_table``,
``timeliness``, ``completeness``, ``integrity``, ``plausibility``), one rule per module, each exposing
``RULE`` and ``check(report)``. Findings the extractor made while parsing (ambiguous cells) are included.
Spans in the returned findings index the reader's extracted text, like the parse provenance.
"""

from __future__ import annotations

import importlib
from functools import cache
from types import ModuleType

from xxgk.audit.rule import Rule
from xxgk.extract.report import Report
from xxgk.findings import Finding

__all__ = ["RULE_MODULES", "Rule", "audit", "rules"]

RULE_MODULES = (
    "arithmetic.relations",
    "arithmetic.nonnegative",
    "structure.sections",
    "structure.template_year",
    "structure.tables_present",
    "structure.extra_rows",
    "structure.section_topics",
    "prose_vs_table.figures",
    "prose_vs_table.year_mentions",
    "timeliness.before_period_end",
    "timeliness.deadline",
    "completeness.blank_cells",
    "integrity.spam",
    "integrity.domains",
    "integrity.hidden_content",
    "plausibility.correction_rate",
    "plausibility.magnitude",
)


@cache
def _modules() -> tuple[ModuleType, ...]:
    return tuple(importlib.import_module(f"xxgk.audit.{name}") for name in RULE_MODULES)


def rules() -> list[Rule]:
    return [m.RULE for m in _modules()]


def audit(report: Report) -> list[Finding]:
    """All findings for ``report``: the extractor's own, then each rule's, in rule order."""
    findings: list[Finding] = list(report.findings)
    for module in _modules():
        findings.extend(module.check(report))
    for f in findings:
        if f.span is not None:
            f.span = report.source_span(f.span)
    return findings
