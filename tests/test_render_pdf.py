"""PDF acceptance: CJK text layer searchable, CJK fonts embedded, every glyph present, pages rasterise (pdftoppm)."""

from __future__ import annotations

import io
import shutil
import subprocess
import unicodedata
from pathlib import Path
from random import Random

import pytest

from xxgk.extract.report import Report
from xxgk.formats import get_format
from xxgk.render import render
from xxgk.render.layout import report_layout
from xxgk.render.sample import sample_report

pytest.importorskip("weasyprint")
pypdfium2 = pytest.importorskip("pypdfium2")


@pytest.fixture(scope="module")
def rendered() -> tuple[Report, bytes]:
    report = sample_report("2021", Random(21), year=2023, agency="北京市海淀区人民政府")
    previous = sample_report("2021", Random(22), year=2022, agency="北京市海淀区人民政府")
    return report, render(report, "pdf", previous=previous)


def _text(data: bytes) -> tuple[int, str]:
    doc = pypdfium2.PdfDocument(data)
    try:
        pages = [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
        return len(doc), "\n".join(pages)
    finally:
        doc.close()


def _squash(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def _labels(report: Report) -> list[str]:
    layout = report_layout(report)
    labels = [layout.title, *(s.heading for s in layout.sections)]
    for s in layout.sections:
        for t in s.tables:
            labels += [c.text for c in t.cells if c.kind != "value" and c.text]
    return labels


def test_pdf_text_layer_has_every_statutory_label(rendered: tuple[Report, bytes]) -> None:
    report, data = rendered
    assert data.startswith(b"%PDF")
    pages, text = _text(data)
    assert 3 <= pages <= 8
    squashed = _squash(text)
    missing = [label for label in _labels(report) if _squash(label) not in squashed]
    assert missing == []
    for needle in (
        "三、本年度办理结果",
        "（三）不予公开",
        "申请人情况",
        "法人或其他组织",
        "未经复议直接起诉",
        "第二十条第（八）项",
    ):
        assert _squash(needle) in squashed
    assert "\ufffd" not in text


def test_pdf_embeds_cjk_fonts_with_every_glyph(rendered: tuple[Report, bytes]) -> None:
    pdfplumber = pytest.importorskip("pdfplumber")
    from fontTools.ttLib import TTCollection

    _, data = rendered
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        chars = [c for page in pdf.pages for c in page.chars]
    fonts = {c["fontname"] for c in chars}
    assert fonts and all("+" in f for f in fonts), fonts  # subset-embedded
    cjk = [c for c in chars if ord(c["text"][0]) >= 0x2E80]
    assert len(cjk) > 500
    bad_fonts = {c["fontname"] for c in cjk if "CJK" not in c["fontname"] and "Song" not in c["fontname"]}
    assert bad_fonts == set()
    # every CJK character must have a glyph in the installed font it was set in (no .notdef boxes)
    for family in {c["fontname"].split("+", 1)[1] for c in cjk}:
        name = family.replace("-Bold", "").replace("-", " ")
        path = subprocess.run(["fc-match", "-f", "%{file}", name], capture_output=True, text=True).stdout
        if not path.endswith((".ttc", ".otc")):
            continue
        faces = TTCollection(path).fonts
        cmap: set[int] = set()
        for face in faces:
            cmap |= set(face.getBestCmap())
        used = {c["text"] for c in cjk if c["fontname"].endswith(family)}
        assert {ch for ch in used if ord(ch) not in cmap} == set(), family


def test_pdf_pages_rasterise_with_ink(rendered: tuple[Report, bytes], tmp_path: Path) -> None:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    from PIL import Image

    _, data = rendered
    pages, _ = _text(data)
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "p")], check=True, timeout=120)
    images = sorted(tmp_path.glob("p-*.png"))
    assert len(images) == pages
    for path in images:
        with Image.open(path) as im:
            gray = im.convert("L")
            w, h = gray.size
            assert h > w  # A4 portrait
            dark = sum(gray.histogram()[:160])
            assert dark > 0.002 * w * h, f"{path.name} is blank"


def test_pdf_2019_without_charts() -> None:
    report = sample_report("2019", Random(23), year=2020, blank_rate=0.2)
    data = render(report, "pdf", charts=False)
    _, text = _text(data)
    squashed = _squash(text)
    for label in ("第二十条第（九）项", "政府集中采购", "采购总金额（单位：万元）", "（六）其他处理"):
        assert _squash(label) in squashed
    assert _squash("图1") not in squashed
    assert len(get_format("2019").sections) == 6
