"""The statutory layout of a report, computed once from the format data and shared by every output.

A :class:`ReportLayout` is the report as the renderers see it: title, preface, the six sections with their
narrative paragraphs and tables, the signature. Tables are grids of :class:`Cell` objects placed at
``(row, col)`` with ``rowspan``/``colspan``; the merged header cells (申请人情况 / 法人或其他组织, 三、本年度办理结果,
（三）不予公开 …, 行政复议 / 行政诉讼) come from the format's ``headings`` tree, the rows' ``parent`` and the
columns' ``group``, never from code. HTML, PDF, DOCX and XLSX draw the same grid; Markdown uses
:meth:`TableLayout.flat_rows` (one label column, no merges).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from xxgk.extract.report import Report
from xxgk.formats import Column, Format, Heading, Row, Table, TableKind, get_format

Number = int | float
CellKind = Literal["caption", "corner", "head", "group", "label", "value", "blank"]

RENDERABLE_FORMATS = ("2019", "2021")


class LayoutError(ValueError):
    """The report cannot be laid out (unsupported format). The message is Chinese (user-facing)."""


@dataclass(slots=True)
class Cell:
    """One (possibly merged) cell of a rendered table grid."""

    row: int
    col: int
    text: str
    kind: CellKind
    rowspan: int = 1
    colspan: int = 1
    key: str | None = None  # value cells: the canonical key
    value: Number | None = None  # value cells: the number (None = blank)
    signed: bool = False  # value cells of a change column (本年增/减): positive numbers carry "+"


@dataclass(slots=True)
class TableLayout:
    """A table as a grid: ``cells`` start at ``(row, col)``; ``header_rows`` rows form the header."""

    id: str
    width: int
    height: int
    header_rows: int
    label_cols: int
    cells: list[Cell]
    tables: tuple[Table, ...]

    def rows(self) -> list[list[Cell]]:
        """Cells grouped by the row they start in, left to right (the HTML ``<tr>`` view)."""
        out: list[list[Cell]] = [[] for _ in range(self.height)]
        for c in sorted(self.cells, key=lambda c: (c.row, c.col)):
            out[c.row].append(c)
        return out

    def grid(self) -> list[list[Cell | None]]:
        """The full grid: each position holds the cell that starts there, or None where a span covers it."""
        out: list[list[Cell | None]] = [[None] * self.width for _ in range(self.height)]
        for c in self.cells:
            out[c.row][c.col] = c
        return out


@dataclass(slots=True)
class SectionLayout:
    id: str
    heading: str  # 一、总体情况
    paragraphs: list[str]
    tables: list[TableLayout]
    parts: list[TableLayout]  # per table of the section, un-combined (for Markdown)


@dataclass(slots=True)
class ReportLayout:
    format: Format
    title: str
    preface: list[str]
    sections: list[SectionLayout]
    signature: list[str]
    report: Report
    extra_values: dict[str, Number | None] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------------- values


def format_number(value: Number | None, *, signed: bool = False) -> str:
    """The text of a cell: blank for None, integers as digits, decimals without exponent or float noise."""
    if value is None:
        return ""
    if isinstance(value, bool):  # pragma: no cover - guarded by load_input
        raise TypeError("boolean is not a cell value")
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"not a finite number: {value}")
        text = str(int(value)) if value.is_integer() else format(Decimal(repr(value)), "f")
    else:
        text = str(value)
    if signed and value > 0:
        text = "+" + text
    return text


def is_change_column(column: Column) -> bool:
    """A column whose numbers are signed changes (本年增/减)."""
    return column.id.endswith("_change")


# --------------------------------------------------------------------------------------------------- trees


def heading_chain(table: Table, heading_id: str | None) -> list[Heading]:
    """The headings from the outermost down to ``heading_id``."""
    by_id = {h.id: h for h in table.headings}
    chain: list[Heading] = []
    seen: set[str] = set()
    while heading_id is not None and heading_id in by_id and heading_id not in seen:
        seen.add(heading_id)
        h = by_id[heading_id]
        chain.append(h)
        heading_id = h.parent
    return list(reversed(chain))


# A path element: (identity, text). Identity merges neighbours; text is what is printed.
_Path = list[tuple[str, str]]


def _column_path(table: Table, column: Column) -> _Path:
    return [("h:" + h.id, h.label) for h in heading_chain(table, column.group)] + [("c:" + column.id, column.title)]


def _row_path(table: Table, row: Row) -> _Path:
    return [("h:" + h.id, h.label) for h in heading_chain(table, row.parent)] + [("r:" + row.key, row.title)]


def _merged_runs(paths: list[_Path], depth: int) -> Iterator[tuple[int, int, int, bool, str]]:
    """(level, index, span, is_leaf, text) for the cells of a path tree laid out along one axis: equal prefixes
    merge along the axis; a short path's leaf reaches to the last level."""
    for level in range(depth):
        j = 0
        while j < len(paths):
            p = paths[j]
            if level >= len(p):
                j += 1
                continue
            is_leaf = level == len(p) - 1
            span = 1
            if not is_leaf:
                while (
                    j + span < len(paths)
                    and len(paths[j + span]) > level + 1
                    and paths[j + span][: level + 1] == p[: level + 1]
                ):
                    span += 1
            yield level, j, span, is_leaf, p[level][1]
            j += span


