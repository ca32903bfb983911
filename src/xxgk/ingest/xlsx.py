"""XLSX reader: each worksheet becomes one TABLE block (openpyxl, read-only, cached formula values).

Merged ranges are expanded (read-only openpyxl does not load them, so they are taken from the sheet XML): the
top-left cell holds the text and the other cells of the range repeat it with ``spanned=True``. Numbers are
written as integers when integral (``5``, not ``5.0``); blank cells stay ``""`` (blank is not 0); dates are
written ISO style. Empty rows are dropped, the grid is cut after the last non-empty column. Hidden sheets are
kept as noise (``hidden``). The zip is checked for bombs before openpyxl sees it.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import Any

from xxgk.ingest.assemble import DocumentBuilder, GridCell
from xxgk.ingest.document import Document
from xxgk.ingest.docx import check_ooxml_zip

MAX_ROWS = 20_000
MAX_COLUMNS = 500
MAX_CELLS = 500_000

_MERGE_RE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Za-z]+\d+(?::[A-Za-z]+\d+)?)"')


def _ingest_error(message: str) -> Exception:
    from xxgk.ingest import IngestError

    return IngestError(message)


def format_value(value: Any) -> str:
    """A cell value as text: integral numbers without ``.0``, dates ISO, blanks as ``""``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return ""
        if value.is_integer():
            return str(int(value))
        return format(value, ".15g")
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


def _merged_ranges(archive: zipfile.ZipFile, path: str) -> list[tuple[int, int, int, int]]:
    """(min_col, min_row, max_col, max_row) of each merged range in a sheet's XML."""
    from openpyxl.utils import range_boundaries

    try:
        xml = archive.read(path.lstrip("/"))
    except KeyError:
        return []
    ranges: list[tuple[int, int, int, int]] = []
    for m in _MERGE_RE.finditer(xml):
        try:
            min_col, min_row, max_col, max_row = range_boundaries(m.group(1).decode("ascii"))
        except ValueError:
            continue
        if min_col and min_row and max_col and max_row:
            ranges.append((min_col, min_row, max_col, max_row))
    return ranges


def _sheet_grid(ws: Any, merges: list[tuple[int, int, int, int]], warnings: list[str]) -> list[list[GridCell]]:
    cells: dict[tuple[int, int], str] = {}
    ws.reset_dimensions()  # never trust the stored dimension (A1:XFD1048576 happens)
    for r, values in enumerate(ws.iter_rows(values_only=True), start=1):
        if r > MAX_ROWS:
            warnings.append(
                f"工作表“{ws.title}”超过 {MAX_ROWS} 行，其余未读取 (sheet {ws.title}: rows after {MAX_ROWS} skipped)"
            )
            break
        for c, value in enumerate(values[:MAX_COLUMNS], start=1):
            text = format_value(value)
            if text:
                cells[(r, c)] = text
        if len(cells) > MAX_CELLS:
            warnings.append(f"工作表“{ws.title}”单元格过多，其余未读取 (sheet {ws.title}: too many cells)")
            break
    spanned: dict[tuple[int, int], str] = {}
    for min_col, min_row, max_col, max_row in merges:
        text = cells.get((min_row, min_col), "")
        if not text:
            continue
        max_row, max_col = min(max_row, MAX_ROWS), min(max_col, MAX_COLUMNS)
        for r in range(min_row, max_row + 1):
            for c in range(min_col, max_col + 1):
                if (r, c) != (min_row, min_col):
                    spanned[(r, c)] = text
    if not cells:
        return []
    width = max(c for _, c in (*cells, *spanned))
    rows_used = sorted({r for r, _ in (*cells, *spanned)})
    grid: list[list[GridCell]] = []
    for r in rows_used:
        row: list[GridCell] = []
        for c in range(1, width + 1):
            if (r, c) in spanned:
                row.append(GridCell(spanned[(r, c)], spanned=True))
            else:
                row.append(GridCell(cells.get((r, c), "")))
        grid.append(row)
    return grid


def read_xlsx(data: bytes, source: str) -> Document:
    """Read an XLSX workbook: one TABLE block per non-empty worksheet, in workbook order."""
    check_ooxml_zip(data, source, "xl/workbook.xml", "Excel (XLSX)")
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise _ingest_error(f"无法打开 Excel 文件 (cannot open XLSX: {type(exc).__name__}: {exc}): {source}") from exc
    builder = DocumentBuilder()
    titles: list[str] = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for ws in workbook.worksheets:
                merges = _merged_ranges(archive, str(getattr(ws, "_worksheet_path", "")))
                grid = _sheet_grid(ws, merges, builder.warnings)
                if not grid:
                    continue
                titles.append(str(ws.title))
                builder.add_table(grid, noise=None if ws.sheet_state == "visible" else "hidden")
    finally:
        workbook.close()
    if not builder.items:
        raise _ingest_error(f"Excel 文件中没有数据 (no data in XLSX): {source}")
    return builder.build(source, "xlsx", {"sheets": " | ".join(titles)})
