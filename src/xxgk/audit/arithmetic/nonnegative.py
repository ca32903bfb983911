"""Counts must be non-negative integers (F-3.4); amounts in 万元 may carry decimals."""

from __future__ import annotations

from collections.abc import Iterator
from fnmatch import fnmatchcase

from xxgk.audit.rule import Rule
from xxgk.extract.report import Report
from xxgk.findings import Category, Finding, Severity

RULE = Rule("arithmetic.nonnegative", Category.ARITHMETIC, "件数应为非负整数", "表格结构：件数为非负整数")


def check(report: Report) -> Iterator[Finding]:
    globs = report.schema.nonnegative
    for key, value in report.values.items():
        if value is None or not any(fnmatchcase(key, g) for g in globs):
            continue
        money = key.endswith("_wan") or "amount" in key
        if value < 0 or (not money and not float(value).is_integer()):
            yield Finding(
                rule=RULE.id,
                category=RULE.category,
                severity=Severity.ERROR,
                message=f"{report.schema.label_of(key)} 为 {value}，件数应为非负整数",
                keys=[key],
                span=report.provenance.get(key),
                evidence=report.raw.get(key, str(value)),
                basis=RULE.basis,
            )
