"""Implausible magnitudes (E16): amounts written in 元 where 万元 is asked, counts far beyond any agency."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

from xxgk.audit.rule import Rule
from xxgk.extract.report import Report
from xxgk.findings import Category, Finding, Severity
from xxgk.formats import get_format

RULE = Rule("plausibility.magnitude", Category.PLAUSIBILITY, "数值量级合理", "年度报告格式（金额单位为万元）")

# key suffix / key → largest plausible value for one agency-year
LIMITS = {
    "amount_wan": 1_000_000.0,  # 100亿元
    "fees_wan": 100_000.0,
    "org.budget_wan": 100_000.0,
    "applications.new.total": 200_000,
}


def _plain(value: float) -> str:
    return f"{value:,.6f}".rstrip("0").rstrip(".")


@cache
def _limits(format_id: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for key in get_format(format_id).keys:
        limit = next((lim for suffix, lim in LIMITS.items() if key == suffix or key.endswith(suffix)), None)
        if limit is not None:
            out[key] = limit
    return out


def check(report: Report) -> Iterator[Finding]:
    for key, limit in _limits(report.format).items():
        value = report.values.get(key)
        if value is None or value <= limit:
            continue
        yield RULE.finding(
            Severity.INFO,
            f"{report.schema.label_of(key)}为{_plain(value)}，数值异常偏大，请核实单位（元/万元）或录入",
            keys=[key],
            span=report.provenance.get(key),
            evidence=report.raw.get(key, ""),
        )
