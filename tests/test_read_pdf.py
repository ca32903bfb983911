"""PDF reader: grids from cell geometry on the real kgc_01/02 reports, generated PDFs, bad files, bounds."""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import soffice_convert

from xxgk.ingest import IngestError, read_bytes, read_path
from xxgk.ingest import pdf as pdf_reader
from xxgk.ingest.document import BlockKind, Document

SHARED = Path(__file__).resolve().parents[1].parent / "shared"

COLUMNS = ["natural_person", "commercial", "research", "nonprofit", "legal_services", "other_org", "total"]
ROWS = [
    "new", "carried_over", "granted", "partial",
    *(f"withheld.{k}" for k in (
        "state_secret", "law_prohibited", "security_stability", "third_party",
        "internal_affairs", "process_info", "enforcement_file", "query_matter",
    )),
    *(f"unable.{k}" for k in ("not_held", "needs_creation", "unclear")),
    *(f"not_processed.{k}" for k in ("petition", "duplicate", "publication", "vexatious", "confirmation")),
    "other", "results_total", "carry_forward",
]  # fmt: skip
TABLE4 = [
    f"{group}.{k}"
    for group in ("review", "litigation_direct", "litigation_after_review")
    for k in ("upheld", "corrected", "other", "pending", "total")
]
ART20 = {
    "规章": ["art20_1.regulations.issued", "art20_1.regulations.repealed", "art20_1.regulations.in_force"],
    "行政规范性文件": [
        "art20_1.normative_docs.issued", "art20_1.normative_docs.repealed", "art20_1.normative_docs.in_force",
    ],
    "行政许可": ["art20_5.licensing.decisions"],
    "行政处罚": ["art20_6.penalty.decisions"],
    "行政强制": ["art20_6.enforcement.decisions"],
    "行政事业性收费": ["art20_8.fees.amount_wan"],
}  # fmt: skip
NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")


def shared(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"../shared/{'/'.join(parts)} not present")
    return path


def check_offsets(doc: Document) -> None:
    """Every block and cell indexes Document.text exactly; the text is the blocks joined by newlines."""
    assert doc.text == "\n".join(b.text for b in doc.blocks)
    for block in doc.blocks:
        assert doc.text[block.start : block.end] == block.text
        if block.rows is not None:
            assert block.kind is BlockKind.TABLE
            assert block.text == "\n".join(" | ".join(c.text for c in row) for row in block.rows)
            assert len({len(row) for row in block.rows}) == 1
            for row in block.rows:
                for cell in row:
                    assert doc.text[cell.start : cell.end] == cell.text
                    assert "\n" not in cell.text


def table_rows(doc: Document) -> list[list[str]]:
    """The table rows of a document, spanned copies left out."""
    return [[c.text for c in row if not c.spanned] for b in doc.blocks if b.rows for row in b.rows]


def value(text: str) -> float:
    return float(text)


@pytest.fixture(scope="module", params=["kgc_01", "kgc_02"])
def kgc(request: pytest.FixtureRequest) -> tuple[Document, dict[str, Any]]:
    name = request.param
    doc = read_path(shared("corpus", "raw", f"{name}.pdf"))
    gold = json.loads(shared("corpus", "gold", f"{name}.json").read_text(encoding="utf-8"))["values"]
    return doc, gold


def test_kgc_table3_rows_match_gold(kgc: tuple[Document, dict[str, Any]]) -> None:
    doc, gold = kgc
    rows = [
        r for r in table_rows(doc) if len(r) >= 8 and all(NUMBER.match(x) for x in r[-7:]) and not NUMBER.match(r[0])
    ]
    assert len(rows) == 23
    for key, row in zip(ROWS, rows, strict=True):
        got = [value(x) for x in row[-7:]]
        want = [gold[f"applications.{key}.{col}"] for col in COLUMNS]
        assert got == want, key


