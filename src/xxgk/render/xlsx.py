"""XLSX output with openpyxl: the report text on a first sheet, each table section on its own sheet.

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


def render_xlsx(report: Report, *, previous: Report | None = None, charts: bool = True) -> bytes:
    """The report as a workbook: the text on the first sheet, each table section on a sheet of its own.

    Each table sheet is exactly as wide as its table, so no padding cells sit beside the figures. Charts are
    not embedded (the workbook is for data); ``previous`` is unused.
    """
    del previous, charts
    layout = report_layout(report)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "年度报告"
    ws.column_dimensions["A"].width = 100
    row = 1

    def paragraph(text: str, *, size: float = 11, bold: bool = False, align: str = "left") -> None:
        nonlocal row
        cell = ws.cell(row=row, column=1, value=text)
        cell.font = Font(name=FONT, size=size, bold=bold)
        cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal=align)
        lines = max(1, math.ceil(len(text) * 2 * size / 11 / 100))
        ws.row_dimensions[row].height = 15 * size / 11 * lines + 3
        row += 1

    paragraph(layout.title, size=16, bold=True, align="center")
    for text in layout.preface:
        paragraph("　　" + text)
    used = {ws.title}
    for s in layout.sections:
        paragraph(s.heading, size=12, bold=True)
        for text in s.paragraphs:
            paragraph("　　" + text)
        for t in s.tables:
            title = _sheet_title(s.heading, used)
            paragraph(f"　　（见工作表“{title}”）")
            _table_sheet(wb.create_sheet(title), s.heading, t)
    for line in layout.signature:
        paragraph(line, align="right")
    ws.sheet_view.showGridLines = False
    wb.properties.title = layout.title
    wb.properties.creator = "xxgk"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _table_sheet(ws: Worksheet, heading: str, t: TableLayout) -> None:
    for j, w in enumerate(_widths(t), start=1):
        ws.column_dimensions[get_column_letter(j)].width = w
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=t.width)
    head = ws.cell(row=1, column=1, value=heading)
    head.font = Font(name=FONT, size=12, bold=True)
    ws.sheet_view.showGridLines = False
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if t.width > 10 else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.freeze_panes = ws.cell(row=3 + t.header_rows, column=1 + t.label_cols) if t.header_rows else None
    _table(ws, t, 3)


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
