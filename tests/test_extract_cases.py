"""Focused extraction cases: encodings, traditional characters, units, signs, blanks, cumulative columns,
label tolerance and provenance."""

from __future__ import annotations

import re

import pytest
from tests.conftest import shared_path

from xxgk.audit import audit
from xxgk.extract import parse_bytes
from xxgk.formats import get_format, label_key

HEAD_2019 = "某某市民政局2020年政府信息公开工作年度报告\n二、主动公开政府信息情况\n"
PROACTIVE_2019 = (
    "第二十条第(五)项 |\n信息内容 | 上一年项目数量 | 本年增/减 | 处理决定数量 |\n"
    "行政许可 | 8 | +1 | 163 |\n其他对外管理服务事项 | 7 | -1 | 无 |\n"
    "第二十条第(九)项 |\n信息内容 | 采购项目数量 | 采购总金额 |\n政府集中采购 | 1 | 176000元 |\n"
)

FUJIAN_2009 = """莆田市某某局2009年政府信息公开工作年度报告
本年度报告中所列数据的统计期限自2009年1月1日起至2009年12月31日止。
附表
指标名称 | 计量单位 | 2009年度 | 历年累计 |
主动公开信息数 | 条 | 120 | 860 |
其中:1.政府网站 | 条 | 100 | 700 |
2.政府公报 | 条 | 20 | 160 |
受理依申请公开信息总数 | 件 | 5 | 31 |
行政复议数 | 件 | 0 | 1 |
行政诉讼数 | 件 | 3 | — |
"""


def test_signs_units_and_blanks() -> None:
    report = parse_bytes((HEAD_2019 + PROACTIVE_2019).encode("utf-8"), "a.txt")
    v = report.values
    assert v["art20_5.licensing.items_change"] == 1
    assert v["art20_5.other_services.items_change"] == -1
    assert v["art20_5.other_services.decisions"] is None  # 无 → blank, not 0
    assert v["art20_9.procurement.amount_wan"] == 17.6  # 176000元 → 万元
    assert report.raw["art20_9.procurement.amount_wan"] == "176000元"


def test_full_width_gbk_and_traditional_text() -> None:
    import opencc

    text = (HEAD_2019 + PROACTIVE_2019).replace("163", "１６３").replace("| 1 |", "｜１｜")
    traditional = opencc.OpenCC("s2t").convert(text)
    for data in (
        text.encode("gb18030"),
        traditional.encode("big5hkscs"),
        text.encode("utf-16"),
        b"\xef\xbb\xbf" + traditional.encode("utf-8"),
    ):
        report = parse_bytes(data, "x.txt")
        assert report.values["art20_5.licensing.decisions"] == 163
        assert report.values["art20_9.procurement.items"] == 1
        assert report.agency == "某某市民政局"


def test_cumulative_column_keys_with_hash() -> None:
    report = parse_bytes(FUJIAN_2009.encode("utf-8"), "fj.txt")
    assert report.format == "legacy" and report.year == 2009
    v = report.values
    assert v["proactive.total"] == 120 and v["proactive.total#cumulative"] == 860
    assert v["proactive.via.website#cumulative"] == 700
    assert v["requests.received#cumulative"] == 31
    assert v["litigation.total"] == 3 and v["litigation.total#cumulative"] is None
    # 本年度 3 > 历年累计 blank: not assessable; review 0 ≤ 1 holds: no arithmetic finding.
    assert not [f for f in audit(report) if f.category.value == "arithmetic"]


def test_cumulative_below_the_year_is_an_error() -> None:
    report = parse_bytes(FUJIAN_2009.replace("| 120 | 860 |", "| 120 | 86 |").encode("utf-8"), "fj.txt")
    assert any(f.rule == "arithmetic.L-A.6" and "proactive.total" in f.keys for f in audit(report))


def test_unknown_rows_go_to_extra_not_dropped() -> None:
    text = FUJIAN_2009 + "网站点击量（本单位统计） | 次 | 5000 | 90000 |\n"
    report = parse_bytes(text.encode("utf-8"), "fj.txt")
    assert [e.values for e in report.extra if "网站点击量" in e.label] == [[5000, 90000]]


