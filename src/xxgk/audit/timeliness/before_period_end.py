"""A report dated before its reporting year ended cannot hold final figures for the last days (E14)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from xxgk.audit.rule import Rule
from xxgk.extract.report import Report
from xxgk.findings import Category, Finding, Severity

RULE = Rule(
    "timeliness.before_period_end",
    Category.TIMELINESS,
    "成文日期晚于统计期末",
    "统计期限为报告年度1月1日至12月31日（《条例》第五十条；DB51/T 2660—2019 §2.1）",
)


def check(report: Report) -> Iterator[Finding]:
    if report.year is None or report.published is None:
        return
    period_end = date(report.year, 12, 31)
    if report.published < period_end:
        yield RULE.finding(
            Severity.WARNING,
            f"报告落款/发布日期{report.published:%Y年%m月%d日}早于统计期末{period_end:%Y年%m月%d日}，数据不可能完整",
            evidence=report.published.isoformat(),
        )
