"""One PDF page through PDFium alone: its characters with their boxes, its ruling lines, and its ruled tables.

pypdfium2 gives each character of the text layer with its (loose) box and font size, and each painted path
with its segments, transformation matrix and colours. A path's axis-parallel segments are the page's rulings
(a line, a rectangle's sides, a thin filled bar); white boxes painted behind text and invisible paths are left
out. The rulings are joined into cells with pdfplumber's geometry functions (edges → intersections → cells →
tables, pure Python over a page's few hundred segments; pdfplumber does not parse the file).

Coordinates are PDF points from the page's top-left corner, characters as dicts with ``x0 x1 top bottom text
size`` and edges as pdfplumber's edge dicts, so the PDF reader lays out either the same way.
"""

from __future__ import annotations

import ctypes
from collections.abc import Iterator
from typing import Any

import pypdfium2.raw as pdfium_c

Char = dict[str, Any]
Edge = dict[str, Any]
Matrix = tuple[float, float, float, float, float, float]

_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_MAX_FORM_DEPTH = 8
_AXIS = 0.01  # a segment whose other coordinate moves less than this is horizontal or vertical
_WHITE_LEVEL = 250  # a fill at least this light in every channel is white


def page_chars(textpage: Any, height: float, limit: int) -> tuple[list[Char], bool]:
    """The page's characters (no generated or blank ones) with loose boxes (the font's extent, what lines and
    word gaps are measured by) and the centre of the glyph itself, at most ``limit``; and whether there were
    more."""
    handle = textpage.raw if hasattr(textpage, "raw") else textpage
    count = pdfium_c.FPDFText_CountChars(handle)
    rect = pdfium_c.FS_RECTF()
    rect_ref = ctypes.byref(rect)
    get_unicode = pdfium_c.FPDFText_GetUnicode
    generated = pdfium_c.FPDFText_IsGenerated
    loose_box = pdfium_c.FPDFText_GetLooseCharBox
    glyph_box = pdfium_c.FPDFText_GetCharBox
    font_size = pdfium_c.FPDFText_GetFontSize
    char_matrix = pdfium_c.FPDFText_GetMatrix
    matrix = pdfium_c.FS_MATRIX()
    matrix_ref = ctypes.byref(matrix)
    left, right, bottom, top = ctypes.c_double(), ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
    glyph_refs = (ctypes.byref(left), ctypes.byref(right), ctypes.byref(bottom), ctypes.byref(top))
    chars: list[Char] = []
    for i in range(count):
        code = get_unicode(handle, i)
        if code <= 32 or code in (0xA0, 0x3000, 0xFFFE, 0xFFFF) or generated(handle, i) == 1:
            continue
        if not loose_box(handle, i, rect_ref):
            continue
        if len(chars) >= limit:
            return chars, True
        text = chr(code) if code < 0xD800 or code > 0xDFFF else "\ufffd"
        size = font_size(handle, i)
        if char_matrix(handle, i, matrix_ref):  # (the font size before the text matrix scales it)
            size *= abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5 or 1.0
        if glyph_box(handle, i, *glyph_refs) and right.value > left.value:
            cx, cy = (left.value + right.value) / 2, height - (top.value + bottom.value) / 2
        else:
            cx, cy = (rect.left + rect.right) / 2, height - (rect.top + rect.bottom) / 2
        chars.append(
            {
                "text": text,
                "x0": rect.left,
                "x1": rect.right,
                "top": height - rect.top,
                "bottom": height - rect.bottom,
                "size": size,
                "cx": cx,  # where the glyph itself stands (what places it in a cell)
                "cy": cy,
            }
        )
    return chars, False


def _compose(inner: Matrix, outer: Matrix) -> Matrix:
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _objects(page: Any) -> Iterator[tuple[Any, Matrix]]:
    """Every page object with the matrix of the forms it is nested in (form XObjects opened)."""
    handle = page.raw if hasattr(page, "raw") else page
    matrix = pdfium_c.FS_MATRIX()

    def walk(count: int, get: Any, parent: Any, outer: Matrix, depth: int) -> Iterator[tuple[Any, Matrix]]:
        for i in range(count):
            obj = get(parent, i)
            if not obj:
                continue
            if pdfium_c.FPDFPageObj_GetType(obj) == pdfium_c.FPDF_PAGEOBJ_FORM and depth < _MAX_FORM_DEPTH:
                if pdfium_c.FPDFPageObj_GetMatrix(obj, ctypes.byref(matrix)):
                    own = (matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f)
                    inner = _compose(own, outer)
                    n = pdfium_c.FPDFFormObj_CountObjects(obj)
                    yield from walk(n, pdfium_c.FPDFFormObj_GetObject, obj, inner, depth + 1)
            else:
                yield obj, outer

    yield from walk(pdfium_c.FPDFPage_CountObjects(handle), pdfium_c.FPDFPage_GetObject, handle, _IDENTITY, 0)


