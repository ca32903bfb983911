"""Outgoing mail: notices to applicants and deadline reminders to staff.

The backend is the console by default (messages are logged, nothing leaves the machine); SMTP is configured
with ``XXGK_SMTP_HOST`` / ``XXGK_SMTP_PORT`` / ``XXGK_SMTP_USER`` / ``XXGK_SMTP_PASSWORD`` /
``XXGK_SMTP_FROM`` / ``XXGK_SMTP_STARTTLS``. Personal data is masked in the log lines.
"""

from __future__ import annotations

import logging
import os
import smtplib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.message import EmailMessage
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from xxgk.casework.calendar import CalendarDataMissing, WorkCalendar
from xxgk.casework.models import Agency, Application, Notice, User
from xxgk.casework.security import mask_email

__all__ = ["ConsoleBackend", "MailBackend", "SmtpBackend", "backend_from_env", "deliver_pending", "queue_reminders"]

log = logging.getLogger("xxgk.casework.mail")
OPEN = ("registered", "awaiting_correction", "consulting", "awaiting_fee", "awaiting_signature")


class MailBackend(Protocol):
    name: str

    def send(self, to: str, subject: str, body: str) -> None: ...


class ConsoleBackend:
    name = "console"

    def __init__(self) -> None:
        self.outbox: list[tuple[str, str, str]] = []

    def send(self, to: str, subject: str, body: str) -> None:
        self.outbox.append((to, subject, body))
        log.info("邮件（控制台）→ %s：%s", mask_email(to), subject)


@dataclass
class SmtpBackend:
    host: str
    port: int = 25
    user: str = ""
    password: str = ""
    sender: str = "xxgk@localhost"
    starttls: bool = False
    name: str = "smtp"

    def send(self, to: str, subject: str, body: str) -> None:
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = to
        msg["Subject"] = subject
        msg.set_content(body)
        with smtplib.SMTP(self.host, self.port, timeout=20) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.user:
                smtp.login(self.user, self.password)
            smtp.send_message(msg)


def backend_from_env() -> MailBackend:
    host = os.environ.get("XXGK_SMTP_HOST")
    if not host:
        return ConsoleBackend()
    return SmtpBackend(
        host=host,
        port=int(os.environ.get("XXGK_SMTP_PORT", "25")),
        user=os.environ.get("XXGK_SMTP_USER", ""),
        password=os.environ.get("XXGK_SMTP_PASSWORD", ""),
        sender=os.environ.get("XXGK_SMTP_FROM", "xxgk@localhost"),
        starttls=os.environ.get("XXGK_SMTP_STARTTLS", "") in ("1", "true", "yes"),
    )


def deliver_pending(session: Session, backend: MailBackend, limit: int = 200) -> int:
    """Send queued notices; failures are recorded on the notice, never raised."""
    sent = 0
    for n in session.scalars(select(Notice).where(Notice.status == "queued").order_by(Notice.id).limit(limit)):
        try:
            backend.send(n.recipient, n.subject, n.body)
            n.status, n.backend = "sent", backend.name
            sent += 1
        except (OSError, smtplib.SMTPException) as exc:
            n.status, n.backend, n.error = "failed", backend.name, str(exc)[:500]
    session.commit()
    return sent


def queue_reminders(session: Session, today: date, calendar: WorkCalendar, due_soon_days: int | None = None) -> int:
    """Queue one reminder per open case that is overdue or due soon, to every clerk and approver of its agency
    with an e-mail address (at most once per case and day). "Due soon" is within the ``due_soon_days`` rule of
    the case's agency (its effective rules, inherited from its parents), or within ``due_soon_days`` working
    days for every agency when given."""
    from xxgk.casework.workflow import effective_rules

    def horizon_for(days: int) -> date:
        try:
            return calendar.add_working_days(today, days)
        except CalendarDataMissing:
            return today

    horizons: dict[int, date] = {}
    for agency in session.scalars(select(Agency)):
        days = due_soon_days if due_soon_days is not None else effective_rules(agency).due_soon_days
        horizons[agency.id] = horizon_for(days)
    if not horizons:
        return 0
    candidates = session.scalars(
        select(Application).where(
            Application.state.in_(OPEN), Application.due_date.is_not(None),
            Application.due_date <= max(horizons.values()),
        ).order_by(Application.id)
    ).all()
    apps = [a for a in candidates if a.due_date is not None and a.due_date <= horizons.get(a.agency_id, today)]
    already = {
        (n.application_id, n.recipient)
        for n in session.scalars(select(Notice).where(Notice.kind == "期限提醒", Notice.on_date == today))
    }
    staff: dict[int, list[User]] = {}
    count = 0
    for app in apps:
        users = staff.setdefault(
            app.agency_id,
            list(session.scalars(select(User).where(User.agency_id == app.agency_id, User.active.is_(True),
                                                    User.role.in_(["clerk", "approver"])))),
        )
        assert app.due_date is not None
        overdue = app.due_date < today
        for u in users:
            if not u.email or (app.id, u.email) in already:
                continue
            session.add(Notice(
                application_id=app.id, recipient=u.email,
                subject=f"{'【已超期】' if overdue else '【即将到期】'}依申请公开 {app.number} "
                f"答复期限 {app.due_date.isoformat()}",
                body=f"申请编号 {app.number}，当前状态：{app.state}，"
                f"答复期限：{app.due_date.isoformat()}。请及时办理。",
                kind="期限提醒", backend="pending", status="queued", created_at=datetime.now(UTC), on_date=today,
            ))
            count += 1
    session.flush()
    return count
