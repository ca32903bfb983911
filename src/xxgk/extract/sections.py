"""Split the report body into its numbered sections (一、总体情况 … 六、其他需要报告的事项).

A heading is a short line that starts with a Chinese numeral and ``、`` (Markdown ``#`` allowed) and is not a
row label of the format's tables. It is matched to the format's section by label; unmatched headings are kept
with id ``""`` so the structure audit can list them.

A crawl that lost the line breaks leaves the headings inside long lines (``…工作。 二、主动公开政府信息情况 …``).
There only the format's own section titles after a numbering count as headings: after a space or the end of a
sentence, not followed by a table cell, and only for sections no line heading was found for.
"""

from __future__ import annotations

import re

from xxgk.extract.report import SectionSpan
from xxgk.formats import Format, label_key
from xxgk.ingest.document import RUN_ON_CHARS, BlockKind, Document

_HEADING_RE = re.compile(r"^\s*#*\s*([一二三四五六七八九十]{1,3})\s*、\s*(.{1,60})$")
# What a stripped line matching _HEADING_RE starts with.
_HEADING_FIRST = frozenset("#一二三四五六七八九十")
_SENTENCE = re.compile(r"[。；;]")
_MEMO_SIZE = 4096


class _Labels:
    """A format's row labels, and which section a heading's label key belongs to (memoised: the same headings
    recur in every report)."""

    __slots__ = ("fmt", "memo", "rows", "sections")

    def __init__(self, fmt: Format) -> None:
        self.fmt = fmt
        self.rows = frozenset(_row_labels(fmt))
        self.sections = tuple((s.id, tuple(label_key(lab) for lab in s.labels)) for s in fmt.sections)
        self.memo: dict[str, str] = {}

    def section_id(self, body: str) -> str:
        sid = self.memo.get(body)
        if sid is None:
            sid = ""
            for section_id, keys in self.sections:
                if any(body.startswith(key) or key.startswith(body) for key in keys):
                    sid = section_id
                    break
            if len(self.memo) >= _MEMO_SIZE:
                self.memo.clear()
            self.memo[body] = sid
        return sid

    def titled(self, body: str) -> tuple[str, str]:
        """The section whose title (a label key of two characters or more) starts ``body``, and that key."""
        for section_id, keys in self.sections:
            for key in keys:
                if len(key) >= 2 and body.startswith(key):
                    return section_id, key
        return "", ""


_LABELS: dict[int, _Labels] = {}  # by id() of the format object


_EMBEDDED_RE = re.compile(r"(?:(?<=[\s。；;：:])|^)[一二三四五六七八九十]{1,3}\s*、\s*")


def _embedded_headings(doc: Document, labels: _Labels, seen: set[str]) -> list[tuple[int, str, str]]:
    """Section titles inside the long lines of a document that lost its line breaks: a numbering followed by
    one of the format's section titles (compared as label keys), not by a table cell."""
    found: list[tuple[int, str, str]] = []
    for block in doc.blocks:
        text = block.text
        if len(text) < RUN_ON_CHARS or block.noise is not None or block.kind is BlockKind.TABLE:
            continue
        for m in _EMBEDDED_RE.finditer(text):
            after = text[m.end() : m.end() + 60]
            section_id, key = labels.titled(label_key(after))
            if not section_id or section_id in seen:
                continue
            end = _title_end(after, key)
            if end is None or after[end:].lstrip().startswith("|"):
                continue
            seen.add(section_id)
            found.append((block.start + m.start(), section_id, text[m.start() : m.end() + end]))
    return found


def _title_end(text: str, key: str) -> int | None:
    """Where the title whose label key is ``key`` ends at the start of ``text`` (label keys drop punctuation and
    spaces, so the title may be longer than the key)."""
    for j in range(len(key), len(text) + 1):
        if label_key(text[:j]).startswith(key):
            return j
    return None


def _row_labels(fmt: Format) -> set[str]:
    return {label_key(lab) for t in fmt.tables for r in t.rows for lab in r.labels}


def _labels(fmt: Format) -> _Labels:
    entry = _LABELS.get(id(fmt))
    if entry is None or entry.fmt is not fmt:
        entry = _LABELS[id(fmt)] = _Labels(fmt)
    return entry


def _ends_with_digit(text: str) -> bool:
    """``re.search(r"\\d\\s*$", text)``: a digit, then only whitespace."""
    rest = text.rstrip()
    return bool(rest) and rest[-1].isdecimal()


def find_sections(doc: Document, fmt: Format) -> list[SectionSpan]:
    labels = _labels(fmt)
    rows = labels.rows
    found: list[tuple[int, str, str]] = []
    table = BlockKind.TABLE
    for block in doc.blocks:
        if "、" not in block.text or block.noise is not None or block.kind is table:
            continue
        text = block.text.strip()
        if text[:1] not in _HEADING_FIRST or "|" in text:
            continue
        m = _HEADING_RE.match(text)
        if not m:
            continue
        title = m.group(2)
        body = label_key(title)
        if not body or body in rows or _ends_with_digit(title):
            continue
        if len(title) > 40 and _SENTENCE.search(title):
            continue
        found.append((block.start, labels.section_id(body), text.lstrip("# ")))
    seen = {sid for _, sid, _ in found}
    if any(section.id not in seen for section in fmt.sections):
        embedded = _embedded_headings(doc, labels, seen)
        if embedded:
            found = sorted(found + embedded)
    spans: list[SectionSpan] = []
    for i, (start, sid, title) in enumerate(found):
        end = found[i + 1][0] if i + 1 < len(found) else len(doc.text)
        spans.append(SectionSpan(sid, title, start, end))
    return spans
