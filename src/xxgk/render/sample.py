"""Consistent sample reports (every 勾稽关系 holds) for demonstrations, documentation and property tests.

``sample_report("2021", random.Random(1))`` gives a report whose table 三 columns balance
(一 + 二 = （七） + 四, （七） = sum of the outcomes), whose 总计 column is the sum of the applicant columns and
whose table 四 totals are the sums of their outcomes. ``blank_rate`` blanks cells afterwards (None, not 0):
the relations over a blank cell become not assessable, the others still hold.
"""

from __future__ import annotations

from datetime import date
from random import Random

from xxgk.extract.report import Report
from xxgk.formats import Format, Table, TableKind, get_format

Number = int | float

AGENCIES = (
    "南通市民政局",
    "北京市海淀区人民政府",
    "某某县自然资源局",
    "杭州市上城区教育局",
    "鄂伦春自治旗民政局",
    "广州市生态环境局",
)
SENTENCES = (
    "本机关坚持以公开为常态、不公开为例外，全面推进决策、执行、管理、服务、结果公开。",
    "主动公开方面，及时发布政策文件和政策解读，做好重点领域信息公开。",
    "依申请公开方面，严格按照法定程序和时限办理政府信息公开申请。",
    "政府信息管理方面，健全信息发布审查机制，做好公开前保密审查。",
    "平台建设方面，持续优化政府网站信息公开专栏，提升检索和互动功能。",
    "监督保障方面，将政务公开工作纳入年度绩效考核，开展业务培训。",
    "存在的主要问题是公开内容的深度和解读的针对性还需加强。",
    "下一步将进一步完善工作机制，提高答复质量。",
)


def _int(rnd: Random, hi: int, zero_rate: float) -> int:
    return 0 if rnd.random() < zero_rate else rnd.randint(1, hi)


