"""Topics a narrative section must report (format data ``section_topics``): e.g. the 2021 format asks section
六 for the 信息处理费 charged, and a government's report for its 政务公开工作要点 and the publication of replies
to 人大代表建议 and 政协委员提案. A topic counts as reported when the section's text contains one of its phrases."""

from __future__ import annotations

from collections.abc import Iterator

from xxgk.audit.rule import Rule
from xxgk.audit.timeliness.deadline import agency_kind
from xxgk.extract.report import Report
from xxgk.findings import Category, Finding, Severity

RULE = Rule("structure.section_topics", Category.STRUCTURE, "章节应报告的事项", "国办公开办函〔2021〕30号")


def check(report: Report) -> Iterator[Finding]:
    topics = report.schema.topics
    if not topics:
        return
    kind = agency_kind(report.agency)
    spans = {s.id: s for s in report.sections if s.id}
    for topic in topics:
        if topic.agency_kinds and kind not in topic.agency_kinds:
            continue
        text = report.narrative.get(topic.section)
        if text is None:  # the section is missing: structure.sections reports that
            continue
        if any(phrase in text for phrase in topic.any_of):
            continue
        span = spans.get(topic.section)
        tag = "（依据出处待核实）" if topic.confidence == "M" else ""
        yield RULE.finding(
            Severity(topic.severity),
            topic.message + tag,
            span=(span.start, span.end) if span else None,
            evidence=(text.strip()[:80] or "（该部分为空）"),
            basis=topic.basis or RULE.basis,
        )
