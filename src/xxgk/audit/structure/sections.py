"""Required sections: the six statutory headings of the 2019/2021 formats, present and in order.

Legacy reports had no national template; only the problems section (存在的主要问题及改进) is required there.
"""

from __future__ import annotations

from collections.abc import Iterator

from xxgk.audit.rule import Rule
from xxgk.extract.report import Report
from xxgk.findings import Category, Finding, Severity
from xxgk.formats import label_key

RULE = Rule(
    "structure.sections",
    Category.STRUCTURE,
    "法定章节齐全",
    "《条例》第五十条；国办公开办函〔2021〕30号“年度报告内容……不能遗漏”",
)


def check(report: Report) -> Iterator[Finding]:
    fmt = report.schema
    if not report.values and not report.sections:
        return
    basis = (
        RULE.basis
        if fmt.id != "legacy"
        else "2007年《中华人民共和国政府信息公开条例》第三十二条（年度报告应当包括的内容）"
    )
    found = [s for s in report.sections if s.id]
    present = {s.id for s in found}
    if report.document is None:
        # A report built from data (casework ledger, YAML): its sections are the narrative texts it carries;
        # the table sections are there by construction.
        tables = {t.section for t in fmt.tables}
        present = {sid for sid, text in report.narrative.items() if text.strip()} | tables
    for section in fmt.sections:
        if section.required and section.id not in present:
            heading = f"{section.number}、{section.labels[0]}"
            yield RULE.finding(
                Severity.WARNING,
                f"未找到法定章节“{heading}”",
                evidence=heading,
                basis=basis,
            )
    order = [s.id for s in fmt.sections]
    positions = [order.index(s.id) for s in found if s.id in order]
    if fmt.id != "legacy" and positions != sorted(positions):
        yield RULE.finding(
            Severity.INFO,
            "章节顺序与法定格式不一致",
            evidence="、".join(s.title for s in found),
            basis=basis,
        )
    for s in found:
        section = next(x for x in fmt.sections if x.id == s.id)
        title = label_key(s.title)
        if title != label_key(section.labels[0]) and fmt.id != "legacy":
            yield RULE.finding(
                Severity.INFO,
                f"章节标题“{s.title}”与法定表述“{section.number}、{section.labels[0]}”不一致",
                span=(s.start, s.start + len(s.title)),
                evidence=s.title,
                basis=basis,
            )
