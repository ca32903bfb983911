"""Blank cells in a statutory table (E12): blank is not zero, so a table that should be filled in is reported.
Most cells blank is a warning; a few blank cells an info."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

from xxgk.audit.rule import Rule
from xxgk.extract.report import Report
from xxgk.findings import Category, Finding, Severity
from xxgk.formats import get_format

RULE = Rule(
    "completeness.blank_cells",
    Category.COMPLETENESS,
    "统计表应填写完整",
    "年度报告格式附表（没有发生的事项应填0，空白无法与0区分）",
)


@cache
def _statutory(format_id: str) -> frozenset[str]:
    return frozenset(get_format(format_id).keys)


def _base(key: str) -> str:
    return key if "#" not in key else key.split("#", 1)[0]


def check(report: Report) -> Iterator[Finding]:
    if None not in report.values.values():  # (no blank cell at all: one pass in C)
        return
    statutory = _statutory(report.format)
    blank = [k for k, v in report.values.items() if v is None and _base(k) in statutory]
    if not blank:
        return
    ambiguous = {k for f in report.findings for k in f.keys}
    blank = [k for k in blank if k not in ambiguous]
    if not blank:
        return
    present = [k for k in report.values if _base(k) in statutory]
    share = len(blank) / len(present)
    spans = [report.provenance[k] for k in blank if k in report.provenance]
    yield RULE.finding(
        Severity.WARNING if share >= 0.25 else Severity.INFO,
        f"统计表有{len(blank)}个单元格为空（共{len(present)}个，占{share:.0%}），空白不等于0，应填写数字",
        keys=blank,
        span=(min(s[0] for s in spans), max(s[1] for s in spans)) if spans else None,
        evidence="、".join(report.schema.label_of(k) for k in blank[:8]) + ("……" if len(blank) > 8 else ""),
    )
