"""XLSX output with openpyxl: one sheet per section in statutory order, tables with their merged cells.

Tables keep their merged header and label cells. Numbers are stored as numbers (blank cells stay empty,
never 0); a change column (本年增/减) shows its sign through the number format.
"""

from __future__ import annotations

import io
import math

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from xxgk.extract.report import Report
from xxgk.render.layout import TableLayout, report_layout

FONT = "宋体"
THIN = Side(style="thin", color="333333")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="F0F0F0")
SIGNED_FORMAT = "+0;-0;0"


def _widths(t: TableLayout) -> list[float]:
    """Character widths: group-label columns narrow, the row-label column wide, value columns narrow."""
    if t.label_cols == 0:
        return [9.0] * t.width
    return [10.0] * (t.label_cols - 1) + [34.0] + [11.0] * (t.width - t.label_cols)


def _sheet_title(heading: str, used: set[str]) -> str:
    title = "".join(ch for ch in heading if ch not in "[]:*?/\\")[:31] or "表"
    base, n = title, 2
    while title in used:
        title = f"{base[:28]}（{n}）"
        n += 1
    used.add(title)
    return title


class _Sheet:
    """Writes paragraphs and tables down one worksheet; paragraphs span the sheet's width."""

    def __init__(self, ws: Worksheet, width: int, widths: list[float]) -> None:
        self.ws, self.width, self.row = ws, width, 1
        self.chars = sum(widths)
        for j, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(j)].width = w
        ws.sheet_view.showGridLines = False
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape" if width > 10 else "portrait"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True

    def paragraph(self, text: str, *, size: float = 11, bold: bool = False, align: str = "left") -> None:
        if self.width > 1:
            self.ws.merge_cells(start_row=self.row, start_column=1, end_row=self.row, end_column=self.width)
        cell = self.ws.cell(row=self.row, column=1, value=text)
        cell.font = Font(name=FONT, size=size, bold=bold)
        cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal=align)
        lines = max(1, math.ceil(len(text) * 2 * size / 11 / max(self.chars, 1)))
        self.ws.row_dimensions[self.row].height = 15 * size / 11 * lines + 3
        self.row += 1

    def table(self, t: TableLayout) -> None:
        self.row += 1
        _table(self.ws, t, self.row)
        if t.header_rows:
            self.ws.freeze_panes = self.ws.cell(row=self.row + t.header_rows, column=1 + t.label_cols)
        self.row += t.height + 1


def render_xlsx(report: Report, *, previous: Report | None = None, charts: bool = True) -> bytes:
    """The report as a workbook, one sheet per section in statutory order (title and preface on the first).

    A table section's sheet is exactly as wide as its table, so no padding cells sit beside the figures.
    Charts are not embedded (the workbook is for data); ``previous`` is unused.
    """
    del previous, charts
    layout = report_layout(report)
    wb = Workbook()
    first = wb.active
    assert first is not None
    used: set[str] = set()
    for n, s in enumerate(layout.sections):
        ws = first if n == 0 else wb.create_sheet()
        ws.title = _sheet_title(s.heading, used)
        width = max((t.width for t in s.tables), default=1)
        widths = _widths(s.tables[0]) if s.tables else [100.0]
        sheet = _Sheet(ws, width, widths)
        if n == 0:
            sheet.paragraph(layout.title, size=16, bold=True, align="center")
            for text in layout.preface:
                sheet.paragraph("　　" + text)
        sheet.paragraph(s.heading, size=12, bold=True)
        for text in s.paragraphs:
            sheet.paragraph("　　" + text)
        for t in s.tables:
            sheet.table(t)
        if n == len(layout.sections) - 1:
            for line in layout.signature:
                sheet.paragraph(line, align="right")
    wb.properties.title = layout.title
    wb.properties.creator = "xxgk"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _table(ws: Worksheet, t: TableLayout, top: int) -> None:
    for c in t.cells:
        r, col = top + c.row, 1 + c.col
        for i in range(c.rowspan):
            for j in range(c.colspan):
                ws.cell(row=r + i, column=col + j).border = BORDER
        if c.rowspan > 1 or c.colspan > 1:
            ws.merge_cells(start_row=r, start_column=col, end_row=r + c.rowspan - 1, end_column=col + c.colspan - 1)
        cell = ws.cell(row=r, column=col)
        if c.kind == "value":
            cell.value = c.value
            if c.signed:
                cell.number_format = SIGNED_FORMAT
            cell.alignment = Alignment(horizontal="center", vertical="center")
            cell.font = Font(name=FONT, size=10)
        else:
            cell.value = c.text
            header = c.kind in ("caption", "corner", "head") or (c.kind == "group" and c.row < t.header_rows)
            cell.font = Font(name=FONT, size=10, bold=header and c.kind != "corner")
            cell.alignment = Alignment(
                horizontal="left" if c.kind == "label" else "center", vertical="center", wrap_text=True
            )
            if header:
                cell.fill = HEAD_FILL
