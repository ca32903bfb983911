"""Synthetic corpus building blocks: consistent values, every layout read back exactly, chained years, sums."""

from __future__ import annotations

from random import Random

import pytest

from xxgk.corpus import synthetic as S
from xxgk.extract import parse_bytes
from xxgk.formats import get_format

# run_together glues the digits of a row together: ambiguous by nature, not part of the exact corpus.
EXACT_LAYOUTS = [lay for lay in S.LAYOUTS if lay not in ("run_together", "pdf", "docx")]


@pytest.mark.parametrize("fmt_id", ["legacy", "2019", "2021"])
def test_random_values_are_consistent(fmt_id: str) -> None:
    fmt = get_format(fmt_id)
    for seed in range(20):
        values = S.random_values(fmt, Random(seed), blank_rate=0.1 if seed % 2 else 0.0)
        assert values, "every statutory cell has a value or a blank"
        assert S.failed_relations(fmt, values) == []
        assert set(values) <= set(fmt.keys)


@pytest.mark.parametrize("layout", EXACT_LAYOUTS)
def test_every_layout_reads_back_exactly(layout: str) -> None:
    rng = Random(hash(layout) % 1000)
    for fmt_id, year in (("2019", 2020), ("2021", 2023), ("legacy", 2016)):
        if fmt_id == "legacy" and layout in S.RENDERED_KINDS:
            continue
        values = S.random_values(fmt_id, rng, blank_rate=0.05)
        data, ext = S.render_document(fmt_id, values, layout, year, "江苏省南通市民政局")
        report = parse_bytes(data, "report" + ext)
        assert (report.format, report.year, report.agency) == (fmt_id, year, "江苏省南通市民政局")
        wrong = {
            k: (v, report.values.get(k, "absent")) for k, v in values.items() if report.values.get(k, "absent") != v
        }
        assert not wrong, f"{layout}/{fmt_id}: {list(wrong.items())[:5]}"


def test_flatten_names_its_layouts_and_rejects_unknown() -> None:
    values = S.random_values("2021", Random(1))
    text = S.flatten("2021", values, "pipes", 2022, "某某市民政局")
    assert text.startswith("某某市民政局2022年政府信息公开工作年度报告")
    with pytest.raises(ValueError, match="unknown text layout"):
        S.flatten("2021", values, "nope", 2022, "某某市民政局")
    with pytest.raises(ValueError, match="unknown layout"):
        S.render_document("2021", values, "nope", 2022, "某某市民政局")


def test_traditional_characters_parse_to_the_same_values() -> None:
    values = S.random_values("2021", Random(3))
    data, ext = S.render_document("2021", values, "cell_per_line", 2022, "浙江省杭州市民政局", traditional=True)
    text = data.decode("utf-8")
    assert "報告" in text and "报告" not in text
    report = parse_bytes(data, "t" + ext)
    assert report.agency == "浙江省杭州市民政局"
    assert report.values == values


def test_chain_carries_figures_over_and_keeps_relations() -> None:
    rng = Random(5)
    f2019, f2021 = get_format("2019"), get_format("2021")
    y2019 = S.random_values(f2019, rng)
    S.chain(None, y2019, f2019)
    y2020 = S.random_values(f2019, rng)
    S.chain(y2019, y2020, f2019)
    y2021 = S.random_values(f2021, rng)
    S.chain(y2020, y2021, f2021)
    y2022 = S.random_values(f2021, rng)
    S.chain(y2021, y2022, f2021)
    for fmt, values in ((f2019, y2019), (f2019, y2020), (f2021, y2021), (f2021, y2022)):
        assert S.failed_relations(fmt, values) == []
    for col in ("natural_person", "commercial", "total"):
        assert y2020[f"applications.carried_over.{col}"] == y2019[f"applications.carry_forward.{col}"]
        assert y2021[f"applications.carried_over.{col}"] == y2020[f"applications.carry_forward.{col}"]
    for item in ("art20_5.licensing", "art20_6.penalty", "art20_8.fees"):
        prev_items = y2019[f"{item}.items_prev"]
        change = y2019[f"{item}.items_change"]
        assert prev_items is not None and change is not None
        assert y2020[f"{item}.items_prev"] == prev_items + change
    for row in ("regulations", "normative_docs"):
        base = f"art20_1.{row}"
        before, issued, repealed = y2021[f"{base}.in_force"], y2022[f"{base}.issued"], y2022[f"{base}.repealed"]
        assert before is not None and issued is not None and repealed is not None
        assert y2022[f"{base}.in_force"] == before + issued - repealed


def test_sum_of_units_is_consistent() -> None:
    rng = Random(9)
    for fmt_id in ("legacy", "2019", "2021"):
        parts = [S.random_values(fmt_id, rng) for _ in range(4)]
        total = S.sum_values(parts)
        assert S.failed_relations(fmt_id, total) == []
        key = next(k for k, v in total.items() if isinstance(v, int))
        assert total[key] == sum(int(p[key] or 0) for p in parts)


def test_plan_gives_unique_agencies_and_consolidated_groups() -> None:
    groups = S.plan(3000, seed=1)
    names = [a.name for g in groups for a in g.agencies]
    assert len(names) == len(set(names))
    assert sum(len(g.agencies) * len(g.years) for g in groups) >= 3000
    consolidated = [g for g in groups if g.consolidated]
    assert consolidated
    for g in consolidated:
        assert all(a.parent == g.agencies[0].name for a in g.agencies[1:])


def test_generated_group_documents_parse_to_their_truth() -> None:
    groups = S.plan(400, seed=11)
    opts = S.Options(seed=11, duplicate_rate=0.3)
    checked = 0
    for group in groups[:25]:
        specs, docs = S._group_docs(group, opts)
        data = {d.path: d.data for d in docs}
        for spec in specs:
            if not spec.injected:
                assert S.failed_relations(spec.format, spec.values) == []
            for path in spec.files:
                report = parse_bytes(data[path], path)
                assert report.year == spec.year and report.agency == spec.agency
                assert report.values == spec.values, path
                checked += 1
    assert checked > 50
