"""Tiny inline SVG charts for the corpus site: no script, no external file, readable from the file system.

Bars and lines carry a ``<title>`` (the browser shows it on hover) and blank values are drawn as gaps, never
as 0. Text is SVG text, so the viewer's own CJK font draws it.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

COLORS = ("#8c1c13", "#2f5d8a", "#6b8e23", "#b8860b", "#5f4b8b", "#2e8b8b", "#a0522d", "#708090")

Number = int | float
Series = tuple[str, Sequence[Number | None]]


def _fmt(x: float) -> str:
    if abs(x) >= 10000:
        return f"{x / 10000:.1f}万"
    return f"{x:.0f}" if float(x).is_integer() else f"{x:.2f}"


def _nice_max(x: float) -> float:
    if x <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(x))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if x <= step * magnitude:
            return float(step * magnitude)
    return float(10 * magnitude)


def _frame(width: int, height: int, title: str, body: list[str], legend: Sequence[str]) -> str:
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<text x="8" y="16" class="chart-title">{escape(title)}</text>',
        *body,
    ]
    x = 8
    for i, name in enumerate(legend):
        if len(legend) < 2:
            break
        color = COLORS[i % len(COLORS)]
        parts.append(f'<rect x="{x}" y="{height - 14}" width="10" height="10" fill="{color}"/>')
        parts.append(f'<text x="{x + 14}" y="{height - 5}" class="legend">{escape(name)}</text>')
        x += 24 + 12 * len(name)
    parts.append("</svg>")
    return "".join(parts)


def _axis(left: int, top: int, plot_w: int, plot_h: int, top_value: float) -> list[str]:
    out = []
    for i in range(5):
        value = top_value * i / 4
        y = top + plot_h - plot_h * i / 4
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" class="grid"/>')
        out.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" class="tick">{_fmt(value)}</text>')
    return out


def bar_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    title: str,
    *,
    stacked: bool = False,
    width: int = 640,
    height: int = 260,
) -> str:
    """Grouped (or stacked) bars, one group per label."""
    left, top, bottom = 56, 28, 44 if len(series) > 1 else 28
    plot_w, plot_h = width - left - 12, height - top - bottom
    n = max(1, len(labels))
    if stacked:
        peak = max((sum(v or 0 for v in col) for col in zip(*[s[1] for s in series], strict=True)), default=0)
    else:
        peak = max((v or 0 for _, vals in series for v in vals), default=0)
    top_value = _nice_max(float(peak))
    body = _axis(left, top, plot_w, plot_h, top_value)
    slot = plot_w / n
    k = 1 if stacked else max(1, len(series))
    bar_w = max(1.0, slot * 0.8 / k)
    for i, label in enumerate(labels):
        x0 = left + i * slot + slot * 0.1
        base = 0.0
        for j, (name, vals) in enumerate(series):
            v = vals[i] if i < len(vals) else None
            color = COLORS[j % len(COLORS)]
            if v is None:
                continue
            h = plot_h * float(v) / top_value
            if stacked:
                x, y = x0, top + plot_h - plot_h * base / top_value - h
                base += float(v)
            else:
                x, y = x0 + j * bar_w, top + plot_h - h
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{max(h, 0):.1f}" fill="{color}">'
                f"<title>{escape(label)} {escape(name)}：{_fmt(float(v))}</title></rect>"
            )
        if n <= 24 or i % max(1, n // 12) == 0:
            body.append(
                f'<text x="{left + i * slot + slot / 2:.1f}" y="{top + plot_h + 14}" text-anchor="middle" '
                f'class="tick">{escape(label)}</text>'
            )
    return _frame(width, height, title, body, [s[0] for s in series])


def line_chart(
    labels: Sequence[str], series: Sequence[Series], title: str, *, width: int = 640, height: int = 240
) -> str:
    """Lines over the labels (years); a blank value breaks the line."""
    left, top, bottom = 56, 28, 44 if len(series) > 1 else 28
    plot_w, plot_h = width - left - 12, height - top - bottom
    n = max(1, len(labels))
    peak = max((v or 0 for _, vals in series for v in vals), default=0)
    top_value = _nice_max(float(peak))
    body = _axis(left, top, plot_w, plot_h, top_value)
    step = plot_w / max(1, n - 1) if n > 1 else 0
    for i, label in enumerate(labels):
        x = left + (i * step if n > 1 else plot_w / 2)
        body.append(
            f'<text x="{x:.1f}" y="{top + plot_h + 14}" text-anchor="middle" class="tick">{escape(label)}</text>'
        )
    for j, (name, vals) in enumerate(series):
        color = COLORS[j % len(COLORS)]
        path: list[str] = []
        for i, v in enumerate(vals):
            x = left + (i * step if n > 1 else plot_w / 2)
            if v is None:
                if len(path) > 1:
                    body.append(f'<polyline points="{" ".join(path)}" fill="none" stroke="{color}" stroke-width="2"/>')
                path = []
                continue
            y = top + plot_h - plot_h * float(v) / top_value
            path.append(f"{x:.1f},{y:.1f}")
            body.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}">'
                f"<title>{escape(labels[i])} {escape(name)}：{_fmt(float(v))}</title></circle>"
            )
        if len(path) > 1:
            body.append(f'<polyline points="{" ".join(path)}" fill="none" stroke="{color}" stroke-width="2"/>')
    return _frame(width, height, title, body, [s[0] for s in series])
