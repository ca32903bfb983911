"""DOCX reader: body order, headings, merged cells, blanks, offsets; zip bombs and non-Word zips."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from xxgk.ingest import IngestError, read_bytes
from xxgk.ingest import docx as docx_reader
from xxgk.ingest.document import BlockKind, Document


def check_offsets(doc: Document) -> None:
    assert doc.text == "\n".join(b.text for b in doc.blocks)
    for block in doc.blocks:
        assert doc.text[block.start : block.end] == block.text
        for row in block.rows or []:
            for cell in row:
                assert doc.text[cell.start : cell.end] == cell.text
                assert "\n" not in cell.text


def report_docx() -> bytes:
    document = docx.Document()
    document.add_heading("某区人民政府2023年政府信息公开工作年度报告", 0)
    document.add_heading("三、收到和处理政府信息公开申请情况", 1)
    paragraph = document.add_paragraph("本年度共收到申请")
    paragraph.add_run("２１件").bold = True
    paragraph.add_run("，均已办结。")
    table = document.add_table(rows=5, cols=4)
    table.cell(0, 0).merge(table.cell(1, 0)).text = "（本列数据的勾稽关系）"  # vMerge
    table.cell(0, 1).merge(table.cell(0, 3)).text = "申请人情况"  # gridSpan
    for j, text in enumerate(["自然人", "法人", "总计"], start=1):
        table.cell(1, j).text = text
    label = table.cell(2, 0)
    label.text = "（二）部分公开（区分处理的，只计这一情形，不"
    label.add_paragraph("计其他情形）")  # a label in two paragraphs: joined without a space
    for j, text in enumerate(["4", "", "4"], start=1):  # a blank cell stays blank
        table.cell(2, j).text = text
    group = table.cell(3, 0).merge(table.cell(4, 0))
    group.text = "（三）不予公开"
    for i, values in ((3, ["1", "0", "1"]), (4, ["0", "0", "0"])):
        for j, text in enumerate(values, start=1):
            table.cell(i, j).text = text
    document.add_paragraph("四、政府信息公开行政复议、行政诉讼情况")
    frame = document.add_table(rows=1, cols=1)  # a one-cell layout frame: read as paragraphs
    frame.cell(0, 0).text = "框内文字"
    tracked = document.add_paragraph("保留")
    insertion = OxmlElement("w:ins")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "插入的文字"
    run.append(text)
    insertion.append(run)
    tracked._p.append(insertion)
    deletion = OxmlElement("w:del")
    run = OxmlElement("w:r")
    deleted = OxmlElement("w:delText")
    deleted.text = "删除的文字"
    run.append(deleted)
    deletion.append(run)
    tracked._p.append(deletion)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def test_docx_blocks_in_body_order() -> None:
    doc = read_bytes(report_docx(), "report.docx")
    check_offsets(doc)
    assert doc.kind == "docx"
    kinds = [(b.kind, b.text) for b in doc.blocks if b.kind is not BlockKind.TABLE]
    assert kinds == [
        (BlockKind.HEADING, "某区人民政府2023年政府信息公开工作年度报告"),
        (BlockKind.HEADING, "三、收到和处理政府信息公开申请情况"),
        (BlockKind.PARAGRAPH, "本年度共收到申请21件,均已办结。"),  # normalised: NFKC
        (BlockKind.PARAGRAPH, "四、政府信息公开行政复议、行政诉讼情况"),
        (BlockKind.PARAGRAPH, "框内文字"),
        (BlockKind.PARAGRAPH, "保留插入的文字"),
    ]
    order = [b.kind for b in doc.blocks]
    assert order.index(BlockKind.TABLE) == 3
    assert "删除的文字" not in doc.text


def test_docx_merged_cells_expand_into_the_grid() -> None:
    doc = read_bytes(report_docx(), "report.docx")
    (table,) = [b for b in doc.blocks if b.kind is BlockKind.TABLE]
    assert table.rows is not None
    grid = [[("~" if c.spanned else "") + c.text for c in row] for row in table.rows]
    assert grid == [
        ["(本列数据的勾稽关系)", "申请人情况", "~申请人情况", "~申请人情况"],
        ["~(本列数据的勾稽关系)", "自然人", "法人", "总计"],
        ["(二)部分公开(区分处理的,只计这一情形,不计其他情形)", "4", "", "4"],
        ["(三)不予公开", "1", "0", "1"],
        ["~(三)不予公开", "0", "0", "0"],
    ]
    assert table.text.splitlines()[2] == "(二)部分公开(区分处理的,只计这一情形,不计其他情形) | 4 |  | 4"


def test_docx_heading_found_through_outline_level_and_base_style() -> None:
    document = docx.Document()
    style = document.styles.add_style("报告小标题", 1)  # WD_STYLE_TYPE.PARAGRAPH
    style.base_style = document.styles["Heading 2"]
    document.add_paragraph("一、总体情况", style="报告小标题")
    plain = document.add_paragraph("二、主动公开政府信息情况")
    outline = OxmlElement("w:outlineLvl")
    outline.set(qn("w:val"), "1")
    plain._p.get_or_add_pPr().append(outline)
    document.add_paragraph("正文")
    buf = io.BytesIO()
    document.save(buf)
    doc = read_bytes(buf.getvalue(), "h.docx")
    assert [b.kind for b in doc.blocks] == [BlockKind.HEADING, BlockKind.HEADING, BlockKind.PARAGRAPH]


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buf.getvalue()


def test_zip_bomb_is_refused_before_opening(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(docx_reader, "MAX_UNCOMPRESSED", 1024 * 1024)
    bomb = zip_bytes({"word/document.xml": b"<" + b"0" * (2 * 1024 * 1024)})
    assert len(bomb) < 20_000
    with pytest.raises(IngestError, match=r"压缩炸弹.*zip bomb"):
        read_bytes(bomb, "bomb.docx")


def test_zip_that_is_not_a_word_file() -> None:
    with pytest.raises(IngestError, match=r"不是 Word.*not a Word"):
        read_bytes(zip_bytes({"readme.txt": b"hello"}), "fake.docx")


def test_truncated_docx() -> None:
    data = report_docx()
    with pytest.raises(IngestError, match=r"损坏.*damaged or truncated"):
        read_bytes(data[: len(data) // 2], "cut.docx")


def test_broken_document_xml() -> None:
    with pytest.raises(IngestError, match=r"cannot open DOCX"):
        read_bytes(zip_bytes({"word/document.xml": b"<not xml", "[Content_Types].xml": b"<x/>"}), "broken.docx")
