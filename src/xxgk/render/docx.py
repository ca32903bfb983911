"""DOCX output with python-docx: 公文-style fonts (仿宋 body, 黑体 headings, 宋体 tables), merged table cells.

The table grids are the shared layout's: every rowspan/colspan becomes a ``merge`` of the covered cells.
Charts go in as PNG under the tables of their section. East-Asian font names are set on ``w:eastAsia`` so
Word/WPS pick them for Chinese text; where they are missing the viewer falls back to its own CJK font.
"""

from __future__ import annotations

import io
from typing import Any

from docx import Document as new_document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from xxgk.extract.report import Report
from xxgk.render.charts import Chart, report_charts
from xxgk.render.html import CHART_SECTION
from xxgk.render.layout import Cell, TableLayout, report_layout

BODY_FONT = "仿宋"
HEADING_FONT = "黑体"
TITLE_FONT = "宋体"
TABLE_FONT = "宋体"
LATIN_FONT = "Times New Roman"


def _set_fonts(target: Any, east_asia: str, size: float | None = None, bold: bool | None = None) -> None:
    """Set Latin and East-Asian font names (and size/bold) on a style or run."""
    font = target.font
    font.name = LATIN_FONT
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    font.color.rgb = RGBColor(0, 0, 0)
    element = target.element
    rpr = element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.append(rfonts)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):  # themes override names
        rfonts.attrib.pop(qn(theme), None)
    rfonts.set(qn("w:eastAsia"), east_asia)
    rfonts.set(qn("w:ascii"), LATIN_FONT)
    rfonts.set(qn("w:hAnsi"), LATIN_FONT)


def _page_number_footer(section: Any) -> None:
    """Footer “— n —” with a PAGE field, centred."""
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run("— ")
    run = p.add_run()
    for tag, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if tag is not None:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), tag)
            run._r.append(fld)
        else:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
    p.add_run(" —")


def _prepare(doc: Any) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    styles = doc.styles
    _set_fonts(styles["Normal"], BODY_FONT, 16)
    normal = styles["Normal"].paragraph_format
    normal.line_spacing = Pt(28)
    normal.space_after = Pt(0)
    _set_fonts(styles["Heading 1"], TITLE_FONT, 22, True)
    styles["Heading 1"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _set_fonts(styles["Heading 2"], HEADING_FONT, 16, False)
    for name in ("Heading 1", "Heading 2"):
        styles[name].paragraph_format.space_before = Pt(12)
        styles[name].paragraph_format.space_after = Pt(6)
    _page_number_footer(section)


def _paragraph(doc: Any, text: str, *, indent: bool = True, align: Any = None) -> None:
    p = doc.add_paragraph(text)
    if indent:
        p.paragraph_format.first_line_indent = Pt(32)
    if align is not None:
        p.alignment = align


def _cell_text(cell: Any, c: Cell) -> None:
    p = cell.paragraphs[0]
    p.paragraph_format.line_spacing = 1.0
    p.paragraph_format.first_line_indent = Pt(0)
    if c.kind != "label":
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(c.text)
    _set_fonts(run, TABLE_FONT, 9, c.kind in ("caption", "head", "group"))
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


TEXT_WIDTH_CM = 15.6


def column_widths(t: TableLayout) -> list[float]:
    """Column widths in cm: group-label columns narrow, the row-label column wide, value columns equal."""
    n_values = t.width - t.label_cols
    if t.label_cols == 0:
        return [TEXT_WIDTH_CM / t.width] * t.width
    groups = [1.7] * (t.label_cols - 1)
    value = min(3.0, (TEXT_WIDTH_CM - sum(groups) - 4.2) / max(n_values, 1))
    label = TEXT_WIDTH_CM - sum(groups) - value * n_values
    return [*groups, label] + [value] * n_values


def _table(doc: Any, t: TableLayout) -> None:
    table = doc.add_table(rows=t.height, cols=t.width)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = column_widths(t)
    for j, col in enumerate(table.columns):
        col.width = Cm(widths[j])
    grid = [list(r.cells) for r in table.rows]  # resolve the cells once: table.cell() rescans the table
    for row_cells in grid:
        for j, cell in enumerate(row_cells):
            cell.width = Cm(widths[j])
    for c in t.cells:
        top_left = grid[c.row][c.col]
        if c.rowspan > 1 or c.colspan > 1:
            top_left = top_left.merge(grid[c.row + c.rowspan - 1][c.col + c.colspan - 1])
        _cell_text(top_left, c)
    for i in range(t.header_rows):  # repeat the header on each page
        trpr = table.rows[i]._tr.get_or_add_trPr()
        el = OxmlElement("w:tblHeader")
        el.set(qn("w:val"), "true")
        trpr.append(el)
    doc.add_paragraph()


def _chart(doc: Any, chart: Chart, number: int) -> None:
    doc.add_picture(io.BytesIO(chart.png), width=Cm(15))
    holder = doc.paragraphs[-1]
    holder.alignment = WD_ALIGN_PARAGRAPH.CENTER
    holder.paragraph_format.line_spacing = 1.0
    holder.paragraph_format.first_line_indent = Pt(0)
    cap = doc.add_paragraph(f"图{number}　{chart.title}")
    cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for run in cap.runs:
        _set_fonts(run, BODY_FONT, 10.5)


def render_docx(report: Report, *, previous: Report | None = None, charts: bool = True) -> bytes:
    layout = report_layout(report)
    doc = new_document()
    _prepare(doc)
    core = doc.core_properties
    core.title = layout.title
    core.author = report.agency or ""
    core.comments = "xxgk"
    doc.add_heading(layout.title, level=1)
    for text in layout.preface:
        _paragraph(doc, text)
    drawn = report_charts(report, previous, kinds=("png",)) if charts else []
    numbers = {c.id: n for n, c in enumerate(drawn, start=1)}
    for s in layout.sections:
        doc.add_heading(s.heading, level=2)
        for text in s.paragraphs:
            _paragraph(doc, text)
        for t in s.tables:
            _table(doc, t)
        for c in drawn:
            if CHART_SECTION.get(c.id) == s.id:
                _chart(doc, c, numbers[c.id])
    for line in layout.signature:
        _paragraph(doc, line, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
