"""Render input: YAML/JSON in the parse --json shape or the new-report skeleton shape; the skeleton itself."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from xxgk.extract.report import Report
from xxgk.formats import get_format
from xxgk.render import InputError, RenderError, load_data, load_input, new_report_skeleton


@pytest.mark.parametrize("fmt_id", ["2019", "2021"])
def test_skeleton_has_every_cell_and_section_with_guidance(fmt_id: str) -> None:
    text = new_report_skeleton(fmt_id, 2025 if fmt_id == "2021" else 2020, "某某市民政局")
    data = yaml.safe_load(text)
    fmt = get_format(fmt_id)
    assert data["format"] == fmt_id and data["agency"] == "某某市民政局"
    assert set(data["values"]) == set(fmt.standard_keys)
    assert all(v is None for v in data["values"].values())
    assert list(data["narrative"]) == [s.id for s in fmt.sections]
    for key in fmt.standard_keys:
        line = next(ln for ln in text.splitlines() if ln.strip().startswith(key + ":"))
        assert re.search(r"#\s*\S", line), f"no guidance for {key}"
    for s in fmt.sections:
        assert f"# {s.number}、{s.labels[0]}：{s.guidance}" in text
    assert "留空表示无数据，不等于 0" in text
    report = _load_text(text)
    assert report.format == fmt_id and report.values == dict.fromkeys(fmt.standard_keys)
    assert report.narrative == {}


def _load_text(text: str) -> Report:
    return load_data(yaml.safe_load(text), "skeleton.yaml")


def test_skeleton_guidance_names_the_statutory_position() -> None:
    text = new_report_skeleton("2021", 2025, "某某局")
    line = next(ln for ln in text.splitlines() if "applications.withheld.third_party.commercial:" in ln)
    assert "（三）不予公开" in line and "4.保护第三方合法权益" in line and "法人或其他组织·商业企业" in line
    fee = next(ln for ln in text.splitlines() if "art20_8.fees.amount_wan:" in ln)
    assert "万元" in fee
    text19 = new_report_skeleton("2019", 2020, "某某局")
    change = next(ln for ln in text19.splitlines() if "art20_5.licensing.items_change:" in ln)
    assert "可为负数" in change


def test_skeleton_refuses_legacy() -> None:
    with pytest.raises(RenderError):
        new_report_skeleton("legacy", 2015, "某某局")


def test_filled_skeleton_loads(tmp_path: Path) -> None:
    text = new_report_skeleton("2021", 2025, "某某局")
    text = text.replace("  applications.new.natural_person: ", "  applications.new.natural_person: 12", 1)
    text = text.replace("published: ", "published: 2026-01-20 ", 1)
    text = text.replace("  overview: |\n", "  overview: |\n    第一段。\n    第二段。\n", 1)
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    report = load_input(path)
    assert report.values["applications.new.natural_person"] == 12
    assert report.values["applications.new.total"] is None
    assert report.published == date(2026, 1, 20)
    assert report.narrative == {"overview": "第一段。\n第二段。"}
    assert report.year == 2025 and report.agency == "某某局"


def test_parse_json_shape(tmp_path: Path) -> None:
    payload = {
        "source": "x.pdf",
        "format": "2019",
        "year": 2020,
        "agency": "南通市民政局",
        "published": "2021-01-20",
        "values": {
            "applications.new.natural_person": 9,
            "art20_9.procurement.amount_wan": 180.616,
            "art20_5.licensing.items_change": -1,
            "review.total": None,
        },
        "extra": [{"label": "x", "values": [1]}],
        "provenance": {"applications.new.natural_person": [1, 2]},
        "raw": {},
        "findings": [],
    }
    path = tmp_path / "r.json"
    path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    report = load_input(path)
    assert report.format == "2019" and report.source == "x.pdf"
    assert report.values == payload["values"]
    assert report.published == date(2021, 1, 20)


def test_nested_values_strings_and_headings() -> None:
    report = load_data(
        {
            "year": 2024,
            "values": {
                "applications": {"new": {"natural_person": "１２", "total": ""}},
                "art20_8": {"fees": {"amount_wan": "1,234.5"}},
            },
            "narrative": {"一、总体情况": "概述。", "五、存在的主要问题及改进情况": "问题。"},
        }
    )
    assert report.format == "2021"
    assert report.values == {
        "applications.new.natural_person": 12,
        "applications.new.total": None,
        "art20_8.fees.amount_wan": 1234.5,
    }
    assert report.narrative == {"overview": "概述。", "problems": "问题。"}


def test_format_defaults() -> None:
    assert load_data({"year": 2020}).format == "2019"
    assert load_data({"year": 2023}).format == "2021"
    assert load_data({}).format == "2021"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"values": {"applications.nope.total": 1}}, "不属于"),
        ({"values": {"applications.new.total": "十二"}}, "不是数字"),
        ({"values": {"applications.new.total": True}}, "不是数字"),
        ({"values": {"applications.new.total": float("nan")}}, "不是有限数字"),
        ({"values": [1, 2]}, "values 应为"),
        ({"published": "20/01/2026"}, "YYYY-MM-DD"),
        ({"year": "二〇二五"}, "不是整数"),
        ({"format": "2030"}, "未知的报告格式"),
        ({"narrative": {"七、附录": "x"}}, "未知的章节"),
        ([{}, {}], "2 份报告"),
        ("text", "键值结构"),
    ],
)
def test_input_errors_are_chinese_and_specific(data: object, message: str) -> None:
    with pytest.raises(InputError, match=message):
        load_data(data, "r.yaml")


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="文件不存在"):
        load_input(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: '2021'\nvalues: [1,\n", encoding="utf-8")
    with pytest.raises(InputError, match="行格式错误"):
        load_input(bad)
    with pytest.raises(InputError, match="目录"):
        load_input(tmp_path)