def _applications(table: Table, rnd: Random, zero_rate: float, hi: int) -> dict[str, Number | None]:
    values: dict[str, Number | None] = {}
    cols = [c for c in table.columns if c.id != "total"]
    rows = [r for r in table.rows if not r.optional]
    suffix = {r.key.rsplit("applications.", 1)[-1]: r for r in rows}
    outcome_rows = [
        r
        for r in rows
        if r.key not in {f"applications.{s}" for s in ("new", "carried_over", "results_total", "carry_forward")}
    ]
    for c in cols:
        outcomes = {r.key: _int(rnd, hi, zero_rate) for r in outcome_rows}
        total = sum(outcomes.values())
        carry_forward = _int(rnd, max(1, hi // 3), zero_rate)
        carried = rnd.randint(0, total + carry_forward)
        new = total + carry_forward - carried
        for key, v in outcomes.items():
            values[f"{key}.{c.id}"] = v
        values[f"{suffix['results_total'].key}.{c.id}"] = total
        values[f"{suffix['carry_forward'].key}.{c.id}"] = carry_forward
        values[f"{suffix['carried_over'].key}.{c.id}"] = carried
        values[f"{suffix['new'].key}.{c.id}"] = new
    for r in rows:
        parts = [values[f"{r.key}.{c.id}"] for c in cols]
        values[f"{r.key}.total"] = sum(p for p in parts if p is not None)
    return values


def _sequence(table: Table, rnd: Random, zero_rate: float, hi: int) -> dict[str, Number | None]:
    values: dict[str, Number | None] = {}
    for r in table.rows:
        parts = [_int(rnd, hi, zero_rate) for c in table.columns if c.id != "total"]
        for c, v in zip([c for c in table.columns if c.id != "total"], parts, strict=True):
            values[table.key(r, c)] = v
        values[f"{r.key}.total"] = sum(parts)
    return values


def _proactive(table: Table, rnd: Random, zero_rate: float, hi: int) -> dict[str, Number | None]:
    values: dict[str, Number | None] = {}
    for r in table.rows:
        for c in table.columns:
            v: Number
            if c.unit == "万元":
                v = 0 if rnd.random() < zero_rate else rnd.randint(1, 10**7) / 10 ** rnd.randint(0, 4)
            elif c.id.endswith("_change"):
                v = rnd.randint(-hi // 4, hi // 4)
            else:
                v = _int(rnd, hi * 10, zero_rate)
            values[table.key(r, c)] = v
        # 2019 第二十条第（一）项: 本年新公开数量 ≤ 对外公开总数量
        pub, tot = f"{r.key}.published", f"{r.key}.total"
        if pub in values and tot in values:
            p, t = values[pub], values[tot]
            assert p is not None and t is not None
            values[tot] = p + t
    return values


def _indicator(table: Table, rnd: Random, zero_rate: float, hi: int) -> dict[str, Number | None]:
    """Legacy statistics (国办发〔2014〕32号 table plus the older variants' rows), every relation holding."""
    rows = [r for r in table.rows if not r.optional]
    v: dict[str, Number | None] = {r.key: _int(rnd, hi, zero_rate) for r in rows}

    def total_of(parent: str, children: list[str]) -> None:
        v[parent] = sum(v[c] or 0 for c in children)

    via = [r.key for r in rows if r.key.startswith("proactive.via.")]
    biggest, channel_sum = max(int(v[k] or 0) for k in via), sum(int(v[k] or 0) for k in via)
    v["proactive.total"] = rnd.randint(biggest, channel_sum)  # one item published on two channels counts once
    for k in ("proactive.full_text_electronic", "proactive.normative_docs_published"):
        v[k] = rnd.randint(0, int(v["proactive.total"] or 0))
    for head, total in (
        ("response.press_conferences_by_head", "response.press_conferences"),
        ("response.online_interviews_by_head", "response.online_interviews"),
        ("appeals.first_handling", "appeals.total"),
    ):
        v[head] = rnd.randint(0, int(v[total] or 0))
    total_of("requests.received", [r.key for r in rows if r.key.startswith("requests.via.")])
    answers = [
        "replies.already_public",
        "replies.granted",
        "replies.partial",
        "replies.denied",
        "replies.not_this_agency",
        "replies.not_exist",
        "replies.amend",
        "replies.other_channel",
    ]
    total_of("replies.denied", [r.key for r in rows if r.key.startswith("replies.denied.")])
    total_of("replies.total", answers)
    v["requests.closed"] = v["replies.total"]
    v["requests.closed_extended"] = rnd.randint(0, int(v["requests.closed"] or 0))
    v["requests.closed_on_time"] = (v["requests.closed"] or 0) - (v["requests.closed_extended"] or 0)
    for group in ("review", "litigation"):
        total_of(f"{group}.total", [f"{group}.upheld", f"{group}.corrected", f"{group}.other"])
    total_of("org.staff", ["org.staff_fulltime", "org.staff_parttime"])
    for k in ("fees_wan", "org.budget_wan"):
        v[k] = 0 if rnd.random() < zero_rate else rnd.randint(1, 9999) / 100
    return v


def consistent_values(
    fmt: Format, rnd: Random, *, blank_rate: float = 0.0, zero_rate: float = 0.3, max_value: int = 40
) -> dict[str, Number | None]:
    """Every statutory cell of a report, consistent with the format's relations."""
    values: dict[str, Number | None] = {}
    for t in fmt.tables:
        if t.id == "applications":
            values.update(_applications(t, rnd, zero_rate, max_value))
        elif t.kind is TableKind.SEQUENCE:
            values.update(_sequence(t, rnd, zero_rate, max_value))
        elif t.kind is TableKind.GRID:
            values.update(_proactive(t, rnd, zero_rate, max_value))
        elif t.kind is TableKind.INDICATOR:
            values.update(_indicator(t, rnd, zero_rate, max_value))
    if blank_rate > 0:
        for k in values:
            if rnd.random() < blank_rate:
                values[k] = None
    return values


def sample_report(
    format_id: str = "2021",
    rnd: Random | None = None,
    *,
    year: int | None = None,
    agency: str | None = None,
    blank_rate: float = 0.0,
    narrative: bool = True,
) -> Report:
    """A consistent report with narrative text, published in January of the following year."""
    rnd = rnd or Random(0)
    fmt = get_format(format_id)
    if year is None:
        last = fmt.last_year or 2025
        year = rnd.randint(fmt.first_year, last)
    text: dict[str, str] = {}
    if narrative:
        text = {
            "overview": "\n".join(rnd.sample(SENTENCES[:6], k=rnd.randint(1, 4))),
            "problems": "\n".join(rnd.sample(SENTENCES[6:], k=rnd.randint(1, 2))),
            "other_matters": "本年度未收取信息处理费。"
            if any(t.id == "processing_fees" for t in fmt.topics)
            else "无。",
        }
    return Report.from_values(
        format_id,
        year,
        consistent_values(fmt, rnd, blank_rate=blank_rate),
        agency=agency or rnd.choice(AGENCIES),
        published=date(year + 1, 1, rnd.randint(5, 25)),
        narrative=text,
    )