def _header_cells(paths: list[_Path], depth: int, col0: int, row0: int) -> list[Cell]:
    """Header cells for leaves with these paths: equal prefixes merge across, short paths span down."""
    return [
        Cell(
            row=row0 + level,
            col=col0 + j,
            text=text,
            kind="head" if is_leaf else "group",
            rowspan=depth - level if is_leaf else 1,
            colspan=span,
        )
        for level, j, span, is_leaf, text in _merged_runs(paths, depth)
    ]


def _label_cells(paths: list[_Path], depth: int, row0: int) -> list[Cell]:
    """Row-label cells: equal prefixes merge downwards, short paths span to the right."""
    return [
        Cell(
            row=row0 + i,
            col=level,
            text=text,
            kind="label" if is_leaf else "group",
            rowspan=span,
            colspan=depth - level if is_leaf else 1,
        )
        for level, i, span, is_leaf, text in _merged_runs(paths, depth)
    ]


def visible_rows(table: Table, values: dict[str, Number | None]) -> list[Row]:
    """The rows to print: every statutory row, and an optional (variant) row only when the report has it."""
    out = []
    for r in table.rows:
        if r.optional and not any(table.key(r, c) in values for c in table.columns):
            continue
        out.append(r)
    return out


def table_layout(
    table: Table, values: dict[str, Number | None], *, width: int | None = None, caption: bool = True
) -> TableLayout:
    """The grid of one format table, padded to ``width`` columns (the last column widens)."""
    cells: list[Cell] = []
    if table.kind is TableKind.SEQUENCE:
        leaves = [(r, c) for r in table.rows for c in table.columns]
        paths = [
            [("h:" + h.id, h.label) for h in heading_chain(table, r.group)]
            + [("r:" + r.key, r.title), ("c:" + c.id, c.title)]
            for r, c in leaves
        ]
        depth = max(len(p) for p in paths)
        natural = len(leaves)
        w = max(width or natural, natural)
        top = 0
        if caption and table.caption:
            cells.append(Cell(0, 0, table.caption, "caption", colspan=w))
            top = 1
        cells += _header_cells(paths, depth, 0, top)
        for j, (r, c) in enumerate(leaves):
            key = table.key(r, c)
            cells.append(
                Cell(
                    top + depth,
                    j,
                    "",
                    "value",
                    key=key,
                    value=values.get(key),
                    signed=is_change_column(c),
                    colspan=1 + (w - natural if j == natural - 1 else 0),
                )
            )
        for cell in cells:
            if cell.kind != "value" and cell.col + cell.colspan == natural and w > natural:
                cell.colspan += w - natural
        _fill_text(cells)
        return TableLayout(table.id, w, top + depth + 1, top + depth, 0, cells, (table,))

    if table.kind is not TableKind.GRID:
        raise LayoutError(f"不支持渲染此类表格：{table.id}")
    rows = visible_rows(table, values)
    row_paths = [_row_path(table, r) for r in rows]
    col_paths = [_column_path(table, c) for c in table.columns]
    label_depth = max(len(p) for p in row_paths)
    head_depth = max(len(p) for p in col_paths)
    natural = label_depth + len(table.columns)
    w = max(width or natural, natural)
    extra = w - natural
    top = 0
    if caption and table.caption:
        cells.append(Cell(0, 0, table.caption, "caption", colspan=w))
        top = 1
    cells.append(Cell(top, 0, table.corner, "corner", rowspan=head_depth, colspan=label_depth))
    heads = _header_cells(col_paths, head_depth, label_depth, top)
    for cell in heads:
        if cell.col + cell.colspan == natural:
            cell.colspan += extra
    cells += heads
    body = top + head_depth
    cells += _label_cells(row_paths, label_depth, body)
    last = len(table.columns) - 1
    for i, r in enumerate(rows):
        for j, c in enumerate(table.columns):
            key = table.key(r, c)
            cells.append(
                Cell(
                    body + i,
                    label_depth + j,
                    "",
                    "value",
                    colspan=1 + (extra if j == last else 0),
                    key=key,
                    value=values.get(key),
                    signed=is_change_column(c),
                )
            )
    _fill_text(cells)
    return TableLayout(table.id, w, body + len(rows), top + head_depth, label_depth, cells, (table,))