def _white_fill_only(obj: Any, fill_mode: int, stroke: bool) -> bool:
    if stroke or not fill_mode:
        return False
    r, g, b, a = ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint()
    if not pdfium_c.FPDFPageObj_GetFillColor(obj, ctypes.byref(r), ctypes.byref(g), ctypes.byref(b), ctypes.byref(a)):
        return False
    return a.value == 0 or min(r.value, g.value, b.value) >= _WHITE_LEVEL


def page_edges(page: Any, height: float, limit: int) -> list[Edge] | None:
    """The page's rulings as horizontal and vertical edges (``None`` past ``limit`` segments): every
    axis-parallel segment of a painted path, except white boxes painted without a stroke (Word and WPS put
    them behind text lines) and paths neither filled nor stroked."""
    edges: list[Edge] = []
    fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
    matrix = pdfium_c.FS_MATRIX()
    x, y = ctypes.c_float(), ctypes.c_float()
    for obj, outer in _objects(page):
        if pdfium_c.FPDFPageObj_GetType(obj) != pdfium_c.FPDF_PAGEOBJ_PATH:
            continue
        if not pdfium_c.FPDFPath_GetDrawMode(obj, ctypes.byref(fill_mode), ctypes.byref(stroke)):
            continue
        if not fill_mode.value and not stroke.value:
            continue
        if _white_fill_only(obj, fill_mode.value, bool(stroke.value)):
            continue
        own = _IDENTITY
        if pdfium_c.FPDFPageObj_GetMatrix(obj, ctypes.byref(matrix)):
            own = (matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f)
        a, b, c, d, e, f = _compose(own, outer)
        points: list[tuple[float, float]] = []  # the current subpath, in page space, y down
        start: tuple[float, float] | None = None
        for i in range(pdfium_c.FPDFPath_CountSegments(obj)):
            seg = pdfium_c.FPDFPath_GetPathSegment(obj, i)
            if not seg or not pdfium_c.FPDFPathSegment_GetPoint(seg, ctypes.byref(x), ctypes.byref(y)):
                continue
            px, py = a * x.value + c * y.value + e, height - (b * x.value + d * y.value + f)
            kind = pdfium_c.FPDFPathSegment_GetType(seg)
            if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
                start = (px, py)
                points = [start]
                continue
            if kind == pdfium_c.FPDF_SEGMENT_LINETO and points:
                _add_edge(edges, points[-1], (px, py))
            points.append((px, py))
            if pdfium_c.FPDFPathSegment_GetClose(seg) and start is not None:
                _add_edge(edges, (px, py), start)
                points.append(start)
        if len(edges) > limit:
            return None
    return edges


def _add_edge(edges: list[Edge], p: tuple[float, float], q: tuple[float, float]) -> None:
    (x0, y0), (x1, y1) = p, q
    if abs(y1 - y0) < _AXIS and abs(x1 - x0) >= _AXIS:
        left, right = min(x0, x1), max(x0, x1)
        edges.append(
            {"object_type": "line", "orientation": "h", "x0": left, "x1": right, "top": y0, "bottom": y0,
             "width": right - left, "height": 0.0}
        )  # fmt: skip
    elif abs(x1 - x0) < _AXIS and abs(y1 - y0) >= _AXIS:
        top, bottom = min(y0, y1), max(y0, y1)
        edges.append(
            {"object_type": "line", "orientation": "v", "x0": x0, "x1": x0, "top": top, "bottom": bottom,
             "width": 0.0, "height": bottom - top}
        )  # fmt: skip


def table_cells(edges: list[Edge], extra: list[Edge]) -> list[list[tuple[float, float, float, float]]]:
    """The ruled tables the edges (and ``extra`` closing rules) make, each as its cell boxes; the settings of
    pdfplumber's ``find_tables`` (lines strategy: snap and join within 3 pt, edges of 3 pt or more)."""
    from pdfplumber.table import cells_to_tables, edges_to_intersections, intersections_to_cells, merge_edges

    base = [e for e in edges if (e["height"] if e["orientation"] == "v" else e["width"]) >= 1] + extra
    merged = merge_edges(base, snap_x_tolerance=3, snap_y_tolerance=3, join_x_tolerance=3, join_y_tolerance=3)
    merged = [e for e in merged if (e["height"] if e["orientation"] == "v" else e["width"]) >= 3]
    cells = intersections_to_cells(edges_to_intersections(merged, 3, 3))
    return [list(table) for table in cells_to_tables(cells)]
