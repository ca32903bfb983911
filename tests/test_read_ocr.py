"""OCR: the box layout (fast, no OCR engine) and one slow end-to-end run on a scanned page made here."""

from __future__ import annotations

import io
import shutil

import pytest
from tests.conftest import soffice_convert

from xxgk.ingest import read_bytes
from xxgk.ingest.document import BlockKind
from xxgk.ingest.ocr import Box, deskew, layout, ocr_available, ruled_grids, skew_angle


def row(y: float, label: str | None, values: list[str], x_label: float = 160.0) -> list[Box]:
    boxes = [Box(x_label, y, x_label + 14.0 * len(label), y + 30, label)] if label else []
    boxes += [Box(660 + 60 * i, y, 690 + 60 * i, y + 30, v) for i, v in enumerate(values)]
    return boxes


def test_layout_builds_a_grid_from_aligned_numbers() -> None:
    boxes = [
        Box(200, 40, 700, 70, "三、收到和处理政府信息公开申请情况"),
        Box(640, 100, 700, 130, "自然人"),
        Box(700, 100, 760, 130, "商业企业"),
        *row(160, "一、本年新收政府信息公开申请数量", ["21", "0", "", "21"]),
        *row(210, "（二）部分公开（区分处理的，只计这一情形，不", ["4", "0", "0", "4"]),
        Box(160, 232, 330, 262, "计其他情形）"),  # the label wraps onto a line of its own
        *row(290, None, ["1", "0", "0", "1"]),  # numbers centred below a label standing alone ...
        Box(160, 280, 330, 300, "1.属于国家秘密"),
        Box(60, 150, 90, 400, "三、本年度办理结果"),  # a vertical label: a tall, narrow box
        Box(300, 500, 900, 530, "四、政府信息公开行政复议、行政诉讼情况"),
    ]
    items = layout(boxes)
    kinds = [kind for kind, _ in items]
    assert kinds == [BlockKind.LINE, BlockKind.LINE, BlockKind.TABLE, BlockKind.LINE]
    assert items[0][1] == "三、收到和处理政府信息公开申请情况"
    assert items[1][1] == "三、本年度办理结果"
    grid = items[2][1]
    assert isinstance(grid, list)
    texts = [[c.text for c in r] for r in grid]
    assert texts[0] == ["", "自然人", "商业企业", "", ""]  # header words over the value columns
    assert texts[1] == ["一、本年新收政府信息公开申请数量", "21", "0", "", "21"]
    assert texts[2] == ["（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "4", "0", "0", "4"]
    assert texts[3] == ["1.属于国家秘密", "1", "0", "0", "1"]
    assert items[3][1] == "四、政府信息公开行政复议、行政诉讼情况"


def test_layout_joins_words_stacked_in_narrow_header_cells() -> None:
    boxes = [
        Box(660, 60, 690, 90, "结果"),
        Box(660, 88, 690, 118, "维持"),  # touching the box above: one wrapped cell
        Box(720, 60, 750, 90, "社会"),
        Box(720, 86, 750, 116, "公益"),
        Box(720, 112, 750, 142, "组织"),
        *row(160, "规章", ["1", "2"]),
        *row(200, "重复申请", ["0", "0"]),  # rows further apart are not joined
        *row(228, "其他", ["3", "4"]),  # nor are tight rows that carry numbers
    ]
    (item,) = layout(boxes)
    assert item[0] is BlockKind.TABLE and isinstance(item[1], list)
    assert [[c.text for c in r] for r in item[1]] == [
        ["", "结果维持", "社会公益组织"],
        ["规章", "1", "2"],
        ["重复申请", "0", "0"],
        ["其他", "3", "4"],
    ]


def test_layout_of_prose_is_lines() -> None:
    boxes = [Box(100, 100 + 40 * i, 900, 130 + 40 * i, f"第{i}行，2023年1月{i}日") for i in range(1, 5)]
    assert [kind for kind, _ in layout(boxes)] == [BlockKind.LINE] * 4
    assert layout([]) == []


def test_ruled_grids_from_page_pixels() -> None:
    """Rulings found in the pixels: a table with a cell merged over two rows (grey, anti-aliased lines one
    pixel thick, as a 150 dpi scan has them) becomes its grid; the filled bars of a chart beside it do not."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (900, 700), 250)
    draw = ImageDraw.Draw(image)
    xs, ys = [100, 300, 400, 500], [100, 140, 180, 220, 260]
    for y in ys:
        draw.line([(xs[0] if y in (ys[0], ys[-1], ys[2]) else xs[1], y), (xs[-1], y)], fill=140, width=1)
    for x in xs:
        draw.line([(x, ys[0]), (x, ys[-1])], fill=140, width=1)
    draw.rectangle([620, 300, 660, 600], fill=60)  # chart bars, touching
    draw.rectangle([660, 420, 700, 600], fill=30)
    draw.line([(600, 600), (800, 600)], fill=0, width=2)  # the chart's axis
    (grid,) = ruled_grids(image, unit=20.0)
    assert (len(grid.xs), len(grid.ys)) == (4, 5)
    assert grid.bbox == pytest.approx((100, 100, 500, 260), abs=2)
    # the label column's cells span two rows each (no rule between rows 1-2 and 3-4 left of x=300)
    assert grid.owner[0][0] == grid.owner[1][0] != grid.owner[2][0] == grid.owner[3][0]
    assert len({grid.owner[r][c] for r in range(4) for c in (1, 2)}) == 8


@pytest.mark.parametrize("turned", [0.0, 1.5, -3.0])
def test_skewed_page_is_levelled(turned: float) -> None:
    """A page of text lines (dark strokes of varying length) turned by a scanner is turned back."""
    from PIL import Image, ImageDraw

    page = Image.new("RGB", (1200, 1600), (245, 245, 245))
    draw = ImageDraw.Draw(page)
    for i in range(30):
        y = 150 + 40 * i
        for j in range(12):
            x = 120 + 80 * j
            draw.rectangle([x, y, x + 30 + (i * 7 + j * 13) % 40, y + 18], fill=(40, 40, 40))
    scanned = page.rotate(turned, fillcolor=(255, 255, 255))
    assert skew_angle(scanned) == pytest.approx(-turned, abs=0.1)
    assert (deskew(scanned) is scanned) == (turned == 0.0)


def test_pages_without_lines_of_ink_are_not_turned() -> None:
    """A blank page, a page of noise, a sliver: no angle is clearly better, so none is applied."""
    import numpy as np
    from PIL import Image

    noise = Image.fromarray((np.random.default_rng(0).random((800, 600)) * 255).astype("uint8"))
    for page in (Image.new("L", (1200, 1600), 255), noise, Image.new("L", (5, 5000), 255), Image.new("L", (1, 1))):
        assert skew_angle(page) == 0.0
        assert deskew(page) is page
        assert ruled_grids(page, unit=20.0) == []


def make_pdf() -> bytes:
    """A one-page report with a ruled table (python-docx → LibreOffice → PDF)."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) not installed")
    import docx

    document = docx.Document()
    document.add_paragraph("一、总体情况")
    table = document.add_table(rows=len(BODY), cols=4)
    table.style = "Table Grid"
    for i, cells in enumerate(BODY):
        for j, text in enumerate(cells):
            table.cell(i, j).text = text
    document.add_paragraph("二、其他需要报告的事项")
    return soffice_convert(document, "pdf")


