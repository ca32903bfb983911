"""Text with HTML left in it: Markdown and text that converters wrote with raw HTML inside.

pandoc, and the converters document pipelines use, keep what Markdown cannot say as raw HTML: a table with
spanned cells stays a ``<table>``, and styled runs stay ``<span style=…>`` (even inside pipe-table rows, with
tags broken over lines). Each ``<table>`` element goes to the HTML reader, whose cells have explicit
boundaries; everywhere else the tags are dropped and the text is read as text.

The document's extracted text (what :meth:`~xxgk.ingest.document.Document.source_span` maps back to) is the
visible text: the file without its tags, with each table as the HTML reader gives it.
"""

from __future__ import annotations

import html
import re

from xxgk.ingest.document import Block, Cell, Document
from xxgk.ingest.furniture import mark_running_headers
from xxgk.ingest.normalize import normalize_text

# An HTML tag or comment: an ASCII name, so 《…》-like uses of angle brackets in Chinese text are not tags.
_TAG = re.compile(r"<!--.*?-->|</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>", re.S)
_BREAK = re.compile(r"<(?:br|/p|/div|/li|/tr|/h[1-6]|/table|/blockquote)\b[^<>]*>", re.I)
_TABLE_TAG = re.compile(r"<(/?)table\b[^<>]*>", re.I)
_MARKUP = re.compile(r"</(?:span|p|div|td|tr|table|font|strong|b|i|em|section|li)\s*>", re.I)

# So many closing tags mean markup, not a stray ``</b>`` in prose.
_MIN_CLOSING_TAGS = 8


def has_markup(text: str) -> bool:
    """Whether ``text`` carries HTML: a table, or closing tags in numbers no prose has."""
    if "<" not in text:
        return False
    if _TABLE_TAG.search(text) is not None and re.search(r"<t[dh]\b", text, re.I) is not None:
        return True
    return any(count >= _MIN_CLOSING_TAGS for count, _ in enumerate(_MARKUP.finditer(text), 1))


def table_spans(text: str) -> list[tuple[int, int]]:
    """The outermost ``<table>…</table>`` elements (nested tables inside them; an unclosed one runs to the end)."""
    spans: list[tuple[int, int]] = []
    depth = 0
    start = 0
    for m in _TABLE_TAG.finditer(text):
        if not m.group(1):
            if depth == 0:
                start = m.start()
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                spans.append((start, m.end()))
    if depth:
        spans.append((start, len(text)))
    return spans


def strip_tags(text: str) -> str:
    """The visible text of markup-laden text: line breaks where block tags end, no tags, entities decoded."""
    return html.unescape(_TAG.sub("", _BREAK.sub("\n", text)))


def _shifted(block: Block, by: int) -> Block:
    rows = None
    if block.rows is not None:
        rows = [[Cell(c.text, c.start + by, c.end + by, c.spanned) for c in row] for row in block.rows]
    return Block(block.kind, block.text, block.start + by, block.end + by, rows, block.noise, block.page)


def read_marked_up(raw: str, source: str, encoding: str) -> Document:
    """Read decoded text that :func:`has_markup`: tables through the HTML reader, the rest as lines."""
    from xxgk.ingest.html import read_html  # lazy: only marked-up text needs the HTML parser
    from xxgk.ingest.text import lines_to_blocks

    pieces: list[str] = []
    tables: list[Document] = []
    pos = 0
    for start, end in table_spans(raw):
        pieces.append(strip_tags(raw[pos:start]))
        fragment = read_html(raw[start:end].encode("utf-8"), source)
        if any(b.rows for b in fragment.blocks):
            tables.append(fragment)
            pieces.append(fragment.text)
        else:
            pieces.append(strip_tags(raw[start:end]))
        pos = end
    pieces.append(strip_tags(raw[pos:]))

    visible = "\n".join(pieces)
    text, offset_map = normalize_text(visible)

    blocks: list[Block] = []
    cursor = 0
    placed = 0
    for fragment in tables:
        # The table's text is already normalised, so it stands unchanged in the normalised text, after the
        # tables before it; one whose text normalisation changed stays in the text and is read as lines.
        at = text.find(fragment.text, cursor) if fragment.text else -1
        if at < 0:
            continue
        blocks.extend(lines_to_blocks(text[cursor:at], cursor))
        blocks.extend(_shifted(b, at) for b in fragment.blocks)
        cursor = at + len(fragment.text)
        placed += 1
    blocks.extend(lines_to_blocks(text[cursor:], cursor))
    mark_running_headers(blocks)
    meta = {"encoding": encoding, "markup": "html"}
    warnings = [] if placed == len(tables) else ["部分内嵌 HTML 表格未能按表格读取 (embedded HTML tables read as text)"]
    return Document(
        source=source, text=text, blocks=blocks, kind="text", meta=meta, warnings=warnings, offset_map=offset_map
    )
