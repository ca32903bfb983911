"""The 政府信息公开目录 (proactive disclosure catalogue): items with 索引号, the Art. 26 timeliness check,
search, and JSON / RSS feeds.

Art. 12 defines the 目录 as 索引、名称、内容概述、生成日期; Art. 26 requires publication within 20 working days
of the information being formed or changed. The 索引号 syntax (agency code / year - serial) is a local
convention (formats.md §6.1).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from typing import Any
from xml.sax.saxutils import escape

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from xxgk.casework.calendar import CalendarDataMissing, WorkCalendar
from xxgk.casework.codes import index_number
from xxgk.casework.deadlines import DeadlineRules
from xxgk.casework.models import Agency, CatalogueItem
from xxgk.formats import get_format

__all__ = [
    "ART20_ITEMS",
    "ART26_LABELS",
    "CHANNELS",
    "add_item",
    "art26_check",
    "art26_status",
    "art26_within",
    "feed_json",
    "feed_rss",
    "recheck_art26",
    "search",
    "set_repeal_date",
]

CHANNELS: dict[str, str] = {
    "website": "政府网站",
    "gazette": "政府公报",
    "weibo": "政务微博",
    "wechat": "政务微信",
    "other": "其他",
}

# 《条例》第二十条 (1)–(15) [M: wording from memory of S1]; the table-二 rows (from the format) are the
# tabulated sub-items.
_ART20 = [
    "行政法规、规章和规范性文件",
    "机关职能、机构设置、办公地址、办公时间、联系方式、负责人姓名",
    "国民经济和社会发展规划、专项规划、区域规划及相关政策",
    "国民经济和社会发展统计信息",
    "办理行政许可和其他对外管理服务事项的依据、条件、程序以及办理结果",
    "实施行政处罚、行政强制的依据、条件、程序以及本行政机关认为具有一定社会影响的行政处罚决定",
    "财政预算、决算信息",
    "行政事业性收费项目及其依据、标准",
    "政府集中采购项目的目录、标准及实施情况",
    "重大建设项目的批准和实施情况",
    "扶贫、教育、医疗、社会保障、促进就业等方面的政策、措施及其实施情况",
    "突发公共事件的应急预案、预警信息及应对情况",
    "环境保护、公共卫生、安全生产、食品药品、产品质量的监督检查情况",
    "公务员招考的职位、名额、报考条件等事项以及录用结果",
    "法律、行政法规、规章和国家有关规定规定应当主动公开的其他政府信息",
]
_NUM = "一二三四五六七八九十"


def _cn(n: int) -> str:
    return _NUM[n - 1] if n <= 10 else "十" + _NUM[n - 11]


def art20_items() -> list[tuple[str, str]]:
    """(value, label) choices: the table-二 rows of the 2021 format, then the other 第二十条 items."""
    fmt = get_format("2021")
    out: list[tuple[str, str]] = []
    for t in fmt.tables:
        if t.id.startswith("art20_"):
            for r in t.rows:
                out.append((r.key, f"{t.caption}：{r.labels[0]}"))
    tabulated = {int(t.id.split("_")[1]) for t in fmt.tables if t.id.startswith("art20_")}
    for i, label in enumerate(_ART20, start=1):
        if i not in tabulated:
            out.append((str(i), f"第二十条第（{_cn(i)}）项：{label}"))
    return out


ART20_ITEMS = art20_items


class CatalogueError(ValueError):
    pass


def art26_check(made_on: date, published_on: date, calendar: WorkCalendar, rules: DeadlineRules) -> bool | None:
    """True if published within the Art. 26 period, False if late, None if the calendar lacks the data."""
    if published_on < made_on:
        raise CatalogueError("发布日期不能早于成文（形成或变更）日期")
    try:
        limit = calendar.add_working_days(made_on, rules.catalogue_publish_days)
    except CalendarDataMissing:
        return None
    return published_on <= limit


def _lock_serials(session: Session, agency: Agency) -> None:
    """Serialise the allocation of 索引号 serials per agency until the transaction ends.

    A no-op UPDATE of the agency row takes its row lock on PostgreSQL (a concurrent addition waits, then reads
    the committed maximum) and the database write lock on SQLite (whose reads otherwise run outside any
    transaction), so two simultaneous additions can never pick the same serial.
    """
    session.execute(
        update(Agency).where(Agency.id == agency.id).values(code=Agency.code),
        execution_options={"synchronize_session": False},
    )


ART26_LABELS = {"on_time": "按时公开", "late": "超过第二十六条时限", "unknown": "无法判断（节假日数据缺失）"}
ART26_DOMAIN = "urn:xxgk:art26"  # the RSS <category> domain of the Art. 26 status


def art26_status(item: CatalogueItem) -> str:
    """``on_time``, ``late`` or ``unknown`` (the check could not be decided)."""
    if item.late is None:
        return "unknown"
    return "late" if item.late else "on_time"


def art26_within(item: CatalogueItem) -> bool | None:
    """Published within the Art. 26 period: True, False, or None when it could not be decided."""
    return None if item.late is None else not item.late


def add_item(
    session: Session,
    agency: Agency,
    *,
    title: str,
    made_on: date,
    published_on: date,
    calendar: WorkCalendar,
    rules: DeadlineRules,
    doc_number: str = "",
    category: str = "",
    channels: list[str] | None = None,
    art20_item: str = "",
    summary: str = "",
    body: str = "",
    repealed_on: date | None = None,
) -> CatalogueItem:
    title = title.strip()
    if not title:
        raise CatalogueError("请填写信息名称")
    if len(title) > 300:
        raise CatalogueError("信息名称过长")
    chans = list(dict.fromkeys(channels or ["website"]))
    bad = [c for c in chans if c not in CHANNELS]
    if bad:
        raise CatalogueError(f"未知的公开渠道：{'、'.join(bad)}")
    valid_items = {v for v, _ in art20_items()}
    if art20_item and art20_item not in valid_items:
        raise CatalogueError(f"未知的第二十条事项：{art20_item}")
    if repealed_on is not None and repealed_on < made_on:
        raise CatalogueError("废止日期不能早于成文日期")
    on_time = art26_check(made_on, published_on, calendar, rules)
    year = published_on.year
    _lock_serials(session, agency)
    serial = (
        session.scalar(
            select(func.max(CatalogueItem.serial)).where(
                CatalogueItem.agency_id == agency.id, CatalogueItem.year == year
            )
        )
        or 0
    ) + 1
    item = CatalogueItem(
        agency_id=agency.id,
        index_number=index_number(agency.code, year, serial),
        year=year,
        serial=serial,
        title=title,
        doc_number=doc_number.strip()[:100],
        made_on=made_on,
        published_on=published_on,
        repealed_on=repealed_on,
        category=category.strip()[:100],
        channels=chans,
        art20_item=art20_item,
        summary=summary.strip()[:2000],
        body=body.strip(),
        late=None if on_time is None else not on_time,
        created_at=datetime.now(UTC),
    )
    session.add(item)
    session.flush()
    return item


def set_repeal_date(item: CatalogueItem, repealed_on: date | None, today: date) -> None:
    """Record (or, with None, withdraw) the 废止日期 of an existing item; it decides table 二's 本年废止 and
    现行有效 counts. Not before the item was made, and not more than a year ahead (a decided repeal)."""
    if repealed_on is not None:
        if repealed_on < item.made_on:
            raise CatalogueError("废止日期不能早于成文日期")
        if repealed_on > today + timedelta(days=366):
            raise CatalogueError("废止日期不能晚于一年以后")
    item.repealed_on = repealed_on


def recheck_art26(session: Session, calendar: WorkCalendar, agency_ids: Collection[int] | None = None) -> int:
    """Re-run the Art. 26 check of the catalogue items (of ``agency_ids``, default all) with the current holiday
    table and rules, after either changed; returns the number of items whose status changed."""
    from xxgk.casework.workflow import RulesByAgency

    stmt = select(CatalogueItem).order_by(CatalogueItem.id)
    if agency_ids is not None:
        stmt = stmt.where(CatalogueItem.agency_id.in_(list(agency_ids)))
    rules_of = RulesByAgency()
    changed = 0
    for item in session.scalars(stmt):
        try:
            on_time = art26_check(item.made_on, item.published_on, calendar, rules_of(item.agency))
        except CatalogueError:  # published before made: an old row; leave it as recorded
            continue
        late = None if on_time is None else not on_time
        if late is not item.late:
            item.late = late
            changed += 1
    session.flush()
    return changed


def search(
    session: Session,
    *,
    q: str = "",
    agency_ids: list[int] | None = None,
    year: int | None = None,
    art20_item: str = "",
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[CatalogueItem], int]:
    stmt = select(CatalogueItem)
    conds: list[Any] = []
    if q.strip():
        # A literal substring: the LIKE wildcards % and _ (and the escape character itself) are escaped.
        term = q.strip()[:100].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = f"%{term}%"
        conds.append(
            or_(
                CatalogueItem.title.like(like, escape="\\"),
                CatalogueItem.index_number.like(like, escape="\\"),
                CatalogueItem.doc_number.like(like, escape="\\"),
                CatalogueItem.summary.like(like, escape="\\"),
            )
        )
    if agency_ids:
        conds.append(CatalogueItem.agency_id.in_(agency_ids))
    if year:
        conds.append(CatalogueItem.year == year)
    if art20_item:
        conds.append(CatalogueItem.art20_item == art20_item)
    total = session.scalar(select(func.count()).select_from(CatalogueItem).where(*conds)) or 0
    items = list(
        session.scalars(
            stmt.where(*conds)
            .order_by(CatalogueItem.published_on.desc(), CatalogueItem.id.desc())
            .limit(max(1, min(limit, 200)))
            .offset(max(0, offset))
        )
    )
    return items, int(total)


def item_json(item: CatalogueItem, base_url: str = "") -> dict[str, Any]:
    return {
        "index_number": item.index_number,
        "title": item.title,
        "doc_number": item.doc_number,
        "made_on": item.made_on.isoformat(),
        "published_on": item.published_on.isoformat(),
        "repealed_on": item.repealed_on.isoformat() if item.repealed_on else None,
        "category": item.category,
        "channels": list(item.channels),
        "art20_item": item.art20_item,
        "summary": item.summary,
        "agency": item.agency.name if item.agency else None,
        "url": f"{base_url}/catalogue/{item.id}",
        "published_within_art26": art26_within(item),
        "art26": art26_status(item),
    }


def feed_json(items: list[CatalogueItem], base_url: str) -> dict[str, Any]:
    return {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "政府信息公开目录",
        "home_page_url": f"{base_url}/catalogue",
        "items": [
            {
                "id": i.index_number,
                "url": f"{base_url}/catalogue/{i.id}",
                "title": i.title,
                "summary": i.summary,
                "date_published": datetime.combine(i.published_on, datetime.min.time(), UTC).isoformat(),
                "_xxgk": item_json(i, base_url),
            }
            for i in items
        ],
    }


def feed_rss(items: list[CatalogueItem], base_url: str) -> str:
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<rss version="2.0"><channel>',
        "<title>政府信息公开目录</title>",
        f"<link>{escape(base_url)}/catalogue</link>",
        "<description>主动公开政府信息</description>",
        "<language>zh-cn</language>",
    ]
    for i in items:
        pub = format_datetime(datetime.combine(i.published_on, datetime.min.time(), UTC))
        parts.append(
            "<item>"
            f"<title>{escape(i.title)}</title>"
            f"<link>{escape(base_url)}/catalogue/{i.id}</link>"
            f'<guid isPermaLink="false">{escape(i.index_number)}</guid>'
            f"<pubDate>{pub}</pubDate>"
            f"<description>{escape(i.summary)}</description>"
            f'<category domain="{ART26_DOMAIN}">{ART26_LABELS[art26_status(i)]}</category>'
            "</item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts)
