"""Markdown output: headings, paragraphs and pipe tables (one per format table, no merges).

Pipe tables cannot merge cells, so each table is written as its full grid with a merged cell's text repeated
in every position it covers (the way spreadsheet tools flatten merged cells). An empty cell therefore always
means a blank value (None), never padding, and never 0. The first grid row is the Markdown header row.
"""

from __future__ import annotations

from xxgk.extract.report import Report
from xxgk.render.layout import TableLayout, report_layout


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def table_markdown(t: TableLayout) -> list[str]:
    grid: list[list[str]] = [[""] * t.width for _ in range(t.height)]
    for c in t.cells:
        for i in range(c.rowspan):
            for j in range(c.colspan):
                grid[c.row + i][c.col + j] = c.text if c.kind != "value" or (i, j) == (0, 0) else ""
    lines = []
    for i, row in enumerate(grid):
        texts = [_escape(text) for text in row]
        lines.append("| " + " | ".join(texts) + " |")
        if i == 0:
            lines.append("|" + "|".join(["---"] * t.width) + "|")
    return lines


def render_markdown_text(report: Report) -> str:
    layout = report_layout(report)
    out = [f"# {layout.title}", ""]
    for text in layout.preface:
        out += [text, ""]
    for s in layout.sections:
        out += [f"## {s.heading}", ""]
        for text in s.paragraphs:
            out += [text, ""]
        for t in s.parts:
            out += [*table_markdown(t), ""]
    for line in layout.signature:
        out += [line, ""]
    return "\n".join(out).rstrip("\n") + "\n"


def render_markdown(report: Report, *, previous: Report | None = None, charts: bool = True) -> bytes:
    """The report as Markdown (UTF-8). Charts are not drawn in Markdown; ``previous`` is unused."""
    del previous, charts
    return render_markdown_text(report).encode("utf-8")
