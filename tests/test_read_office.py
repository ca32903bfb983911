"""Legacy Office reader: .doc / .wps through headless LibreOffice, then the DOCX reader."""

from __future__ import annotations

import shutil

import docx
import pytest
from tests.conftest import soffice_convert

from xxgk.ingest import IngestError, detect_kind, office, read_bytes
from xxgk.ingest.document import BlockKind

needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")


@pytest.fixture(scope="module")
def doc_bytes() -> bytes:
    """A Word 97 .doc made from a python-docx document by LibreOffice."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) not installed")
    document = docx.Document()
    document.add_heading("某局2023年政府信息公开工作年度报告", 1)
    table = document.add_table(rows=3, cols=3)
    table.cell(0, 0).merge(table.cell(0, 2)).text = "第二十条第（一）项"
    for i, row in enumerate((["规章", "0", ""], ["行政规范性文件", "3", "8"]), start=1):
        for j, text in enumerate(row):
            table.cell(i, j).text = text
    document.add_paragraph("六、其他需要报告的事项")
    return soffice_convert(document, "doc")


@needs_soffice
@pytest.mark.parametrize("name", ["report.doc", "report.wps"])
def test_doc_and_wps_are_read_through_docx(doc_bytes: bytes, name: str) -> None:
    assert detect_kind(doc_bytes, name) == "doc"
    doc = read_bytes(doc_bytes, name)
    assert doc.kind == name.rsplit(".", 1)[1]
    assert doc.meta["converted_by"] == "libreoffice"
    assert doc.blocks[0].kind is BlockKind.HEADING
    (table,) = [b for b in doc.blocks if b.kind is BlockKind.TABLE]
    assert table.rows is not None
    assert [[c.text for c in row if not c.spanned] for row in table.rows] == [
        ["第二十条第(一)项"],
        ["规章", "0", ""],
        ["行政规范性文件", "3", "8"],
    ]
    for block in doc.blocks:
        assert doc.text[block.start : block.end] == block.text
    assert doc.blocks[-1].text == "六、其他需要报告的事项"


def test_spreadsheet_detection() -> None:
    assert office.is_spreadsheet(b"", "a.et") and office.is_spreadsheet(b"", "a.xls")
    assert not office.is_spreadsheet(b"", "a.wps")
    ole = b"\xd0\xcf\x11\xe0" + b"\x00" * 100
    assert office.is_spreadsheet(ole + "Workbook".encode("utf-16-le"), "upload")
    assert not office.is_spreadsheet(ole + "WordDocument".encode("utf-16-le"), "upload")


def test_missing_libreoffice_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(office, "find_soffice", lambda: None)
    with pytest.raises(IngestError, match=r"LibreOffice.*not installed"):
        read_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 600 + "WordDocument".encode("utf-16-le"), "old.doc")


@needs_soffice
def test_conversion_timeout_kills_libreoffice(doc_bytes: bytes) -> None:
    with pytest.raises(IngestError, match=r"timed out"):
        office.convert(doc_bytes, "slow.doc", "docx", timeout=0.05)


def test_ole_file_without_word_or_excel_stream_is_a_clear_error() -> None:
    with pytest.raises(IngestError, match=r"OLE file without a Word or Excel stream"):
        read_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\xff" * 4096, "junk.doc")


@needs_soffice
def test_unconvertible_spreadsheet_is_a_clear_error() -> None:
    """Without LibreOffice Calc (only the Writer package is installed here) or for junk: a clear message."""
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 200 + "Workbook".encode("utf-16-le") + b"\xff" * 2048
    with pytest.raises(IngestError, match=r"could not convert|cannot open XLSX|no data in XLSX"):
        read_bytes(ole, "junk.xls", kind="doc")
