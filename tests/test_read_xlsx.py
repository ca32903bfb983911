"""XLSX reader: one TABLE per sheet, merged ranges expanded, integral numbers as integers, blanks kept."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from xxgk.ingest import IngestError, read_bytes
from xxgk.ingest.document import BlockKind, Document
from xxgk.ingest.xlsx import format_value


def check_offsets(doc: Document) -> None:
    assert doc.text == "\n".join(b.text for b in doc.blocks)
    for block in doc.blocks:
        assert doc.text[block.start : block.end] == block.text
        for row in block.rows or []:
            for cell in row:
                assert doc.text[cell.start : cell.end] == cell.text


def workbook_bytes() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "表三"
    ws["A1"] = "（本列数据的勾稽关系）"
    ws.merge_cells("A1:A2")
    ws["B1"] = "申请人情况"
    ws.merge_cells("B1:D1")
    ws.append([])  # row 3 left empty: dropped
    ws["B2"], ws["C2"], ws["D2"] = "自然人", "法人", "总计"
    ws["A4"], ws["B4"], ws["C4"], ws["D4"] = "一、本年新收政府信息公开申请数量", 21.0, None, 21
    ws["A5"], ws["B5"], ws["C5"], ws["D5"] = "行政事业性收费", 7730.28, 0, "=B5+C5"
    second = wb.create_sheet("说明")
    second["A1"], second["B1"] = "填报日期", dt.datetime(2024, 1, 20)
    hidden = wb.create_sheet("隐藏")
    hidden["A1"] = "不公开的草稿"
    hidden.sheet_state = "hidden"
    wb.create_sheet("空表")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_xlsx_sheets_become_tables() -> None:
    doc = read_bytes(workbook_bytes(), "report.xlsx")
    check_offsets(doc)
    assert doc.kind == "xlsx"
    assert [b.kind for b in doc.blocks] == [BlockKind.TABLE] * 3
    assert doc.meta["sheets"] == "表三 | 说明 | 隐藏"
    first = doc.blocks[0].rows
    assert first is not None
    grid = [[("~" if c.spanned else "") + c.text for c in row] for row in first]
    assert grid == [
        ["(本列数据的勾稽关系)", "申请人情况", "~申请人情况", "~申请人情况"],
        ["~(本列数据的勾稽关系)", "自然人", "法人", "总计"],
        ["一、本年新收政府信息公开申请数量", "21", "", "21"],  # 21.0 → 21; the empty cell stays ""
        ["行政事业性收费", "7730.28", "0", ""],  # a formula without cached value is blank, not 0
    ]
    assert doc.blocks[1].text == "填报日期 | 2024-01-20"
    assert doc.blocks[2].noise == "hidden" and doc.blocks[0].noise is None


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (5, "5"),
        (5.0, "5"),
        (-3.0, "-3"),
        (0.1 + 0.2, "0.3"),
        (7730.28, "7730.28"),
        (True, "TRUE"),
        (dt.date(2024, 1, 2), "2024-01-02"),
        (dt.datetime(2024, 1, 2, 9, 30), "2024-01-02 09:30:00"),
        (" 文字 ", "文字"),
        (float("nan"), ""),
    ],
)
def test_format_value(value: object, text: str) -> None:
    assert format_value(value) == text


def test_xlsx_errors() -> None:
    data = workbook_bytes()
    with pytest.raises(IngestError, match=r"damaged or truncated"):
        read_bytes(data[:500], "cut.xlsx", kind="xlsx")
    empty = io.BytesIO()
    openpyxl.Workbook().save(empty)
    with pytest.raises(IngestError, match=r"no data in XLSX"):
        read_bytes(empty.getvalue(), "empty.xlsx")
