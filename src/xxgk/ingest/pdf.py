"""PDF reader: everything from PDFium (pypdfium2): the text layer, character boxes, ruling lines; OCR for scans.

Pages without vector graphics take the fast path (PDFium's text, one LINE block per line). Pages with graphics
are laid out from their characters and rulings (:mod:`xxgk.ingest.pdfium_page`): tables come from the cell
geometry (ruling lines, with white background boxes ignored), so every number lands in its own cell even where
the flattened text puts the numbers of a two-line row on the wrong line. Text outside the tables becomes LINE
blocks, interleaved with the tables by vertical position. Where a page has no ruling lines but several lines
ending in numbers, the table is rebuilt from word positions (the box layout of :mod:`xxgk.ingest.ocr`). Pages
are read and released one at a time.

Grids (:mod:`xxgk.ingest.grid`): a merged cell's text sits in its top-left grid cell; the other grid cells it
covers repeat the text with ``spanned=True``. Blank cells stay ``""`` (blank is not 0). Tables broken across
pages stay separate blocks. Pages without a text layer are sent to OCR (:mod:`xxgk.ingest.ocr`) when it is installed.

Bounds: at most :data:`MAX_PAGES` pages; per page :data:`MAX_EDGES` ruling segments, :data:`MAX_GRID` ruling
crossings and :data:`MAX_CELLS` cells; :data:`TABLE_TIME_BUDGET` seconds of table analysis and
:data:`MAX_OCR_PAGES` OCR pages. Beyond them the reader keeps going with less (text only) and says so in
``Document.warnings``.
"""

from __future__ import annotations

import itertools
import re
import statistics
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from xxgk.ingest.assemble import DocumentBuilder, GridCell, is_cjk, join_fragments
from xxgk.ingest.document import UNREADABLE, BlockKind, Document
from xxgk.ingest.furniture import furniture
from xxgk.ingest.grid import CellGrid, build_grid
from xxgk.ingest.ocr import Box, layout
from xxgk.ingest.pdfium_page import page_chars, page_edges, table_cells

MAX_PAGES = 500
MAX_EDGES = 6000
MAX_GRID = 6000  # distinct horizontal × vertical ruling positions: joining rulings into cells grows with them
MAX_CELLS = 5000
MAX_CHARS_PER_PAGE = 60000
TABLE_TIME_BUDGET = 120.0
MAX_OCR_PAGES = 30
OCR_DPI = 150

_NUMBER_TOKEN_RE = re.compile(r"^[-+]?\d[\d,]*(?:\.\d+)?%?$")
_WHITE = {(1,), (1.0,), (1, 1, 1), (1.0, 1.0, 1.0), (0, 0, 0, 0), (0.0, 0.0, 0.0, 0.0)}


def _ingest_error(message: str) -> Exception:
    from xxgk.ingest import IngestError

    return IngestError(message)


# ---------------------------------------------------------------------------------------------------------
# Character geometry → lines


@dataclass(slots=True)
class _PageItem:
    """A LINE (``rows is None``) or TABLE item of a page, with its vertical extent for reading order."""

    top: float
    bottom: float
    text: str = ""
    rows: list[list[GridCell]] | None = None


@dataclass(slots=True)
class _Line:
    top: float
    bottom: float
    chars: list[dict[str, Any]] = field(default_factory=list)

    def text(self) -> str:
        return _line_text(self.chars)


def _line_text(chars: list[dict[str, Any]]) -> str:
    """Characters of one line, left to right; a visible gap becomes a space unless both sides are CJK."""
    out: list[str] = []
    prev: dict[str, Any] | None = None
    for ch in sorted(chars, key=lambda c: float(c["x0"])):
        t = str(ch["text"])
        if prev is not None and out and not out[-1].isspace() and not t.isspace():
            gap = float(ch["x0"]) - float(prev["x1"])
            size = max(float(ch.get("size") or 0.0), 1.0)
            if gap > 0.25 * size and not (is_cjk(out[-1][-1:]) and is_cjk(t[:1])):
                out.append(" ")
        out.append(t)
        prev = ch
    return re.sub(r"\s+", " ", "".join(out)).strip()


