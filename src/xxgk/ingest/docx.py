"""DOCX reader: paragraphs and tables in body order, merged cells expanded into the grid.

python-docx opens the package; the body XML is walked directly so that paragraphs and tables keep their order,
text in tracked insertions, hyperlinks and content controls is kept, and deleted text, field codes and text-box
fallbacks are left out. ``gridSpan``/``hMerge`` (columns) and ``vMerge`` (rows) are expanded: the grid cells
a merged cell covers after its first repeat its text with ``spanned=True`` (as the HTML reader does). A table
with a single column is layout, not data: its content is read as paragraphs. Headings are recognised by style
(``Heading n``/``标题 n``/``Title``, or an outline level, also through the style's base styles).

The zip is checked before it is opened: too large when uncompressed (zip bombs), too many members, or not a
Word package at all → :class:`~xxgk.ingest.IngestError`.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any

from xxgk.ingest.assemble import DocumentBuilder, GridCell, join_fragments
from xxgk.ingest.document import BlockKind, Document

MAX_UNCOMPRESSED = 100 * 1024 * 1024
MAX_MEMBERS = 5000
MAX_CELLS = 200_000

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_P, _TBL, _TR, _TC, _SDT, _SDT_CONTENT = (f"{_W}{t}" for t in ("p", "tbl", "tr", "tc", "sdt", "sdtContent"))
_CUSTOM_XML, _SMART_TAG = f"{_W}customXml", f"{_W}smartTag"
_T, _TAB, _BR, _CR, _NB_HYPHEN = (f"{_W}{t}" for t in ("t", "tab", "br", "cr", "noBreakHyphen"))
_SKIP = {
    f"{_W}txbxContent",
    f"{_MC}Fallback",
    f"{_W}del",
    f"{_W}moveFrom",
    f"{_W}pPr",
    f"{_W}rPr",
    f"{_W}instrText",
    f"{_W}delText",
    f"{_W}footnoteReference",
    f"{_W}commentReference",
}
_VAL = f"{_W}val"
_HEADING_NAME = re.compile(r"^(heading|标题|title|subtitle|副标题)\s*\d*$", re.IGNORECASE)


def _ingest_error(message: str) -> Exception:
    from xxgk.ingest import IngestError

    return IngestError(message)


def check_ooxml_zip(data: bytes, source: str, required: str, what: str) -> None:
    """Refuse damaged zips, zip bombs and zips that are not the expected Office package."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        raise _ingest_error(f"{what} 文件已损坏或不完整 (damaged or truncated zip: {exc}): {source}") from exc
    if len(infos) > MAX_MEMBERS:
        raise _ingest_error(f"压缩包内文件过多（{len(infos)} 个）(too many zip members): {source}")
    total = sum(info.file_size for info in infos)
    if total > MAX_UNCOMPRESSED:
        raise _ingest_error(
            f"解压后过大（{total // 1048576} MB），疑似压缩炸弹 (uncompressed size over "
            f"{MAX_UNCOMPRESSED // 1048576} MB, possible zip bomb): {source}"
        )
    names = {info.filename for info in infos}
    if required not in names:
        raise _ingest_error(f"不是 {what} 文件 (zip without {required}: not a {what} file): {source}")


def _paragraph_text(p: Any) -> str:
    """Visible text of a ``w:p``: runs, hyperlinks, insertions; tabs as spaces, line breaks as ``\\n``."""
    parts: list[str] = []

    def walk(el: Any) -> None:
        for child in el:
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP:
                continue
            if tag == _T:
                parts.append(child.text or "")
            elif tag == _TAB:
                parts.append(" ")
            elif tag in (_BR, _CR):
                if child.get(f"{_W}type") in (None, "textWrapping"):
                    parts.append("\n")
            elif tag == _NB_HYPHEN:
                parts.append("-")
            elif tag == _P:  # a paragraph inside a paragraph (text boxes kept by mc:Choice)
                continue
            else:
                walk(child)

    walk(p)
    return "".join(parts)


def _children(el: Any) -> Iterator[Any]:
    """Block-level children, looking through content controls and custom XML wrappers."""
    for child in el:
        if child.tag in (_SDT, _CUSTOM_XML, _SMART_TAG, _SDT_CONTENT):
            yield from _children(child)
        elif child.tag == f"{_W}sdtPr" or child.tag == f"{_W}sdtEndPr":
            continue
        else:
            yield child


def _int_attr(el: Any, path: str, default: int) -> int:
    found = el.find(path)
    if found is None:
        return default
    try:
        return max(1, int(found.get(_VAL, default)))
    except ValueError:
        return default


def _merge_state(tc: Any, name: str) -> str | None:
    found = tc.find(f"{_W}tcPr/{_W}{name}")
    if found is None:
        return None
    return str(found.get(_VAL, "continue"))


