"""The prose must speak of the reporting year (F-T.2): a sentence reporting work "in" the following year, as if
done (``2018年，……取得了新的进展`` in a report on 2017), shows copied or mis-dated text."""

from __future__ import annotations

import re
from collections.abc import Iterator

from xxgk.audit.prose import prose_sentences
from xxgk.audit.rule import Rule
from xxgk.extract.report import Report
from xxgk.findings import Category, Finding, Severity

RULE = Rule(
    "prose_vs_table.year_mentions",
    Category.PROSE_VS_TABLE,
    "正文年度与报告年度一致",
    "《条例》第五十条（年度报告报告上一年度工作）；国办公开办函〔2021〕30号（内容准确）",
)

_LEAD_YEAR = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+、|\(?[一二三四五六七八九十]+\)|\d+\.)?\s*((?:19|20)\d{2})\s*年\s*(?:度)?\s*[,，]"
)
_FUTURE = re.compile(r"将|计划|拟|预计|力争|争取|下一步|明年|今后|目标|要求|部署|安排")


def check(report: Report) -> Iterator[Finding]:
    if report.year is None:
        return
    for sentence in prose_sentences(report):
        m = _LEAD_YEAR.match(sentence.text)
        if not m:
            continue
        year = int(m.group(1))
        if year <= report.year or _FUTURE.search(sentence.text):
            continue
        yield RULE.finding(
            Severity.WARNING,
            f"本报告为{report.year}年度报告，正文却以“{year}年”叙述已开展的工作",
            span=(sentence.doc_offset(m.start(1)), sentence.doc_offset(m.end(1)) + 1),
            evidence=sentence.text.strip()[:200],
        )