def _group_lines(chars: Iterable[dict[str, Any]]) -> list[_Line]:
    """Cluster characters into visual lines by vertical overlap of their boxes."""
    lines: list[_Line] = []
    for ch in sorted(chars, key=lambda c: (float(c["top"]), float(c["x0"]))):
        top, bottom = float(ch["top"]), float(ch["bottom"])
        mid = (top + bottom) / 2
        if lines and lines[-1].top - 0.5 <= mid <= lines[-1].bottom + 0.5:
            line = lines[-1]
            line.bottom = max(line.bottom, bottom)
            line.chars.append(ch)
        else:
            lines.append(_Line(top, bottom, [ch]))
    return lines


def _cell_text(chars: list[dict[str, Any]]) -> str:
    lines = [line.text() for line in _group_lines(chars)]
    if _wrapped_number(lines):
        return "".join(lines)  # a number wrapped in a narrow cell: "2" over "6" is 26
    return join_fragments(lines)


def _wrapped_number(lines: list[str]) -> bool:
    """Lines of digits only, every one but the last as long as the first and at most three digits: one
    number that a column too narrow for it wrapped (stacked values of merged rows differ in length)."""
    if len(lines) < 2 or not all(line.isdigit() and line.isascii() for line in lines):
        return False
    width = len(lines[0])
    return width <= 3 and all(len(line) == width for line in lines[:-1]) and len(lines[-1]) <= width


# ---------------------------------------------------------------------------------------------------------
# One page laid out: characters and rulings (from PDFium) → lines and table grids


def _line_edge(x0: float, top: float, x1: float, bottom: float) -> dict[str, Any]:
    return {
        "object_type": "line",
        "orientation": "h" if top == bottom else "v",
        "x0": x0,
        "x1": x1,
        "top": top,
        "bottom": bottom,
        "width": x1 - x0,
        "height": bottom - top,
    }


def _closing_edges(edges: list[dict[str, Any]], tol: float = 3.0) -> list[dict[str, Any]]:
    """Horizontal rules that close tables left open where a page break cut them.

    Word/WPS draw no rule where a table breaks across pages: the column rules of the last (or first) row end
    in the air and no cell is found there. Where two or more vertical rules end at the same height, a
    horizontal rule joining them is added. (Closing open sides the same way joined tables stacked on a page,
    so it is not done.)
    """
    vertical = [e for e in edges if e.get("orientation") == "v" and float(e["bottom"]) - float(e["top"]) > tol]
    extra_h: list[dict[str, Any]] = []
    for key in ("top", "bottom"):
        for group in _group_by(vertical, key, tol):
            if len(group) >= 2:
                y = float(group[0][key])
                x0, x1 = min(float(e["x0"]) for e in group), max(float(e["x1"]) for e in group)
                if x1 - x0 > tol:
                    extra_h.append(_line_edge(x0, y, x1, y))
    return extra_h


def _group_by(edges: list[dict[str, Any]], key: str, tol: float) -> list[list[dict[str, Any]]]:
    groups: list[list[dict[str, Any]]] = []
    for e in sorted(edges, key=lambda e: float(e[key])):
        if groups and float(e[key]) - float(groups[-1][-1][key]) <= tol:
            groups[-1].append(e)
        else:
            groups.append([e])
    return groups


