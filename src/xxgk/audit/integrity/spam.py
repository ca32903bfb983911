"""Injected spam (E11): gambling, betting and porn terms inside the report, visible or hidden."""

from __future__ import annotations

from collections.abc import Iterator

from xxgk.audit.integrity.terms import spam_hint_pattern, spam_matches, spam_terms_pattern
from xxgk.audit.rule import Rule
from xxgk.extract.report import Report
from xxgk.findings import Category, Finding, Severity

RULE = Rule(
    "integrity.spam",
    Category.INTEGRITY,
    "正文被注入违法广告",
    "《政府网站发展指引》（国办发〔2017〕47号）：政府网站内容安全；《条例》第六条（信息准确）",
)


def check(report: Report) -> Iterator[Finding]:
    doc = report.document
    if doc is None:
        return
    hint = spam_hint_pattern()
    if hint is not None and hint.search(doc.text) is None:  # (a quick test, without lower-casing the text)
        return
    if spam_terms_pattern().search(doc.text.lower()) is None:  # no term in the lower-cased text
        return
    hits: dict[str, list[tuple[int, int]]] = {}
    for m in spam_matches(doc.text):
        hits.setdefault(m.group().lower(), []).append((m.start(), m.end()))
    for term, spans in hits.items():
        start, end = spans[0]
        context = doc.text[max(0, start - 30) : end + 30].replace("\n", " ")
        yield RULE.finding(
            Severity.ERROR,
            f"报告中出现与政务无关的违法广告词“{term}”（{len(spans)}处），疑似被篡改或注入",
            span=(start, end),
            evidence=context,
        )
