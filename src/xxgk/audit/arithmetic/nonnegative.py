"""Counts must be non-negative integers (F-3.4); amounts in 万元 may carry decimals."""

from __future__ import annotations

from collections.abc import Iterator
from fnmatch import fnmatchcase
from functools import cache

from xxgk.audit.rule import Rule
from xxgk.extract.report import Report
from xxgk.findings import Category, Finding, Severity
from xxgk.formats import get_format

RULE = Rule("arithmetic.nonnegative", Category.ARITHMETIC, "件数应为非负整数", "表格结构：件数为非负整数")


@cache
def _counted(format_id: str) -> frozenset[str]:
    fmt = get_format(format_id)
    return frozenset(k for k in fmt.keys if any(fnmatchcase(k, g) for g in fmt.nonnegative))


def check(report: Report) -> Iterator[Finding]:
    counted = _counted(report.format)
    for key, value in report.values.items():
        if value is None or (value.__class__ is int and value >= 0):  # (a count whatever the key)
            continue
        if key not in counted if "#" not in key else key.split("#", 1)[0] not in counted:
            continue
        money = key.endswith("_wan") or "amount" in key
        if value < 0 or (not money and not float(value).is_integer()):
            yield RULE.finding(
                Severity.ERROR,
                f"{report.schema.label_of(key)} 为 {value}，件数应为非负整数",
                keys=[key],
                span=report.provenance.get(key),
                evidence=report.raw.get(key, str(value)),
            )