def _page_items(page: Any, textpage: Any, page_no: int, warnings: list[str]) -> list[_PageItem]:
    """LINE and TABLE items of one page with their top coordinate, in reading order: characters placed in the
    cells of the page's ruled tables, the rest grouped into lines; a page with rows of numbers but no rulings
    is laid out by word positions."""
    height, width = float(page.get_height()), float(page.get_width())
    chars, more = page_chars(textpage, height, MAX_CHARS_PER_PAGE)
    if more:
        warnings.append(
            f"第 {page_no} 页字符过多，只读取前 {MAX_CHARS_PER_PAGE} 个 (page {page_no}: too many characters)"
        )
    grids: list[CellGrid] = []
    edge_rules: list[dict[str, Any]] = []
    edges = page_edges(page, height, MAX_EDGES)
    crossings = 0
    if edges is not None:
        crossings = len({round(float(e["top"])) for e in edges if e["orientation"] == "h"}) * len(
            {round(float(e["x0"])) for e in edges if e["orientation"] == "v"}
        )
    if edges is None or crossings > MAX_GRID:
        warnings.append(f"第 {page_no} 页线条过多，未识别表格 (page {page_no}: too many ruling lines, tables skipped)")
    elif edges:
        edge_rules = _page_edge_rules(edges, width)
        for cells in table_cells(edges, _closing_edges(edges) + edge_rules):
            grid = build_grid(cells, MAX_CELLS)
            if grid is not None and len(grid.xs) > 2:
                grids.append(grid)
    loose: list[dict[str, Any]] = []
    for ch in chars:
        x, y = ch["cx"], ch["cy"]
        for grid in grids:
            cell = grid.locate(x, y)
            if cell is not None:
                grid.items[cell].append(ch)
                break
        else:
            loose.append(ch)
    items: list[_PageItem] = []
    # A producer that keeps glyphs past the page edge has the whole text of a cut-off column in its text layer.
    glyphs_past_edge = any(float(ch["x1"]) > width + 1 for ch in chars)
    for grid in grids:
        cut = set() if glyphs_past_edge else _cut_cells(grid, width, bool(edge_rules))
        rows = grid.rows(_cut_or_cell_text)
        if cut:
            warnings.append(
                f"第 {page_no} 页表格超出页面右边缘，最右一列被截断，无法读取 (page {page_no}: table cut off at the "
                "right page edge; its last column is unreadable)"
            )
        if rows and len(rows[0]) > 1:
            items.append(_PageItem(grid.bbox[1], grid.bbox[3], rows=rows))
        else:  # a framed paragraph, not a table: its text goes back to the lines
            loose.extend(ch for chars_ in grid.items for ch in chars_)
    text_lines = _group_lines(loose)
    if not grids and sum(1 for ln in text_lines if _is_numeric_row(ln.text())) >= 3:
        return _text_position_items(text_lines)
    items.extend(_PageItem(line.top, line.bottom, line.text()) for line in text_lines)
    items.sort(key=lambda item: item.top)
    return items


_EDGE = 2.0  # a ruling this close to the page's edge runs to it (the page cut it off)


def _page_edge_rules(edges: list[dict[str, Any]], width: float) -> list[dict[str, Any]]:
    """A table wider than the page, printed by a browser, is cut at the page's right edge: its horizontal rules
    run to the edge and the column there has no right rule. A vertical rule along the edge closes that column,
    so that its cells are cells (read as cut off) and not loose text beside the table."""
    reaching = [e for e in edges if e["orientation"] == "h" and float(e["x1"]) >= width - _EDGE]
    if len(reaching) < 2:
        return []
    verticals = [float(e["x0"]) for e in edges if e["orientation"] == "v"]
    if not verticals or max(verticals) >= width - _EDGE:
        return []  # (the table's own right rule is at the edge: nothing is open)
    top, bottom = min(float(e["top"]) for e in reaching), max(float(e["bottom"]) for e in reaching)
    return [_line_edge(width - _EDGE / 2, top, width - _EDGE / 2, bottom)]


_FIGURE_CHARS = frozenset("0123456789+-—－.")
_CUT_ENDS = frozenset("+-—－.")  # a figure's text cannot end so
_SLIVER = 0.8  # a last column narrower than this share of the table's median column may be a clipped one
_CUT: list[Any] = []  # (the items of a cell cut off at the page edge: one shared marker list)


def _cut_or_cell_text(chars: list[Any]) -> str:
    return UNREADABLE if chars is _CUT else _cell_text(chars)