def test_kgc_table4_and_article20_match_gold(kgc: tuple[Document, dict[str, Any]]) -> None:
    doc, gold = kgc
    rows = table_rows(doc)
    fifteen = [r for r in rows if len(r) == 15 and all(NUMBER.match(x) for x in r)]
    assert len(fifteen) == 1
    assert [value(x) for x in fifteen[0]] == [gold[k] for k in TABLE4]
    seen = set()
    for row in rows:
        if row and row[0] in ART20:
            keys = ART20[row[0]]
            assert [value(x) for x in row[1 : 1 + len(keys)]] == [gold[k] for k in keys], row
            seen.add(row[0])
    assert seen == set(ART20)


def test_kgc_layout(kgc: tuple[Document, dict[str, Any]]) -> None:
    doc, _ = kgc
    check_offsets(doc)
    assert doc.kind == "pdf"
    assert doc.meta["pages"] == "5"
    assert all(b.page is not None for b in doc.blocks)
    tables = [b for b in doc.blocks if b.kind is BlockKind.TABLE]
    # 表二 and 表三 break across pages and stay separate blocks; 表四 is whole: 5 grids
    assert [b.page for b in tables] == [2, 3, 3, 4, 4]
    # labels wrapped inside a cell are joined, CJK without a space
    labels = {c.text for b in tables for row in b.rows or [] for c in row}
    assert "(二)部分公开(区分处理的,只计这一情形,不计其他情形)" in labels
    assert "5.要求行政机关确认或重新出具已获取信息" in labels
    # the vertical 三、本年度办理结果 label spans its rows: copies are marked spanned
    spanned = [c for b in tables for row in b.rows or [] for c in row if c.spanned and c.text == "三、本年度办理结果"]
    assert spanned
    # the white boxes behind the text lines of page 1 are not a table; page numbers are noise
    assert all(b.kind is BlockKind.LINE for b in doc.blocks if b.page == 1)
    assert [b.text for b in doc.noise_blocks()] == [f"- {n} -" for n in range(1, 6)]
    headings = [b.text for b in doc.blocks if b.kind is BlockKind.LINE]
    assert "三、收到和处理政府信息公开申请情况" in headings
    assert "\r" not in doc.text


# ---------------------------------------------------------------------------------------------------------
# PDFs generated here: python-docx → LibreOffice → PDF


def make_pdf(ruled: bool) -> bytes:
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) not installed")
    import docx
    from docx.shared import Pt

    document = docx.Document()
    document.add_heading("测试区人民政府2023年政府信息公开工作年度报告", 0)
    document.add_paragraph("一、总体情况")
    table = document.add_table(rows=6, cols=4)
    if ruled:
        table.style = "Table Grid"
    table.cell(0, 0).merge(table.cell(0, 3)).text = "第二十条第（一）项"
    rows = [
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        ["规章", "12", "", "3"],
        ["行政规范性文件（本行标签较长需要在单元格内换行显示）", "0", "5", "5"],
        ["行政许可", "550", "7", "8"],
        ["行政处罚", "4119", "195", "0"],
    ]
    for i, row in enumerate(rows, start=1):
        for j, text in enumerate(row):
            table.cell(i, j).text = text
    table.columns[0].width = Pt(120)
    document.add_paragraph("二、其他需要报告的事项")
    return soffice_convert(document, "pdf")


@pytest.fixture(scope="module")
def ruled_pdf() -> bytes:
    return make_pdf(ruled=True)


EXPECTED_BODY = [
    ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
    ["规章", "12", "", "3"],
    ["行政规范性文件(本行标签较长需要在单元格内换行显示)", "0", "5", "5"],
    ["行政许可", "550", "7", "8"],
    ["行政处罚", "4119", "195", "0"],
]


