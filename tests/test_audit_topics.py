"""The 2021 format's section 六 must report the 信息处理费 (format data ``section_topics``)."""

from __future__ import annotations

import random

import pytest

from xxgk.audit import audit
from xxgk.extract import parse_bytes
from xxgk.render.flattened import flatten
from xxgk.render.sample import sample_report


def _topics(format_id: str, other_matters: str | None) -> list[str]:
    report = sample_report(format_id, random.Random(5), year=2023 if format_id == "2021" else 2020)
    if other_matters is None:
        report.narrative.pop("other_matters")
    else:
        report.narrative["other_matters"] = other_matters
    text = flatten(report, "pipes")
    if other_matters is None:
        text = text[: text.index("六、其他需要报告的事项")]
    parsed = parse_bytes(text.encode("utf-8"), "topics.txt")
    return [f.message for f in audit(parsed) if f.rule == "structure.section_topics"]


def test_section_six_without_fees_is_reported() -> None:
    messages = _topics("2021", "无。")
    assert len(messages) == 1 and "信息处理费" in messages[0] and "待核实" in messages[0]


@pytest.mark.parametrize("text", ["本年度未收取信息处理费。", "全年发出收费通知3件，收取费用共计380元。"])
def test_section_six_with_fees_is_fine(text: str) -> None:
    assert _topics("2021", text) == []


def test_other_formats_and_missing_sections_are_left_to_other_rules() -> None:
    assert _topics("2019", "无。") == []
    assert _topics("2021", None) == []  # structure.sections reports the missing section
