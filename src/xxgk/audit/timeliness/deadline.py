"""Published after the statutory deadline (E1): 1月31日 for departments, 3月31日 for a government's own report
(《条例》第四十九条); 3月31日 for every agency under the 2007 条例. Deadlines are format data."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from xxgk.audit.rule import Rule
from xxgk.extract.report import Report
from xxgk.findings import Category, Finding, Severity

RULE = Rule("timeliness.deadline", Category.TIMELINESS, "按时公布", "《条例》第四十九条")

_GOVERNMENT = re.compile(r"人民政府$|政府$")
_TOWNSHIP = re.compile(r"(?:乡|镇|街道|街道办事处)(?:人民政府)?$")


def agency_kind(agency: str | None) -> str:
    if not agency:
        return "department"
    if _TOWNSHIP.search(agency):
        return "township"
    return "government" if _GOVERNMENT.search(agency) else "department"


def check(report: Report) -> Iterator[Finding]:
    if report.year is None or report.published is None:
        return
    kind = agency_kind(report.agency)
    deadlines = {d.agency_kind: d for d in report.schema.deadlines}
    rule = deadlines.get(kind) or deadlines.get("government")
    if rule is None:
        return
    due = date(report.year + 1, rule.month, rule.day)
    if report.published > due:
        late = (report.published - due).days
        yield RULE.finding(
            Severity.INFO if kind == "township" else Severity.WARNING,
            f"报告于{report.published:%Y年%m月%d日}公布，晚于法定期限{due:%Y年%m月%d日}{late}天"
            + ("（乡镇、街道的期限以本地规定为准）" if kind == "township" else ""),
            evidence=report.published.isoformat(),
            basis=rule.basis,
        )
