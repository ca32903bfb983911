"""Tests for the HTML reader (xxgk.ingest.html): real portal page, synthetic pages, grid property test."""

from __future__ import annotations

import time
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xxgk.ingest import IngestError, read_bytes
from xxgk.ingest.document import Block, BlockKind, Document
from xxgk.ingest.html import MAX_TABLE_CELLS, read_html
from xxgk.ingest.normalize import squash

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
KGC_04 = SHARED / "corpus" / "raw" / "kgc_04.html"


def assert_offsets(doc: Document) -> None:
    """Every block and cell text is exactly its slice of doc.text; blocks are in order and disjoint."""
    last_end = -1
    for block in doc.blocks:
        assert doc.text[block.start : block.end] == block.text
        assert block.start > last_end
        last_end = block.end
        if block.rows is not None:
            for row in block.rows:
                for cell in row:
                    assert doc.text[cell.start : cell.end] == cell.text
                    assert block.start <= cell.start <= cell.end <= block.end
    assert "\n".join(b.text for b in doc.blocks) == doc.text


def html(body: str, head: str = "", charset: str = "utf-8") -> bytes:
    return f"<!doctype html><html><head><meta charset='{charset}'>{head}</head><body>{body}</body></html>".encode(
        "utf-8" if charset == "utf-8" else charset
    )


def tables(doc: Document, noise: str | None = None) -> list[Block]:
    return [b for b in doc.blocks if b.kind is BlockKind.TABLE and b.noise == noise]


def grid_texts(block: Block) -> list[list[str]]:
    assert block.rows is not None
    return [[c.text for c in row] for row in block.rows]


# ----------------------------------------------------------------------------------------------------------
# The real scraped portal page
# ----------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def kgc04() -> Document:
    if not KGC_04.is_file():
        pytest.skip("shared corpus not available (../shared/corpus/raw/kgc_04.html)")
    return read_html(KGC_04.read_bytes(), KGC_04.name)


def _table_three(doc: Document) -> Block:
    found = [b for b in tables(doc) if "本年新收政府信息公开申请" in b.text]
    assert len(found) == 1
    return found[0]


def test_kgc04_offsets_and_kind(kgc04: Document) -> None:
    assert kgc04.kind == "html"
    assert kgc04.meta["encoding"] == "utf-8"
    assert_offsets(kgc04)


def test_kgc04_table_three_has_seven_numeric_columns(kgc04: Document) -> None:
    table = _table_three(kgc04)
    assert table.rows is not None
    assert {len(row) for row in table.rows} == {10}  # 3 label columns + 7 numeric columns
    header = [squash(c.text) for c in table.rows[2][3:]]
    assert header == ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    data_rows = [row for row in table.rows if row[-1].text.isdigit()]
    assert len(data_rows) == 25
    for row in data_rows:
        numeric = row[3:]
        assert numeric[0].text.isdigit() and numeric[-1].text.isdigit()
        # blank ≠ 0: the five 法人或其他组织 columns are empty on every data row
        assert [c.text for c in numeric[1:6]] == [""] * 5
        assert not any(c.spanned for c in numeric)
    first = data_rows[0]
    assert first[0].text.startswith("一、本年新收") and [first[3].text, first[-1].text] == ["26", "26"]


def test_kgc04_spans_expanded(kgc04: Document) -> None:
    table = _table_three(kgc04)
    assert table.rows is not None
    # corner cell: colspan=3 rowspan=3
    corner = table.rows[0][0]
    assert not corner.spanned
    for r in range(3):
        for c in range(3):
            cell = table.rows[r][c]
            assert cell.text == corner.text
            assert cell.spanned == ((r, c) != (0, 0))
    # 法人或其他组织: colspan=5 in the second header row
    assert [c.text for c in table.rows[1][4:9]] == ["法人或其他组织"] * 5
    assert [c.spanned for c in table.rows[1][4:9]] == [False, True, True, True, True]
    # 三、本年度办理结果: rowspan=22 in the first column
    start = next(i for i, row in enumerate(table.rows) if row[0].text == "三、本年度办理结果" and not row[0].spanned)
    column = [row[0] for row in table.rows[start : start + 22]]
    assert all(c.text == "三、本年度办理结果" for c in column)
    assert [c.spanned for c in column] == [False] + [True] * 21
    assert table.rows[start + 22][0].text.startswith("四、结转下年度")
    # Word splits labels across spans: （ 二 ） are joined without spaces (NFKC makes them ASCII)
    labels = {row[1].text for row in table.rows}
    assert "(二)部分公开(区分处理的,只计这一情形,不计其他情形)" in labels


