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


def _row_labels(fmt: Format) -> set[str]:
    return {label_key(lab) for t in fmt.tables for r in t.rows for lab in r.labels}


def find_sections(doc: Document, fmt: Format) -> list[SectionSpan]:
    rows = _row_labels(fmt)
    found: list[tuple[int, str, str]] = []
    for block in doc.content_blocks():
        if block.kind is BlockKind.TABLE:
            continue
        text = block.text.strip()
        m = _HEADING_RE.match(text)
        if not m or "|" in text:
            continue
        body = label_key(m.group(2))
        if not body or body in rows or re.search(r"\d\s*$", m.group(2)):
            continue
        if len(m.group(2)) > 40 and re.search(r"[。；;]", m.group(2)):
            continue
        section_id = ""
        for section in fmt.sections:
            if any(body.startswith(label_key(lab)) or label_key(lab).startswith(body) for lab in section.labels):
                section_id = section.id
                break
        found.append((block.start, section_id, text.lstrip("# ")))
    spans: list[SectionSpan] = []
    for i, (start, sid, title) in enumerate(found):
        end = found[i + 1][0] if i + 1 < len(found) else len(doc.text)
        spans.append(SectionSpan(sid, title, start, end))
    return spans