def test_labels_tolerate_numbering_punctuation_spacing_and_truncation() -> None:
    assert label_key("（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条）") == "主动公开政府信息数"
    assert label_key("3.危及“三安全一稳定”") == label_key("危及三安全一稳定")
    assert label_key("本年新收政府信息公开申 请数量") == "本年新收政府信息公开申请数量"
    assert label_key("1.专职人员数(不包括政府公报及政府网站工作") == "专职人员数"
    fmt = get_format("legacy")
    assert fmt.label_of("proactive.total#cumulative") == "主动公开政府信息数（历年累计）"


def test_typo_in_label_still_maps_by_position() -> None:
    rows = "\n".join(
        f"{label} | 0 | 0 | 0 | 0 | 0 | 0 | 0 |"
        for label in (
            "一、本年新收政府信息公开申请数量",
            "二、上年结转政府信息公开申请数量",
            "(一)予以公开",
            "(二)部分公开",
            "(三)不予公开 | 1.属于国家秘密",
            "2.其他法律行政止公开",
        )
    )
    text = "某局2022年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n申请人情况 |\n" + rows + "\n"
    report = parse_bytes(text.encode("utf-8"), "t.txt")
    assert report.values["applications.withheld.law_prohibited.total"] == 0
    assert not report.extra


def test_provenance_spans_index_the_source_text() -> None:
    text = HEAD_2019 + PROACTIVE_2019
    report = parse_bytes(text.encode("utf-8"), "a.txt")
    start, end = report.source_span(report.provenance["art20_5.licensing.decisions"])
    assert text[start:end] == "163"
    start, end = report.source_span(report.provenance["art20_9.procurement.amount_wan"])
    assert text[start:end] == "176000元"


SUBTOTAL_COLUMN = """某某区民政局2022年政府信息公开工作年度报告
三、收到和处理政府信息公开申请情况
(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和) | 申请人情况 |
自然人 | 法人或其他组织 | 总计 |
商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 小计 |
一、本年新收政府信息公开申请数量 | 10 | 2 | 0 | 1 | 0 | 0 | 3 | 13 |
二、上年结转政府信息公开申请数量 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
三、本年度办理结果 | (一)予以公开 | 5 | 1 | 0 | 0 | 0 | 0 | 1 | 6 |
"""


def test_non_statutory_subtotal_column_goes_to_extra() -> None:
    report = parse_bytes(SUBTOTAL_COLUMN.encode("utf-8"), "sub.txt")
    v = report.values
    assert [v[f"applications.new.{c}"] for c in ("natural_person", "commercial", "nonprofit", "total")] == [
        10,
        2,
        1,
        13,
    ]
    assert v["applications.carried_over.total"] == 0  # all zeros: the position found on the first row is reused
    assert v["applications.granted.total"] == 6
    assert [e.values for e in report.extra] == [[3], [0], [1]]
    findings = audit(report)
    assert any(f.rule == "structure.extra_rows" and f.severity.value == "warning" for f in findings)


def test_extra_column_that_cannot_be_placed_is_reported_not_guessed() -> None:
    text = (
        HEAD_2019
        + "第二十条第(一)项 |\n信息内容 | 本年新制作数量 | 本年新公开数量 | 对外公开总数量 |\n规章 | 1 | 2 | 3 | 4 |\n"
    )
    report = parse_bytes(text.encode("utf-8"), "x.txt")
    assert report.values["art20_1.regulations.made"] is None
    assert any("多于法定" in f.message for f in report.findings)


# Table 四 as ``pdftotext -layout`` writes it from kgc_01.pdf: each four-character column header wrapped in its
# narrow cell (first halves on one line, second halves on the next), the fifteen numbers on a line of their own.
TABLE4_WRAPPED_HEADERS = """某某区人民政府2023年政府信息公开工作年度报告
     四、政府信息公开行政复议、行政诉讼情况
          行政复议                              行政诉讼

                              未经复议直接起诉                  复议后起诉

结果   结果     其他   尚未
                    总 计 结果 结果 其他       尚未     结果 结果 其他 尚未
维持   纠正     结果   审结                                               总计
                                          总 计
                        维持 纠正 结果       审结     维持 纠正 结果 审结



10    1      0   0    11   0    0   0   0    0   5   0     0   0   5

     五、存在的主要问题及改进情况
"""