def test_kgc04_chrome_is_noise(kgc04: Document) -> None:
    noise = {b.text: b.noise for b in kgc04.blocks if b.noise is not None}
    assert noise.get("首页") == "navigation"
    assert noise.get("走进沭阳") == "navigation"
    content = "\n".join(b.text for b in kgc04.content_blocks())
    assert "首页" not in content and "索引号" not in content and "采集时间" not in content
    assert "function time" not in kgc04.text and "websiteId" not in kgc04.text  # scripts dropped
    assert "font-family" not in kgc04.text  # styles dropped
    meta_tables = tables(kgc04, "metadata")
    assert len(meta_tables) == 1 and "索引号" in meta_tables[0].text
    # the report itself is content: title, prose, all three statistics tables
    first = next(kgc04.content_blocks())
    assert first.kind is BlockKind.HEADING and first.text == "沭阳县发展和改革局2023年政府信息公开年度报告"
    assert len(tables(kgc04)) == 3
    assert "六、其他需要报告的事项" in content
    assert "2024年1月17日" in content


def test_kgc04_meta(kgc04: Document) -> None:
    meta = kgc04.meta
    assert meta["公开日期"] == "2024-01-17"
    assert meta["索引号"] == "014314799/2024-00002"
    assert meta["发布机构"] == "沭阳县发展和改革局"
    assert "文号" not in meta  # empty on the page
    assert meta["title"] == "沭阳县发展和改革局2023年政府信息公开年度报告"
    assert meta["url"] == "http://www.shuyang.gov.cn/sygfj/gknb/202401/2ecfb31a335f4d689220a3a23e24a986.shtml"


