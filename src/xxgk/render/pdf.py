"""PDF output: the HTML of :mod:`xxgk.render.html` with A4 print rules, typeset by WeasyPrint.

Fonts come from fontconfig: 仿宋/宋体 where installed, Noto Serif/Sans CJK SC (Debian ``fonts-noto-cjk``) as
the fallback; WeasyPrint embeds them as subsets, so the text layer stays searchable. Without any CJK font
WeasyPrint would silently drop the glyphs, so that case is refused with a clear message.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from functools import cache

from xxgk.extract.report import Report
from xxgk.render.html import render_html_text

CJK_FAMILIES = (
    "FangSong",
    "SimSun",
    "Noto Serif CJK SC",
    "Noto Sans CJK SC",
    "Source Han Serif SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
)


class MissingFontError(RuntimeError):
    """No CJK font is installed; the PDF would have no Chinese glyphs."""


@cache
def cjk_font_available() -> bool:
    """Whether fontconfig knows a font covering Chinese (checked once per process)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return True  # cannot tell; let WeasyPrint try
    try:
        out = subprocess.run(
            [fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=20, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return True
    return bool(out.strip())


def render_pdf(report: Report, *, previous: Report | None = None, charts: bool = True) -> bytes:
    if not cjk_font_available():
        raise MissingFontError("未安装中文字体，无法生成 PDF（请安装 fonts-noto-cjk）")
    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    html = render_html_text(report, previous=previous, charts=charts, print_css=True, image="png")
    data = HTML(string=html, base_url=".").write_pdf()
    if data is None:  # pragma: no cover - write_pdf without a target returns bytes
        raise RuntimeError("WeasyPrint returned no PDF")
    return bytes(data)
