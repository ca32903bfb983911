"""The casework ledger: agencies, users, applications with their append-only event trail, the proactive
catalogue, review/litigation cases, the holiday table, annual reports and outgoing notices.

SQLAlchemy 2 declarative models; the schema is created by the Alembic migrations in ``migrations/``.
Events are append-only: an ORM update or delete of an :class:`Event` raises.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Mapper, mapped_column, relationship

__all__ = [
    "ROLES",
    "STATES",
    "Agency",
    "AnnualReport",
    "Application",
    "Attachment",
    "Base",
    "CalendarDay",
    "CalendarYear",
    "CatalogueItem",
    "Event",
    "Notice",
    "ReviewCase",
    "User",
]

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ROLES: dict[str, str] = {
    "clerk": "经办人（登记、办理）",
    "approver": "负责人（延期审批、签发）",
    "admin": "管理员（本机关设置）",
    "supervisor": "政务公开办（下级机关只读、汇总报告）",
}

STATES: dict[str, str] = {
    "registered": "办理中",
    "awaiting_correction": "待补正",
    "consulting": "征求意见中",
    "awaiting_fee": "待缴费",
    "awaiting_signature": "待签发",
    "answered": "已答复",
    "closed": "已办结",
}

CHANNELS: dict[str, str] = {
    "in_person": "当面",
    "letter": "信函/邮寄",
    "fax": "传真",
    "online": "网络",
    "email": "电子邮件",
}

AGENCY_KINDS: dict[str, str] = {
    "government": "人民政府",
    "department": "政府部门",
    "township": "乡镇（街道）",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Agency(Base):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    code: Mapped[str] = mapped_column(String(18), unique=True)  # 统一社会信用代码
    kind: Mapped[str] = mapped_column(String(20), default="department")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    office_address: Mapped[str] = mapped_column(String(300), default="")
    office_hours: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    fax: Mapped[str] = mapped_column(String(50), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    guide: Mapped[str] = mapped_column(Text, default="")  # 政府信息公开指南 (free text part)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # rule overrides (DeadlineRules)

    parent: Mapped[Agency | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Agency]] = relationship(back_populates="parent")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    email: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    agency: Mapped[Agency] = relationship()


class Application(Base):
    __tablename__ = "applications"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    number: Mapped[str | None] = mapped_column(String(40), unique=True)
    query_salt: Mapped[str] = mapped_column(String(32), default="")
    query_hash: Mapped[str] = mapped_column(String(64), default="")
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    channel: Mapped[str] = mapped_column(String(20))
    applicant_type: Mapped[str] = mapped_column(String(20))  # a table-三 column id
    applicant_name: Mapped[str] = mapped_column(String(200))
    applicant_id_type: Mapped[str] = mapped_column(String(40), default="")
    applicant_id_number: Mapped[str] = mapped_column(String(64), default="")
    applicant_phone: Mapped[str] = mapped_column(String(50), default="")
    applicant_email: Mapped[str] = mapped_column(String(200), default="")
    applicant_address: Mapped[str] = mapped_column(String(300), default="")
    contact_person: Mapped[str] = mapped_column(String(100), default="")
    description: Mapped[str] = mapped_column(Text)  # the information asked for
    document_number: Mapped[str] = mapped_column(String(200), default="")  # 文号 if known
    delivery_form: Mapped[str] = mapped_column(String(40), default="")  # 纸质 / 电子
    delivery_route: Mapped[str] = mapped_column(String(40), default="")  # 邮寄 / 电子邮件 / 自行领取 / 网上
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    received_on: Mapped[date] = mapped_column(Date)  # Art. 31 receipt date
    state: Mapped[str] = mapped_column(String(30), default="registered")
    clock_start: Mapped[date] = mapped_column(Date)
    extension_days: Mapped[int] = mapped_column(Integer, default=0)
    due_date: Mapped[date | None] = mapped_column(Date)
    correction_due: Mapped[date | None] = mapped_column(Date)
    fee_due: Mapped[date | None] = mapped_column(Date)
    fee_amount: Mapped[int] = mapped_column(Integer, default=0)  # 元
    fee_paid: Mapped[int] = mapped_column(Integer, default=0)  # 元
    outcome: Mapped[str | None] = mapped_column(String(40))  # outcome key (table-三 row without prefix)
    outcome_note: Mapped[str] = mapped_column(Text, default="")
    reply_text: Mapped[str] = mapped_column(Text, default="")
    reply_number: Mapped[str] = mapped_column(String(60), default="")
    result_date: Mapped[date | None] = mapped_column(Date)  # answered / lapsed: the year it counts in
    closed_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)

    agency: Mapped[Agency] = relationship()
    events: Mapped[list[Event]] = relationship(
        back_populates="application", order_by="Event.seq", cascade="save-update, merge"
    )
    attachments: Mapped[list[Attachment]] = relationship(back_populates="application")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    __table_args__ = (
        Index("ix_applications_agency_received", "agency_id", "received_on"),
        Index("ix_applications_agency_result", "agency_id", "result_date"),
        Index("ix_applications_agency_state_due", "agency_id", "state", "due_date"),
    )


class Event(Base):
    """One step of a case: who, when, what. Append-only."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    application_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), ForeignKey("applications.id"), index=True
    )
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(40))
    on_date: Mapped[date] = mapped_column(Date)  # the legal date of the step
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_label: Mapped[str] = mapped_column(String(100))  # "经办人 张三" / "申请人" / "系统"
    state_after: Mapped[str] = mapped_column(String(30))
    public: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    application: Mapped[Application] = relationship(back_populates="events")

    __table_args__ = (UniqueConstraint("application_id", "seq", name="uq_events_application_seq"),)