@pytest.mark.parametrize("selectors", ["generic", "none"])
def test_kgc04_without_specific_container_rules(
    kgc04: Document, selectors: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fallbacks (generic selector narrowed by density, pure density) find the same report."""
    import xxgk.ingest.html as html_module

    kept = tuple(s for s in html_module.CONTAINER_SELECTORS if s in html_module.GENERIC_SELECTORS)
    monkeypatch.setattr(html_module, "CONTAINER_SELECTORS", kept if selectors == "generic" else ())
    doc = read_html(KGC_04.read_bytes(), KGC_04.name)
    assert doc.meta["main_content"].endswith("density")
    assert [b.text for b in tables(doc)] == [b.text for b in tables(kgc04)]
    assert [b.text for b in doc.content_blocks()] == [b.text for b in kgc04.content_blocks()]
    assert {b.noise for b in doc.blocks if b.text in ("首页", "走进沭阳")} == {"navigation"}
    assert_offsets(doc)


def test_kgc04_speed() -> None:
    if not KGC_04.is_file():
        pytest.skip("shared corpus not available")
    data = KGC_04.read_bytes()
    read_html(data, "warm-up")
    runs = 10
    start = time.perf_counter()
    for _ in range(runs):
        read_html(data, "kgc_04.html")
    per_page = (time.perf_counter() - start) / runs
    assert per_page < 0.5  # generous: a loaded CI machine; ~7 ms measured on a quiet one


def test_dispatch_through_read_bytes() -> None:
    if not KGC_04.is_file():
        pytest.skip("shared corpus not available")
    doc = read_bytes(KGC_04.read_bytes(), "kgc_04.html")
    assert doc.kind == "html" and doc.meta["公开日期"] == "2024-01-17"


# ----------------------------------------------------------------------------------------------------------
# Synthetic pages
# ----------------------------------------------------------------------------------------------------------

PROSE = "本机关认真贯彻落实政府信息公开条例，全年主动公开政府信息一百二十条，依申请公开工作有序开展。" * 3


def test_hidden_elements_are_marked_and_links_recorded() -> None:
    page = html(
        f"""<div id="zoom"><p>{PROSE}</p>
        <div style="display:none"><a href="http://spam.example/bet">博彩网站</a></div>
        <p style="font-size:0px">零号字体文字</p>
        <p style="visibility: hidden">不可见文字</p>
        <span hidden>属性隐藏</span>
        <div style="position:absolute; left:-9999px">离屏文字<a href="https://x.example/">外链</a></div>
        <p>正文继续<span style="DISPLAY: NONE">行内隐藏</span>结束。</p>
        <div style="position:absolute;clip:rect(0 0 0 0)">裁剪隐藏</div><p style="opacity:0">透明文字</p>
        <p style="height:0;overflow:hidden">零高文字</p>
        <p style="margin-left:-20px;font-size:12pt">可见文字</p></div>"""
    )
    doc = read_html(page, "hidden.html")
    assert_offsets(doc)
    hidden = [b.text for b in doc.blocks if b.noise == "hidden"]
    assert "链接: 博彩网站 (http://spam.example/bet)" in hidden
    assert "链接: 外链 (https://x.example/)" in hidden
    for text in ("零号字体文字", "不可见文字", "属性隐藏", "离屏文字", "行内隐藏", "裁剪隐藏", "透明文字", "零高文字"):
        assert any(text in h for h in hidden), text
    content = [b.text for b in doc.content_blocks()]
    assert not any("博彩" in t or "隐藏" in t or "离屏" in t for t in content)
    assert "正文继续" in content and "结束。" in content and "可见文字" in content
    assert any("隐藏" in w for w in doc.warnings)


def test_elements_hidden_by_style_rules_are_marked() -> None:
    head = """<style>/* injected */ .bc { display : none } #x9, div.zz{position:absolute;left:-9999px}
    @media print { .np { display:none } } a:hover { visibility: hidden } .ok { color: red }
    p:not(.a) { display: none } [[[bad selector { display: none }</style>"""
    page = html(
        f"""<div id="zoom"><p>{PROSE}</p>
        <div class="bc"><a href="http://spam.example/bet">博彩网站</a></div>
        <span id="x9">编号隐藏</span><div class="zz">类名隐藏</div>
        <p class="np ok">打印时才隐藏</p></div>""",
        head=head,
    )
    doc = read_html(page, "css.html")
    assert_offsets(doc)
    hidden = [b.text for b in doc.blocks if b.noise == "hidden"]
    assert "链接: 博彩网站 (http://spam.example/bet)" in hidden
    assert any("编号隐藏" in h for h in hidden) and any("类名隐藏" in h for h in hidden)
    content = [b.text for b in doc.content_blocks()]
    assert "打印时才隐藏" in content  # @media and pseudo-class rules apply only sometimes


def test_hidden_links_inside_hidden_table_and_cell() -> None:
    page = html(
        f"""<div id="zoom"><p>{PROSE}</p>
        <table style="display:none"><tr><td><a href="http://a.example/">甲</a></td><td>乙</td></tr></table>
        <table><tr><td>项目<span style="display:none"><a href="http://b.example/">丙</a></span></td>
        <td>1</td></tr><tr style="display:none"><td>隐藏行</td><td>9</td></tr></table></div>"""
    )
    doc = read_html(page, "t.html")
    assert_offsets(doc)
    hidden = "\n".join(b.text for b in doc.blocks if b.noise == "hidden")
    assert "链接: 甲 (http://a.example/)" in hidden
    assert "链接: 丙 (http://b.example/)" in hidden
    assert "隐藏行 | 9" in hidden
    visible = tables(doc)
    assert len(visible) == 1 and grid_texts(visible[0]) == [["项目", "1"]]
    assert tables(doc, "hidden")[0].rows is not None


def test_gbk_page_with_meta_charset_after_long_script() -> None:
    script = "<script>var x = '" + "a" * 2000 + "';</script>"
    body = f"<div class='TRS_Editor'><p>{PROSE}</p><table><tr><td>本年新收</td><td>12</td></tr></table></div>"
    raw = f"<html><head>{script}<meta http-equiv='Content-Type' content='text/html; charset=gbk'></head>"
    raw += f"<body>{body}</body></html>"
    data = raw.encode("gbk")
    assert data.index(b"charset") > 1024  # beyond where selectolax/lexbor would look
    doc = read_html(data, "gbk.html")
    assert doc.meta["encoding"] == "gb18030"
    assert PROSE.replace("，", ",").replace("。", ".")[:20] in doc.text or "本机关认真贯彻" in doc.text
    assert grid_texts(tables(doc)[0]) == [["本年新收", "12"]]
    assert_offsets(doc)


def test_gbk_page_without_any_declaration() -> None:
    data = f"<html><body><div id='zoom'><p>{PROSE}</p></div></body></html>".encode("gbk")
    doc = read_html(data, "plain.htm")
    assert "本机关认真贯彻落实政府信息公开条例" in doc.text


def test_big5_page_is_simplified() -> None:
    trad = "本機關認真貫徹落實政府資訊公開條例，全年主動公開政府資訊一百二十條。" * 3
    raw = "<html><head><meta charset='big5'><title>政府資訊公開年度報告</title></head>"
    raw += f"<body><div id='zoom'><h1>政府資訊公開年度報告</h1><p>{trad}</p>"
    raw += "<table><tr><td>申請數量</td><td>3</td></tr></table></div></body></html>"
    doc = read_html(raw.encode("big5"), "big5.html")
    assert "big5" in doc.meta["encoding"]
    assert "本机关认真贯彻落实政府资讯公开条例" in doc.text
    assert doc.meta["title"] == "政府资讯公开年度报告"
    assert grid_texts(tables(doc)[0]) == [["申请数量", "3"]]
    assert_offsets(doc)


def test_rowspan_colspan_grid() -> None:
    page = html(
        f"""<div id="zoom"><p>{PROSE}</p><table>
        <tr><td rowspan="2" colspan="2">角</td><td colspan="2">申请人</td></tr>
        <tr><td>自然人</td><td>总计</td></tr>
        <tr><td rowspan="3">三</td><td>甲</td><td>1</td><td>1</td></tr>
        <tr><td>乙</td><td></td><td>0</td></tr>
        <tr><td>丙</td><td>&nbsp;</td><td><o:p> </o:p></td></tr>
        <tr><td colspan="3">合计</td></tr>
        </table></div>"""
    )
    doc = read_html(page, "grid.html")
    assert_offsets(doc)
    table = tables(doc)[0]
    assert grid_texts(table) == [
        ["角", "角", "申请人", "申请人"],
        ["角", "角", "自然人", "总计"],
        ["三", "甲", "1", "1"],
        ["三", "乙", "", "0"],
        ["三", "丙", "", ""],
        ["合计", "合计", "合计", ""],  # short row padded with an empty cell
    ]
    assert table.rows is not None
    spanned = [[c.spanned for c in row] for row in table.rows]
    assert spanned[0] == [False, True, False, True]
    assert spanned[1] == [True, True, False, False]
    assert [row[0] for row in spanned[2:5]] == [False, True, True]
    assert spanned[5] == [False, True, True, False]
    assert table.text.split("\n")[0] == "角 | 角 | 申请人 | 申请人"


def test_cell_text_joining() -> None:
    page = html(
        f"""<div id="zoom"><p>{PROSE}</p><table><tr>
        <td><span>（</span><span>二</span><span>）</span><b>部分</b><i>公开</i></td>
        <td><p>商业</p><p>企业</p></td>
        <td>科研<br>机构</td>
        <td><p><span>政府信息</span>
        <span>公开</span></p></td>
        <td><div>a</div>b</td>
        </tr></table></div>"""
    )
    doc = read_html(page, "cells.html")
    assert grid_texts(tables(doc)[0]) == [["(二)部分公开", "商业 企业", "科研 机构", "政府信息公开", "a b"]]
    assert_offsets(doc)


def test_blocks_lines_and_headings() -> None:
    page = html(
        f"""<div id="zoom"><h2>一、总体情况</h2><p>{PROSE}</p>
        <p>第一行<br>第二行<br/>第三行</p><p>政府信息
        公开工作 English
        words</p></div>"""
    )
    doc = read_html(page, "blocks.html")
    kinds = [(b.kind, b.text) for b in doc.content_blocks()]
    assert kinds[0] == (BlockKind.HEADING, "一、总体情况")
    assert (BlockKind.LINE, "第一行") in kinds and (BlockKind.LINE, "第三行") in kinds
    assert (BlockKind.PARAGRAPH, "政府信息公开工作 English words") in kinds
    assert_offsets(doc)


def test_density_fallback_and_navigation_noise() -> None:
    nav = "".join(f"<li><a href='/c{i}'>栏目名称{i}</a></li>" for i in range(30))
    page = html(
        f"""<div class="topbar"><ul>{nav}</ul></div>
        <div class="xyz"><div class="box"><p>{PROSE}</p><p>{PROSE}</p>
        <table><tr><td>本年新收</td><td>5</td></tr></table></div></div>
        <div class="copyright"><p>版权所有：某某市人民政府办公室 网站标识码1234567890 备案号</p></div>"""
    )
    doc = read_html(page, "density.html")
    assert doc.meta["main_content"] == "density"
    assert {b.noise for b in doc.blocks if "栏目名称" in b.text} == {"navigation"}
    assert {b.noise for b in doc.blocks if "版权所有" in b.text} == {"footer"}
    assert len(tables(doc)) == 1
    assert all("栏目" not in b.text for b in doc.content_blocks())
    assert_offsets(doc)


def test_generic_selector_does_not_pick_a_small_sidebar_box() -> None:
    page = html(
        f"""<div class="side"><div class="content"><a href="/x">相关链接</a>短文</div></div>
        <div class="main-wrap"><p>{PROSE}</p><p>{PROSE}</p></div>"""
    )
    doc = read_html(page, "side.html")
    assert doc.meta["main_content"] == "density"
    assert any("本机关认真" in b.text for b in doc.content_blocks())


def test_layout_tables_are_walked_not_gridded() -> None:
    page = html(
        f"""<table width="100%"><tr><td class="nav"><a href="/">首页</a></td></tr>
        <tr><td><div id="zoom"><p>{PROSE}</p>
        <table><tr><td>项目</td><td>数量</td></tr><tr><td>本年新收</td><td>7</td></tr></table>
        </div></td></tr></table>"""
    )
    doc = read_html(page, "layout.html")
    assert [grid_texts(t) for t in tables(doc)] == [[["项目", "数量"], ["本年新收", "7"]]]
    assert any(b.text == "首页" and b.noise == "navigation" for b in doc.blocks)
    assert_offsets(doc)


def test_meta_from_label_lines_and_canonical_url() -> None:
    page = html(
        f"""<ul class="xxgk-info"><li>索引号：11320000/2024-01234</li>
        <li>发布机构：某某县人民政府办公室</li><li>成文日期：2024年01月15日 发文字号：某政办〔2024〕3号</li>
        <li>发布时间：2024-01-20</li></ul><div id="zoom"><p>{PROSE}</p></div>""",
        head="<link rel='canonical' href='https://www.example.gov.cn/art/2024/1/20/art_1.html'>",
    )
    doc = read_html(page, "meta.html")
    assert doc.meta["索引号"] == "11320000/2024-01234"
    assert doc.meta["发布机构"] == "某某县人民政府办公室"
    assert doc.meta["成文日期"] == "2024年01月15日"
    assert doc.meta["文号"] == "某政办〔2024〕3号"
    assert doc.meta["发布日期"] == "2024-01-20"
    assert doc.meta["url"] == "https://www.example.gov.cn/art/2024/1/20/art_1.html"
    assert {b.noise for b in doc.blocks if "索引号" in b.text} == {"metadata"}


def test_meta_values_stop_at_other_labels() -> None:
    page = html(
        f"""<div class="info"><span>发布时间：2024-01-17 10:30:00 浏览次数：35</span>
        <span>来源：县司法局</span></div><div id="zoom"><p>{PROSE}</p></div>"""
    )
    doc = read_html(page, "stop.html")
    assert doc.meta["发布日期"] == "2024-01-17 10:30:00"
    assert "url" not in doc.meta  # 来源 without an address is not a URL


def test_attachment_report_is_flagged() -> None:
    page = html(
        """<div id="zoom"><p>某某局2023年政府信息公开工作年度报告见附件。</p>
        <p>附件：<a href="/upload/2024/report.pdf">某某局2023年年度报告.pdf</a></p></div>"""
    )
    doc = read_html(page, "attach.html")
    assert doc.meta["attachments"] == "/upload/2024/report.pdf"
    assert any("附件" in w for w in doc.warnings)


def test_frameset_page() -> None:
    doc = read_html(b"<html><head><title>T</title></head><frameset><frame src='a.html'></frameset></html>", "f.html")
    assert any("a.html" in w for w in doc.warnings)
    assert doc.meta["title"] == "T"


def test_og_url_and_title_fallback() -> None:
    page = html(
        f"<div id='zoom'><p>{PROSE}</p></div>",
        head="<title>某某局2023年报-某某网</title><meta property='og:url' content='http://e.example/a.html'>",
    )
    doc = read_html(page, "og.html")
    assert doc.meta["url"] == "http://e.example/a.html"
    assert doc.meta["title"] == "某某局2023年报-某某网"


def test_length_changing_normalisation_keeps_offsets() -> None:
    page = html(f"<div id='zoom'><p>{PROSE}</p><p>㈠面积㎡</p><table><tr><td>㈡</td><td>１２</td></tr></table></div>")
    doc = read_html(page, "nfkc.html")
    assert_offsets(doc)
    assert "(一)面积m2" in doc.text
    assert grid_texts(tables(doc)[0]) == [["(二)", "12"]]
    assert doc.offset_map is not None
    start = doc.text.index("面积")
    src_start, src_end = doc.source_span(start, start + 2)
    assert src_end - src_start == 2
    cell = tables(doc)[0].rows[0][1]  # type: ignore[index]
    s, e = doc.source_span(cell.start, cell.end)
    assert e - s == 2


def test_bad_input() -> None:
    with pytest.raises(IngestError):
        read_html(b"", "empty.html")
    with pytest.raises(IngestError):
        read_html(b"   \n ", "blank.html")
    with pytest.raises(IngestError):
        read_html(b"\x00\x01\x02garbage\x00" * 50, "binary.html")
    doc = read_html(bytes(range(128, 256)) * 20, "garbage.html")  # undecodable-ish bytes: no traceback
    assert isinstance(doc, Document)
    doc = read_html(b"<html><body></body></html>", "nothing.html")
    assert doc.blocks == [] and doc.warnings
    doc = read_html(b"<<<>>><table><tr><td", "broken.html")
    assert isinstance(doc, Document)
    doc = read_html("<p>只有一段文字".encode(), "frag.html")
    assert doc.text == "只有一段文字"


def test_deep_nesting_does_not_recurse() -> None:
    page = ("<div>" * 5000 + "深层文字" + "</div>" * 5000).encode()
    doc = read_html(page, "deep.html")
    assert "深层文字" in doc.text


def test_huge_table_is_bounded() -> None:
    rows = "".join(f"<tr>{'<td>1</td>' * 20}</tr>" for _ in range(MAX_TABLE_CELLS // 20 + 10))
    page = html(f"<div id='zoom'><p>{PROSE}</p><table>{rows}</table></div>")
    doc = read_html(page, "huge.html")
    assert not tables(doc)
    assert any("表格过大" in w for w in doc.warnings)
    assert sum(1 for b in doc.blocks if b.kind is BlockKind.LINE) == MAX_TABLE_CELLS // 20 + 10
    spans = "<tr><td colspan='1000' rowspan='65534'>x</td><td>y</td></tr>" + "<tr></tr>" * 100
    blowup = html(f"<div id='zoom'><p>{PROSE}</p><table>{spans}</table></div>")
    doc = read_html(blowup, "blowup.html")
    assert any("表格过大" in w for w in doc.warnings)


def test_caption_and_th() -> None:
    page = html(
        f"<div id='zoom'><p>{PROSE}</p><table><caption>表一</caption><thead><tr><th>项目</th><th>数量</th></tr>"
        "</thead><tbody><tr><td>甲</td><td>1</td></tr></tbody></table></div>"
    )
    doc = read_html(page, "cap.html")
    texts = [b.text for b in doc.content_blocks()]
    assert texts[-2:] == ["表一", "项目 | 数量\n甲 | 1"]


# ----------------------------------------------------------------------------------------------------------
# Property: random grids with random spans come back exactly
# ----------------------------------------------------------------------------------------------------------


@st.composite
def span_grids(draw: st.DrawFn) -> tuple[int, int, list[tuple[int, int, int, int]]]:
    """A full tiling of an R×C grid by rectangles (r, c, rowspan, colspan)."""
    n_rows = draw(st.integers(1, 7))
    n_cols = draw(st.integers(1, 7))
    owner = [[-1] * n_cols for _ in range(n_rows)]
    rects: list[tuple[int, int, int, int]] = []
    for r in range(n_rows):
        for c in range(n_cols):
            if owner[r][c] != -1:
                continue
            max_cs = 0
            while c + max_cs < n_cols and owner[r][c + max_cs] == -1:
                max_cs += 1
            cs = draw(st.integers(1, max_cs))
            rs = draw(st.integers(1, n_rows - r))
            while any(owner[r + dr][c + dc] != -1 for dr in range(rs) for dc in range(cs)):
                rs -= 1
            for dr in range(rs):
                for dc in range(cs):
                    owner[r + dr][c + dc] = len(rects)
            rects.append((r, c, rs, cs))
    return n_rows, n_cols, rects


WORDS = ["申请", "公开", "12", "", "（一）予以公开", "总计", "a b", "0"]


@settings(max_examples=150, deadline=None)
@given(span_grids(), st.lists(st.sampled_from(WORDS), min_size=64, max_size=64))
def test_random_span_grids_round_trip(
    layout: tuple[int, int, list[tuple[int, int, int, int]]], words: list[str]
) -> None:
    n_rows, n_cols, rects = layout
    texts = [f"{words[k % len(words)]}{k}" if k % 3 else words[k % len(words)] for k in range(len(rects))]
    rows_html = []
    for r in range(n_rows):
        cells = [
            f"<td rowspan='{rs}' colspan='{cs}'><span>{texts[k][:1]}</span><span>{texts[k][1:]}</span></td>"
            for k, (rr, _c, rs, cs) in enumerate(rects)
            if rr == r
        ]
        rows_html.append("<tr>" + "".join(cells) + "</tr>")
    page = html(f"<div id='zoom'><p>{PROSE}</p><table>{''.join(rows_html)}</table></div>")
    doc = read_html(page, "prop.html")
    assert_offsets(doc)
    found = tables(doc)
    if len(rects) == 1:  # a one-cell table is page layout: its text becomes a paragraph
        assert not found
        return
    assert len(found) == 1
    table = found[0]
    assert table.rows is not None
    expected = [[("", False)] * n_cols for _ in range(n_rows)]
    for k, (r, c, rs, cs) in enumerate(rects):
        text = unicodedata.normalize("NFKC", texts[k]).strip()
        for dr in range(rs):
            for dc in range(cs):
                expected[r + dr][c + dc] = (text, (dr, dc) != (0, 0))
    got = [[(cell.text, cell.spanned) for cell in row] for row in table.rows]
    assert got == expected


# fmt: off
SNIPPETS = [
    "<div>", "</div>", "<p>", "</p>", "<br>", "<table>", "</table>", "<tr>", "<td rowspan=2>", "<td colspan='3'>",
    "</td>", "<th>", "<span style='display:none'>", "</span>", "<a href='http://x.example/'>", "</a>", "<h1>",
    "</h1>", "<ul><li>", "<script>var a;</script>", "<!-- c -->", "<div id='zoom'>", "<o:p>&nbsp;</o:p>", "㈠",
    "政府信息公开", "索引号：", "2024-01-17", "\n", " ", "&amp;", "<pre>a\nb</pre>", "<td rowspan=0>", "資訊",
]
# fmt: on


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(SNIPPETS), max_size=60))
def test_tag_soup_never_breaks(parts: list[str]) -> None:
    data = "".join(parts).encode()
    try:
        doc = read_html(data, "soup.html")
    except IngestError:
        assert not data.strip()
        return
    assert_offsets(doc)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=3000))
def test_random_bytes_never_traceback(data: bytes) -> None:
    try:
        doc = read_html(data, "random.bin")
    except IngestError:
        return
    assert_offsets(doc)
