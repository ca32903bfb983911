"""Findings: what an audit (or the extractor, for cells it could not read) reports about a report.

A finding is ``{rule, category, severity, message, keys, span, evidence, basis}`` as in the data contract.
It lives at the package root because both ``extract`` (ambiguous cells) and ``audit`` produce findings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"info": 1, "warning": 2, "error": 3}[self.value]


class Category(StrEnum):
    ARITHMETIC = "arithmetic"
    STRUCTURE = "structure"
    PROSE_VS_TABLE = "prose_vs_table"
    TIMELINESS = "timeliness"
    COMPLETENESS = "completeness"
    INTEGRITY = "integrity"
    PLAUSIBILITY = "plausibility"
    EXTRACTION = "extraction"


@dataclass(slots=True)
class Finding:
    """One audit result. ``message`` is Chinese (user-facing); ``evidence`` quotes the report."""

    rule: str
    category: Category
    severity: Severity
    message: str
    keys: list[str] = field(default_factory=list)
    span: tuple[int, int] | None = None
    evidence: str = ""
    basis: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "category": self.category.value,
            "severity": self.severity.value,
            "message": self.message,
            "keys": list(self.keys),
            "span": list(self.span) if self.span else None,
            "evidence": self.evidence,
            "basis": self.basis,
        }
