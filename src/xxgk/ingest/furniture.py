"""Page furniture: page numbers, the date/time and URL lines a browser prints at the top and bottom of each
page, and running headers. They interrupt tables in text copied from PDFs or printed pages, so readers mark them
as noise (kept, with the reason) instead of passing them on as report content."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache

from xxgk.formats import label_key
from xxgk.ingest.document import Block, BlockKind

NOISE_PAGE_NUMBER = "页码 (page number)"
NOISE_PRINT_MARGIN = "页眉页脚 (print header/footer)"

PAGE_NUMBER_RE = re.compile(
    r"^\s*(?:[-—–－]\s*\d{1,4}\s*[-—–－]|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|共\s*\d{1,4}\s*页\s*[,，]?\s*第\s*\d{1,4}\s*页|\d{1,4}\s*/\s*\d{1,4}"
    r"|[Pp]age\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?)\s*$"
)
# One pass: a page number, or a print margin (date and time, or a URL alone on its line).
_FURNITURE_RE = re.compile(
    rf"(?P<page>{PAGE_NUMBER_RE.pattern})"
    r"|^\s*(?:\d{4}[/-]\d{1,2}[/-]\d{1,2}\s*(?:上午|下午|[AP]M)?\s*\d{1,2}:\d{2}(?::\d{2})?\s*(?:[AP]M)?"
    r"|https?://\S+)\s*$"
)
_FIRST = frozenset("0123456789-—–－第共Pph")


def furniture(line: str) -> str | None:
    """Why ``line`` is page furniture (a noise reason), or None when it is content."""
    head = line[:1]
    if head not in _FIRST:
        if not head.isspace():
            return None
        head = line.lstrip()[:1]
        if head not in _FIRST:
            return None
    if len(line) > 300 or "|" in line:
        return None
    m = _FURNITURE_RE.match(line)
    if m is None:
        return None
    return NOISE_PAGE_NUMBER if m.group("page") is not None else NOISE_PRINT_MARGIN

NOISE_RUNNING_HEADER = "页眉 (running header)"
_CJK = re.compile(r"[\u3400-\u9fff]")


def mark_running_headers(blocks: list[Block]) -> None:
    """Mark the repeats of a line printed on every page (``某某县人民政府门户网站``, the report's title as a
    running header): a line of at least six CJK characters, no ``|``, seen three times or more, that holds no
    statutory label (repeated table headers are content). An occurrence among the first five lines stays
    content: it may be the real title."""
    counts = Counter(
        b.text.strip() for b in blocks if len(b.text) >= 6 and b.noise is None and b.kind is BlockKind.LINE
    )
    repeated = {
        t
        for t, n in counts.items()
        if n >= 3 and "|" not in t and len(_CJK.findall(t)) >= 6 and not _holds_label(t)
    }
    if not repeated:
        return
    for i, b in enumerate(blocks):
        if i >= 5 and b.noise is None and b.text.strip() in repeated:
            b.noise = NOISE_RUNNING_HEADER


def _holds_label(text: str) -> bool:
    key = label_key(text)
    return any(label in key for label in _statutory_labels())


@cache
def _statutory_labels() -> frozenset[str]:
    """Every table label of every format (rows, columns, anchors, groups, corners) of four characters or more."""
    from xxgk.formats import all_formats

    found: set[str] = set()
    for fmt in all_formats():
        for table in fmt.tables:
            texts = [*table.anchors, *table.groups, table.corner]
            for row in table.rows:
                texts.extend(row.labels)
            for column in (*table.columns, *table.extra_columns):
                texts.extend(column.labels)
            found.update(k for t in texts if len(k := label_key(t)) >= 4)
    return frozenset(found)