def test_generated_ruled_table(ruled_pdf: bytes) -> None:
    doc = read_bytes(ruled_pdf, "ruled.pdf")
    check_offsets(doc)
    (table,) = [b for b in doc.blocks if b.kind is BlockKind.TABLE]
    assert table.rows is not None
    caption = table.rows[0]
    assert caption[0].text == "第二十条第(一)项" and not caption[0].spanned
    assert all(c.spanned and c.text == caption[0].text for c in caption[1:])
    assert [[c.text for c in row] for row in table.rows[1:]] == EXPECTED_BODY  # blank stays ""
    texts = [b.text for b in doc.blocks]
    assert texts.index("一、总体情况") < doc.blocks.index(table) < texts.index("二、其他需要报告的事项")


def test_generated_table_without_rulings() -> None:
    doc = read_bytes(make_pdf(ruled=False), "plain.pdf")
    check_offsets(doc)
    (table,) = [b for b in doc.blocks if b.kind is BlockKind.TABLE]
    assert [[c.text for c in row] for row in table.rows or []] == EXPECTED_BODY


def test_bounds_give_partial_results_with_warnings(ruled_pdf: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    import pypdfium2 as pdfium

    source = pdfium.PdfDocument(ruled_pdf)
    many = pdfium.PdfDocument.new()
    many.import_pages(source, [0, 0, 0, 0])
    buf = io.BytesIO()
    many.save(buf)
    monkeypatch.setattr(pdf_reader, "MAX_PAGES", 3)
    doc = read_bytes(buf.getvalue(), "many.pdf")
    assert doc.meta["pages"] == "4"
    assert {b.page for b in doc.blocks} == {1, 2, 3}
    assert any("only the first 3 of 4 pages" in w for w in doc.warnings)
    monkeypatch.setattr(pdf_reader, "TABLE_TIME_BUDGET", -1.0)
    doc = read_bytes(buf.getvalue(), "many.pdf")
    assert not any(b.kind is BlockKind.TABLE for b in doc.blocks)
    assert any("time budget" in w for w in doc.warnings)
    assert "行政处罚 4119 195 0" in doc.text


def ruled_grid_pdf(n: int) -> bytes:
    """A page ruled into n × n cells, written by hand (content stream of line segments)."""
    ops = []
    for i in range(n + 1):
        y, x = 50 + i * 700 / n, 50 + i * 500 / n
        ops.append(f"50 {y:.2f} m 550 {y:.2f} l S {x:.2f} 50 m {x:.2f} 750 l S")
    ops.append("BT /F1 8 Tf 60 60 Td (1 2 3) Tj ET")
    content = "\n".join(ops).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 600 800] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return pdf_file(objects, b"")


def pdf_file(objects: list[bytes], trailer_extra: bytes) -> bytes:
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\n" % (len(objects) + 1, trailer_extra)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def test_dense_rulings_are_skipped_quickly() -> None:
    doc = read_bytes(ruled_grid_pdf(30), "grid.pdf")
    (table,) = [b for b in doc.blocks if b.rows]
    assert table.rows is not None and (len(table.rows), len(table.rows[0])) == (30, 30)
    doc = read_bytes(ruled_grid_pdf(400), "dense.pdf")  # 160,000 cells: pdfplumber would take minutes
    assert not any(b.rows for b in doc.blocks)
    assert any("too many ruling lines" in w for w in doc.warnings)
    assert doc.text == "1 2 3"


# ---------------------------------------------------------------------------------------------------------
# Bad input