def _cell_text(tc: Any) -> str:
    parts: list[str] = []
    for child in _children(tc):
        if child.tag == _P:
            parts.extend(_paragraph_text(child).split("\n"))
        elif child.tag == _TBL:  # nested table: its cells, flattened into this cell
            for row in _table_rows(child):
                parts.extend(c.text for c in row if not c.spanned)
    return join_fragments(parts)


def _table_rows(tbl: Any) -> list[list[GridCell]]:
    rows: list[list[GridCell]] = []
    for tr in _children(tbl):
        if tr.tag != _TR:
            continue
        row: list[GridCell] = [GridCell("") for _ in range(_int_attr(tr, f"{_W}trPr/{_W}gridBefore", 0))]
        for tc in _children(tr):
            if tc.tag != _TC:
                continue
            span = _int_attr(tc, f"{_W}tcPr/{_W}gridSpan", 1)
            col = len(row)
            if _merge_state(tc, "vMerge") == "continue":
                above = rows[-1] if rows else []
                text = above[col].text if col < len(above) else ""
                row.extend(GridCell(text, spanned=True) for _ in range(span))
            elif _merge_state(tc, "hMerge") == "continue":
                text = row[-1].text if row else ""
                row.extend(GridCell(text, spanned=True) for _ in range(span))
            else:
                text = _cell_text(tc)
                row.append(GridCell(text))
                row.extend(GridCell(text, spanned=True) for _ in range(span - 1))
        rows.append(row)
    return rows


class _Reader:
    def __init__(self, document: Any) -> None:
        self.builder = DocumentBuilder()
        self.headings = _heading_styles(document)
        self.cells = 0

    def body(self, el: Any) -> None:
        for child in _children(el):
            if child.tag == _P:
                self.paragraph(child)
            elif child.tag == _TBL:
                self.table(child)

    def paragraph(self, p: Any) -> None:
        kind = BlockKind.PARAGRAPH
        style = p.find(f"{_W}pPr/{_W}pStyle")
        if (style is not None and style.get(_VAL) in self.headings) or p.find(f"{_W}pPr/{_W}outlineLvl") is not None:
            kind = BlockKind.HEADING
        for line in _paragraph_text(p).split("\n"):
            self.builder.add_text(line, kind)

    def table(self, tbl: Any) -> None:
        rows = _table_rows(tbl)
        width = max((len(r) for r in rows), default=0)
        if width <= 1:  # a layout frame: read what it holds as body content
            for tr in _children(tbl):
                for tc in _children(tr) if tr.tag == _TR else ():
                    if tc.tag == _TC:
                        self.body(tc)
            return
        self.cells += width * len(rows)
        if self.cells > MAX_CELLS:
            if not any("表格单元格过多" in w for w in self.builder.warnings):
                self.builder.warnings.append(f"表格单元格过多，超过 {MAX_CELLS} 个的部分未读取 (too many table cells)")
            return
        self.builder.add_table(rows)


def _heading_styles(document: Any) -> set[str]:
    """Style ids of paragraph styles that are headings by name or outline level (base styles followed)."""
    by_id: dict[str, Any] = {}
    for style in document.styles.element.findall(f"{_W}style"):
        if style.get(f"{_W}type") == "paragraph" and style.get(f"{_W}styleId"):
            by_id[str(style.get(f"{_W}styleId"))] = style

    def is_heading(style_id: str, depth: int = 0) -> bool:
        style = by_id.get(style_id)
        if style is None or depth > 10:
            return False
        name = style.find(f"{_W}name")
        if name is not None and _HEADING_NAME.match(str(name.get(_VAL, "")).strip()):
            return True
        level = style.find(f"{_W}pPr/{_W}outlineLvl")
        if level is not None and str(level.get(_VAL, "9")) != "9":
            return True
        based = style.find(f"{_W}basedOn")
        return based is not None and is_heading(str(based.get(_VAL, "")), depth + 1)

    return {style_id for style_id in by_id if is_heading(style_id)}


def read_docx(data: bytes, source: str) -> Document:
    """Read a DOCX file into HEADING, PARAGRAPH and TABLE blocks in body order."""
    check_ooxml_zip(data, source, "word/document.xml", "Word (DOCX)")
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:
        raise _ingest_error(f"无法打开 Word 文件 (cannot open DOCX: {type(exc).__name__}: {exc}): {source}") from exc
    reader = _Reader(document)
    reader.body(document.element.body)
    meta: dict[str, str] = {}
    core = document.core_properties
    for key in ("title", "author", "created", "modified"):
        value = getattr(core, key, None)
        if value:
            meta[f"docx_{key}"] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    if not reader.builder.items:
        raise _ingest_error(f"Word 文件中没有文字 (no text in DOCX): {source}")
    return reader.builder.build(source, "docx", meta)
