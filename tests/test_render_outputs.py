"""Each output kind carries the statutory layout: headings, merged cells, units, blanks as empty cells."""

from __future__ import annotations

import io
import re
import zipfile
from random import Random

import pytest

from xxgk.extract.report import Report
from xxgk.formats import get_format
from xxgk.render import OUTPUTS, RenderError, render
from xxgk.render.layout import LayoutError
from xxgk.render.sample import sample_report

HEADINGS = [
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
]


@pytest.fixture(scope="module")
def report21() -> Report:
    report = sample_report("2021", Random(7), year=2024, agency="南通市民政局")
    report.values["applications.new.commercial"] = None
    report.values["art20_8.fees.amount_wan"] = 17.6
    return report


def test_html_layout(report21: Report) -> None:
    html = render(report21, "html", charts=False).decode("utf-8")
    assert html.startswith("<!DOCTYPE html>") and '<html lang="zh-CN">' in html
    assert "<h1>南通市民政局2024年政府信息公开工作年度报告</h1>" in html
    positions = [html.index(f"<h2>{h}</h2>") for h in HEADINGS]
    assert positions == sorted(positions)
    assert 'rowspan="22">三、本年度办理结果' in html
    assert 'colspan="7">申请人情况' in html and 'colspan="5">法人或其他组织' in html
    assert 'rowspan="2">自然人' in html and 'colspan="10">行政诉讼' in html
    assert 'data-key="applications.new.commercial"></td>' in html  # blank, not 0
    assert 'data-key="art20_8.fees.amount_wan">17.6</td>' in html
    assert "本年收费金额（单位：万元）" in html
    assert "Noto Serif CJK SC" in html and "FangSong" in html
    assert "<img" not in html


def test_html_2019_rowspan_20() -> None:
    html = render(sample_report("2019", Random(1)), "html", charts=False).decode("utf-8")
    assert 'rowspan="20">三、本年度办理结果' in html
    assert "政府集中采购" in html and "第二十条第（九）项" in html


def test_html_escapes_narrative() -> None:
    report = sample_report("2021", Random(2))
    report.narrative["overview"] = "<script>alert(1)</script>“三安全一稳定”"
    html = render(report, "html", charts=False).decode("utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_docx_tables_fonts_and_merges(report21: Report) -> None:
    from docx import Document

    data = render(report21, "docx", charts=False)
    doc = Document(io.BytesIO(data))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "南通市民政局2024年政府信息公开工作年度报告"
    for h in HEADINGS:
        assert h in texts
    assert len(doc.tables) == 3
    apps = doc.tables[1]
    assert apps.cell(0, 3).text == "申请人情况" and apps.cell(0, 9).text == "申请人情况"  # merged across 7
    assert apps.cell(2, 0).text.startswith("（本列数据")  # corner merged down 3 rows
    assert apps.cell(5, 0).text == "三、本年度办理结果" and apps.cell(26, 0).text == "三、本年度办理结果"
    row_new = [c.text for c in apps.rows[3].cells]
    assert row_new[4] == ""  # blank commercial cell stays empty
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode("utf-8")
    styles = zipfile.ZipFile(io.BytesIO(data)).read("word/styles.xml").decode("utf-8")
    assert 'w:eastAsia="仿宋"' in styles and 'w:eastAsia="黑体"' in styles
    heading = styles[styles.index('w:styleId="Heading2"') :][:1500]
    assert "eastAsiaTheme" not in heading.split("</w:style>")[0]
    assert 'w:gridSpan w:val="7"' in xml and 'w:vMerge w:val="restart"' in xml
    assert "w:tblHeader" in xml


def test_xlsx_sheets_merges_and_numbers(report21: Report) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(render(report21, "xlsx")))
    assert wb.sheetnames == HEADINGS
    text = [row[0] for row in wb[HEADINGS[0]].iter_rows(values_only=True)]
    assert text[0] == "南通市民政局2024年政府信息公开工作年度报告" and HEADINGS[0] in text
    for h in HEADINGS:
        assert wb[h]["A1" if h != HEADINGS[0] else "A3"].value == h
    ws = wb[HEADINGS[2]]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert "D3:J3" in merged  # 申请人情况 across the 7 applicant columns
    assert "A3:C5" in merged  # the corner note
    assert "A8:A29" in merged  # 三、本年度办理结果, rowspan 22
    assert ws["D3"].value == "申请人情况" and ws["E4"].value == "法人或其他组织"
    assert ws["E6"].value is None  # blank commercial cell
    assert isinstance(ws["D6"].value, int)
    assert ws.max_column == 10
    fees = wb[HEADINGS[1]]
    assert 17.6 in [c.value for row in fees.iter_rows() for c in row]
    assert wb[HEADINGS[3]].max_column == 15


def test_xlsx_signed_change_column() -> None:
    from openpyxl import load_workbook

    report = sample_report("2019", Random(3))
    report.values["art20_5.licensing.items_change"] = -2
    wb = load_workbook(io.BytesIO(render(report, "xlsx")))
    cells = [c for row in wb[HEADINGS[1]].iter_rows() for c in row if c.value == -2]
    assert cells and cells[0].number_format == "+0;-0;0"


def test_markdown(report21: Report) -> None:
    md = render(report21, "md").decode("utf-8")
    assert md.startswith("# 南通市民政局2024年政府信息公开工作年度报告\n")
    for h in HEADINGS:
        assert f"\n## {h}\n" in md
    row = next(ln for ln in md.splitlines() if ln.startswith("| 一、本年新收"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    # merged label cells repeat their text, so an empty cell is always a blank value
    assert len(cells) == 10 and cells[1] == cells[2] == cells[0] and cells[4] == ""
    assert "| 三、本年度办理结果 | （一）予以公开 | （一）予以公开 |" in md
    assert "| 三、本年度办理结果 | （三）不予公开 | 1.属于国家秘密 |" in md
    assert re.search(r"^\| 行政复议 \|( 行政复议 \|){4} 行政诉讼 \|", md, re.M)


def test_every_output_kind_renders_2019_and_all_blank() -> None:
    for fmt_id in ("2019", "2021"):
        report = sample_report(fmt_id, Random(5), blank_rate=1.0, narrative=False)
        for kind in OUTPUTS:
            if kind == "pdf":
                continue  # covered by test_render_pdf (WeasyPrint takes ~1 s)
            assert render(report, kind, charts=False)


def test_unknown_output_and_format() -> None:
    report = sample_report("2021")
    with pytest.raises(RenderError, match="不支持的输出格式"):
        render(report, "odt")
    assert render(report, "markdown") == render(report, "md")
    legacy = Report.from_values("legacy", 2015, {}, agency="某某局")
    with pytest.raises(LayoutError, match="不支持"):
        render(legacy, "html")


def test_every_statutory_key_is_rendered_once() -> None:
    for fmt_id in ("2019", "2021"):
        html = render(sample_report(fmt_id, Random(9)), "html", charts=False).decode("utf-8")
        keys = re.findall(r'data-key="([^"]+)"', html)
        assert sorted(keys) == sorted(get_format(fmt_id).standard_keys)
