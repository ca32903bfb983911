"""Markdown and text with raw HTML left in them (pandoc keeps spanned tables as ``<table>``, styles as ``<span>``)."""

from __future__ import annotations

from xxgk.extract import parse_bytes
from xxgk.ingest import read_bytes
from xxgk.ingest.document import BlockKind
from xxgk.ingest.markup import has_markup, strip_tags, table_spans

# As pandoc -t gfm leaves a styled page: spans inside pipe rows (a tag broken over lines), and the table with
# spanned cells as raw HTML.
PANDOC = """沭阳县某局2023年政府信息公开工作年度报告

<span style="font-family: 微软雅黑;">二、主动公开政府信息情况</span><span
style="font-family: 微软雅黑;"></span>

| <span style="font-family: 微软雅黑;">第二十条第（五）项</span> |  |
|----|----|
| <span style="font-family: 微软雅黑;">信息内容</span> | <span>本年处理决定数量</span> |
| <span style="font-family: 微软雅黑;">行政许可</span> | <span style="font-family: 微软雅黑;">12</span> |

<span>三、收到和处理政府信息公开申请情况</span>

<table>
<tbody>
<tr><td colspan="3" rowspan="3">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>
<td colspan="7">申请人情况</td></tr>
<tr><td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td></tr>
<tr><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>
<tr><td colspan="3">一、本年新收政府信息公开申请数量</td><td><p><span>26</span></p></td><td></td><td></td>
<td></td><td></td><td>&nbsp;</td><td>26</td></tr>
<tr><td colspan="3">二、上年结转政府信息公开申请数量</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td>
<td>0</td></tr>
</tbody>
</table>

<span>四、政府信息公开行政复议、行政诉讼情况</span>
"""


def test_tables_in_markdown_go_to_the_html_reader() -> None:
    doc = read_bytes(PANDOC.encode("utf-8"), "report.md")
    assert doc.meta.get("markup") == "html"
    tables = [b for b in doc.blocks if b.kind is BlockKind.TABLE]
    assert len(tables) == 1 and tables[0].rows is not None
    assert not any("<" in b.text for b in doc.blocks)  # every tag gone, also the one broken over two lines
    for block in doc.blocks:
        assert doc.text[block.start : block.end] == block.text


def test_a_raw_table_keeps_its_blank_cells_where_they_stand() -> None:
    v = parse_bytes(PANDOC.encode("utf-8"), "report.md").values
    assert v["applications.new.natural_person"] == 26 and v["applications.new.total"] == 26
    assert v["applications.new.commercial"] is None and v["applications.new.other_org"] is None
    assert v["applications.carried_over.total"] == 0
    assert v["art20_5.licensing.decisions"] == 12


def test_markup_is_told_from_prose() -> None:
    assert not has_markup("依据《条例》第<二十>条，本机关主动公开 3 条 <b>重点</b> 信息。")
    assert has_markup("<table><tr><td>1</td></tr></table>")
    assert table_spans("a<table><tr><td><table></table></td></tr></table>b<TABLE>") == [(1, 49), (50, 57)]
    assert strip_tags("一<span\nstyle='x'>二</span>&amp;三<br/>四") == "一二&三\n四"
