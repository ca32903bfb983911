"""Reports flattened to plain text in the layouts real crawls produce (the seeds show each of them).

Scraped pages and text exports lose the table structure in a handful of recurring ways; ``flatten`` writes a
report in any of them, driven by the format data, so tests, samples and synthetic corpora exercise the
parser on exactly those shapes:

``pipes``          one row a line, cells ended by ``|`` (seeds 000, 002)
``cell_per_line``  one cell a line ended by `` |``, rows closed by a lone ``|`` (seed 004)
``blank_lines``    one cell a line with blank lines between cells (seed 001)
``markdown``       Markdown tables (corpus kgc_03)
``spaces``         cells separated by runs of spaces (text exports)
``wrapped``        like ``pipes`` but long labels broken over lines and header cells split mid-word
``run_together``   no separator at all: the numbers of a row glued to each other and to the label

Blank cells (``None``) are empty cells where the layout can show one and ``—`` elsewhere; ``run_together``
cannot show a blank and writes it as ``—`` too (which a real crawl would also have to do).
"""

from __future__ import annotations

from collections.abc import Iterator

from xxgk.extract.report import Report
from xxgk.formats import Table, TableKind

LAYOUTS = ("pipes", "cell_per_line", "blank_lines", "markdown", "spaces", "wrapped", "run_together")

Number = int | float
Row = list[str]


def _number(value: Number | None, key: str, unit: str | None) -> str:
    if value is None:
        return ""
    if key.endswith("items_change") and value > 0:
        return f"+{value}"
    if unit == "万元" and key.startswith("art20_"):
        text = f"{value:.6f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
        return text + "万元"
    if isinstance(value, float):
        return f"{value:.6f}".rstrip("0").rstrip(".")
    return str(value)


def _grid_rows(report: Report, table: Table) -> Iterator[tuple[Row, int]]:
    """(cells, number of leading label cells) per row, headers first."""
    values = report.values
    if table.kind is TableKind.INDICATOR:
        yield ["指标", "单位", "数量"], 3
        for row in table.rows:
            if row.key not in values:
                continue
            yield [row.title, row.unit or "", _number(values[row.key], row.key, row.unit)], 2
        return
    if table.kind is TableKind.SEQUENCE:
        yield ["行政复议", "行政诉讼"], 99
        yield [c.title for c in table.columns] + [r.title for r in table.rows[1:]], 99
        yield [c.title for c in table.columns] * 2, 99
        cells = [
            _number(values.get(table.key(r, c)), table.key(r, c), c.unit) for r in table.rows for c in table.columns
        ]
        yield cells, 0
        return
    if table.caption:
        yield [table.caption], 1
    corner = table.corner or "信息内容"
    yield [corner, *[c.title for c in table.columns]], 99
    open_groups: set[str] = set()
    headings = {h.id: h for h in table.headings}
    for row in table.rows:
        keys = [table.key(row, c) for c in table.columns]
        if not any(k in values for k in keys):
            continue
        prefix: list[str] = []
        parent = row.parent
        chain: list[str] = []
        while parent is not None and parent in headings and parent not in open_groups:
            chain.append(parent)
            parent = headings[parent].parent
        for group in reversed(chain):
            open_groups.add(group)
            prefix.append(headings[group].label)
        cells = [_number(values.get(k), k, c.unit) for k, c in zip(keys, table.columns, strict=True)]
        yield [*prefix, row.title, *cells], len(prefix) + 1


def _blank(cell: str, layout: str) -> str:
    if cell:
        return cell
    return "" if layout in ("pipes", "cell_per_line", "markdown", "wrapped") else "—"


def _wrap(label: str, width: int = 9) -> str:
    if len(label) <= width:
        return label
    return label[:width] + "\n" + label[width:]


def _table_text(report: Report, table: Table, layout: str) -> str:
    lines: list[str] = []
    for cells, n_labels in _grid_rows(report, table):
        labels = cells[: min(n_labels, len(cells))]
        numbers = [_blank(c, layout) for c in cells[len(labels) :]]
        row = labels + numbers
        if layout == "pipes":
            lines.append(" | ".join(row) + " |")
        elif layout == "wrapped":
            lines.append(" | ".join(_wrap(c) if i < len(labels) else c for i, c in enumerate(row)) + " |")
        elif layout == "cell_per_line":
            lines.extend(f"{c} |" for c in row)
            lines.append("|")
        elif layout == "blank_lines":
            lines.extend(f"{c}\n" for c in row)
        elif layout == "markdown":
            lines.append("| " + " | ".join(row) + " |")
            if n_labels == 99:
                lines.append("|" + "---|" * len(row))
        elif layout == "spaces":
            lines.append("    ".join(row))
        elif layout == "run_together":
            label = "".join(labels)
            if len(label) > 12 and n_labels != 99:
                label = label[: len(label) // 2] + " " + label[len(label) // 2 :]  # broken mid-word
            lines.append(label + "".join(numbers))
        else:
            raise ValueError(f"unknown layout {layout!r}; known: {', '.join(LAYOUTS)}")
    return "\n".join(lines)


def flatten(report: Report, layout: str = "pipes") -> str:
    """The whole report (title, sections, tables, signature) as text in ``layout``."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; known: {', '.join(LAYOUTS)}")
    fmt = report.schema
    agency = report.agency or "某某市某某局"
    year = report.year or 2021
    out = [f"{agency}{year}年政府信息公开工作年度报告"]
    if report.published:
        out.append(f"({report.published.year}年{report.published.month}月{report.published.day}日)")
    out.append(f"本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。")
    tables_by_section: dict[str, list[Table]] = {}
    for table in fmt.tables:
        tables_by_section.setdefault(table.section, []).append(table)
    placed: set[str] = set()
    for section in fmt.sections:
        heading = f"{section.number}、{section.labels[0]}"
        out.append(heading)
        text = report.narrative.get(section.id, "").strip()
        if text:
            out.append(text)
        for table in tables_by_section.get(section.id, ()):
            if table.kind is TableKind.INDICATOR:
                out.append(table.title)
            out.append(_table_text(report, table, layout))
            placed.add(table.id)
    for table in fmt.tables:
        if table.id not in placed:
            out.append(table.title)
            out.append(_table_text(report, table, layout))
    out.append(agency)
    if report.published:
        out.append(f"{report.published.year}年{report.published.month}月{report.published.day}日")
    return "\n".join(out) + "\n"