def _cut_cells(grid: CellGrid, width: float, closed_at_edge: bool) -> set[int]:
    """The cells of a table that start in a column the page's right edge cuts or leaves outside: what is
    printed of them may be part of a figure (``2`` of ``241``) or nothing, so none is read. Their items are
    replaced by the :data:`_CUT` marker. (Cells merged from further left, such as a header over all the
    columns, keep their text; a column closed by the rule added along the edge is cut too.)"""
    edge = width - (2 * _EDGE if closed_at_edge else -0.5)
    cut: set[int] = set()
    for i, (r, c) in enumerate(grid.origins):
        last = c
        while last + 1 < len(grid.owner[r]) and grid.owner[r][last + 1] == i:
            last += 1
        if grid.xs[last + 1] <= edge:
            continue
        # a cell starting past the edge, or merged across it with figure characters in it (``-`` of ``-3``)
        if grid.xs[c + 1] > edge or any(_FIGURE_CHARS.intersection(str(ch["text"])) for ch in grid.items[i]):
            cut.add(i)
    if not cut:
        cut = _clipped_sliver(grid)
    for i in list(cut):  # a figure cut at the edge may leave its start in the cell before (``-`` of ``-3``)
        r, c = grid.origins[i]
        before = grid.owner[r][c - 1] if c else None
        if before is not None and before not in cut:
            text = "".join(str(ch["text"]) for ch in sorted(grid.items[before], key=lambda ch: float(ch["x0"])))
            if text and text[-1] in _CUT_ENDS:
                cut.add(before)
    for i in cut:
        grid.items[i] = _CUT
    return cut


def _clipped_sliver(grid: CellGrid) -> set[int]:
    """A browser clips a table wider than the page at the printable area: the last column becomes a sliver
    with nothing printed in it but perhaps the start of its header (and no text beyond it in the text layer). A
    last column narrower than the table's other columns (:data:`_SLIVER`) with no text in any row that has figures is
    such a column: its cells are cut (an empty trailing column of a whole table stays harmless: a row with
    more cells than the format has keeps its figures)."""
    widths = [b - a for a, b in itertools.pairwise(grid.xs)]
    if len(widths) < 3:
        return set()
    last = len(widths) - 1
    own = {i for row in grid.owner if (i := row[last]) is not None and grid.origins[i][1] == last}
    if not own or widths[last] >= _SLIVER * statistics.median(widths[:last]):
        return set()

    def figures_in(row: list[int | None]) -> bool:
        return any(
            _FIGURE_CHARS.intersection(str(ch["text"])) for i in set(row) if i is not None for ch in grid.items[i]
        )

    # nothing printed in it, or only the start of its header (``总`` of 总计) in a row without figures
    if any(grid.items[i] and figures_in(grid.owner[grid.origins[i][0]]) for i in own):
        return set()
    return own  # (a header merged over it from further left keeps its text)


def _is_numeric_row(text: str) -> bool:
    """A line that ends in two or more numbers (a table row: label, then values)."""
    trailing = 0
    for tok in reversed(text.split()):
        if not _NUMBER_TOKEN_RE.match(tok):
            break
        trailing += 1
    return trailing >= 2


def _word_boxes(line: _Line) -> list[Box]:
    """A line cut into words where a gap wider than half a character (or a space) separates characters."""
    boxes: list[Box] = []
    word: list[dict[str, Any]] = []
    for ch in sorted(line.chars, key=lambda c: float(c["x0"])):
        if word:
            gap = float(ch["x0"]) - float(word[-1]["x1"])
            if gap > 0.5 * max(float(ch.get("size") or 0.0), 1.0):
                boxes.append(_box(word))
                word = []
        word.append(ch)
    if word:
        boxes.append(_box(word))
    return boxes


def _box(chars: list[dict[str, Any]]) -> Box:
    return Box(
        min(float(c["x0"]) for c in chars),
        min(float(c["top"]) for c in chars),
        max(float(c["x1"]) for c in chars),
        max(float(c["bottom"]) for c in chars),
        _line_text(chars),
    )


def _text_position_items(lines: list[_Line]) -> list[_PageItem]:
    """A page with rows of numbers but no ruling lines: words laid out by position into lines and tables
    (the layout OCR uses: numbers fix the value columns, labels go left of them)."""
    items: list[_PageItem] = []
    for n, (_, payload) in enumerate(layout([box for line in lines for box in _word_boxes(line)])):
        if isinstance(payload, list):
            items.append(_PageItem(n, n, rows=payload))
        else:
            items.append(_PageItem(n, n, payload))
    return items


