"""Assemble a :class:`~xxgk.ingest.document.Document` from the lines and table grids a layout reader found.

PDF, DOCX, XLSX and OCR readers all end the same way: an ordered list of text lines, paragraphs, headings and
table grids becomes one normalised text with exact offsets. ``Document.text`` joins the blocks with ``"\\n"``;
a table block's text is its rows joined by ``"\\n"``, each row's cells joined by ``" | "``. Every block and
cell then satisfies ``doc.text[x.start:x.end] == x.text``.

The text is normalised once, as a whole, with :func:`~xxgk.ingest.normalize.normalize_text`; the offset map it
returns points back into the assembled raw text (the reader's extraction).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field

from xxgk.ingest.document import Block, BlockKind, Cell, Document, OffsetMap
from xxgk.ingest.normalize import normalize_text

CELL_SEP = " | "

_WS_RE = re.compile(r"\s+")
_CJK_RE = re.compile("[\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef\u2018-\u201d\u2026\u2014\u00b7]")


def is_cjk(ch: str) -> bool:
    """True for CJK ideographs and full-width/CJK punctuation (joined to neighbours without a space)."""
    return bool(ch) and _CJK_RE.match(ch) is not None


def join_fragments(parts: list[str]) -> str:
    """Join lines wrapped inside one cell or paragraph: no space next to CJK, one space between Latin words."""
    out = ""
    for part in parts:
        part = _WS_RE.sub(" ", part).strip()
        if not part:
            continue
        if out and not (is_cjk(out[-1]) or is_cjk(part[0])):
            out += " "
        out += part
    return out


def clean_cell(text: str) -> str:
    """Cell text on one line: wrapped fragments joined, whitespace runs collapsed, ends stripped."""
    return join_fragments(text.splitlines())


@dataclass(slots=True)
class GridCell:
    """A cell as a reader sees it, before offsets exist."""

    text: str
    spanned: bool = False


@dataclass(slots=True)
class _Item:
    kind: BlockKind
    text: str = ""
    rows: list[list[GridCell]] | None = None
    page: int | None = None
    noise: str | None = None


@dataclass
class DocumentBuilder:
    """Collects blocks in reading order, then lays out and normalises the text (:meth:`build`)."""

    items: list[_Item] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def add_text(
        self, text: str, kind: BlockKind = BlockKind.LINE, page: int | None = None, noise: str | None = None
    ) -> None:
        text = _WS_RE.sub(" ", text).strip()
        if text:
            self.items.append(_Item(kind, text, page=page, noise=noise))

    def add_table(self, rows: list[list[GridCell]], page: int | None = None, noise: str | None = None) -> None:
        """Add a grid; cells are cleaned to one line each, empty rows are dropped, ragged rows padded."""
        clean = [[GridCell(clean_cell(c.text), c.spanned) for c in row] for row in rows]
        clean = [row for row in clean if row]
        if not clean:
            return
        width = max(len(row) for row in clean)
        for row in clean:
            row.extend(GridCell("") for _ in range(width - len(row)))
        self.items.append(_Item(BlockKind.TABLE, rows=clean, page=page, noise=noise))

    def __len__(self) -> int:
        return len(self.items)

    def build(self, source: str, kind: str, meta: dict[str, str] | None = None) -> Document:
        raw_parts: list[str] = []
        spans: list[tuple[int, int, int]] = []  # (item index, start, end) of each block in the raw text
        cell_spans: list[list[list[tuple[int, int]]]] = []
        pos = 0
        for n, item in enumerate(self.items):
            if n:
                raw_parts.append("\n")
                pos += 1
            start = pos
            grid_spans: list[list[tuple[int, int]]] = []
            if item.rows is None:
                raw_parts.append(item.text)
                pos += len(item.text)
            else:
                for r, row in enumerate(item.rows):
                    if r:
                        raw_parts.append("\n")
                        pos += 1
                    row_spans: list[tuple[int, int]] = []
                    for c, cell in enumerate(row):
                        if c:
                            raw_parts.append(CELL_SEP)
                            pos += len(CELL_SEP)
                        raw_parts.append(cell.text)
                        row_spans.append((pos, pos + len(cell.text)))
                        pos += len(cell.text)
                    grid_spans.append(row_spans)
            spans.append((n, start, pos))
            cell_spans.append(grid_spans)
        raw = "".join(raw_parts)
        text, offset_map = normalize_text(raw)
        to_norm: Callable[[int], int] = _identity if offset_map is None else _ToNorm(offset_map, len(text))

        blocks: list[Block] = []
        for (n, start, end), grid_spans in zip(spans, cell_spans, strict=True):
            item = self.items[n]
            b_start, b_end = to_norm(start), to_norm(end)
            rows: list[list[Cell]] | None = None
            if item.rows is not None:
                rows = []
                for row, row_spans in zip(item.rows, grid_spans, strict=True):
                    out_row: list[Cell] = []
                    for cell, (c_start, c_end) in zip(row, row_spans, strict=True):
                        s, e = to_norm(c_start), to_norm(c_end)
                        out_row.append(Cell(text[s:e], s, e, cell.spanned))
                    rows.append(out_row)
            blocks.append(
                Block(item.kind, text[b_start:b_end], b_start, b_end, rows=rows, noise=item.noise, page=item.page)
            )
        return Document(
            source=source,
            text=text,
            blocks=blocks,
            kind=kind,
            meta=dict(meta or {}),
            warnings=list(self.warnings),
            offset_map=offset_map,
        )


def _identity(offset: int) -> int:
    return offset


class _ToNorm:
    """Raw offset → smallest normalised offset that maps at or after it (the inverse of ``to_source``)."""

    def __init__(self, offset_map: OffsetMap, norm_len: int) -> None:
        self._map = offset_map
        self._positions = range(norm_len + 1)

    def __call__(self, offset: int) -> int:
        return bisect_left(self._positions, offset, key=self._map.to_source)
