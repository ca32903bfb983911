"""Split the report body into its numbered sections (一、总体情况 … 六、其他需要报告的事项).

A heading is a short line that starts with a Chinese numeral and ``、`` (Markdown ``#`` allowed) and is not a
row label of the format's tables. It is matched to the format's section by label; unmatched headings are kept
with id ``""`` so the structure audit can list them.
"""

from __future__ import annotations

import re

from xxgk.extract.report import SectionSpan
from xxgk.formats import Format, label_key
from xxgk.ingest.document import BlockKind, Document

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


_LABELS: dict[int, _Labels] = {}  # by id() of the format object


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
    spans: list[SectionSpan] = []
    for i, (start, sid, title) in enumerate(found):
        end = found[i + 1][0] if i + 1 < len(found) else len(doc.text)
        spans.append(SectionSpan(sid, title, start, end))
    return spans