def _fill_text(cells: list[Cell]) -> None:
    for c in cells:
        if c.kind == "value":
            c.text = format_number(c.value, signed=c.signed)


def stack(layouts: list[TableLayout], table_id: str) -> TableLayout:
    """Several table grids of equal width one under the other (the 第二十条 sub-tables of 表二)."""
    if len(layouts) == 1:
        return layouts[0]
    width = max(t.width for t in layouts)
    cells: list[Cell] = []
    offset = 0
    tables: tuple[Table, ...] = ()
    for t in layouts:
        if t.width != width:
            raise LayoutError("内部错误：合并的表格宽度不一致")
        for c in t.cells:
            cells.append(Cell(c.row + offset, c.col, c.text, c.kind, c.rowspan, c.colspan, c.key, c.value, c.signed))
        offset += t.height
        tables += t.tables
    return TableLayout(table_id, width, offset, 0, max(t.label_cols for t in layouts), cells, tables)


def section_tables(
    fmt: Format, section_id: str, values: dict[str, Number | None]
) -> tuple[list[TableLayout], list[TableLayout]]:
    """The section's tables: combined as published (one grid per section), and one grid per format table."""
    tables = [t for t in fmt.tables if t.section == section_id]
    if not tables:
        return [], []
    parts = [table_layout(t, values) for t in tables]
    if len(tables) == 1:
        return parts, parts
    width = max(p.width for p in parts)
    padded = [table_layout(t, values, width=width) for t in tables]
    return [stack(padded, section_id)], parts


# --------------------------------------------------------------------------------------------------- report


def paragraphs(text: str | None) -> list[str]:
    """Narrative text split into paragraphs (one per non-blank line)."""
    if not text:
        return []
    return [line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]


def report_title(report: Report) -> str:
    year = f"{report.year}年" if report.year is not None else ""
    return f"{report.agency or ''}{year}政府信息公开工作年度报告"


def default_preface(fmt: Format, year: int | None) -> list[str]:
    text = f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和{fmt.basis}要求编制。"
    if year is not None:
        text += f"本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"
    return [text]


def chinese_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def check_renderable(report: Report) -> Format:
    if report.format not in RENDERABLE_FORMATS:
        raise LayoutError(f"不支持按“{report.format}”格式生成年度报告；可生成的格式：{'、'.join(RENDERABLE_FORMATS)}")
    return get_format(report.format)


def report_layout(report: Report) -> ReportLayout:
    """The whole report laid out in the statutory order of its format."""
    fmt = check_renderable(report)
    values = report.values
    sections = []
    for s in fmt.sections:
        combined, parts = section_tables(fmt, s.id, values)
        sections.append(
            SectionLayout(
                id=s.id,
                heading=f"{s.number}、{s.labels[0]}" if s.number else s.labels[0],
                paragraphs=paragraphs(report.narrative.get(s.id)),
                tables=combined,
                parts=parts,
            )
        )
    preface = paragraphs(report.narrative.get("preface")) or default_preface(fmt, report.year)
    signature = [report.agency] if report.agency else []
    if report.published is not None:
        signature.append(chinese_date(report.published))
    known = set(fmt.keys)
    extra = {k: v for k, v in values.items() if k not in known}
    return ReportLayout(fmt, report_title(report), preface, sections, signature, report, extra)
