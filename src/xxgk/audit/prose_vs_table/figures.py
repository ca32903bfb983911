"""Figures stated in the prose must equal the table (F-T.1): applications received, interviews, staff …

Two sources of patterns, both data: the format's ``prose`` patterns (``formats/data/*.yaml``), and, for
legacy indicator tables, every row label followed by a number (``政府网站在线访谈次数2次``). Approximate
figures (``1000余条``, ``近40万``) are not compared. When a sentence states several application counts
(``收到信息公开申请4件、收到书面申请5件``) their sum is accepted too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from xxgk.audit.prose import prose_sentences
from xxgk.audit.rule import Rule
from xxgk.extract.report import Report
from xxgk.findings import Category, Finding, Severity
from xxgk.formats import Format, TableKind, get_format

RULE = Rule(
    "prose_vs_table.figures",
    Category.PROSE_VS_TABLE,
    "正文数字与表格一致",
    "国办公开办函〔2021〕30号：发布内容不准确的，依《条例》第四十七条追究责任",
)

_SIBLING = re.compile(r"申请\s*(?:共计|共)?\s*(\d+)\s*(?:件|条|份|个|例)")
_APPROX_AFTER = ("余", "多", "左右", "以上", "万")
_APPROX_BEFORE = ("近", "约", "超", "逾", "超过", "将近", "大约")
_UNITS = "件|条|次|篇|人次|人|个|名|场|期"


@cache
def _labels_by_end(format_id: str) -> dict[str, list[tuple[str, str]]]:
    """The indicator rows' labels (≥ 6 characters), grouped by their last two characters, longest first."""
    fmt: Format = get_format(format_id)
    by_end: dict[str, list[tuple[str, str]]] = {}
    for table in fmt.tables:
        if table.kind is not TableKind.INDICATOR:
            continue
        for row in table.rows:
            for label in row.labels:
                if len(label) >= 6:
                    by_end.setdefault(label[-2:], []).append((label, row.key))
    return {end: sorted(labels, key=lambda x: -len(x[0])) for end, labels in by_end.items()}


_STATED = re.compile(rf"(?:为|共|达)?\s*(\d+)\s*(?:{_UNITS})")
_DIGIT = re.compile(r"\d")


def _label_before(text: str, end: int, by_end: dict[str, list[tuple[str, str]]]) -> tuple[str, str] | None:
    """The row label that ends right before a stated number, if any."""
    before = text[max(0, end - 60) : end].rstrip()
    for label, key in by_end.get(before[-2:], ()):
        if before.endswith(label):
            return label, key
    return None


def _approximate(text: str, start: int, end: int) -> bool:
    after = text[end : end + 2]
    before = text[max(0, start - 2) : start]
    return after.startswith(_APPROX_AFTER) or before.endswith(_APPROX_BEFORE)


def check(report: Report) -> Iterator[Finding]:
    fmt = report.schema
    values = report.values
    seen: set[tuple[str, int]] = set()
    by_end = _labels_by_end(fmt.id)
    for sentence in prose_sentences(report):
        text = sentence.text
        if not _DIGIT.search(text):
            continue
        for pattern in fmt.prose:
            for m in pattern.regex.finditer(text):
                stated = int(m.group(1))
                if _approximate(text, m.start(1), m.end(1)):
                    continue
                alternatives = [alt for alt in pattern.keys if all(values.get(k) is not None for k in alt)]
                if not alternatives:
                    continue
                sums = [sum(values[k] or 0 for k in alt) for alt in alternatives]
                siblings = [int(x) for x in _SIBLING.findall(text)]
                if stated in sums or (len(siblings) > 1 and sum(siblings) in sums):
                    continue
                key = alternatives[0][0]
                if (key, stated) in seen:
                    continue
                seen.add((key, stated))
                yield _finding(
                    report,
                    key,
                    stated,
                    sums[0],
                    text,
                    sentence.doc_offset(m.start()),
                    sentence.doc_offset(m.end()),
                    pattern.label,
                )
        if not by_end:
            continue
        for m in _STATED.finditer(text):
            found = _label_before(text, m.start(), by_end)
            if found is None:
                continue
            label, key = found
            if values.get(key) is None:
                continue
            stated = int(m.group(1))
            if stated == values[key] or _approximate(text, m.start(1), m.end(1)) or (key, stated) in seen:
                continue
            seen.add((key, stated))
            table_value = values[key]
            assert table_value is not None
            start = m.start() - len(label)
            yield _finding(
                report,
                key,
                stated,
                table_value,
                text,
                sentence.doc_offset(start),
                sentence.doc_offset(m.end()),
                label,
            )


def _finding(
    report: Report, key: str, stated: int, table: float | int, sentence: str, start: int, end: int, label: str
) -> Finding:
    shown = int(table) if float(table).is_integer() else table
    return RULE.finding(
        Severity.WARNING,
        f"正文称{label}{stated}，表格中{report.schema.label_of(key)}为{shown}",
        keys=[key],
        span=(start, end),
        evidence=sentence.strip()[:200],
    )
