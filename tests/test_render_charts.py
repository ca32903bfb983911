"""Charts: application outcomes, proactive items, year over year; CJK glyphs present; in HTML, DOCX and PDF."""

from __future__ import annotations

import io
import warnings
from random import Random

import pytest

from xxgk.extract.report import Report
from xxgk.render import render
from xxgk.render.charts import headline_figures, outcome_categories, report_charts
from xxgk.render.sample import sample_report


@pytest.fixture(scope="module")
def pair() -> tuple[Report, Report]:
    return sample_report("2021", Random(11), year=2021), sample_report("2019", Random(12), year=2020)


def test_outcome_categories_follow_the_results_headings() -> None:
    for fmt_id in ("2019", "2021"):
        report = sample_report(fmt_id, Random(4))
        cats = outcome_categories(report.schema, report.values)
        assert [c for c, _, _ in cats] == [
            "granted",
            "partial",
            "withheld",
            "unable",
            "not_processed",
            "other",
        ]
        assert [label for _, label, _ in cats] == [
            "予以公开",
            "部分公开",
            "不予公开",
            "无法提供",
            "不予处理",
            "其他处理",
        ]
        assert sum(v for _, _, v in cats if v is not None) == report.values["applications.results_total.total"]


def test_blank_category_stays_blank() -> None:
    report = sample_report("2021", Random(4))
    for key in list(report.values):
        if key.startswith("applications.unable.") and key.endswith(".total"):
            report.values[key] = None
    cats = dict((c, v) for c, _, v in outcome_categories(report.schema, report.values))
    assert cats["unable"] is None


def test_headlines_match_across_formats(pair: tuple[Report, Report]) -> None:
    now, before = pair
    ids_now = [i for i, _, _ in headline_figures(now.schema, now.values)]
    ids_before = {i for i, _, _ in headline_figures(before.schema, before.values)}
    assert "other" in ids_now and "other" in ids_before
    assert set(ids_now) == ids_before


def test_charts_are_images_without_missing_glyphs(pair: tuple[Report, Report]) -> None:
    now, before = pair
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        charts = report_charts(now, before)
    missing = [str(w.message) for w in caught if "missing from" in str(w.message) or "findfont" in str(w.message)]
    assert missing == []
    assert [c.id for c in charts] == ["proactive", "outcomes", "comparison"]
    for c in charts:
        assert c.png.startswith(b"\x89PNG") and b"<svg" in c.svg
        assert b"<text" not in c.svg  # glyphs drawn as paths: no font needed where it is viewed
    only_png = report_charts(now, None, kinds=("png",))
    assert len(only_png) == 2 and all(c.svg == b"" and c.png for c in only_png)


def test_no_chart_without_data() -> None:
    report = sample_report("2021", Random(1), blank_rate=1.0)
    assert report_charts(report, report) == []


def test_html_and_docx_carry_the_charts(pair: tuple[Report, Report]) -> None:
    from docx import Document

    now, before = pair
    html = render(now, "html", previous=before).decode("utf-8")
    assert html.count('<img src="data:image/svg+xml;base64,') == 3
    assert "图3　与上年度主要数据对比" in html
    section3 = html[html.index('id="applications"') : html.index('id="review_litigation"')]
    assert "申请办理结果分布" in section3
    doc = Document(io.BytesIO(render(now, "docx", previous=before)))
    assert len(doc.inline_shapes) == 3
    assert any(p.text == "图1\u3000主动公开事项统计" for p in doc.paragraphs)
    assert len(Document(io.BytesIO(render(now, "docx"))).inline_shapes) == 2