# ---------------------------------------------------------------------------------------------------------
# The reader


def _open_error(exc: Exception, source: str) -> Exception:
    message = str(exc)
    if "password" in message.lower() or "security" in message.lower():
        return _ingest_error(f"PDF 文件已加密，需要密码才能读取 (encrypted PDF, password required): {source}")
    return _ingest_error(f"PDF 文件已损坏或不完整，无法打开 (damaged or truncated PDF: {message}): {source}")


def _has_objects(page: Any, kind: int) -> bool:
    return any(True for _ in page.get_objects(filter=[kind], max_depth=4))


def _pdfium_lines(text: str) -> list[str]:
    return [ln for ln in text.replace("\r\n", "\n").replace("\r", "\n").split("\n") if ln.strip()]


def _add_item(builder: DocumentBuilder, item: _PageItem, page_no: int) -> None:
    if item.rows is not None:
        builder.add_table(item.rows, page=page_no)
    else:
        noise = furniture(item.text)
        builder.add_text(item.text, BlockKind.LINE, page=page_no, noise=noise)


def _continue_split_row(builder: DocumentBuilder, rows: list[list[GridCell]], page_no: int) -> None:
    """A table row that a page break cut in two: the next page's table opens with the rest of its label and no
    values. The text is joined to the last row of the table on the page before (same columns, nothing but
    page furniture between them) and the fragment row is dropped."""
    for item in reversed(builder.items):
        if item.rows is not None:
            previous = item
            break
        if item.noise is None and item.text.strip():
            return  # text between the two tables: not one table
    else:
        return
    if previous.page != page_no - 1 or not previous.rows:
        return
    last, first = previous.rows[-1], rows[0]
    if len(last) != len(first):
        return
    values = [bool(_NUMBER_TOKEN_RE.match(c.text.strip())) for c in last]
    texts = [c.text.strip() for c in first]
    if not any(values) or not any(texts) or any(text and value for text, value in zip(texts, values, strict=True)):
        return  # (a header row continues a table with words over its value columns: not a cut row)
    if any(any(ch.isdigit() for ch in t) for t in texts):
        return
    for cell, text in zip(last, texts, strict=True):
        if text and not cell.spanned:
            cell.text = join_fragments([cell.text, text])
    del rows[0]


@dataclass(slots=True)
class _ReadState:
    """What reading a PDF's pages keeps from page to page."""

    deadline: float
    budget_warned: bool = False
    scanned: list[int] = field(default_factory=list)
    ocr_done: int = 0
    ocr_missing: str | None = None
    text_pages: int = 0


