"""The template must match the reporting year: legacy tables to 2018, the 2019 format for 2019–2020, the
2021 format from 2021 (formats.md §1, E8)."""

from __future__ import annotations

from collections.abc import Iterator

from xxgk.audit.rule import Rule
from xxgk.extract.report import Report
from xxgk.findings import Category, Finding, Severity
from xxgk.formats import format_for_year

RULE = Rule(
    "structure.template_year",
    Category.STRUCTURE,
    "年报格式与年度相符",
    "国办公开办函〔2019〕60号；国办公开办函〔2021〕30号",
)


def check(report: Report) -> Iterator[Finding]:
    if report.year is None:
        yield RULE.finding(
            Severity.WARNING,
            "无法识别报告年度",
            basis="《条例》第五十条（年度报告为上一年度工作情况）",
        )
        return
    if not report.values:
        return
    expected = format_for_year(report.year)
    used = report.schema
    if used.id == expected.id:
        return
    # A 2019/2020 report on the 2021 template can only be a later re-publication: a warning.
    severity = Severity.WARNING if (expected.id == "2019" and used.id == "2021") else Severity.ERROR
    yield RULE.finding(
        severity,
        f"{report.year}年度报告应使用{expected.name}，实际使用{used.name}",
        evidence=used.name,
        basis=f"{expected.basis}",
    )
