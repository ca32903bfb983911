"""The rule protocol: each audit rule is a module exposing ``RULE`` (its metadata) and ``check(report)``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from xxgk.extract.report import Report
from xxgk.findings import Category, Finding, Severity

Check = Callable[[Report], Iterable[Finding]]


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    category: Category
    title: str  # Chinese, one line
    basis: str = ""

    def finding(
        self,
        severity: Severity,
        message: str,
        *,
        keys: list[str] | None = None,
        span: tuple[int, int] | None = None,
        evidence: str = "",
        basis: str | None = None,
    ) -> Finding:
        """A finding of this rule (its id and category; its legal basis unless another is given)."""
        return Finding(
            rule=self.id,
            category=self.category,
            severity=severity,
            message=message,
            keys=list(keys or []),
            span=span,
            evidence=evidence,
            basis=self.basis if basis is None else basis,
        )