def encrypted_pdf() -> bytes:
    """A one-page PDF behind the standard security handler whose empty user password does not open it."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
        b"<< /Filter /Standard /V 1 /R 2 /O <" + b"ab" * 32 + b"> /U <" + b"cd" * 32 + b"> /P -4 >>",
    ]
    file_id = b"<0123456789abcdef0123456789abcdef>"
    return pdf_file(objects, b"/Encrypt 4 0 R /ID [%s %s] " % (file_id, file_id))


def test_encrypted_pdf_is_a_clear_error() -> None:
    with pytest.raises(IngestError, match=r"加密.*\(encrypted PDF"):
        read_bytes(encrypted_pdf(), "locked.pdf")


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.7\n" + b"\x00garbage" * 200, b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog"],
    ids=["garbage", "stub"],
)
def test_garbage_pdf_is_a_clear_error(data: bytes) -> None:
    with pytest.raises(IngestError, match=r"损坏.*\(damaged or truncated PDF"):
        read_bytes(data, "bad.pdf")


def test_truncated_pdf_is_a_clear_error(ruled_pdf: bytes) -> None:
    with pytest.raises(IngestError, match=r"\(damaged or truncated PDF"):
        read_bytes(ruled_pdf[: len(ruled_pdf) // 2], "cut.pdf")


def scanned_pdf() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (600, 800), "white")
    ImageDraw.Draw(image).rectangle((50, 50, 550, 200), outline="black", width=3)
    buf = io.BytesIO()
    image.save(buf, "PDF", resolution=72)
    return buf.getvalue()


def test_scanned_pdf_without_ocr_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_ocr(*args: object) -> None:
        raise ImportError("No module named 'rapidocr'")

    monkeypatch.setattr(pdf_reader, "_ocr_page", no_ocr)
    with pytest.raises(IngestError, match=r"扫描.*OCR not installed"):
        read_bytes(scanned_pdf(), "scan.pdf")


def test_pdf_without_text_is_a_clear_error() -> None:
    import pypdfium2 as pdfium

    blank = pdfium.PdfDocument.new()
    blank.new_page(200, 200)
    buf = io.BytesIO()
    blank.save(buf)
    with pytest.raises(IngestError, match=r"no text in PDF"):
        read_bytes(buf.getvalue(), "blank.pdf")


def test_number_wrapped_in_a_narrow_cell_is_one_number() -> None:
    assert pdf_reader._wrapped_number(["2", "6"]) and pdf_reader._wrapped_number(["12", "34", "5"])
    assert not pdf_reader._wrapped_number(["0", "29", "25"])  # values of merged rows stacked in one cell
    assert not pdf_reader._wrapped_number(["26"]) and not pdf_reader._wrapped_number(["2", "共"])


def test_row_cut_by_a_page_break_is_joined_back() -> None:
    """LibreOffice printing kgc_04.html: 3.危及“三安 | 0 … on one page, 全一稳定” alone at the top of the next."""
    from xxgk.ingest.assemble import DocumentBuilder, GridCell

    def grid(*rows: list[str]) -> list[list[GridCell]]:
        return [[GridCell(t) for t in row] for row in rows]

    builder = DocumentBuilder()
    builder.add_table(grid(["2.其他法律行政法规禁止公开", "0", "0"], ["3.危及“三安", "0", "0"]), page=6)
    builder.add_text("-6-", BlockKind.LINE, page=6, noise="page_number")
    rows = grid(["全一稳定”", "", ""], ["4.保护第三方合法权益", "0", "0"])
    pdf_reader._continue_split_row(builder, rows, 7)
    assert builder.items[0].rows is not None and builder.items[0].rows[-1][0].text == "3.危及“三安全一稳定”"
    assert [[c.text for c in r] for r in rows] == [["4.保护第三方合法权益", "0", "0"]]
    # a header row over the value columns continues the table, it is not the rest of a cut row
    rows = grid(["信息内容", "本年制发件数", "本年废止件数"], ["规章", "0", "0"])
    pdf_reader._continue_split_row(builder, rows, 7)
    assert len(rows) == 2 and builder.items[0].rows[-1][0].text == "3.危及“三安全一稳定”"
    # prose between the two tables: not one table
    builder.add_text("二、其他情况", BlockKind.LINE, page=6)
    rows = grid(["全一稳定”", "", ""])
    pdf_reader._continue_split_row(builder, rows, 7)
    assert len(rows) == 1
