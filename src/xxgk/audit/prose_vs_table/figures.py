"""Figures stated in the prose must equal the table (F-T.1): applications received, interviews, staff …

Two sources of patterns, both data: the format's ``prose`` patterns (``formats/data/*.yaml``), and, for
legacy indicator tables, every row label followed by a number (``政府网站在线访谈次数2次``). Approximate
figures (``1000余条``, ``近40万``) are not compared. When a sentence states several application counts
(``收到信息公开申请4件、收到书面申请5件``) their sum is accepted too.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from functools import cache
from typing import Any

from xxgk.audit.prose import prose_sentences
from xxgk.audit.rule import Rule
from xxgk.extract.report import Report
from xxgk.findings import Category, Finding, Severity
from xxgk.formats import Format, TableKind, get_format
from xxgk.formats.model import ProsePattern

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
# The digits and unit of a _STATED match: a pattern that starts with a character class lets the regex engine
# skip to the digits instead of trying the optional prefix at every position; _stated() adds the prefix back.
_STATED_CORE = re.compile(rf"(\d\d*)\s*(?:{_UNITS})")
_STATED_LEAD = frozenset("为共达")
_DIGIT = re.compile(r"\d")


def _stated(text: str) -> Iterator[tuple[int, int, int, int]]:
    """``(start, end, digits start, digits end)`` of each match of ``_STATED.finditer(text)``, found faster.

    A match is optional ``为|共|达``, whitespace, digits, whitespace, unit: its digits and unit are exactly the
    matches of ``_STATED_CORE`` (the prefix cannot contain a digit), and its start is the leftmost position,
    not before the end of the previous match, from which only the optional prefix and whitespace lead to them.
    """
    prev = 0
    for m in _STATED_CORE.finditer(text):
        digits = m.start()
        start = digits
        while start > prev and text[start - 1].isspace():
            start -= 1
        if start > prev and text[start - 1] in _STATED_LEAD:
            start -= 1
        prev = m.end()
        yield start, prev, digits, m.end(1)


@cache
def _required(pattern: str) -> tuple[tuple[str, ...], ...]:
    """Substrings any match of ``pattern`` contains: for each tuple, at least one of its strings.

    A cheap test before running a prose pattern over a sentence. Read from the parsed pattern: runs of
    literal characters in sequence (inside groups and repeats of at least one), and alternations of literals;
    ``()`` (no test) for anything unusual, such as case-insensitive matching.
    """
    try:
        parser: Any = importlib.import_module("re._parser")
        parsed = parser.parse(pattern)
        if parsed.state.flags & (re.IGNORECASE | re.VERBOSE):
            return ()
        consts: Any = importlib.import_module("re._constants")
        out: list[tuple[str, ...]] = []
        _literals(parsed.data, consts, out)
        # The longest (rarest) substrings first: most sentences are ruled out by the first test.
        return tuple(sorted(dict.fromkeys(out), key=lambda alts: -min(len(s) for s in alts)))
    except Exception:  # pragma: no cover - a parser change: no pre-test, the pattern still decides
        return ()


def _literals(items: list[tuple[Any, Any]], c: Any, out: list[tuple[str, ...]]) -> None:
    run: list[str] = []
    for op, av in items:
        if op is c.LITERAL:
            run.append(chr(av))
            continue
        if run:
            out.append(("".join(run),))
            run = []
        if op is c.SUBPATTERN:
            _group, add_flags, _del_flags, sub = av
            if not add_flags & c.SRE_FLAG_IGNORECASE:
                _literals(sub.data if hasattr(sub, "data") else sub, c, out)
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] >= 1:
            sub = av[2]
            _literals(sub.data if hasattr(sub, "data") else sub, c, out)
        elif op is c.BRANCH:
            alternatives = []
            for alt in av[1]:
                alt_items = alt.data if hasattr(alt, "data") else alt
                if not alt_items or any(o is not c.LITERAL for o, _ in alt_items):
                    break
                alternatives.append("".join(chr(v) for _, v in alt_items))
            else:
                out.append(tuple(alternatives))
        elif op is c.IN and av and all(o is c.LITERAL for o, _ in av):
            out.append(tuple(chr(v) for _, v in av))
    if run:
        out.append(("".join(run),))


def _may_match(required: tuple[tuple[str, ...], ...], text: str) -> bool:
    for alternatives in required:
        for s in alternatives:
            if s in text:
                break
        else:
            return False
    return True


@cache
def _patterns(format_id: str) -> tuple[tuple[ProsePattern, tuple[tuple[str, ...], ...]], ...]:
    """The format's prose patterns, each with the substrings a match needs (:func:`_required`)."""
    return tuple((pattern, _required(pattern.pattern)) for pattern in get_format(format_id).prose)


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
    patterns = _patterns(fmt.id)
    for sentence in prose_sentences(report):
        text = sentence.text
        if not _DIGIT.search(text):
            continue
        for pattern, required in patterns:
            if not _may_match(required, text):
                continue
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
        for m_start, m_end, d_start, d_end in _stated(text):
            found = _label_before(text, m_start, by_end)
            if found is None:
                continue
            label, key = found
            if values.get(key) is None:
                continue
            stated = int(text[d_start:d_end])
            if stated == values[key] or _approximate(text, d_start, d_end) or (key, stated) in seen:
                continue
            seen.add((key, stated))
            table_value = values[key]
            assert table_value is not None
            start = m_start - len(label)
            yield _finding(
                report,
                key,
                stated,
                table_value,
                text,
                sentence.doc_offset(start),
                sentence.doc_offset(m_end),
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
