"""Page furniture (page numbers, browser print margins, running headers) inside tables of flattened text is
marked as noise and does not break the tables: every seed, interrupted every 31 lines, parses to its gold."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from xxgk.extract import parse_bytes
from xxgk.ingest import read_bytes
from xxgk.ingest.furniture import NOISE_PAGE_NUMBER, NOISE_PRINT_MARGIN, NOISE_RUNNING_HEADER, furniture

PAGE_BREAK = ["- {page} -", "第{page}页 共9页", "2022/1/20 下午3:15", "某某县人民政府门户网站 政府信息公开专栏",
              "http://www.example.gov.cn/art/2022/1/20/art_1229_3912.html"]


def _interrupted(text: str, every: int = 31) -> str:
    out: list[str] = []
    for i, line in enumerate(text.split("\n")):
        out.append(line)
        if i % every == every - 1:
            out += [p.format(page=i // every + 1) for p in PAGE_BREAK]
    return "\n".join(out)


def test_every_seed_parses_to_gold_through_page_breaks(seeds_dir: Path, seed_gold: list[dict[str, Any]]) -> None:
    for gold in seed_gold:
        path = seeds_dir / gold["file"]
        report = parse_bytes(_interrupted(path.read_text("utf-8")).encode("utf-8"), path.name)
        wrong = {k: (v, report.values.get(k)) for k, v in gold["values"].items() if report.values.get(k, "?") != v}
        assert not wrong, (path.name, list(wrong.items())[:5])
        assert (report.format, report.year, report.agency) == (gold["format"], gold["year"], gold.get("agency"))


@pytest.mark.parametrize(
    ("line", "reason"),
    [("— 3 —", NOISE_PAGE_NUMBER), ("- 12 -", NOISE_PAGE_NUMBER), ("第 3 页 共 8 页", NOISE_PAGE_NUMBER),
     ("共8页 第3页", NOISE_PAGE_NUMBER), ("3/8", NOISE_PAGE_NUMBER), ("Page 2 of 5", NOISE_PAGE_NUMBER),
     ("2022/1/20 下午3:15", NOISE_PRINT_MARGIN), ("2023-01-31 09:12:45", NOISE_PRINT_MARGIN),
     ("http://www.example.gov.cn/a.html", NOISE_PRINT_MARGIN),
     ("3", None), ("0 |", None), ("-1", None), ("2022年1月20日", None), ("第二十条第（一）项", None),
     ("网址：http://www.example.gov.cn/", None), ("12 3 4", None)],
)
def test_furniture_lines(line: str, reason: str | None) -> None:
    assert furniture(line) == reason


def test_running_header_repeats_are_noise_but_table_headers_are_not() -> None:
    header = "某某县民政局2021年政府信息公开工作年度报告"
    lines = [header, "一、总体情况", "正文。"]
    for _ in range(3):
        lines += ["结果维持 结果纠正 其他结果 尚未审结 总计", "1 2 3 4 10", header]
    doc = read_bytes("\n".join(lines).encode("utf-8"), "headers.txt")
    marks = [(b.text, b.noise) for b in doc.blocks]
    assert marks[0] == (header, None)  # at the top it may be the real title
    assert [n for t, n in marks if t == header][1:] == [NOISE_RUNNING_HEADER] * 3
    assert all(n is None for t, n in marks if t.startswith("结果维持"))