def test_table_four_with_wrapped_column_headers() -> None:
    report = parse_bytes(TABLE4_WRAPPED_HEADERS.encode("utf-8"), "layout.txt")
    v = report.values
    assert (v["review.upheld"], v["review.corrected"], v["review.total"]) == (10, 1, 11)
    assert (v["litigation_after_review.upheld"], v["litigation_after_review.total"]) == (5, 5)
    assert not report.extra


# Table 三 of kgc_04.html (only 自然人 and 总计 filled in) as a crawler writes the page's text: one row a line,
# the empty cells dropped without a trace.
TABLE3_DROPPED_BLANKS = """沭阳县某某局2023年政府信息公开工作年度报告
三、收到和处理政府信息公开申请情况
（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） 申请人情况
自然人 法人或其他组织 总计
商业企业 科研机构 社会公益组织 法律服务机构 其他
一、本年新收政府信息公开申请数量 26 26
二、上年结转政府信息公开申请数量 0 0
三、本年度办理结果 （一）予以公开 20 3 23
（二）部分公开（区分处理的，只计这一情形，不计其他情形） 0 0
四、结转下年度继续办理 1 2 0
"""


def test_blank_cells_that_left_no_trace_leave_only_the_total_certain() -> None:
    report = parse_bytes(TABLE3_DROPPED_BLANKS.encode("utf-8"), "scraped.txt")
    v = report.values
    # 26 26 for seven columns: the row relation makes the last figure the 总计; which applicant column holds the
    # other 26 the text does not say (offices that leave zeros blank put figures in any column).
    assert v["applications.new.total"] == 26 and v["applications.granted.total"] == 23
    assert all(v[f"applications.new.{c}"] is None for c in ("natural_person", "commercial", "research", "other_org"))
    assert v["applications.granted.natural_person"] is None and v["applications.granted.commercial"] is None
    (finding,) = [f for f in report.findings if f.rule == "extract.dropped_blanks"]
    assert "applications.new.natural_person" in finding.keys and "applications.new.total" not in finding.keys
    assert finding.evidence == "26 26"
    # 1 + 2 ≠ 0: the relation does not place them either; nothing is read left to right.
    assert all(v[f"applications.carry_forward.{c}"] is None for c in ("natural_person", "research", "total"))
    unplaced = next(f for f in report.findings if "applications.carry_forward.natural_person" in f.keys)
    assert unplaced.rule == "extract.ambiguous_cells" and unplaced.evidence == "1 2 0"


# A 2009–2013 style legacy table (Beijing wording): 申请答复总数 and its parts 信息不存在数 / 非本部门掌握信息数.
LEGACY_REPLIES = """北京市某某区人民政府2012年政府信息公开工作年度报告
本年度报告中所列数据的统计期限自2012年1月1日起至2012年12月31日止。
统计指标 | 单位 | 统计数
（一）受理申请总数 | 件 | 35
（二）申请答复总数 | 件 | 35
其中：1.同意公开答复数 | 件 | 20
2.同意部分公开答复数 | 件 | 5
3.否决公开答复数 | 件 | 2
4.信息不存在数 | 件 | 3
5.非本部门掌握信息数 | 件 | 4
6.申请内容不明确数 | 件 | 1
"""


def test_legacy_reply_wordings_and_their_relations() -> None:
    report = parse_bytes(LEGACY_REPLIES.encode("utf-8"), "bj.txt")
    v = report.values
    assert (v["replies.total"], v["replies.denied"], v["replies.not_exist"], v["replies.not_this_agency"]) == (
        35, 2, 3, 4)  # fmt: skip
    assert [e.label for e in report.extra] == ["6.申请内容不明确数"]
    rules = {f.rule for f in audit(report) if f.category.value == "arithmetic"}
    assert not rules  # 35 ≥ 20 + 5 + 2 + 3 + 4; granted + partial + denied alone is not the total here
    short = parse_bytes(LEGACY_REPLIES.replace("申请答复总数 | 件 | 35", "申请答复总数 | 件 | 30").encode(), "bj.txt")
    assert "arithmetic.L-A.3" in {f.rule for f in audit(short)}