def read_pdf(data: bytes, source: str) -> Document:
    """Read a PDF into LINE and TABLE blocks, page by page (``Block.page`` is 1-based)."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise _open_error(exc, source) from exc
    builder = DocumentBuilder()
    warnings = builder.warnings
    state = _ReadState(time.monotonic() + TABLE_TIME_BUDGET)
    try:
        total = len(pdf)
        if total == 0:
            raise _ingest_error(f"PDF 文件没有页面 (PDF has no pages): {source}")
        count = min(total, MAX_PAGES)
        if total > MAX_PAGES:
            warnings.append(
                f"PDF 共 {total} 页，只读取前 {MAX_PAGES} 页 (only the first {MAX_PAGES} of {total} pages read)"
            )
        for index in range(count):
            page_no = index + 1
            try:
                page = pdf[index]
            except Exception as exc:  # one bad page must not lose the others
                warnings.append(f"第 {page_no} 页无法读取 (page {page_no} unreadable: {exc})")
                continue
            try:  # (pages are released one by one: a long report never holds them all)
                _read_page(builder, page, page_no, state)
            except Exception as exc:
                warnings.append(f"第 {page_no} 页无法读取 (page {page_no} unreadable: {exc})")
            finally:
                page.close()
        meta = _metadata(pdf)
    finally:
        pdf.close()
    meta["pages"] = str(total)
    scanned, ocr_done = state.scanned, state.ocr_done
    if scanned:
        meta["scanned_pages"] = ",".join(map(str, scanned))
        if state.ocr_missing is not None:
            message = (
                f"第 {','.join(map(str, scanned[:20]))} 页是扫描图像，未安装文字识别组件 (OCR)，无法读取 "
                f"(scanned pages without a text layer; OCR not installed: pip install 'xxgk[ocr]'; "
                f"{state.ocr_missing})"
            )
            if state.text_pages == 0:
                raise _ingest_error(f"{message}: {source}")
            warnings.append(message)
        elif len(scanned) > ocr_done:
            warnings.append(
                f"扫描页过多，只识别了前 {ocr_done} 页 (only {ocr_done} of {len(scanned)} scanned pages OCR'd)"
            )
        if ocr_done:
            warnings.append(f"{ocr_done} 页内容由文字识别 (OCR) 得到，可能有误 ({ocr_done} pages read by OCR)")
    if not builder.items:
        raise _ingest_error(f"PDF 中没有可读取的文字 (no text in PDF): {source}")
    return builder.build(source, "pdf", meta)


def _read_page(builder: DocumentBuilder, page: Any, page_no: int, state: _ReadState) -> None:
    """One page into the builder: its text layer laid out (tables from its rulings), or OCR for a scan."""
    import pypdfium2.raw as pdfium_c

    warnings = builder.warnings
    textpage = page.get_textpage()
    try:
        text = textpage.get_text_range()
        if not text.strip():
            if _has_objects(page, pdfium_c.FPDF_PAGEOBJ_IMAGE):
                state.scanned.append(page_no)
                if state.ocr_missing is None and state.ocr_done < MAX_OCR_PAGES:
                    try:
                        _ocr_page(builder, page, page_no)
                        state.ocr_done += 1
                    except ImportError as exc:
                        state.ocr_missing = str(exc)
                    except Exception as exc:  # OCR failing on one page must not lose the rest
                        warnings.append(f"第 {page_no} 页文字识别失败 (page {page_no}: OCR failed: {exc})")
            return
        state.text_pages += 1
        items: list[_PageItem] | None = None
        if _has_objects(page, pdfium_c.FPDF_PAGEOBJ_PATH) or _has_numeric_rows(text):
            if time.monotonic() > state.deadline:
                if not state.budget_warned:
                    warnings.append(
                        f"表格识别超时，第 {page_no} 页起只读取文字 (table analysis time budget spent; "
                        f"text only from page {page_no})"
                    )
                    state.budget_warned = True
            else:
                try:
                    items = _page_items(page, textpage, page_no, warnings)
                except Exception as exc:  # a page the layout cannot handle keeps its text
                    warnings.append(
                        f"第 {page_no} 页表格识别失败，只读取文字 (page {page_no}: table analysis failed: {exc})"
                    )
        if items is None:
            items = [_PageItem(0.0, 0.0, line) for line in _pdfium_lines(text)]
        opening = next((item for item in items if item.rows is not None or furniture(item.text) is None), None)
        if opening is not None and opening.rows:  # the page opens with a table (after its furniture)
            _continue_split_row(builder, opening.rows, page_no)
        for item in items:
            _add_item(builder, item, page_no)
    finally:
        textpage.close()


def _has_numeric_rows(text: str) -> bool:
    return sum(1 for line in _pdfium_lines(text) if _is_numeric_row(line)) >= 3


def _metadata(pdf: Any) -> dict[str, str]:
    meta: dict[str, str] = {}
    try:
        for key, value in pdf.get_metadata_dict(skip_empty=True).items():
            meta[f"pdf_{key.lower()}"] = str(value)
    except Exception:  # metadata is optional
        pass
    return meta


def _ocr_page(builder: DocumentBuilder, page: Any, page_no: int) -> None:
    """Render a page without text layer and OCR it (raises ImportError when OCR is not installed)."""
    from xxgk.ingest.ocr import ocr_items

    image = page.render(scale=OCR_DPI / 72).to_pil()
    for kind, payload in ocr_items(image):
        if isinstance(payload, list):
            builder.add_table(payload, page=page_no)
        else:
            noise = furniture(payload)
            builder.add_text(payload, kind, page=page_no, noise=noise)
