"""The annual report computed from the ledger, consistent by construction.

For agencies A (one agency, or a supervisor's whole subtree) and year Y, with Jan 1 = s and Dec 31 = e:

* 一 new:            received_on in [s, e]
* 二 carried over:   received_on < s and (no result or result_date >= s)
* 三 results:        result_date in [s, e], one row per case: the row of its outcome
* 四 carried forward: received_on <= e and (no result or result_date > e)

Every case received up to e is in exactly one of {results before s, 二∖三, …}, so 一 + 二 = 三（七）+ 四 holds in
every column by construction; the columns are the applicant types. Table 四 counts review/litigation cases
filed up to e and not decided before s: decided in Y by result, the others 尚未审结. Table 二 counts the
catalogue (第二十条第（一）项) and takes the other cells from figures the agency enters.

The row and column lists come from the statutory format for the year (:func:`xxgk.formats.format_for_year`),
all counting is done by SQL ``GROUP BY``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from xxgk.casework.models import Agency, AnnualReport, Application, CatalogueItem, Event, ReviewCase
from xxgk.extract.report import Report
from xxgk.formats import Format, format_for_year, get_format

__all__ = [
    "FIRST_REPORT_YEAR",
    "LAST_REPORT_YEAR",
    "application_values",
    "build_report",
    "check_report_year",
    "compute_values",
    "fee_summary",
    "proactive_values",
    "report_years",
    "review_values",
    "subtree_ids",
]

Number = int | float


def subtree_ids(session: Session, agency_id: int) -> list[int]:
    """The agency and all its descendants."""
    rows = session.execute(select(Agency.id, Agency.parent_id)).all()
    children: dict[int | None, list[int]] = defaultdict(list)
    for aid, parent in rows:
        children[parent].append(aid)
    out: list[int] = []
    stack = [agency_id]
    seen: set[int] = set()
    while stack:
        a = stack.pop()
        if a in seen:
            continue
        seen.add(a)
        out.append(a)
        stack.extend(children.get(a, ()))
    return out


FIRST_REPORT_YEAR = 2019  # the first year of the statutory formats (2019, then 2021); earlier years: legacy
LAST_REPORT_YEAR = 2100


def check_report_year(year: int) -> int:
    """``year`` if a report can be built for it, else ValueError with the Chinese message shown to the user."""
    if not FIRST_REPORT_YEAR <= year <= LAST_REPORT_YEAR:
        raise ValueError(
            f"年度应在{FIRST_REPORT_YEAR}年至{LAST_REPORT_YEAR}年之间（{FIRST_REPORT_YEAR}年以前适用旧格式，本系统不生成）"
        )
    return year


def report_years(today: date) -> list[int]:
    """The years a report can be built for, up to the current one, newest first."""
    return list(range(min(today.year, LAST_REPORT_YEAR), FIRST_REPORT_YEAR - 1, -1))


def report_format(year: int) -> Format:
    fmt = format_for_year(year)
    if fmt.id == "legacy":
        raise ValueError(f"{year}年度报告适用旧格式（2008—2018年），本系统只按2019年以后的法定格式生成年度报告")
    return fmt


def _columns(fmt: Format) -> list[str]:
    return [c.id for c in fmt.table("applications").columns if c.id != "total"]


def _row_for_outcome(fmt: Format, key: str) -> str:
    row = f"applications.{key}"
    table = fmt.table("applications")
    rows = {r.key for r in table.rows}
    if row in rows:
        return row
    # 2019 format: （六）其他处理 is a single row.
    if key.startswith("other.") and "applications.other" in rows:
        return "applications.other"
    raise ValueError(f"办理结果“{key}”在{fmt.name}表三中没有对应的行")


def _in(ids: Sequence[int]) -> Any:
    return Application.agency_id.in_(list(ids))


def application_values(session: Session, agency_ids: Sequence[int], year: int) -> dict[str, Number | None]:
    """Table 三 for the agencies and year, every cell of the format (0 where nothing was counted)."""
    fmt = report_format(year)
    table = fmt.table("applications")
    cols = _columns(fmt)
    s, e = date(year, 1, 1), date(year, 12, 31)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def add(row: str, rows: Iterable[Any]) -> None:
        for col, n in rows:
            if col not in cols:
                raise ValueError(f"未知的申请人类型：{col}")
            counts[row][col] += int(n)

    at = Application.applicant_type
    add(
        "applications.new",
        session.execute(
            select(at, func.count()).where(_in(agency_ids), Application.received_on.between(s, e)).group_by(at)
        ),
    )
    add(
        "applications.carried_over",
        session.execute(
            select(at, func.count())
            .where(
                _in(agency_ids),
                Application.received_on < s,
                or_(Application.result_date.is_(None), Application.result_date >= s),
            )
            .group_by(at)
        ),
    )
    add(
        "applications.carry_forward",
        session.execute(
            select(at, func.count())
            .where(
                _in(agency_ids),
                Application.received_on <= e,
                or_(Application.result_date.is_(None), Application.result_date > e),
            )
            .group_by(at)
        ),
    )
    results = session.execute(
        select(Application.outcome, at, func.count())
        .where(_in(agency_ids), Application.result_date.between(s, e))
        .group_by(Application.outcome, at)
    )
    for key, col, n in results:
        if key is None:
            raise ValueError("账中存在已有办结日期但没有办理结果的申请")
        add(_row_for_outcome(fmt, key), [(col, n)])

    values: dict[str, Number | None] = {}
    result_rows = [
        r.key
        for r in table.rows
        if r.parent is not None and not r.key.endswith("results_total") and not (r.optional and fmt.id == "2021")
    ]
    for r in table.rows:
        if r.optional and fmt.id == "2021":
            continue  # the 2019-style single 其他处理 row is not part of the 2021 table
        if r.key == "applications.results_total":
            per = {c: sum(counts[k][c] for k in result_rows) for c in cols}
        else:
            per = {c: counts[r.key][c] for c in cols}
        for c in cols:
            values[f"{r.key}.{c}"] = per[c]
        values[f"{r.key}.total"] = sum(per.values())
    return values


def review_values(session: Session, agency_ids: Sequence[int], year: int) -> dict[str, Number | None]:
    """Table 四: review and litigation cases handled in the year."""
    fmt = report_format(year)
    table = fmt.table("review_litigation")
    groups = [r.key for r in table.rows]
    outcomes = [c.id for c in table.columns if c.id != "total"]
    s, e = date(year, 1, 1), date(year, 12, 31)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    decided = session.execute(
        select(ReviewCase.kind, ReviewCase.result, func.count())
        .where(ReviewCase.agency_id.in_(list(agency_ids)), ReviewCase.decided_on.between(s, e))
        .group_by(ReviewCase.kind, ReviewCase.result)
    )
    for kind, result, n in decided:
        counts[(kind, result or "other")] += int(n)
    pending = session.execute(
        select(ReviewCase.kind, func.count())
        .where(
            ReviewCase.agency_id.in_(list(agency_ids)),
            ReviewCase.filed_on <= e,
            or_(ReviewCase.decided_on.is_(None), ReviewCase.decided_on > e),
        )
        .group_by(ReviewCase.kind)
    )
    for kind, n in pending:
        counts[(kind, "pending")] += int(n)
    values: dict[str, Number | None] = {}
    for g in groups:
        for o in outcomes:
            values[f"{g}.{o}"] = counts[(g, o)]
        values[f"{g}.total"] = sum(counts[(g, o)] for o in outcomes)
    unknown = {k for k, _ in counts} - set(groups)
    if unknown:
        raise ValueError(f"未知的复议/诉讼类型：{', '.join(sorted(unknown))}")
    return values


def proactive_values(
    session: Session, agency_ids: Sequence[int], year: int, manual: dict[str, Any] | None = None
) -> dict[str, Number | None]:
    """Table 二: 第二十条第（一）项 counted from the catalogue; the other cells from ``manual`` (blank if absent)."""
    fmt = report_format(year)
    s, e = date(year, 1, 1), date(year, 12, 31)
    values: dict[str, Number | None] = {}
    ids = list(agency_ids)
    for table in fmt.tables:
        if not table.id.startswith("art20_"):
            continue
        for row in table.rows:
            for col in table.columns:
                values[table.key(row, col)] = None
    item = CatalogueItem.art20_item
    base = [CatalogueItem.agency_id.in_(ids)]
    made = dict(
        session.execute(
            select(item, func.count()).where(*base, CatalogueItem.made_on.between(s, e)).group_by(item)
        ).all()
    )
    published = dict(
        session.execute(
            select(item, func.count()).where(*base, CatalogueItem.published_on.between(s, e)).group_by(item)
        ).all()
    )
    repealed = dict(
        session.execute(
            select(item, func.count()).where(*base, CatalogueItem.repealed_on.between(s, e)).group_by(item)
        ).all()
    )
    in_force = dict(
        session.execute(
            select(item, func.count())
            .where(
                *base,
                CatalogueItem.published_on <= e,
                or_(CatalogueItem.repealed_on.is_(None), CatalogueItem.repealed_on > e),
            )
            .group_by(item)
        ).all()
    )
    for row in fmt.table("art20_1").rows:
        k = row.key
        if fmt.id == "2021":
            values[f"{k}.issued"] = int(made.get(k, 0))
            values[f"{k}.repealed"] = int(repealed.get(k, 0))
            values[f"{k}.in_force"] = int(in_force.get(k, 0))
        else:
            values[f"{k}.made"] = int(made.get(k, 0))
            values[f"{k}.published"] = int(published.get(k, 0))
            values[f"{k}.total"] = int(in_force.get(k, 0))
    for key, value in (manual or {}).items():
        if key not in values:
            raise ValueError(f"表二中没有单元格 {key}")
        if value is None or value == "":
            values[key] = None
            continue
        try:
            num = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"表二单元格 {fmt.label_of(key)} 的取值无效：{value!r}") from None
        if not math.isfinite(num):
            raise ValueError(f"表二单元格 {fmt.label_of(key)} 的取值无效：{value!r}")
        if num < 0 and not key.endswith("items_change"):
            raise ValueError(f"表二单元格 {fmt.label_of(key)} 不能为负数")
        values[key] = int(num) if num.is_integer() and not key.endswith("_wan") else num
    return values


def fee_summary(session: Session, agency_ids: Sequence[int], year: int) -> dict[str, int]:
    """信息处理费 (for section 六): fee notices sent in the year and their total, payments received in the year and
    their total. Each notice and each payment counts once, with the amount recorded on its own event (the
    application's current ``fee_amount`` is only the latest notice's)."""
    s, e = date(year, 1, 1), date(year, 12, 31)
    rows = session.execute(
        select(Event.kind, Event.data, Application.fee_amount)
        .join(Application, Application.id == Event.application_id)
        .where(_in(list(agency_ids)), Event.kind.in_(["fee_notice_sent", "fee_paid"]), Event.on_date.between(s, e))
    ).all()
    out = {"notices": 0, "notice_amount": 0, "paid_count": 0, "paid_amount": 0}
    for kind, data, current in rows:
        amount = (data or {}).get("amount")
        value = amount if isinstance(amount, int) and not isinstance(amount, bool) else int(current or 0)
        if kind == "fee_notice_sent":
            out["notices"] += 1
            out["notice_amount"] += value
        else:
            out["paid_count"] += 1
            out["paid_amount"] += value
    return out


def compute_values(
    session: Session, agency_ids: Sequence[int], year: int, manual: dict[str, Any] | None = None
) -> dict[str, Number | None]:
    values: dict[str, Number | None] = {}
    values.update(proactive_values(session, agency_ids, year, manual))
    values.update(application_values(session, agency_ids, year))
    values.update(review_values(session, agency_ids, year))
    return values


def default_narrative(
    session: Session, agency: Agency, agency_ids: Sequence[int], year: int, values: dict[str, Number | None]
) -> dict[str, str]:
    """A first draft of the narrative sections, with the ledger's figures (the agency edits it)."""
    fees = fee_summary(session, agency_ids, year)
    new = values.get("applications.new.total") or 0
    carried = values.get("applications.carried_over.total") or 0
    done = values.get("applications.results_total.total") or 0
    forward = values.get("applications.carry_forward.total") or 0
    reviews = values.get("review.total") or 0
    lit = (values.get("litigation_direct.total") or 0) + (values.get("litigation_after_review.total") or 0)
    on_time = (
        session.scalar(
            select(func.count())
            .select_from(Application)
            .where(
                _in(agency_ids),
                Application.result_date.between(date(year, 1, 1), date(year, 12, 31)),
                or_(Application.due_date.is_(None), Application.result_date <= Application.due_date),
            )
        )
        or 0
    )
    return {
        "overview": (
            f"{year}年，{agency.name}认真贯彻落实《中华人民共和国政府信息公开条例》，"
            f"在主动公开、依申请公开、政府信息管理、政府信息公开平台建设、监督保障等方面开展工作。"
            f"全年新收政府信息公开申请{new}件，上年结转{carried}件，办结{done}件（其中按期办结{on_time}件），"
            f"结转下年度继续办理{forward}件。"
        ),
        "proactive": "",
        "applications": "",
        "review_litigation": f"全年因政府信息公开被申请行政复议{reviews}件、提起行政诉讼{lit}件。",
        "problems": "（请填写存在的主要问题、改进措施及上年问题的整改情况。）",
        "other_matters": (
            f"本年度依据《政府信息公开信息处理费管理办法》发出收费通知{fees['notices']}件，"
            f"金额合计{fees['notice_amount']}元，实际收取{fees['paid_amount']}元。"
            if fees["notices"]
            else "本年度未收取信息处理费。"
        ),
    }