BODY = [
    ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
    ["规章", "12", "", "3"],
    ["行政规范性文件", "0", "5", "5"],
    ["行政许可", "550", "7", "8"],
    ["行政处罚", "4119", "195", "0"],
]


@pytest.mark.slow
def test_ocr_scanned_pdf_and_image() -> None:
    """One page with a ruled table, rendered at 150 dpi: as a scanned PDF, and as a PNG (about 5–20 s)."""
    if not ocr_available():
        pytest.skip("rapidocr / onnxruntime not installed (pip install 'xxgk[ocr]')")
    import pypdfium2 as pdfium

    page = pdfium.PdfDocument(make_pdf())[0]
    image = page.render(scale=150 / 72).to_pil().convert("RGB")
    scan = io.BytesIO()
    image.save(scan, "PDF", resolution=150)
    png = io.BytesIO()
    image.save(png, "PNG")

    for data, name, kind in ((scan.getvalue(), "scan.pdf", "pdf"), (png.getvalue(), "scan.png", "image")):
        doc = read_bytes(data, name)
        assert doc.kind == kind
        assert any("OCR" in w for w in doc.warnings)
        for block in doc.blocks:
            assert doc.text[block.start : block.end] == block.text
            for cells in block.rows or []:
                assert all(doc.text[c.start : c.end] == c.text for c in cells)
        assert "一、总体情况" in doc.text and "二、其他需要报告的事项" in doc.text
        tables = [b for b in doc.blocks if b.kind is BlockKind.TABLE]
        assert len(tables) == 1 and tables[0].rows is not None
        rows = [[c.text for c in r] for r in tables[0].rows]
        for want in BODY[1:]:
            assert want in rows, rows  # the blank cell of 规章 stays ""
