"""The statutory table layout computed from the format data (formats.md §2.2–§2.4, §3.3–§3.5)."""

from __future__ import annotations

import dataclasses

import pytest

from xxgk.formats import Heading, get_format
from xxgk.render.layout import (
    Cell,
    LayoutError,
    TableLayout,
    check_renderable,
    format_number,
    report_layout,
    section_tables,
    table_layout,
)
from xxgk.render.sample import sample_report


def _find(t: TableLayout, text: str) -> Cell:
    found = [c for c in t.cells if c.text == text]
    assert len(found) == 1, (text, found)
    return found[0]


def _tiles_exactly(t: TableLayout) -> None:
    covered: dict[tuple[int, int], Cell] = {}
    for c in t.cells:
        for i in range(c.rowspan):
            for j in range(c.colspan):
                pos = (c.row + i, c.col + j)
                assert pos not in covered, f"{pos} covered twice: {covered[pos].text!r} and {c.text!r}"
                covered[pos] = c
    assert set(covered) == {(i, j) for i in range(t.height) for j in range(t.width)}


@pytest.mark.parametrize(("fmt_id", "results_rowspan", "other_rows"), [("2019", 20, 1), ("2021", 22, 3)])
def test_applications_table_merged_cells(fmt_id: str, results_rowspan: int, other_rows: int) -> None:
    fmt = get_format(fmt_id)
    (t,), _ = section_tables(fmt, "applications", {})
    _tiles_exactly(t)
    assert t.width == 10 and t.header_rows == 3 and t.label_cols == 3
    corner = _find(t, "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）")
    assert (corner.row, corner.col, corner.rowspan, corner.colspan) == (0, 0, 3, 3)
    applicants = _find(t, "申请人情况")
    assert (applicants.row, applicants.col, applicants.colspan) == (0, 3, 7)
    natural = _find(t, "自然人")
    assert (natural.row, natural.rowspan) == (1, 2)
    legal = _find(t, "法人或其他组织")
    assert (legal.row, legal.col, legal.colspan, legal.rowspan) == (1, 4, 5, 1)
    totals = [c for c in t.cells if c.text == "总计" and c.kind == "head"]
    assert [(c.row, c.col, c.rowspan) for c in totals] == [(1, 9, 2)]
    leaves = sorted((c.col, c.text) for c in t.cells if c.row == 2 and c.kind == "head")
    assert [x for _, x in leaves] == ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    results = _find(t, "三、本年度办理结果")
    assert (results.col, results.rowspan, results.colspan) == (0, results_rowspan, 1)
    assert _find(t, "（三）不予公开").rowspan == 8
    assert _find(t, "（四）无法提供").rowspan == 3
    assert _find(t, "（五）不予处理").rowspan == 5
    other = _find(t, "（六）其他处理")
    assert other.rowspan == other_rows and other.colspan == (2 if other_rows == 1 else 1)
    assert _find(t, "（七）总计").colspan == 2
    assert _find(t, "一、本年新收政府信息公开申请数量").colspan == 3
    assert _find(t, "四、结转下年度继续办理").colspan == 3
    assert _find(t, "3.危及“三安全一稳定”").colspan == 1
    values = [c for c in t.cells if c.kind == "value"]
    assert len(values) == (161 if fmt_id == "2019" else 175)


@pytest.mark.parametrize("fmt_id", ["2019", "2021"])
def test_review_table_merged_header(fmt_id: str) -> None:
    (t,), _ = section_tables(get_format(fmt_id), "review_litigation", {})
    _tiles_exactly(t)
    assert (t.width, t.header_rows, t.label_cols) == (15, 3, 0)
    assert _find(t, "行政复议").colspan == 5
    assert _find(t, "行政诉讼").colspan == 10
    assert _find(t, "未经复议直接起诉").colspan == 5
    assert _find(t, "复议后起诉").colspan == 5
    first = sorted((c for c in t.cells if c.row == 1 and c.kind == "head"), key=lambda c: c.col)
    assert [(c.text, c.rowspan) for c in first] == [
        ("结果维持", 2),
        ("结果纠正", 2),
        ("其他结果", 2),
        ("尚未审结", 2),
        ("总计", 2),
    ]
    keys = [c.key for c in sorted((c for c in t.cells if c.kind == "value"), key=lambda c: c.col)]
    groups = ("review", "litigation_direct", "litigation_after_review")
    outcomes = ("upheld", "corrected", "other", "pending", "total")
    assert keys == [f"{g}.{o}" for g in groups for o in outcomes]


