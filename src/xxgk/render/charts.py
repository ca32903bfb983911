"""Charts for the rendered report (matplotlib, CJK fonts): application outcomes, proactive items, year over year.

Each chart is returned as SVG (HTML: text drawn as paths, so it needs no font where it is viewed) and/or
PNG at 200 dpi (DOCX, PDF: WeasyPrint draws a large SVG slowly, ~0.5 s per chart). Neither adds chart text to
the document's text layer, so the figures never mix with the tables when the report is read back. What is
plotted comes from the format data: outcome categories are the children of the ``results`` heading of table 三,
the proactive items are the 第二十条 tables. Blank cells (None) are drawn as empty bars labelled “空”, never as 0.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from xxgk.extract.report import Report
from xxgk.formats import Format, Table, TableKind
from xxgk.formats.labels import strip_numbering as _strip
from xxgk.render.layout import format_number

if TYPE_CHECKING:
    from matplotlib.figure import Figure

Number = int | float

# Preferred CJK families, first installed wins (仿宋/宋体 where installed, Noto CJK as the fallback).
CHART_FONTS = (
    "FangSong",
    "FangSong_GB2312",
    "SimSun",
    "Noto Sans CJK SC",
    "Noto Serif CJK SC",
    "WenQuanYi Micro Hei",
)
KINDS = ("svg", "png")
COLORS = ("#8c1c13", "#2f5d8a", "#6b8e23", "#b8860b", "#5f4b8b", "#2e8b8b", "#a0522d", "#708090")


@dataclass(frozen=True, slots=True)
class Chart:
    id: str
    title: str  # the caption printed under the figure (Chinese)
    svg: bytes  # empty when not drawn
    png: bytes  # empty when not drawn


@dataclass(frozen=True, slots=True)
class Series:
    label: str
    values: tuple[Number | None, ...]


# --------------------------------------------------------------------------------------------------- data


def strip_numbering(label: str) -> str:
    """A label without its numbering, for chart axes: （三）不予公开 → 不予公开."""
    return _strip(unicodedata.normalize("NFKC", label))


def _sum(values: list[Number | None]) -> Number | None:
    """Sum of the non-blank values; None when every value is blank."""
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def _applications(fmt: Format) -> Table | None:
    for t in fmt.tables:
        if t.id == "applications":
            return t
    return None


def outcome_categories(fmt: Format, values: dict[str, Number | None]) -> list[tuple[str, str, Number | None]]:
    """(category id, label, total-column value) for each outcome under 三、本年度办理结果, （七）总计 left out.

    A category is either a row directly under ``results`` or a heading under it (its rows summed), so the 2019
    single （六）其他处理 row and the 2021 （六） group share the id ``other``.
    """
    table = _applications(fmt)
    if table is None:
        return []
    total_col = table.columns[-1]
    out: list[tuple[str, str, Number | None]] = []
    seen: set[str] = set()
    for row in table.rows:
        if row.parent == "results":
            if row.key.endswith("results_total"):
                continue
            if row.optional and table.key(row, total_col) not in values:
                continue
            cid = row.key.split(".", 1)[1]
            if cid in seen:
                continue
            seen.add(cid)
            out.append((cid, strip_numbering(row.labels[0]), values.get(table.key(row, total_col))))
        else:
            heading = next((h for h in table.headings if h.id == row.parent), None)
            if heading is None or heading.parent != "results" or heading.id in seen:
                continue
            seen.add(heading.id)
            members = [r for r in table.rows if r.parent == heading.id]
            out.append(
                (
                    heading.id,
                    strip_numbering(heading.label),
                    _sum([values.get(table.key(r, total_col)) for r in members]),
                )
            )
    return out


def headline_figures(fmt: Format, values: dict[str, Number | None]) -> list[tuple[str, str, Number | None]]:
    """(id, label, value) of the figures compared year over year: table 三 by outcome, table 四 totals."""
    table = _applications(fmt)
    out: list[tuple[str, str, Number | None]] = []
    if table is not None:
        total_col = table.columns[-1]
        by_key = {r.key: r for r in table.rows}
        for suffix in ("new", "carried_over"):
            row = by_key.get(f"applications.{suffix}")
            if row is not None:
                out.append((suffix, strip_numbering(row.labels[0]), values.get(table.key(row, total_col))))
        out += outcome_categories(fmt, values)
        for suffix in ("results_total", "carry_forward"):
            row = by_key.get(f"applications.{suffix}")
            if row is not None:
                label = "办理结果总计" if suffix == "results_total" else strip_numbering(row.labels[0])
                out.append((suffix, label, values.get(table.key(row, total_col))))
    for t in fmt.tables:
        if t.kind is TableKind.SEQUENCE:
            total = t.columns[-1]
            for r in t.rows:
                out.append((t.key(r, total), f"{r.labels[0]}{total.labels[0]}", values.get(t.key(r, total))))
    return out


def proactive_groups(fmt: Format, values: dict[str, Number | None]) -> list[tuple[str, list[str], list[Series]]]:
    """Per 第二十条 table and unit: (title, row labels, one series per column)."""
    out: list[tuple[str, list[str], list[Series]]] = []
    for t in fmt.tables:
        if t.section != "proactive" or t.kind is not TableKind.GRID:
            continue
        units: dict[str | None, list[int]] = {}
        for j, c in enumerate(t.columns):
            units.setdefault(c.unit, []).append(j)
        for unit, cols in units.items():
            title = t.caption + (f"（{unit}）" if unit else "")
            series = [
                Series(t.columns[j].labels[0], tuple(values.get(t.key(r, t.columns[j])) for r in t.rows)) for j in cols
            ]
            out.append((title, [r.labels[0] for r in t.rows], series))
    return out


# --------------------------------------------------------------------------------------------------- drawing


@cache
def _font_families() -> tuple[str, ...]:
    from matplotlib import font_manager

    manager = font_manager.fontManager
    chosen = tuple(f for f in CHART_FONTS if f in {f.name for f in manager.ttflist})
    if not chosen:
        # matplotlib's font list is cached on first use and never sees fonts installed after it: look again.
        for path in font_manager.findSystemFonts():
            if _CJK_FILE.search(path):
                try:
                    manager.addfont(path)
                except (OSError, RuntimeError, ValueError):  # a font file matplotlib cannot read
                    continue
        chosen = tuple(f for f in CHART_FONTS if f in {f.name for f in manager.ttflist})
    return chosen or ("DejaVu Sans",)


_CJK_FILE = re.compile(r"(?i)cjk|wqy|simsun|fangsong|simfang")


@contextmanager
def _style() -> Iterator[None]:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    with plt.rc_context(
        {
            "font.family": "sans-serif",
            "font.sans-serif": list(_font_families()),
            "axes.unicode_minus": False,
            "svg.fonttype": "path",
            "svg.hashsalt": "xxgk",
            "font.size": 9,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    ):
        yield


def _export(fig: Figure, kinds: tuple[str, ...]) -> tuple[bytes, bytes]:
    """The figure as (SVG, PNG); a kind not asked for is left empty (drawing each costs ~0.1–0.2 s)."""
    import matplotlib.pyplot as plt

    svg, png = io.BytesIO(), io.BytesIO()
    if "svg" in kinds:
        fig.savefig(svg, format="svg", bbox_inches="tight", metadata={"Date": None})
    if "png" in kinds:
        fig.savefig(png, format="png", dpi=200, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return svg.getvalue(), png.getvalue()


def _bars(ax: Any, labels: list[str], series: list[Series], *, horizontal: bool = False) -> None:
    from matplotlib.ticker import MaxNLocator

    n = max(len(series), 1)
    width = 0.8 / max(n, 2)
    positions = list(range(len(labels)))
    for k, s in enumerate(series):
        offs = [p - width * n / 2 + width * (k + 0.5) for p in positions]
        heights = [0 if v is None else v for v in s.values]
        color = COLORS[k % len(COLORS)]
        if horizontal:
            bars = ax.barh(offs, heights, height=width, label=s.label, color=color)
        else:
            bars = ax.bar(offs, heights, width=width, label=s.label, color=color)
        texts = ["空" if v is None else format_number(v) for v in s.values]
        ax.bar_label(bars, labels=texts, padding=2, fontsize=7)
    present = [float(v) for s in series for v in s.values if v is not None]
    top = max([1.0, *present]) * 1.18
    low = min([0.0, *present]) * 1.18
    axis = "x" if horizontal else "y"
    if horizontal:
        ax.set_yticks(positions, labels)
        ax.invert_yaxis()
        ax.set_xlim(low, top)
    else:
        ax.set_xticks(positions, labels)
        ax.set_xlim(-0.7, len(positions) - 0.3)
        ax.set_ylim(low, top)
    (ax.xaxis if horizontal else ax.yaxis).set_major_locator(MaxNLocator(integer=True))
    ax.ticklabel_format(axis=axis, style="plain", useOffset=False)
    if len(series) > 1:
        ax.legend(fontsize=7, frameon=False)


def _wrap(label: str, width: int = 8) -> str:
    return "\n".join(label[i : i + width] for i in range(0, len(label), width))


def outcome_chart(report: Report, kinds: tuple[str, ...] = KINDS) -> Chart | None:
    cats = outcome_categories(report.schema, report.values)
    if not cats or all(v is None for _, _, v in cats):
        return None
    import matplotlib.pyplot as plt

    with _style():
        fig, ax = plt.subplots(figsize=(7.2, 3.2))
        _bars(
            ax,
            [label for _, label, _ in cats],
            [Series("总计", tuple(v for _, _, v in cats))],
            horizontal=True,
        )
        ax.set_xlabel("申请数（件）")
        ax.set_title("本年度政府信息公开申请办理结果（总计列）")
        svg, png = _export(fig, kinds)
    return Chart("outcomes", "申请办理结果分布", svg, png)


def proactive_chart(report: Report, kinds: tuple[str, ...] = KINDS) -> Chart | None:
    groups = proactive_groups(report.schema, report.values)
    if not groups or all(v is None for _, _, ss in groups for s in ss for v in s.values):
        return None
    import matplotlib.pyplot as plt

    with _style():
        ncols = 2
        nrows = (len(groups) + 1) // 2
        fig, axes = plt.subplots(nrows, ncols, figsize=(7.2, 2.4 * nrows), squeeze=False)
        for ax, (title, labels, series) in zip(axes.flat, groups, strict=False):
            _bars(ax, [_wrap(x) for x in labels], series)
            ax.set_title(title, fontsize=9)
        for ax in list(axes.flat)[len(groups) :]:
            ax.set_visible(False)
        fig.suptitle("主动公开政府信息情况")
        fig.tight_layout()
        svg, png = _export(fig, kinds)
    return Chart("proactive", "主动公开事项统计", svg, png)


def comparison_chart(report: Report, previous: Report, kinds: tuple[str, ...] = KINDS) -> Chart | None:
    now = headline_figures(report.schema, report.values)
    before = dict((i, v) for i, _, v in headline_figures(previous.schema, previous.values))
    rows = [(label, before.get(i), v) for i, label, v in now if i in before]
    if not rows or all(a is None and b is None for _, a, b in rows):
        return None
    import matplotlib.pyplot as plt

    prev_label = f"{previous.year}年" if previous.year is not None else "上年"
    cur_label = f"{report.year}年" if report.year is not None else "本年"
    with _style():
        fig, ax = plt.subplots(figsize=(7.2, 0.34 * len(rows) + 1.2))
        _bars(
            ax,
            [label for label, _, _ in rows],
            [
                Series(prev_label, tuple(a for _, a, _ in rows)),
                Series(cur_label, tuple(b for _, _, b in rows)),
            ],
            horizontal=True,
        )
        ax.set_xlabel("件")
        ax.set_title(f"{prev_label}与{cur_label}主要数据对比")
        svg, png = _export(fig, kinds)
    return Chart("comparison", "与上年度主要数据对比", svg, png)


def report_charts(report: Report, previous: Report | None = None, kinds: tuple[str, ...] = KINDS) -> list[Chart]:
    """The charts of a report in printing order (proactive, outcomes, comparison); a chart with no data is left out.

    ``kinds`` chooses the images drawn: ``("svg",)`` for HTML/PDF, ``("png",)`` for DOCX.
    """
    charts = [proactive_chart(report, kinds), outcome_chart(report, kinds)]
    if previous is not None:
        charts.append(comparison_chart(report, previous, kinds))
    return [c for c in charts if c is not None]
