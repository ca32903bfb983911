"""HTML output: the Jinja2 template ``templates/report.html.j2`` over the shared layout, charts inline as SVG.

The same HTML, with ``print.css`` added, is what WeasyPrint turns into the PDF.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from functools import cache
from importlib import resources

from jinja2 import Environment, PackageLoader, select_autoescape

from xxgk.extract.report import Report
from xxgk.render.charts import Chart, report_charts
from xxgk.render.layout import report_layout

# The section each chart is printed in (after the section's tables).
CHART_SECTION = {"proactive": "proactive", "outcomes": "applications", "comparison": "applications"}


@dataclass(frozen=True, slots=True)
class _Figure:
    id: str
    title: str
    number: int
    data: str  # base64 image
    mime: str


@cache
def _env() -> Environment:
    return Environment(
        loader=PackageLoader("xxgk.render", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=False,
        lstrip_blocks=False,
    )


@cache
def stylesheet(name: str) -> str:
    return resources.files("xxgk.render").joinpath("templates", name).read_text(encoding="utf-8")


def _figures(charts: list[Chart], image: str) -> dict[str, list[_Figure]]:
    out: dict[str, list[_Figure]] = {}
    for n, c in enumerate(charts, start=1):
        data, mime = (c.svg, "image/svg+xml") if image == "svg" else (c.png, "image/png")
        fig = _Figure(c.id, c.title, n, base64.b64encode(data).decode("ascii"), mime)
        out.setdefault(CHART_SECTION.get(c.id, "other_matters"), []).append(fig)
    return out


def render_html_text(
    report: Report,
    *,
    previous: Report | None = None,
    charts: bool = True,
    print_css: bool = False,
    image: str = "svg",
) -> str:
    """The report as an HTML document (str); charts embedded as ``image`` (svg | png) data URIs."""
    layout = report_layout(report)
    css = stylesheet("report.css") + ("\n" + stylesheet("print.css") if print_css else "")
    figures = _figures(report_charts(report, previous, kinds=(image,)), image) if charts else {}
    return _env().get_template("report.html.j2").render(layout=layout, css=css, charts=figures)


def render_html(report: Report, *, previous: Report | None = None, charts: bool = True) -> bytes:
    return render_html_text(report, previous=previous, charts=charts).encode("utf-8")
