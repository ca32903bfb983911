"""Reports as conversion tools leave them (Markdown, text tables, PDF text): every figure in its own cell."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from xxgk.extract import parse_bytes
from xxgk.formats import get_format
from xxgk.render.sample import sample_report

HEAD = "某县民政局2023年政府信息公开工作年度报告\n\n三、收到和处理政府信息公开申请情况\n\n"


def test_markdown_row_under_a_spanned_label_keeps_its_columns() -> None:
    # markdownify: the rowspan label 三、本年度办理结果 is not repeated, a colspan leaves an empty cell before the
    # figures, and the office left its zeros and the result rows' 总计 blank. The figures are the row's last cells.
    text = HEAD + (
        "| （本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | | | 申请人情况 | | | | | | |\n"
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n"
        "| 自然人 | 法人或其他组织 | | | | | 总计 |\n"
        "| 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 |\n"
        "| 一、本年新收政府信息公开申请数量 | | | 705 | 3 |  |  | 5 |  | 713 |\n"
        "| 三、本年度办理结果 | （一）予以公开 | | 290 | 1 |  |  | 3 |  |  |\n"
        "| （二）部分公开（区分处理的，只计这一情形，不计其他情形） | | 99 |  |  |  | 2 |  |  |\n"
        "| （三）不予公开 | 1.属于国家秘密 |  |  |  |  |  |  |  |\n"
        "| 3.危及“三安全一稳定” | 2 |  |  |  |  |  |  |\n"
    )
    v = parse_bytes(text.encode("utf-8"), "report.md").values
    assert [v[f"applications.granted.{c}"] for c in ("natural_person", "commercial", "research", "legal_services")] == [
        290,
        1,
        None,
        3,
    ]
    assert v["applications.granted.total"] is None
    assert v["applications.partial.natural_person"] == 99 and v["applications.partial.commercial"] is None
    assert v["applications.partial.legal_services"] == 2
    assert v["applications.withheld.security_stability.natural_person"] == 2
    assert v["applications.new.total"] == 713


def test_padding_that_the_text_cannot_place_is_reported_not_shifted() -> None:
    # Not Markdown: a blank before and after the figures, one cell too many; no relation can be assessed (the
    # total is blank), so the cells the two placements disagree on are null and reported.
    text = HEAD + (
        "申请人情况 自然人 商业企业 科研机构 社会公益组织 法律服务机构 其他 总计\n"
        "一、本年新收政府信息公开申请数量 | 705 | 3 | 0 | 0 | 5 | 0 | 713\n"
        "（一）予以公开 |  | 290 | 1 |  |  | 3 |  |  |\n"
    )
    parsed = parse_bytes(text.encode("utf-8"), "report.txt")
    finding = next(f for f in parsed.findings if "applications.granted.natural_person" in f.keys)
    assert finding.rule == "extract.ambiguous_cells"
    assert parsed.values["applications.granted.natural_person"] is None
    assert parsed.values["applications.granted.commercial"] is None


def test_tab_separated_rows_keep_their_empty_cells() -> None:
    # A table scraped row by row with tabs between cells: two tabs hold an empty cell, so 26 stands under 自然人.
    text = HEAD + (
        "申请人情况\t自然人\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t总计\n"
        "一、本年新收政府信息公开申请数量\t26\t\t\t\t\t\t26\n"
        "（一）予以公开\t\t24\t\t\t\t2\t26\n"
    )
    v = parse_bytes(text.encode("utf-8"), "report.txt").values
    assert v["applications.new.natural_person"] == 26 and v["applications.new.total"] == 26
    assert v["applications.new.commercial"] is None and v["applications.new.other_org"] is None
    assert v["applications.granted.natural_person"] is None and v["applications.granted.commercial"] == 24
    assert v["applications.granted.other_org"] == 2


EARLIER_ROWS = (
    "二、上年结转政府信息公开申请数量",
    "（一）予以公开",
    "（二）部分公开",
    "1.属于国家秘密",
    "2.其他法律行政法规禁止公开",
    "3.危及“三安全一稳定”",
    "4.保护第三方合法权益",
    "5.属于三类内部事务信息",
    "6.属于四类过程性信息",
    "7.属于行政执法案卷",
    "8.属于行政查询事项",
    "1.本机关不掌握相关政府信息",
    "2.没有现成信息需要另行制作",
    "3.补正后申请内容仍不明确",
    "1.信访举报投诉类申请",
    "2.重复申请",
    "3.要求提供公开出版物",
    "4.无正当理由大量反复申请",
)


def test_labels_wrapped_around_their_figures_in_pdf_layout_text() -> None:
    # pdftotext -layout: a long label wraps, its figures stand beside the middle line, and a merged group label
    # (（六）其他处理) is broken over the same lines.
    text = HEAD + (
        "                                 自然人  商业企业 科研机构 社会公益组织 法律服务机构 其他 总计\n"
        "一、本年新收政府信息公开申请数量                 705    3   0    0   5    0     713\n"
        + "".join(f"               {label}      0     0   0      0      0    0     0\n" for label in EARLIER_ROWS)
        + "               5.要求行政机关确认或重\n"
        "                                  0     0   0      0      0    0     0\n"
        "               新出具已获取信息\n"
        "               1.申请人无正当理由逾期不补\n"
        "               正、行政机关不再处理其政府信     9     0   0      0      0    0    9\n"
        "               息公开申请\n"
        "       （六）其\n"
        "            2.申请人逾期未按收费通知要求\n"
        "        他处理\n"
        "            缴纳费用、行政机关不再处理其        7     0   0      0      0    0     7\n"
        "            政府信息公开申请\n"
        "               3.其他              142    1   0      0      0    0    143\n"
    )
    v = parse_bytes(text.encode("utf-8"), "report.txt").values
    assert (
        v["applications.other.no_correction.natural_person"] == 9 and v["applications.other.no_correction.total"] == 9
    )
    assert v["applications.other.no_fee.natural_person"] == 7 and v["applications.other.no_fee.total"] == 7
    assert v["applications.other.other.total"] == 143
    assert v["applications.not_processed.confirmation.total"] == 0


LAYOUT_HEAD = (
    "                                                 申请人情况\n"
    "                                                          法人或其他组织\n"
    "                                 自然    商业企 科研机   社会公     法律服\n"
    "                                 人      业   构    益组织     务机构   其他   总计\n"
)


COLUMN_AT = {"natural_person": 33, "commercial": 39, "research": 43, "legal_services": 57, "total": 68}
COLUMN_AT_ALL = (33, 39, 43, 49, 57, 63, 68)  # LAYOUT_HEAD's headers: 自然, 商业企, 科研机, 社会公, 法律服, 其他, 总计


def _laid_out(label: str, figures: dict[str, int]) -> str:
    """A pdftotext -layout line: the label, then each figure starting under its column header."""
    line = label
    for column, figure in figures.items():
        line = line.ljust(COLUMN_AT[column]) + str(figure)
    return line + "\n"


def test_space_aligned_figures_stand_under_their_column_headers() -> None:
    # pdftotext -layout of a table whose office left zeros (and the result rows' 总计) blank: each figure is
    # placed under the header it stands below; a row label alone on its line has blank cells.
    text = (
        HEAD
        + LAYOUT_HEAD
        + _laid_out("一、本年新收政府信息公开申请数量", {"natural_person": 21, "total": 21})
        + "二、上年结转政府信息公开申请数量\n"
        + _laid_out("       （一）予以公开", {"natural_person": 290, "commercial": 1, "legal_services": 3})
    )
    v = parse_bytes(text.encode("utf-8"), "report.txt").values
    assert v["applications.new.natural_person"] == 21 and v["applications.new.total"] == 21
    assert v["applications.new.commercial"] is None and v["applications.new.other_org"] is None
    assert all(v[f"applications.carried_over.{c}"] is None for c in ("natural_person", "total"))
    assert v["applications.granted.natural_person"] == 290 and v["applications.granted.commercial"] == 1
    assert v["applications.granted.legal_services"] == 3 and v["applications.granted.research"] is None


def test_figures_between_two_headers_are_reported_not_placed() -> None:
    # A figure midway between two column headers: no placement is certain.
    text = (
        HEAD + LAYOUT_HEAD + "一、本年新收政府信息公开申请数量" + " " * 21 + "7\n"
    )  # (x = 37: between 自然 at 33 and 商业企 at 41)
    parsed = parse_bytes(text.encode("utf-8"), "report.txt")
    assert all(parsed.values.get(f"applications.new.{c}") is None for c in ("natural_person", "commercial"))
    assert any("applications.new.natural_person" in f.keys for f in parsed.findings if f.category == "extraction")


def test_blank_rows_of_a_laid_out_table_wrapped_or_under_a_group_piece() -> None:
    # Rows with no figure: a label wrapped over two lines with a merged group label's piece between them, a
    # short label (（七）总计), and the single （六）其他处理 row of a report whose sub-rows are all blank.
    text = (
        HEAD
        + LAYOUT_HEAD
        + _laid_out("一、本年新收政府信息公开申请数量", {"natural_person": 21, "total": 21})
        + "三、本年度           1.本机关不掌握相关政府\n"
        + " 办理结果           信息\n"
        + "       （六）其他处理\n"
        + "       （七）总计\n"
        + _laid_out("四、结转下年度继续办理", {"natural_person": 21, "total": 21})
    )
    v = parse_bytes(text.encode("utf-8"), "report.txt").values
    assert v["applications.unable.not_held.natural_person"] is None and "applications.unable.not_held.total" in v
    assert "applications.results_total.total" in v and v["applications.results_total.total"] is None
    assert "applications.other.total" in v and v["applications.other.total"] is None
    assert v["applications.carry_forward.natural_person"] == 21


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), blank_rate=st.sampled_from([0.0, 0.3, 0.8, 1.0]), shift=st.integers(-1, 1))
def test_random_laid_out_tables_are_right_or_reported(seed: int, blank_rate: float, shift: int) -> None:
    """Table 三 of random consistent reports, laid out as pdftotext -layout lays it out (figures under their
    headers, give or take a character; zeros left blank at random): never a wrong figure."""
    rnd = random.Random(seed)
    report = sample_report("2021", rnd)
    table = next(t for t in get_format("2021").tables if t.id == "applications")
    at = list(COLUMN_AT_ALL)
    lines = [HEAD + LAYOUT_HEAD]
    for row in table.rows:
        if row.optional:
            continue
        title = row.title
        if len(title) > 12:  # a long label wraps: its figures stand beside its second piece
            lines.append("       " + title[:12] + "\n")
            title, rest = title[12:24], title[24:]
        else:
            rest = ""
        line = "       " + title
        for column, x in zip(table.columns, at, strict=True):
            key = table.key(row, column)
            value = report.values.get(key)
            if value == 0 and rnd.random() < blank_rate:
                report.values[key] = value = None
            if value is not None:
                line = line.ljust(x + shift) + str(value)
        lines.append(line + "\n" + ("       " + rest + "\n" if rest else ""))
    parsed = parse_bytes("".join(lines).encode("utf-8"), "report.txt")
    reported = {k for f in parsed.findings if f.category == "extraction" for k in f.keys}
    for row in table.rows:
        if row.optional:
            continue
        for column in table.columns:
            key = table.key(row, column)
            want, have = report.values.get(key), parsed.values.get(key, "<absent>")
            assert have == want or (have in (None, "<absent>") and (key in reported or want is None)), (key, want, have)


def test_a_last_figure_that_happens_to_be_the_sum_is_no_total_where_totals_are_left_blank() -> None:
    # lynx compact rows of a table whose office left zeros and the result rows' 总计 blank: most short rows
    # do not sum to their last figure, so in 16 7 9 32 the 32 may be 其他 (it is) as well as 总计.
    text = HEAD + (
        "申请人情况 自然人 商业企业 科研机构 社会公益组织 法律服务机构 其他 总计\n"
        "（一）予以公开 30 24 21 14\n"
        "（二）部分公开 36 10\n"
        "1.属于国家秘密 35 38 17 28 40\n"
        "2.其他法律行政法规禁止公开 3 23 30 12\n"
        "3.危及“三安全一稳定” 5 14 40 27\n"
        "4.保护第三方合法权益 16 7 9 32\n"
    )
    parsed = parse_bytes(text.encode("utf-8"), "report.txt")
    key = "applications.withheld.third_party.total"
    assert parsed.values[key] is None
    assert any(key in f.keys for f in parsed.findings if f.category == "extraction")


def test_a_row_whose_label_reaches_into_the_figure_columns_is_not_placed_by_position() -> None:
    # inscriptis: a group label and a row label side by side push the row's cells one column right.
    text = HEAD + (
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）  申请人情况\n"
        "自然人                                 法人或其他组织         总计\n"
        "商业企业                                科研机构            社会公益组织  法律服务机构  其他\n"
        "一、本年新收政府信息公开申请数量                    188             39      303     182  66   206  984\n"
        "二、上年结转政府信息公开申请数量                    135             181     31      112  150  134  743\n"
        "三、本年度办理结果                           （一）予以公开         30      24           21        14\n"
    )
    parsed = parse_bytes(text.encode("utf-8"), "report.txt")
    assert parsed.values["applications.new.commercial"] == 39
    granted = [parsed.values.get(f"applications.granted.{c}") for c in ("natural_person", "commercial", "research")]
    assert granted == [None, None, None]
    assert any("applications.granted.commercial" in f.keys for f in parsed.findings if f.category == "extraction")


def test_pdf_text_read_column_after_column_puts_the_headers_between_label_and_figures() -> None:
    # pdftotext (reading order) of the 2019 table's 第二十条第（八）项: label, column headers, then the figures.
    text = (
        "某县民政局2019年政府信息公开工作年度报告\n二、主动公开政府信息情况\n"
        "第二十条第（八）项\n信息内容\n\n行政事业性收费\n\n上一年项目数量\n\n本年增/减\n\n219\n\n+2\n"
    )
    v = parse_bytes(text.encode("utf-8"), "report.txt").values
    assert v["art20_8.fees.items_prev"] == 219 and v["art20_8.fees.items_change"] == 2