def build_report(
    session: Session,
    agency: Agency,
    year: int,
    *,
    consolidated: bool = False,
    narrative: dict[str, str] | None = None,
    manual: dict[str, Any] | None = None,
    published: date | None = None,
) -> Report:
    """The annual report of ``agency`` (or of its whole subtree when ``consolidated``) for ``year``."""
    fmt = report_format(year)
    ids = subtree_ids(session, agency.id) if consolidated else [agency.id]
    values = compute_values(session, ids, year, manual)
    text = dict(default_narrative(session, agency, ids, year, values))
    text.update({k: v for k, v in (narrative or {}).items() if v})
    name = agency.name + ("（汇总）" if consolidated else "")
    return Report.from_values(
        fmt.id,
        year,
        values,
        agency=name,
        published=published,
        narrative=text,
        source=f"casework:{agency.code}:{year}{':consolidated' if consolidated else ''}",
    )


def stored_report(session: Session, agency: Agency, year: int, consolidated: bool = False) -> AnnualReport | None:
    return session.scalar(
        select(AnnualReport).where(
            and_(
                AnnualReport.agency_id == agency.id,
                AnnualReport.year == year,
                AnnualReport.consolidated == consolidated,
            )
        )
    )


def format_for(year: int) -> Format:
    return get_format(report_format(year).id)