def test_legacy_2010_wordings_of_denials_complaints_fees_and_staff() -> None:
    text = """广州市某某局2010年政府信息公开工作年度报告
指标 | 单位 | 数量
（二）对申请的答复数 | 件 | 12
3.不同意公开数 | 件 | 1
（三）举报投诉数 | 件 | 2
（一）依申请提供政府信息收取的检索、复制、邮寄等费用 | 万元 | 0.5
（一）政府信息公开工作机构数 | 个 | 1
（二）政府信息公开工作人员数 | 人 | 3
（三）政府信息公开查阅场所数 | 个 | 2
其中：现场咨询数 | 人次 | 100
电话咨询数 | 人次 | 150
"""
    v = parse_bytes(text.encode("utf-8"), "gd.txt").values
    assert (v["replies.denied"], v["complaints"], v["fees_wan"]) == (1, 2, 0.5)
    assert (v["org.dedicated_units"], v["org.staff"], v["org.reading_points"]) == (1, 3, 2)
    assert (v["consult.in_person"], v["consult.phone"]) == (100, 150)


ONE_LINE_CASES = [
    ("seeds", "000_15ed71d81f93ac9f.txt"),  # legacy, pipes
    ("seeds", "001_fee4fadeeca1e4e2.txt"),  # legacy indicator tables, one cell a line, NBSP-padded headers
    ("seeds", "002_f464fa55e38ddaf4.txt"),  # 2019, pipes
    ("seeds", "003_52ee1c9a66fdb884.txt"),
    ("seeds", "004_8f717617aab0bbc8.txt"),  # 2019, one cell a line
    ("corpus/raw", "kgc_03.txt"),  # 2021, Markdown tables (rule rows inside the line)
]


@pytest.mark.parametrize(("folder", "name"), ONE_LINE_CASES)
def test_report_on_one_line_reads_as_the_original(folder: str, name: str) -> None:
    """A crawl that lost every line break: the cells, the section headings inside the line, the signature at its
    end and the prose between the cells are read as in the original, so the audit finds what it finds there."""
    text = shared_path(*folder.split("/"), name).read_text(encoding="utf-8")
    normal = parse_bytes(text.encode(), name)
    one_line = parse_bytes(re.sub(r"\s*\n\s*", " ", text).encode(), name)
    assert one_line.values == normal.values
    assert [s.id for s in one_line.sections if s.id] == [s.id for s in normal.sections if s.id]
    assert (one_line.agency, one_line.published) == (normal.agency, normal.published)
    found = sorted((f.rule, tuple(f.keys)) for f in audit(one_line))
    assert found == sorted((f.rule, tuple(f.keys)) for f in audit(normal))  # prose rules included
    if "overview" in normal.narrative:
        narrative = one_line.narrative["overview"]
        assert narrative and not narrative.startswith(("一、", one_line.sections[0].title))


def test_heading_words_inside_prose_or_a_table_row_are_not_sections() -> None:
    filler = "本机关认真贯彻落实政府信息公开条例，扎实推进各项工作。" * 12
    text = (
        "某某县民政局2020年政府信息公开工作年度报告 一、总体情况 "
        + filler
        + " 详见二、主动公开政府信息情况的统计。 三、收到和处理政府信息公开申请情况 | 申请人情况 | 自然人 | "
        + filler
    )
    report = parse_bytes(text.encode(), "a.txt")
    assert [s.id for s in report.sections if s.id] == ["overview"]


def test_indicator_rows_run_together_on_one_line() -> None:
    """An indicator table on one line, one figure a row (a crawl that lost the line breaks; the NBSPs that
    padded 指 标 become a run of spaces): each row's label and figure are still paired."""
    text = (
        "某某市人民政府2011年政府信息公开工作年度报告 七、附表 1 .主动公开情况统计 "
        "指\u00a0\u00a0\u00a0\u00a0标 单位 数量 主动公开信息数 9106 其中:全文电子化的主动公开信息数 9106 "
        "新增的行政规范性文件数 97 2 .依申请公开情况统计"
    )
    values = parse_bytes(text.encode(), "a.txt").values
    assert values["proactive.total"] == 9106
    assert values["proactive.full_text_electronic"] == 9106
    assert values["proactive.normative_docs_issued"] == 97


def test_a_spaced_sentence_with_figures_is_not_cut_into_rows() -> None:
    text = (
        "某某市人民政府2011年政府信息公开工作年度报告 "
        "全年共办理 12 件 其中 3 件 当场答复 另有 5 件 延期答复，均在法定期限内办结，群众满意。"
    )
    report = parse_bytes(text.encode(), "a.txt")
    assert report.values == {} and report.extra == []
