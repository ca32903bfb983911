"""Markdown output: headings, paragraphs and pipe tables (one per format table, no merges).

Pipe tables cannot merge cells, so each table is written as its full grid: a merged cell's text sits in its
top-left position and the positions it covers stay empty, the way published tables read once flattened.
The first grid row is the Markdown header row. Blank values (None) are empty cells, never 0.
"""

from __future__ import annotations

from xxgk.extract.report import Report
from xxgk.render.layout import TableLayout, report_layout


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def table_markdown(t: TableLayout) -> list[str]:
    grid = t.grid()
    lines = []
    for i, row in enumerate(grid):
        texts = [_escape(c.text) if c is not None else "" for c in row]
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
