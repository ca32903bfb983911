"""XLSX output with openpyxl: the whole report on one sheet, top to bottom, tables with merged cells.

Numbers are stored as numbers (blank cells stay empty, never 0); a change column (本年增/减) shows its sign
through the number format. Paragraphs sit in a merged row across the sheet's width, wrapped.
"""

from __future__ import annotations

import io
import math

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from xxgk.extract.report import Report
from xxgk.render.layout import TableLayout, report_layout

FONT = "宋体"
THIN = Side(style="thin", color="333333")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="F0F0F0")
SIGNED_FORMAT = "+0;-0;0"


def _column_widths(layouts: list[TableLayout], width: int) -> list[float]:
    """Character widths: the label columns of the widest-labelled table wide, value columns narrow."""
    label_cols = max((t.label_cols for t in layouts), default=1)
    widths = [11.0] * width
    for j in range(label_cols - 1):
        widths[j] = 12.0
    widths[label_cols - 1] = 34.0
    return widths


def render_xlsx(report: Report, *, previous: Report | None = None, charts: bool = True) -> bytes:
    """The report as a workbook; charts are not embedded (the workbook is for data), ``previous`` unused."""
    del previous, charts
    layout = report_layout(report)
    tables = [t for s in layout.sections for t in s.tables]
    width = max(t.width for t in tables)
    widths = _column_widths(tables, width)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "年度报告"
    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = w
    total_chars = sum(widths)
    row = 1

    def paragraph(
        text: str, *, size: float = 11, bold: bool = False, center: bool = False, indent: bool = True
    ) -> None:
        nonlocal row
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        cell = ws.cell(row=row, column=1, value=("　　" if indent else "") + text)
        cell.font = Font(name=FONT, size=size, bold=bold)
        cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="center" if center else "left")
        lines = max(1, math.ceil(len(cell.value) * 2 * size / 11 / max(total_chars, 1)))
        ws.row_dimensions[row].height = 15 * size / 11 * lines + 3
        row += 1

    paragraph(layout.title, size=16, bold=True, center=True, indent=False)
    for text in layout.preface:
        paragraph(text)
    for s in layout.sections:
        paragraph(s.heading, size=12, bold=True, indent=False)
        for text in s.paragraphs:
            paragraph(text)
        for t in s.tables:
            _table(ws, t, row)
            row += t.height + 1
    for line in layout.signature:
        paragraph(line, indent=False)
        ws.cell(row=row - 1, column=1).alignment = Alignment(horizontal="right")
    ws.sheet_view.showGridLines = False
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    wb.properties.title = layout.title
    wb.properties.creator = "xxgk"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _table(ws: object, t: TableLayout, top: int) -> None:
    from openpyxl.worksheet.worksheet import Worksheet

    assert isinstance(ws, Worksheet)
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