@event.listens_for(Event, "before_update")
def _no_event_update(mapper: Mapper[Any], connection: Any, target: Event) -> None:
    raise PermissionError("办理记录只能追加，不能修改")


@event.listens_for(Event, "before_delete")
def _no_event_delete(mapper: Mapper[Any], connection: Any, target: Event) -> None:
    raise PermissionError("办理记录只能追加，不能删除")


class Attachment(Base):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), ForeignKey("applications.id"), index=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    application: Mapped[Application] = relationship(back_populates="attachments")


class CatalogueItem(Base):
    """An item of the 政府信息公开目录 (proactive disclosure)."""

    __tablename__ = "catalogue_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    index_number: Mapped[str] = mapped_column(String(60), unique=True)  # 索引号 code/year-serial
    year: Mapped[int] = mapped_column(Integer)
    serial: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    doc_number: Mapped[str] = mapped_column(String(100), default="")  # 文号
    made_on: Mapped[date] = mapped_column(Date)  # 成文日期 (formed or changed)
    published_on: Mapped[date] = mapped_column(Date)  # 发布日期
    repealed_on: Mapped[date | None] = mapped_column(Date)
    category: Mapped[str] = mapped_column(String(100), default="")
    channels: Mapped[list[Any]] = mapped_column(JSON, default=list)
    art20_item: Mapped[str] = mapped_column(String(60), default="")  # "1".."15" or a table-二 row key
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    late: Mapped[bool | None] = mapped_column(Boolean)  # Art. 26: True late, False on time, None undecided
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    agency: Mapped[Agency] = relationship()

    __table_args__ = (UniqueConstraint("agency_id", "year", "serial", name="uq_catalogue_agency_year_serial"),)


class ReviewCase(Base):
    """An administrative review (行政复议) or lawsuit (行政诉讼) about disclosure, for table 四."""

    __tablename__ = "review_cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))  # review | litigation_direct | litigation_after_review
    application_id: Mapped[int | None] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), ForeignKey("applications.id")
    )
    case_number: Mapped[str] = mapped_column(String(100), default="")
    filed_on: Mapped[date] = mapped_column(Date)
    decided_on: Mapped[date | None] = mapped_column(Date)
    result: Mapped[str | None] = mapped_column(String(20))  # upheld | corrected | other
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CalendarDay(Base):
    """The holiday table: holidays and 调休 working days (seeded from chinesecalendar, extended by admins)."""

    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    workday: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str] = mapped_column(String(100), default="")
    source: Mapped[str] = mapped_column(String(20), default="seed")  # seed | admin


class CalendarYear(Base):
    """A year the holiday table knows completely (seeded or confirmed by an admin)."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(String(20), default="seed")
    note: Mapped[str] = mapped_column(String(300), default="")


class AnnualReport(Base):
    __tablename__ = "annual_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    consolidated: Mapped[bool] = mapped_column(Boolean, default=False)
    narrative: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    manual_values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # table 二 cells entered
    values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # frozen at publication
    status: Mapped[str] = mapped_column(String(20), default="draft")  # draft | published
    published_on: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    agency: Mapped[Agency] = relationship()

    __table_args__ = (UniqueConstraint("agency_id", "year", "consolidated", name="uq_annual_reports_agency_year"),)


class Notice(Base):
    """An outgoing message (reminder e-mail, notice to an applicant) and how it was sent."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int | None] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), ForeignKey("applications.id"), index=True
    )
    recipient: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(40))
    backend: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))  # sent | failed
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    on_date: Mapped[date] = mapped_column(Date)
