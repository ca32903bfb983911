"""Reports as crawlers store them: table cells run together, rows glued, the page on one line (extract.stream)."""

from __future__ import annotations

import json
import random
import re
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xxgk.audit import audit
from xxgk.extract import parse_bytes, parse_path
from xxgk.extract.report import Report
from xxgk.render import render
from xxgk.render.flattened import flatten
from xxgk.render.sample import sample_report

SHARED = Path(__file__).resolve().parents[2] / "shared"
WS = re.compile(r"[\s\u00a0\u3000]+")


class _TextContent(HTMLParser):
    """A page's text as ``textContent`` gives it, with every whitespace character inside tables removed and
    whitespace elsewhere collapsed (what a crawler that saves page text leaves)."""

    SKIP = frozenset({"script", "style", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.table = self.skip = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.table += tag == "table"
        self.skip += tag in self.SKIP

    def handle_endtag(self, tag: str) -> None:
        self.table -= tag == "table" and self.table > 0
        self.skip -= tag in self.SKIP and self.skip > 0

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(WS.sub("", data) if self.table else data)


def crawled_text(html: str) -> str:
    parser = _TextContent()
    parser.feed(html)
    return WS.sub(" ", "".join(parser.parts)).strip()


def crawled_legacy(text: str) -> str | None:
    """A legacy report's ``|`` table with the pipes and whitespace gone, the page on one line (None: the
    report has no ``|`` table)."""
    lines = text.splitlines()
    rows = [i for i, line in enumerate(lines) if "|" in line]
    if len(rows) < 10:
        return None
    first, last = rows[0], rows[-1]
    table = "".join(WS.sub("", line.replace("|", "")) for line in lines[first : last + 1])
    return " ".join([*lines[:first], table, *lines[last + 1 :]])


def consistent_sample(format_id: str, seed: int, blank_rate: float) -> Report:
    """A consistent random report whose office left some zero cells blank (blank totals over non-zero parts
    would make the report inconsistent, which is another test)."""
    rnd = random.Random(seed)
    report = sample_report(format_id, rnd)
    for key, value in list(report.values.items()):
        if value == 0 and rnd.random() < blank_rate:
            report.values[key] = None
    return report


def _parse_text(text: str, name: str = "crawled.txt") -> Report:
    return parse_bytes(text.encode("utf-8"), name)


def _right_or_reported(report: Report, parsed: Report) -> None:
    reported = {k for f in parsed.findings if f.category == "extraction" for k in f.keys}
    for key, want in report.values.items():
        have = parsed.values.get(key, "<absent>")
        if want is None:
            assert have in (None, "<absent>"), (key, want, have)
        else:
            assert have == want or (have is None and key in reported), (key, want, have)


# -- the examples --------------------------------------------------------------------------------------
def test_2021_table_with_cells_run_together() -> None:
    text = (
        "某县发展和改革局2023年政府信息公开工作年度报告 三、收到和处理政府信息公开申请情况 "
        "申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他"
        "一、本年新收政府信息公开申请数量2626二、上年结转政府信息公开申请数量00三、本年度办理结果（一）予以公开2626"
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）00（三）不予公开1.属于国家秘密002.其他法律行政法规禁止公开00"
        "（七）总计2626四、结转下年度继续办理00 五、存在的主要问题及改进情况"
    )
    parsed = _parse_text(text)
    assert parsed.format == "2021"
    v = parsed.values
    # 2626 for seven columns: the blank cells left nothing. The row's relation makes 26 | 26 the only split,
    # so the total is 26; which applicant column holds the other 26 the text no longer says: reported, not guessed.
    assert v["applications.new.total"] == 26
    assert v["applications.new.natural_person"] is None and v["applications.new.commercial"] is None
    finding = next(f for f in parsed.findings if "applications.new.natural_person" in f.keys)
    assert finding.rule == "extract.ambiguous_cells" and "applications.new.total" not in finding.keys
    assert v["applications.granted.total"] == 26
    assert v["applications.withheld.state_secret.total"] == 0
    assert v["applications.results_total.total"] == 26
    assert v["applications.carry_forward.total"] == 0
    # every figure keeps its source span
    start, end = parsed.provenance["applications.new.total"]
    assert text[start:end] == "2626"


def test_legacy_numbering_glued_to_the_figures() -> None:
    text = (
        "某市机关事务管理局2017年政府信息公开工作年度报告 附表 指标单位统计数一、主动公开情况——"
        "(一)主动公开政府信息数条67其中:主动公开规范性文件数条制发规范性文件总数件"
        "(二)通过不同渠道和方式公开政府信息的情况——1.政府公报公开政府信息数条2.政府网站公开政府信息数条67"
        "3.政务微博公开政府信息数条4.政务微信公开政府信息数条5.其他方式公开政府信息数条"
        "二、回应解读情况——(一)回应公众关注热点或重大舆情数次1(二)通过不同渠道和方式回应解读的情况——"
        "1.参加或举办新闻发布会总次数次1其中:主要负责同志参加新闻发布会次数次12.政府网站在线访谈次数次0"
    )
    parsed = _parse_text(text)
    assert parsed.format == "legacy"
    v = parsed.values
    assert v["proactive.total"] == 67
    assert v["proactive.normative_docs_published"] is None  # label, unit, next label: a blank row
    assert v["proactive.normative_docs_issued"] is None
    assert v["proactive.via.website"] == 67  # 条673.政务微博: the 3. is the next row's numbering
    assert v["proactive.via.weibo"] is None
    assert v["response.press_conferences_by_head"] == 1  # 次12.政府网站: 1, then the numbering 2.
    assert v["response.online_interviews"] == 0


def test_ambiguous_split_is_null_with_the_candidates_reported() -> None:
    text = (
        "某局2023年政府信息公开工作年度报告 一、总体情况 本局依照《中华人民共和国政府信息公开条例》做好政府信息公开工作"
        "，主动公开政府信息，及时办理依申请公开，不断完善公开制度，加强平台建设，扩展公开渠道，强化监督保障。 "
        "二、主动公开政府信息情况 第二十条第（一）项信息内容本年制发件数本年废止件数"
        "现行有效件数规章000行政规范性文件8018第二十条第（五）项信息内容本年处理决定数量行政许可0"
    )
    parsed = _parse_text(text)
    keys = [f"art20_1.normative_docs.{c}" for c in ("issued", "repealed", "in_force")]
    assert all(parsed.values[k] is None for k in keys)  # 8|0|18 and 80|1|8 (and more) all hold
    finding = next(f for f in parsed.findings if f.rule == "extract.ambiguous_cells")
    assert set(keys) <= set(finding.keys) and "8018" in finding.evidence
    assert parsed.values["art20_1.regulations.in_force"] == 0


def test_a_row_is_as_many_figures_as_cells_where_its_table_writes_every_cell() -> None:
    # 规章000 shows that this office writes its zeros in this table, and no row of the report lost a blank:
    # 055 is 0|5|5 (not 0|55 with a blank). Where the same report drops blanks elsewhere, 055 is reported.
    head = (
        "洪泽区人民政府2023年政府信息公开工作年度报告 二、主动公开政府信息情况 "
        "第二十条第（一）项信息内容本年制发件数本年废止件数现行有效件数"
    )
    parsed = _parse_text(head + "规章000行政规范性文件055第二十条第（五）项信息内容本年处理决定数量行政许可550")
    assert [parsed.values[f"art20_1.normative_docs.{c}"] for c in ("issued", "repealed", "in_force")] == [0, 5, 5]
    unwritten = _parse_text(head + "规章5行政规范性文件055第二十条第（五）项信息内容本年处理决定数量行政许可550")
    assert unwritten.values["art20_1.normative_docs.repealed"] is None


def test_a_table_that_fits_only_with_dropped_blanks_makes_every_run_suspect() -> None:
    # A 2019 report whose office left half its zeros blank: table 三's rows have digits enough for their cells
    # but add up only with blanks dropped, so table 四's 341224229200101040164096, which 15 figures would fit
    # (…0|0|1|0|1…), is not read as 15 figures.
    report = consistent_sample("2019", 30, 0.5)
    parsed = _parse_text(crawled_text(render(report, "html", charts=False).decode("utf-8")))
    _right_or_reported(report, parsed)
    assert parsed.values["litigation_direct.other"] is None


def test_a_table_that_adds_up_in_no_reading_gets_its_arithmetic_findings() -> None:
    # kgc_01's 行政复议 group prints 10 + 1 with 总计 0: no split of 1010000000050000 adds up, so the cells are
    # null, and the crawled copy's audit reports the same arithmetic findings as the PDF's.
    twin = parse_path(SHARED / "corpus" / "raw" / "kgc_01.pdf")
    gold = _gold("kgc_01.json")
    values = {k: v for k, v in gold["values"].items() if k in twin.values}  # type: ignore[attr-defined]
    printed = Report.from_values("2021", 2023, values, agency=twin.agency)
    crawled = _parse_text(crawled_text(render(printed, "html", charts=False).decode("utf-8")))

    def arithmetic(report: Report) -> set[tuple[str, tuple[str, ...]]]:
        return {(f.rule, tuple(sorted(f.keys))) for f in audit(report) if f.category == "arithmetic"}

    assert crawled.values["review.total"] is None
    assert arithmetic(crawled) == arithmetic(twin) != set()
    # its single （六）其他处理 row lists the three sub-rows in its label cell: no blank sub-rows are made up
    assert "applications.other.no_correction.total" not in crawled.values
    assert crawled.values["applications.other.total"] == twin.values["applications.other.total"]


def test_crawler_header_lines_give_the_date_and_the_address() -> None:
    body = (SHARED / "corpus" / "raw" / "kgc_03.txt").read_text(encoding="utf-8")
    text = (
        "标题: 年度报告\n发布时间: 2025-01-20 15:22\n原文链接: https://www.example.gov.cn/xxgk/t20250120_1.html\n"
        "采集时间: 2025-03-02 10:00:01\n" + WS.sub(" ", body)
    )
    parsed = _parse_text(text)
    assert str(parsed.published) == "2025-01-20"
    assert parsed.url == "https://www.example.gov.cn/xxgk/t20250120_1.html"
    assert parsed.to_json()["url"] == parsed.url
    assert _parse_text(WS.sub(" ", body)).url is None  # no header: no address invented


def test_hostile_digit_run_ends_quickly_and_is_reported() -> None:
    text = (
        "某局2023年政府信息公开工作年度报告 三、收到和处理政府信息公开申请情况 申请人情况自然人法人或其他组织总计"
        "一、本年新收政府信息公开申请数量" + "7" * 5000 + "二、上年结转政府信息公开申请数量0000000"
        "三、本年度办理结果（一）予以公开" + "1234567890" * 300
    )
    began = time.perf_counter()
    parsed = _parse_text(text)
    assert time.perf_counter() - began < 10
    assert parsed.values.get("applications.new.total") is None
    assert parsed.values.get("applications.granted.total") is None
    assert parsed.values["applications.carried_over.total"] == 0
    audit(parsed)


# -- the shared reports as crawlers store them -------------------------------------------------------------
def _shared_html(name: str) -> str:
    path = SHARED / "corpus" / "raw" / name
    if not path.exists():
        pytest.skip(f"{path} not available")
    return path.read_text(encoding="utf-8", errors="replace")


def _gold(name: str) -> dict[str, object]:
    return json.loads((SHARED / "corpus" / "gold" / name).read_text(encoding="utf-8"))


def test_crawled_portal_page_reads_as_its_gold_and_audits_as_the_page() -> None:
    html = _shared_html("kgc_04.html")
    gold = _gold("kgc_04.json")
    text = crawled_text(html)
    parsed = _parse_text(text, "kgc_04.tight.txt")
    assert (parsed.format, parsed.year) == (gold["format"], gold["year"])
    values = gold["values"]
    assert isinstance(values, dict)
    right = sum(1 for k, want in values.items() if parsed.values.get(k, "<absent>") == want)
    wrong = [
        k for k, want in values.items() if isinstance(parsed.values.get(k), (int, float)) and parsed.values[k] != want
    ]
    assert not wrong
    # Left unread, and reported: 8|0|18 under 规范性文件 (80|1|8 holds too), and in the 25 rows whose zeros the
    # office left blank, the applicant column of the one figure besides the total; and so table 四, whose
    # 15 digits may hide a dropped blank as well (000110000000000 also splits into 14 numbers).
    assert right >= len(values) - 3 - 25 - 15
    spaced = parse_path(SHARED / "corpus" / "raw" / "kgc_04.html")
    twin = {(f.rule, tuple(sorted(f.keys))) for f in audit(spaced) if f.category != "extraction"}
    mine = {(f.rule, tuple(sorted(f.keys))) for f in audit(parsed) if f.category != "extraction"}
    unreadable = {k for f in parsed.findings if f.category == "extraction" for k in f.keys}
    # the crawled text's findings are its spaced twin's, but for relations over the cells it could not read
    assert {t for t in twin if not unreadable & set(t[1])} <= mine
    assert parsed.agency == spaced.agency


def test_crawled_legacy_seed_reads_as_its_gold() -> None:
    path = SHARED / "seeds"
    gold_path = SHARED / "gold"
    if not path.exists():
        pytest.skip("shared seeds not available")
    read = 0
    for gold_file in sorted(gold_path.glob("*.json")):
        gold = json.loads(gold_file.read_text(encoding="utf-8"))
        if gold.get("format") != "legacy":
            continue
        text = crawled_legacy((path / gold["file"]).read_text(encoding="utf-8", errors="replace"))
        if text is None:
            continue
        read += 1
        parsed = _parse_text(text, "seed.tight.txt")
        assert parsed.format == "legacy"
        for key, want in gold["values"].items():
            have = parsed.values.get(key, "<absent>")
            assert have == want or have is None, (gold["file"], key, want, have)
    assert read >= 2


# -- property: random consistent reports saved as a crawler saves them -------------------------------------
@pytest.mark.parametrize("format_id", ["2019", "2021"])
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), blank_rate=st.sampled_from([0.0, 0.1, 1.0]))
def test_crawled_rendered_reports_are_right_or_reported(format_id: str, seed: int, blank_rate: float) -> None:
    report = consistent_sample(format_id, seed, blank_rate)
    html = render(report, "html", charts=False).decode("utf-8")
    parsed = _parse_text(crawled_text(html))
    assert parsed.format == report.format and parsed.year == report.year
    _right_or_reported(report, parsed)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), blank_rate=st.sampled_from([0.0, 0.1, 1.0]))
def test_crawled_legacy_reports_are_right_or_reported(seed: int, blank_rate: float) -> None:
    report = consistent_sample("legacy", seed, blank_rate)
    text = crawled_legacy(flatten(report, "pipes"))
    assert text is not None
    parsed = _parse_text(text)
    assert parsed.format == "legacy"
    _right_or_reported(report, parsed)
