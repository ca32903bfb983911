"""Schema migrations match the models; reminders; identifiers; masking; the outcome list comes from the format."""

from __future__ import annotations

from datetime import date

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from xxgk.casework.calendar import WorkCalendar
from xxgk.casework.codes import index_number, parse_index_number, uscc_check_char, valid_uscc
from xxgk.casework.demo import create_tree
from xxgk.casework.models import Base, Notice
from xxgk.casework.notify import ConsoleBackend, deliver_pending, queue_reminders
from xxgk.casework.outcomes import applicant_types, outcomes
from xxgk.casework.security import mask_email, mask_id_number, mask_name, mask_phone
from xxgk.casework.workflow import Actor, register_application
from xxgk.formats import get_format


def test_migrations_match_models(engine: Engine) -> None:
    with engine.connect() as c:
        assert compare_metadata(MigrationContext.configure(c), Base.metadata) == []


def test_outcomes_and_types_come_from_the_format() -> None:
    table = get_format("2021").table("applications")
    result_rows = [r.key for r in table.rows
                   if r.parent and not r.optional and not r.key.endswith("results_total")]
    assert [o.row_key for o in outcomes()] == result_rows
    assert [t for t, _ in applicant_types()] == [c.id for c in table.columns if c.id != "total"]
    assert all(o.basis and o.reply for o in outcomes())


def test_reminders_queued_once_and_delivered(engine: Engine) -> None:
    cal = WorkCalendar.seeded()
    with Session(engine) as s:
        tree = create_tree(s, password_hash=lambda _p: "x")
        register_application(s, agency=tree.civil_affairs, channel="email", applicant_type="natural_person",
                             applicant_name="张三", description="x", received_on=date(2025, 3, 3),
                             actor=Actor("clerk", "经办人"), calendar=cal, today=date(2025, 4, 30),
                             applicant_email="z@example.com")
        s.commit()
        n = queue_reminders(s, date(2025, 4, 30), cal)
        assert n == 2  # clerk and approver of the agency; the case is overdue
        assert queue_reminders(s, date(2025, 4, 30), cal) == 0
        backend = ConsoleBackend()
        assert deliver_pending(s, backend) == 2
        assert all("已超期" in subject for _, subject, _ in backend.outbox)
        assert s.scalars(select(Notice).where(Notice.status == "sent")).all()


def test_identifiers() -> None:
    base = "91350100M000100Y4"[:17]
    code = base + uscc_check_char(base)
    assert valid_uscc(code) and not valid_uscc(code[:17] + ("0" if code[17] != "0" else "1"))
    assert not valid_uscc("123")
    idx = index_number(code, 2025, 7)
    assert parse_index_number(idx) == (code, 2025, 7)
    assert parse_index_number("garbage") is None


def test_masking() -> None:
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_name("示例科技有限公司北京分公司") == "示例科技有限公司北京分公司"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_id_number("330802199001011234") == "330***********1234"
    assert mask_email("wxm@example.com") == "w***@example.com"


def test_demo_publishes_last_years_report_from_its_ledger(sqlite_engine: Engine) -> None:
    """The demo shows the whole loop: last year's 民政局 report, computed from the ledger, is published, passes
    the audit without an arithmetic error, and is listed on the portal."""
    from fastapi.testclient import TestClient

    from xxgk.audit import audit
    from xxgk.casework.demo import build_demo
    from xxgk.casework.models import AnnualReport
    from xxgk.casework.web.app import create_app
    from xxgk.casework.web.deps import AppConfig
    from xxgk.casework.web.reports import report_from_row
    from xxgk.findings import Category

    today = date(2025, 6, 30)
    with Session(sqlite_engine) as s:
        tree = build_demo(s, WorkCalendar.seeded(), today, n=60)
        s.commit()
        (row,) = s.scalars(select(AnnualReport)).all()
        assert (row.agency_id, row.year, row.status) == (tree.civil_affairs.id, 2024, "published")
        assert row.published_on == date(2025, 1, 20)
        assert row.values["applications.new.total"] > 0
        assert row.values["art20_5.licensing.decisions"] == row.manual_values["art20_5.licensing.decisions"] == 46
        report = report_from_row(row, tree.civil_affairs)
        findings = audit(report)
        assert not [f for f in findings if f.category in (Category.ARITHMETIC, Category.COMPLETENESS)], findings
    app = create_app(AppConfig(database_url=str(sqlite_engine.url), today=lambda: today))
    home = TestClient(app).get("/")
    assert "2024" in home.text and "暂无已发布的年度报告" not in home.text