def test_proactive_table_2021_single_value_cells_span_three_columns() -> None:
    (t,), parts = section_tables(get_format("2021"), "proactive", {})
    _tiles_exactly(t)
    assert t.width == 4 and len(parts) == 4
    captions = [c for c in t.cells if c.kind == "caption"]
    assert [c.text for c in captions] == [f"第二十条第（{n}）项" for n in "一五六八"]
    assert all(c.colspan == 4 for c in captions)
    licensing = next(c for c in t.cells if c.key == "art20_5.licensing.decisions")
    assert licensing.colspan == 3
    assert _find(t, "本年收费金额（单位：万元）").colspan == 3
    assert sum(1 for c in t.cells if c.kind == "value") == 10


def test_proactive_table_2019_has_22_cells_and_procurement() -> None:
    (t,), parts = section_tables(get_format("2019"), "proactive", {})
    _tiles_exactly(t)
    assert sum(1 for c in t.cells if c.kind == "value") == 22
    assert [p.width for p in parts] == [4, 4, 4, 3, 3]
    assert any(c.text == "政府集中采购" for c in t.cells)
    for p in parts:
        _tiles_exactly(p)


def test_layout_follows_the_format_data_not_code() -> None:
    fmt = get_format("2021")
    table = fmt.table("applications")
    renamed = tuple(
        dataclasses.replace(h, label="（三）不予公开的申请") if h.id == "withheld" else h for h in table.headings
    )
    extra = (*renamed, Heading("everything", "全部结果"))
    reparented = tuple(dataclasses.replace(h, parent="everything") if h.id == "results" else h for h in extra)
    changed = dataclasses.replace(table, headings=reparented)
    t = table_layout(changed, {})
    _tiles_exactly(t)
    assert t.label_cols == 4
    assert _find(t, "（三）不予公开的申请").rowspan == 8
    assert _find(t, "全部结果").rowspan == 22


def test_optional_variant_row_only_when_present() -> None:
    fmt = get_format("2021")
    table = fmt.table("applications")
    assert not any(c.key and c.key.startswith("applications.other.total") for c in table_layout(table, {}).cells)
    t = table_layout(table, {"applications.other.total": 3})
    _tiles_exactly(t)
    cell = next(c for c in t.cells if c.key == "applications.other.total")
    assert cell.text == "3"


def test_values_and_blanks_in_cells() -> None:
    report = sample_report("2019", blank_rate=0.3)
    layout = report_layout(report)
    seen = {}
    for s in layout.sections:
        for t in s.tables:
            for c in t.cells:
                if c.kind == "value":
                    assert c.key is not None
                    seen[c.key] = c.text
                    v = report.values[c.key]
                    assert c.text == ("" if v is None else format_number(v, signed=c.key.endswith("_change")))
    assert set(seen) == set(get_format("2019").standard_keys)


@pytest.mark.parametrize(
    ("value", "signed", "text"),
    [
        (None, False, ""),
        (0, False, "0"),
        (12, False, "12"),
        (17.0, False, "17"),
        (17.6, False, "17.6"),
        (180.616, False, "180.616"),
        (0.0001, False, "0.0001"),
        (1234567.8912, False, "1234567.8912"),
        (3, True, "+3"),
        (-3, True, "-3"),
        (0, True, "0"),
    ],
)
def test_format_number(value: float | None, signed: bool, text: str) -> None:
    assert format_number(value, signed=signed) == text


def test_report_layout_sections_title_and_signature() -> None:
    report = sample_report("2021", year=2024, agency="南通市民政局")
    layout = report_layout(report)
    assert layout.title == "南通市民政局2024年政府信息公开工作年度报告"
    assert [s.heading for s in layout.sections] == [
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ]
    assert "2024年1月1日" in layout.preface[0] and "国办公开办函〔2021〕30号" in layout.preface[0]
    assert layout.signature[0] == "南通市民政局" and layout.signature[1].startswith("2025年1月")


def test_legacy_format_is_refused() -> None:
    report = sample_report("2021")
    report.format = "legacy"
    with pytest.raises(LayoutError, match="不支持"):
        check_renderable(report)
