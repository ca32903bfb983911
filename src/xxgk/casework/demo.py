"""Demo data: an agency tree (city government → departments → a township), one user per role, and a year
and a half of sample applications, catalogue items and review cases, all driven through the workflow so
the trail, deadlines and annual report are the real thing; last year's report of the 民政局 is published.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from xxgk.casework.calendar import CalendarDataMissing, WorkCalendar
from xxgk.casework.catalogue import add_item
from xxgk.casework.codes import uscc_check_char
from xxgk.casework.models import Agency, AnnualReport, Application, ReviewCase, User
from xxgk.casework.outcomes import applicant_types, outcomes
from xxgk.casework.security import hash_password
from xxgk.casework.workflow import Actor, WorkflowError, apply_action, effective_rules, register_application

__all__ = ["DEMO_PASSWORD", "DemoTree", "create_tree", "populate"]

DEMO_PASSWORD = "xxgk-demo-2025"
# Table 二 cells the ledger does not hold (licences, penalties, fees): what the demo 民政局 enters by hand.
DEMO_TABLE_TWO = {
    "art20_5.licensing.decisions": 46,
    "art20_6.penalty.decisions": 3,
    "art20_6.enforcement.decisions": 0,
    "art20_8.fees.amount_wan": 0,
}


def _code(seed: str) -> str:
    base = ("11" + "330800" + seed.rjust(9, "0"))[:17]
    return base + uscc_check_char(base)


@dataclass
class DemoTree:
    government: Agency
    civil_affairs: Agency
    natural_resources: Agency
    township: Agency
    users: dict[str, User]


def create_tree(session: Session, password_hash: Callable[[str], str] = hash_password) -> DemoTree:
    """The demo agency tree and one user per role (all with :data:`DEMO_PASSWORD`)."""
    gov = Agency(
        name="示例市人民政府",
        code=_code("002618357"),
        kind="government",
        office_address="示例市人民路1号",
        office_hours="工作日 9:00—12:00，13:30—17:30",
        phone="0570-1234567",
        fax="0570-1234568",
        email="gk@example.gov.cn",
        guide="本机关依法主动公开和依申请公开政府信息。",
        settings={},
    )
    session.add(gov)
    session.flush()
    civil = Agency(
        name="示例市民政局",
        code=_code("002618401"),
        kind="department",
        parent_id=gov.id,
        office_address="示例市民政路8号",
        office_hours="工作日 9:00—17:00",
        phone="0570-2222222",
        email="mzj@example.gov.cn",
        guide="申请人可以通过当面、信函、传真、网络、电子邮件提出申请。",
        settings={},
    )
    nr = Agency(
        name="示例市自然资源局",
        code=_code("002618502"),
        kind="department",
        parent_id=gov.id,
        office_address="示例市规划路2号",
        phone="0570-3333333",
        settings={},
    )
    session.add_all([civil, nr])
    session.flush()
    town = Agency(
        name="示例市青山镇人民政府",
        code=_code("002618603"),
        kind="township",
        parent_id=gov.id,
        office_address="青山镇政府路1号",
        phone="0570-4444444",
        settings={},
    )
    session.add(town)
    session.flush()
    pw = password_hash(DEMO_PASSWORD)
    now = datetime.now(UTC)
    specs = [
        ("clerk", "clerk", "李经办", civil),
        ("approver", "approver", "王科长", civil),
        ("admin", "admin", "赵管理", civil),
        ("supervisor", "supervisor", "市政务公开办", gov),
        ("gov_clerk", "clerk", "市府经办", gov),
        ("town_clerk", "clerk", "镇经办", town),
    ]
    users: dict[str, User] = {}
    for username, role, name, agency in specs:
        u = User(
            username=username,
            display_name=name,
            password_hash=pw,
            role=role,
            agency_id=agency.id,
            email=f"{username}@example.gov.cn",
            active=True,
            created_at=now,
        )
        session.add(u)
        users[username] = u
    session.flush()
    return DemoTree(gov, civil, nr, town, users)


_TOPICS = [
    "最低生活保障资金发放情况",
    "养老机构名录及等级评定结果",
    "某小区地块出让合同",
    "2024年度部门预算",
    "社会组织登记档案",
    "殡葬服务收费标准",
    "临时救助审批材料",
    "土地征收补偿安置方案",
    "本人低保申请的审批记录",
    "困难群众基本生活救助政策文件",
]
_NAMES = [
    "张伟",
    "王芳",
    "李娜",
    "刘洋",
    "陈静",
    "杨磊",
    "示例科技有限公司",
    "示例大学研究所",
    "示例公益基金会",
    "示例律师事务所",
    "示例村民委员会",
]


def _actor(u: User, role_label: str) -> Actor:
    return Actor(role=u.role, label=f"{role_label} {u.display_name}", user_id=u.id, agency_id=u.agency_id)


def populate(
    session: Session, tree: DemoTree, calendar: WorkCalendar, today: date, n: int = 120, seed: int = 20251
) -> int:
    """Sample cases received over the last ~18 months, moved through the workflow by the demo users."""
    rng = random.Random(seed)
    clerk = _actor(tree.users["clerk"], "经办人")
    approver = _actor(tree.users["approver"], "负责人")
    agencies = [tree.civil_affairs, tree.government, tree.township]
    types = [t for t, _ in applicant_types()]
    choices = [o.key for o in outcomes() if not o.key.startswith("other.") and o.key != "unable.unclear"]
    start = date(today.year - 1, 1, 3)
    span = (today - start).days
    made = 0
    for _ in range(n):
        received = start + timedelta(days=rng.randrange(max(1, span)))
        agency = rng.choice(agencies)
        name = rng.choice(_NAMES)
        atype = "natural_person" if len(name) <= 3 else rng.choice(types[1:])
        channel = rng.choice(["online", "online", "in_person", "letter", "email", "fax"])
        try:
            app, _code = register_application(
                session,
                agency=agency,
                channel=channel,
                applicant_type=atype,
                applicant_name=name,
                description=f"申请公开{rng.choice(_TOPICS)}",
                received_on=received,
                actor=clerk,
                calendar=calendar,
                today=today,
                applicant_phone=f"139{rng.randrange(10**8):08d}",
                applicant_email=f"user{rng.randrange(10**6)}@example.com",
                delivery_form="电子文档",
                delivery_route="电子邮件",
            )
        except (WorkflowError, CalendarDataMissing):
            continue
        made += 1
        _advance(session, app, agency, rng, clerk, approver, calendar, today, choices)
    session.flush()
    return made


def _advance(
    session: Session,
    app: Application,
    agency: Agency,
    rng: random.Random,
    clerk: Actor,
    approver: Actor,
    calendar: WorkCalendar,
    today: date,
    choices: list[str],
) -> None:
    rules = effective_rules(agency)
    day = app.received_on

    def step(action: str, actor: Actor, gap: int, **params: object) -> bool:
        nonlocal day
        try:
            nxt = calendar.add_working_days(day, gap)
        except CalendarDataMissing:
            return False
        if nxt > today:
            return False
        try:
            apply_action(
                session,
                app,
                action,
                actor,
                on=nxt,
                today=today,
                calendar=calendar,
                rules=rules,
                params=dict(params),
                agency_name=agency.name,
            )
        except (WorkflowError, CalendarDataMissing):
            return False
        day = nxt
        return True

    r = rng.random()
    if r < 0.15:
        if not step("request_correction", clerk, 3, note="请补充所需信息的文号或形成时间。"):
            return
        if rng.random() < 0.3:
            step("lapse_correction", clerk, rules.correction_reply_days + 1)
            return
        if not step("receive_correction", clerk, 5, text="补正：所需信息为2024年度的相关文件。"):
            return
    elif r < 0.25:
        if not step("start_consultation", clerk, 2, party="相关第三方企业", note="涉及第三方商业信息"):
            return
        if not step("end_consultation", clerk, 8, note="第三方不同意公开"):
            return
    if rng.random() < 0.15 and not step(
        "approve_extension", approver, 15, days=15, reason="申请内容复杂，需要检索大量档案"
    ):
        return
    key = rng.choice(choices)
    if not step("draft_reply", clerk, rng.randrange(2, 8), outcome=key, details="具体情况详见附件。"):
        return
    if not step("sign_reply", approver, 1):
        return
    step("close", clerk, 1, note="已通过电子邮件送达")


def populate_reviews(session: Session, tree: DemoTree, today: date) -> None:
    now = datetime.now(UTC)
    y = today.year - 1
    specs = [
        ("review", date(y, 3, 2), date(y, 5, 8), "upheld"),
        ("review", date(y, 9, 10), date(y, 11, 20), "corrected"),
        ("review", date(y, 12, 5), None, None),
        ("litigation_direct", date(y, 6, 1), None, None),
        ("litigation_after_review", date(y, 7, 1), date(y, 10, 9), "upheld"),
    ]
    for kind, filed, decided, result in specs:
        session.add(
            ReviewCase(
                agency_id=tree.civil_affairs.id,
                kind=kind,
                case_number=f"示复〔{y}〕{filed.month}号",
                filed_on=filed,
                decided_on=decided,
                result=result,
                note="",
                created_at=now,
            )
        )
    session.flush()


def populate_catalogue(session: Session, tree: DemoTree, calendar: WorkCalendar, today: date) -> None:
    rules = effective_rules(tree.civil_affairs)
    y = today.year - 1
    items = [
        ("示例市最低生活保障办法", "示政规〔{y}〕1号", date(y, 2, 10), date(y, 2, 20), "art20_1.normative_docs"),
        ("示例市养老服务补贴管理规定", "示民规〔{y}〕2号", date(y, 4, 1), date(y, 5, 20), "art20_1.normative_docs"),
        ("示例市社会救助实施细则", "示政令第3号", date(y, 6, 3), date(y, 6, 10), "art20_1.regulations"),
        ("示例市民政局2025年部门预算", "", date(y, 3, 1), date(y, 3, 5), "7"),
        ("示例市民政局机构职能", "", date(y, 1, 5), date(y, 1, 8), "2"),
        ("殡葬服务收费标准", "示发改〔{y}〕8号", date(y, 8, 1), date(y, 8, 6), "art20_8.fees"),
    ]
    for title, num, made, pub, art in items:
        try:
            add_item(
                session,
                tree.civil_affairs,
                title=title,
                made_on=made,
                published_on=pub,
                calendar=calendar,
                rules=rules,
                doc_number=num.format(y=y),
                category="政策文件",
                channels=["website", "wechat"],
                art20_item=art,
                summary=f"{title}全文。",
            )
        except CalendarDataMissing:
            continue
    session.flush()


def build_demo(session: Session, calendar: WorkCalendar, today: date, n: int = 120) -> DemoTree:
    existing = session.scalar(select(Agency).where(Agency.name == "示例市人民政府"))
    if existing is not None:
        raise WorkflowError("数据库中已有示例数据")
    tree = create_tree(session)
    populate(session, tree, calendar, today, n)
    populate_reviews(session, tree, today)
    populate_catalogue(session, tree, calendar, today)
    publish_demo_report(session, tree, today)
    return tree


def publish_demo_report(session: Session, tree: DemoTree, today: date) -> AnnualReport:
    """Last year's annual report of the demo 民政局, computed from its ledger and published on the portal (by
    20 January, or today if that is earlier), so the demo shows the whole loop."""
    from xxgk.casework.annual_report import build_report, report_format

    session.flush()
    year = today.year - 1
    published = min(today, date(today.year, 1, 20))
    keys = set(report_format(year).keys)
    manual = {k: v for k, v in DEMO_TABLE_TWO.items() if k in keys}  # the cells a clerk enters by hand
    report = build_report(session, tree.civil_affairs, year, published=published, manual=manual)
    row = AnnualReport(
        agency_id=tree.civil_affairs.id,
        year=year,
        consolidated=False,
        narrative=dict(report.narrative),
        manual_values=manual,
        values=dict(report.values),
        status="published",
        published_on=published,
        updated_at=datetime.now(UTC),
    )
    session.add(row)
    return row
