"""Rows and columns the statutory format does not have (E15): subtotal rows, 法人或其他组织小计 columns, local
additions. They are kept in ``extra`` by the parser and reported here; in a 2019/2021 report they depart from
the national format, in legacy reports (no national template) they are common and only noted."""

from __future__ import annotations

from collections.abc import Iterator

from xxgk.audit.rule import Rule
from xxgk.extract.report import Report
from xxgk.findings import Category, Finding, Severity

RULE = Rule(
    "structure.extra_rows",
    Category.STRUCTURE,
    "表格行列符合法定格式",
    "国办公开办函〔2021〕30号附表（年度报告表格的行、列由格式统一规定）",
)


def check(report: Report) -> Iterator[Finding]:
    if not report.extra:
        return
    labels = "；".join(e.label for e in report.extra[:10]) + ("……" if len(report.extra) > 10 else "")
    spans = [e.span for e in report.extra if e.span]
    legacy = report.format == "legacy"
    yield RULE.finding(
        Severity.INFO if legacy else Severity.WARNING,
        f"表格中有{len(report.extra)}行（列）不属于法定格式，已单独保留：{labels}",
        span=(min(s[0] for s in spans), max(s[1] for s in spans)) if spans else None,
        evidence=labels,
        basis=None if not legacy else "各地统计表口径不一，格式以外的行列单独保留，不计入法定指标",
    )
