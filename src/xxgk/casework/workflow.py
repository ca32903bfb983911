"""The 依申请公开 state machine: registration, 补正, consultation, extension, fee notice, reply and closing.

Every step appends an :class:`Event` (who, when, what) and recomputes the deadline from the whole trail, so
the stored due date can always be re-derived. States and transitions::

    registered ──request_correction──▶ awaiting_correction ──receive_correction──▶ registered (clock restarts)
                                              └──lapse_correction──▶ closed  (其他处理：逾期不补正)
    registered ──start_consultation──▶ consulting ──end_consultation──▶ registered (time not counted)
    registered/consulting/awaiting_fee ──approve_extension (负责人, once, ≤ 20 WD)──▶ same state
    registered ──fee_notice──▶ awaiting_fee ──fee_paid──▶ registered │ ──fee_lapsed──▶ closed (逾期未缴费)
    registered ──draft_reply──▶ awaiting_signature ──sign_reply (负责人)──▶ answered ──close──▶ closed
                                         └──return_reply──▶ registered
    any open state ──withdraw──▶ closed (其他处理：其他)

A case counts in the annual report of the year of its ``result_date`` (signing or lapse); a case with no
result on 31 December is carried forward.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from jinja2 import Environment
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from xxgk.casework.calendar import CalendarDataMissing, WorkCalendar
from xxgk.casework.deadlines import Clock, Deadline, DeadlineRules, Pause, compute_deadline
from xxgk.casework.models import CHANNELS, STATES, Agency, Application, Event, Notice
from xxgk.casework.outcomes import applicant_types, outcome, outcomes
from xxgk.casework.security import hash_query_code, new_query_code, new_secret

__all__ = [
    "ACTIONS",
    "OPEN_STATES",
    "Actor",
    "WorkflowError",
    "apply_action",
    "clock_of",
    "deadline_of",
    "effective_rules",
    "no_due_date_reason",
    "recompute_open_cases",
    "register_application",
    "render_reply",
]

OPEN_STATES = ("registered", "awaiting_correction", "consulting", "awaiting_fee", "awaiting_signature")
HANDLERS = frozenset({"clerk", "approver"})
APPROVERS = frozenset({"approver"})

RECEIPT_BASIS = {
    "in_person": "当面提交之日（《条例》第三十一条第（一）项）",
    "letter": "签收之日或与申请人确认之日（《条例》第三十一条第（二）项）",
    "fax": "双方确认之日（《条例》第三十一条第（三）项）",
    "online": "双方确认之日（《条例》第三十一条第（三）项；系统即时回执确认）",
    "email": "双方确认之日（《条例》第三十一条第（三）项）",
}


class WorkflowError(ValueError):
    """A step that the rules do not allow; the message (Chinese) is shown to the user."""


@dataclass(frozen=True, slots=True)
class Actor:
    role: str  # clerk | approver | admin | supervisor | public | system
    label: str
    user_id: int | None = None
    agency_id: int | None = None


@dataclass(frozen=True, slots=True)
class ActionSpec:
    label: str
    from_states: tuple[str, ...]
    roles: frozenset[str]
    public: bool = True  # shown in the applicant's tracker


ACTIONS: dict[str, ActionSpec] = {
    "request_correction": ActionSpec("告知补正", ("registered",), HANDLERS),
    "receive_correction": ActionSpec("收到补正", ("awaiting_correction",), HANDLERS | {"public"}),
    "lapse_correction": ActionSpec("逾期未补正", ("awaiting_correction",), HANDLERS),
    "start_consultation": ActionSpec("征求第三方/有关机关意见", ("registered",), HANDLERS),
    "end_consultation": ActionSpec("征求意见结束", ("consulting",), HANDLERS),
    "approve_extension": ActionSpec("延期答复（负责人同意）", ("registered", "consulting", "awaiting_fee"), APPROVERS),
    "fee_notice": ActionSpec("发出收费通知", ("registered",), HANDLERS),
    "fee_paid": ActionSpec("已缴费", ("awaiting_fee",), HANDLERS),
    "fee_lapsed": ActionSpec("逾期未缴费", ("awaiting_fee",), HANDLERS),
    "draft_reply": ActionSpec("拟定答复", ("registered",), HANDLERS, public=False),
    "return_reply": ActionSpec("退回答复稿", ("awaiting_signature",), APPROVERS, public=False),
    "sign_reply": ActionSpec("签发答复", ("awaiting_signature",), APPROVERS),
    "close": ActionSpec("送达并办结", ("answered",), HANDLERS),
    "withdraw": ActionSpec("申请人撤回申请", OPEN_STATES, HANDLERS),
    "note": ActionSpec("内部备注", (*OPEN_STATES, "answered", "closed"), HANDLERS, public=False),
}

EVENT_LABELS = {
    "registered": "登记受理",
    "correction_requested": "告知补正",
    "correction_received": "收到补正",
    "correction_lapsed": "逾期未补正，视为放弃申请",
    "consultation_started": "征求第三方/有关机关意见（期间不计入答复期限）",
    "consultation_ended": "征求意见结束",
    "extension_approved": "延期答复",
    "fee_notice_sent": "发出收费通知",
    "fee_paid": "已缴纳信息处理费",
    "fee_lapsed": "逾期未缴费，视为放弃申请",
    "reply_drafted": "拟定答复",
    "reply_returned": "答复稿退回修改",
    "reply_signed": "作出答复",
    "closed": "送达并办结",
    "withdrawn": "申请人撤回申请",
    "note": "内部备注",
}


def effective_rules(agency: Agency | None) -> DeadlineRules:
    """Default rules overridden by the settings of the agency's ancestors, then of the agency itself."""
    chain: list[Agency] = []
    a = agency
    seen: set[int] = set()
    while a is not None and a.id not in seen:
        seen.add(a.id)
        chain.append(a)
        a = a.parent
    rules = DeadlineRules()
    for ag in reversed(chain):
        overrides = (ag.settings or {}).get("rules")
        if overrides:
            rules = DeadlineRules.from_json(overrides, rules)
    return rules


class RulesByAgency:
    """:func:`effective_rules` of each agency, worked out once: for sweeps over many rows of few agencies."""

    def __init__(self) -> None:
        self._rules: dict[int, DeadlineRules] = {}

    def __call__(self, agency: Agency) -> DeadlineRules:
        rules = self._rules.get(agency.id)
        if rules is None:
            rules = self._rules[agency.id] = effective_rules(agency)
        return rules


def _now() -> datetime:
    return datetime.now(UTC)


def _text(value: Any, label: str, *, required: bool = True, max_len: int = 2000) -> str:
    if value is not None and not isinstance(value, str | int | float):
        raise WorkflowError(f"{label}应为文字")
    s = "" if value is None else str(value).strip()
    if required and not s:
        raise WorkflowError(f"请填写{label}")
    if len(s) > max_len:
        raise WorkflowError(f"{label}过长（最多 {max_len} 字）")
    return s


def _int(value: Any, label: str, default: int) -> int:
    """A whole number from form or API input (``default`` when empty); anything else is a WorkflowError."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    if isinstance(value, bool):
        raise WorkflowError(f"{label}必须是整数")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    s = str(value).strip() if isinstance(value, str) else ""
    if s.isascii() and re.fullmatch(r"[+-]?[0-9]{1,9}", s):
        return int(s)
    raise WorkflowError(f"{label}必须是整数")


_PHONE = re.compile(r"^[0-9+\-() ]{5,30}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def register_application(
    session: Session,
    *,
    agency: Agency,
    channel: str,
    applicant_type: str,
    applicant_name: str,
    description: str,
    received_on: date,
    actor: Actor,
    calendar: WorkCalendar,
    today: date,
    applicant_id_type: str = "",
    applicant_id_number: str = "",
    applicant_phone: str = "",
    applicant_email: str = "",
    applicant_address: str = "",
    contact_person: str = "",
    document_number: str = "",
    delivery_form: str = "",
    delivery_route: str = "",
) -> tuple[Application, str]:
    """Register a new application; returns it and the applicant's private query code (shown once)."""
    if channel not in CHANNELS:
        raise WorkflowError(f"未知的申请渠道：{channel}")
    types = dict(applicant_types())
    if applicant_type not in types:
        raise WorkflowError(f"未知的申请人类型：{applicant_type}")
    name = _text(applicant_name, "申请人姓名或名称", max_len=200)
    desc = _text(description, "所需政府信息的名称、文号或便于查询的其他特征性描述", max_len=5000)
    phone = _text(applicant_phone, "联系电话", required=False, max_len=30)
    email = _text(applicant_email, "电子邮箱", required=False, max_len=200)
    address = _text(applicant_address, "通信地址", required=False, max_len=300)
    if phone and not _PHONE.match(phone):
        raise WorkflowError("联系电话格式不正确")
    if email and not _EMAIL.match(email):
        raise WorkflowError("电子邮箱格式不正确")
    if not (phone or email or address):
        raise WorkflowError("请至少填写一种联系方式（电话、电子邮箱或通信地址）")
    if received_on > today:
        raise WorkflowError("收到申请日期不能晚于今天")
    if received_on.year < 2008:
        raise WorkflowError("收到申请日期无效")
    code = new_query_code()
    salt = new_secret()[:16]
    app = Application(
        agency_id=agency.id,
        channel=channel,
        applicant_type=applicant_type,
        applicant_name=name,
        applicant_id_type=_text(applicant_id_type, "证件类型", required=False, max_len=40),
        applicant_id_number=_text(applicant_id_number, "证件号码", required=False, max_len=64),
        applicant_phone=phone,
        applicant_email=email,
        applicant_address=address,
        contact_person=_text(contact_person, "联系人", required=False, max_len=100),
        description=desc,
        document_number=_text(document_number, "文号", required=False, max_len=200),
        delivery_form=_text(delivery_form, "提供形式", required=False, max_len=40),
        delivery_route=_text(delivery_route, "获取方式", required=False, max_len=40),
        submitted_at=_now(),
        received_on=received_on,
        state="registered",
        clock_start=received_on,
        extension_days=0,
        query_salt=salt,
        query_hash=hash_query_code(code, salt),
        created_at=_now(),
    )
    session.add(app)
    session.flush()
    app.number = f"YSQ{received_on.year}{app.id:08d}"
    _append(
        session,
        app,
        "registered",
        actor,
        received_on,
        data={"channel": channel, "receipt_basis": RECEIPT_BASIS[channel]},
    )
    _recompute(app, calendar, effective_rules(agency))
    session.flush()
    return app, code


def _append(
    session: Session,
    app: Application,
    kind: str,
    actor: Actor,
    on: date,
    *,
    note: str = "",
    data: dict[str, Any] | None = None,
    public: bool = True,
) -> Event:
    seq = max((e.seq for e in app.events), default=0) + 1
    ev = Event(
        application_id=app.id,
        seq=seq,
        kind=kind,
        on_date=on,
        recorded_at=_now(),
        actor_id=actor.user_id,
        actor_label=actor.label,
        state_after=app.state,
        public=public,
        note=note,
        data=dict(data or {}),
    )
    session.add(ev)
    app.events.append(ev)
    return ev


def clock_of(app: Application, events: list[Event] | None = None) -> Clock:
    """The deadline inputs, re-derived from the event trail."""
    evs = sorted(events if events is not None else app.events, key=lambda e: e.seq)
    restart: date | None = None
    pauses: list[Pause] = []
    open_pause: tuple[date, str] | None = None
    extension = 0
    for e in evs:
        if e.kind == "correction_received":
            restart = e.on_date
        elif e.kind in ("consultation_started",) or (e.kind == "fee_notice_sent" and e.data.get("pauses")):
            open_pause = (e.on_date, e.kind)
        elif e.kind in ("consultation_ended", "fee_paid") and open_pause is not None:
            pauses.append(Pause(open_pause[0], e.on_date, open_pause[1]))
            open_pause = None
        elif e.kind == "extension_approved":
            extension += int(e.data.get("days", 0))
    if open_pause is not None and app.state in ("consulting", "awaiting_fee"):
        pauses.append(Pause(open_pause[0], None, open_pause[1]))
    return Clock(
        receipt=app.received_on,
        restart=restart,
        stopped=app.state == "awaiting_correction",
        extension_days=extension,
        pauses=tuple(pauses),
    )


def deadline_of(app: Application, calendar: WorkCalendar, rules: DeadlineRules) -> Deadline | None:
    """The case's deadline, or None when the holiday table lacks a year it runs into."""
    try:
        return compute_deadline(clock_of(app), calendar, rules)
    except CalendarDataMissing:
        return None


def _recompute(app: Application, calendar: WorkCalendar, rules: DeadlineRules) -> None:
    clock = clock_of(app)
    app.extension_days = clock.extension_days
    app.clock_start = clock.restart or clock.receipt
    if app.state not in OPEN_STATES:
        return
    try:
        dl = compute_deadline(clock, calendar, rules)
    except CalendarDataMissing:
        app.due_date = None
        return
    app.due_date = dl.due


def recompute_open_cases(
    session: Session, calendar: WorkCalendar, agency_ids: Collection[int] | None = None
) -> int:
    """Recompute the stored dates of the open cases (of ``agency_ids``, default all) from their trails, after the
    holiday table or the rules changed; returns the number of cases whose dates changed.

    The answer deadline follows the current table and rules. A 补正 or payment date already notified to the
    applicant is kept; one left undetermined for lack of holiday data is filled in now.
    """
    stmt = (
        select(Application)
        .where(Application.state.in_(OPEN_STATES))
        .options(selectinload(Application.events))
        .order_by(Application.id)
    )
    if agency_ids is not None:
        stmt = stmt.where(Application.agency_id.in_(list(agency_ids)))
    rules_of = RulesByAgency()
    changed = 0
    for app in session.scalars(stmt):
        rules = rules_of(app.agency)
        before = (app.due_date, app.correction_due, app.fee_due)
        _recompute(app, calendar, rules)
        events = sorted(app.events, key=lambda e: e.seq)
        if app.state == "awaiting_correction" and app.correction_due is None:
            req = next((e for e in reversed(events) if e.kind == "correction_requested"), None)
            if req is not None:
                app.correction_due = _add_wd(calendar, req.on_date, int(req.data.get("days") or 0))
        if app.state == "awaiting_fee" and app.fee_due is None:
            fee = next((e for e in reversed(events) if e.kind == "fee_notice_sent"), None)
            if fee is not None:
                app.fee_due = _add_wd(calendar, fee.on_date, rules.fee_payment_days)
        if (app.due_date, app.correction_due, app.fee_due) != before:
            changed += 1
    session.flush()
    return changed


def no_due_date_reason(app: Application) -> str:
    """Why an open case has no stored due date: the clock is stopped or paused, or the holiday data is missing."""
    if app.state not in OPEN_STATES:
        return "—"
    if app.state == "awaiting_correction":
        return "补正期间，计时中止"
    if app.state == "consulting":
        return "征求意见期间，暂停计时"
    if app.state == "awaiting_fee":
        fee = next((e for e in sorted(app.events, key=lambda e: -e.seq) if e.kind == "fee_notice_sent"), None)
        if fee is not None and fee.data.get("pauses"):
            return "缴费期间，暂停计时"
    return "节假日数据缺失，无法计算"


def _add_wd(calendar: WorkCalendar, on: date, n: int) -> date | None:
    try:
        return calendar.add_working_days(on, n)
    except CalendarDataMissing:
        return None


def apply_action(
    session: Session,
    app: Application,
    action: str,
    actor: Actor,
    *,
    on: date,
    today: date,
    calendar: WorkCalendar,
    rules: DeadlineRules,
    params: dict[str, Any] | None = None,
    agency_name: str = "",
) -> Event:
    """Apply one step to a case; raises :class:`WorkflowError` when the step is not allowed."""
    p = dict(params or {})
    spec = ACTIONS.get(action)
    if spec is None:
        raise WorkflowError(f"未知的操作：{action}")
    if actor.role not in spec.roles:
        raise WorkflowError(f"您的角色无权执行“{spec.label}”")
    if app.state not in spec.from_states:
        raise WorkflowError(f"当前状态为“{STATES.get(app.state, app.state)}”，不能执行“{spec.label}”")
    if on > today:
        raise WorkflowError("办理日期不能晚于今天")
    last = max((e.on_date for e in app.events), default=app.received_on)
    if on < last:
        raise WorkflowError(f"办理日期不能早于上一步的日期（{last.isoformat()}）")
    kinds = {e.kind for e in app.events}
    note = _text(p.get("note"), "说明", required=False, max_len=5000)

    if action == "request_correction":
        if "correction_requested" in kinds:
            raise WorkflowError("补正应一次性告知（《条例》第三十条），本申请已告知过补正")
        note = _text(p.get("note"), "需要补正的事项", max_len=5000)
        days = _int(p.get("days"), "补正期限（工作日）", rules.correction_reply_days)
        if days < 1 or days > 60:
            raise WorkflowError("补正期限应在1至60个工作日之间")
        notice_limit = _add_wd(calendar, app.received_on, rules.correction_notice_days)
        app.state = "awaiting_correction"
        app.correction_due = _add_wd(calendar, on, days)
        ev = _append(
            session,
            app,
            "correction_requested",
            actor,
            on,
            note=note,
            data={
                "days": days,
                "correction_due": app.correction_due.isoformat() if app.correction_due else None,
                "late_notice": bool(notice_limit and on > notice_limit),
            },
        )
        _notify_applicant(session, app, "补正告知", f"请于{_fmt(app.correction_due)}前补正：{note}", on)
    elif action == "receive_correction":
        text = _text(p.get("text") or p.get("note"), "补正内容", max_len=5000)
        app.state = "registered"
        app.correction_due = None
        ev = _append(session, app, "correction_received", actor, on, note=text)
    elif action == "lapse_correction":
        if app.correction_due is not None and on <= app.correction_due:
            raise WorkflowError(f"补正期限（{app.correction_due.isoformat()}）尚未届满")
        ev = _finish(session, app, actor, on, "other.no_correction", "correction_lapsed", note)
    elif action == "start_consultation":
        party = _text(p.get("party"), "征求意见对象", max_len=200)
        app.state = "consulting"
        ev = _append(
            session,
            app,
            "consultation_started",
            actor,
            on,
            note=note,
            data={"party": party, "reply_due": _iso(_add_wd(calendar, on, rules.third_party_reply_days))},
        )
    elif action == "end_consultation":
        app.state = "registered"
        ev = _append(session, app, "consultation_ended", actor, on, note=note, data={"opinion": note})
    elif action == "approve_extension":
        if "extension_approved" in kinds:
            raise WorkflowError("本申请已经延期过一次，不能再次延期")
        maxd = rules.extension_max_for(app.received_on)
        days = _int(p.get("days"), "延期天数", maxd)
        if days < 1 or days > maxd:
            raise WorkflowError(f"延长期限最长不得超过{maxd}个工作日（《条例》第三十三条）")
        reason = _text(p.get("reason") or p.get("note"), "延期理由", max_len=2000)
        if app.due_date is not None and on > app.due_date:
            raise WorkflowError("答复期限已经届满，不能再批准延期")
        ev = _append(session, app, "extension_approved", actor, on, note=reason, data={"days": days})
        _recompute(app, calendar, rules)
        _notify_applicant(
            session,
            app,
            "延期答复告知书",
            f"因{reason}，经本机关政府信息公开工作机构负责人同意，答复期限延长{days}个工作日，"
            f"延长后的答复期限为{_fmt(app.due_date)}。",
            on,
        )
    elif action == "fee_notice":
        if "fee_notice_sent" in kinds:
            raise WorkflowError("本申请已发出过收费通知，同一申请只收取一次信息处理费")
        if on < rules.fee_rules_effective:
            raise WorkflowError(f"信息处理费办法自{rules.fee_rules_effective.isoformat()}起施行，此前不能收费")
        amount = _int(p.get("amount"), "收费金额（元）", 0)
        if amount <= 0 or amount > 1_000_000:
            raise WorkflowError("收费金额应为正整数（元）")
        method = str(p.get("method") or rules.fee_method_default)
        if method not in ("per_piece", "per_page"):
            raise WorkflowError("收费方式应为按件或按量")
        app.state = "awaiting_fee"
        app.fee_amount = amount
        app.fee_due = _add_wd(calendar, on, rules.fee_payment_days)
        ev = _append(
            session,
            app,
            "fee_notice_sent",
            actor,
            on,
            note=note,
            data={
                "amount": amount,
                "method": method,
                "pauses": rules.fee_notice_pauses_clock,
                "fee_due": _iso(app.fee_due),
            },
        )
        _notify_applicant(
            session,
            app,
            "收费通知",
            f"根据《政府信息公开信息处理费管理办法》，本申请需缴纳信息处理费{amount}元，请于{_fmt(app.fee_due)}前缴纳。",
            on,
        )
    elif action == "fee_paid":
        app.state = "registered"
        app.fee_paid = app.fee_amount
        app.fee_due = None
        ev = _append(session, app, "fee_paid", actor, on, note=note, data={"amount": app.fee_amount})
    elif action == "fee_lapsed":
        if app.fee_due is not None and on <= app.fee_due:
            raise WorkflowError(f"缴费期限（{app.fee_due.isoformat()}）尚未届满")
        ev = _finish(session, app, actor, on, "other.no_fee", "fee_lapsed", note)
    elif action == "draft_reply":
        key = str(p.get("outcome") or "")
        try:
            oc = outcome(key)
        except KeyError:
            raise WorkflowError("请选择法定的答复类型") from None
        if key in ("other.no_correction", "other.no_fee"):
            raise WorkflowError("逾期不补正、逾期未缴费请使用相应的办理操作")
        if key == "unable.unclear" and "correction_received" not in kinds:
            raise WorkflowError("“补正后申请内容仍不明确”只适用于已经补正的申请")
        details = _text(
            p.get("details") or p.get("note"), "答复正文（理由、获取方式等）", required=key != "granted", max_len=10000
        )
        app.state = "awaiting_signature"
        app.outcome = oc.key
        app.outcome_note = details
        app.reply_text = render_reply(app, agency_name, details, on)
        ev = _append(session, app, "reply_drafted", actor, on, note=details, data={"outcome": oc.key}, public=False)
    elif action == "return_reply":
        app.state = "registered"
        app.outcome = None
        ev = _append(session, app, "reply_returned", actor, on, note=note, public=False)
    elif action == "sign_reply":
        assert app.outcome is not None
        n = len([e for e in app.events if e.kind == "reply_signed"]) + 1
        app.reply_number = f"{on.year}依申请第{app.id}-{n}号"
        app.reply_text = render_reply(app, agency_name, app.outcome_note, on)
        app.state = "answered"
        app.result_date = on
        ev = _append(
            session,
            app,
            "reply_signed",
            actor,
            on,
            note=outcome(app.outcome).full_label,
            data={
                "outcome": app.outcome,
                "reply_number": app.reply_number,
                "on_time": app.due_date is None or on <= app.due_date,
            },
        )
    elif action == "close":
        app.state = "closed"
        app.closed_on = on
        ev = _append(session, app, "closed", actor, on, note=note or "答复书已送达")
    elif action == "withdraw":
        ev = _finish(
            session, app, actor, on, "other.other", "withdrawn", _text(p.get("note"), "撤回说明", max_len=2000)
        )
    elif action == "note":
        ev = _append(session, app, "note", actor, on, note=_text(p.get("note"), "备注内容"), public=False)
    else:  # pragma: no cover - every ACTIONS key is handled above
        raise WorkflowError(f"未实现的操作：{action}")
    _recompute(app, calendar, rules)
    ev.state_after = app.state
    session.flush()
    return ev


def _finish(session: Session, app: Application, actor: Actor, on: date, key: str, kind: str, note: str) -> Event:
    oc = outcome(key)
    app.state = "closed"
    app.outcome = oc.key
    app.outcome_note = note
    app.result_date = on
    app.closed_on = on
    app.correction_due = None
    app.fee_due = None
    return _append(session, app, kind, actor, on, note=note or oc.reply, data={"outcome": oc.key})


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _fmt(d: date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else "（期限待定）"


def _notify_applicant(session: Session, app: Application, subject: str, body: str, on: date) -> None:
    """Record a notice to the applicant (sent by e-mail when an address is known; else by post/phone)."""
    session.add(
        Notice(
            application_id=app.id,
            recipient=app.applicant_email or "（邮寄/电话告知）",
            subject=f"{subject}（申请编号{app.number}）",
            body=body,
            kind=subject,
            backend="pending" if app.applicant_email else "manual",
            status="queued" if app.applicant_email else "manual",
            created_at=_now(),
            on_date=on,
        )
    )


_REPLY = Environment(autoescape=False, keep_trailing_newline=True).from_string(
    """{{ agency }}
政府信息公开申请答复书

{{ number }}

{{ applicant }}：

    本机关于{{ received }}收到您（单位）通过{{ channel }}方式提出的政府信息公开申请（申请编号：{{ app_number }}），\
申请获取“{{ description }}”。现答复如下：

    {{ paragraph }}
{% if details %}
    {{ details }}
{% endif %}
    本答复的法律依据：{{ basis }}。

    如对本答复不服，可以自收到本答复之日起六十日内依法申请行政复议，或者自收到本答复之日起六个月内依法向人民法院提起行政诉讼。

{{ agency }}
{{ date }}
"""
)


def render_reply(app: Application, agency_name: str, details: str, on: date) -> str:
    """The reply letter for the case's outcome, citing its legal basis."""
    if app.outcome is None:
        raise WorkflowError("尚未确定答复类型")
    oc = outcome(app.outcome)
    return _REPLY.render(
        agency=agency_name,
        number=app.reply_number or "（签发后生成文号）",
        applicant=app.applicant_name,
        received=_fmt(app.received_on),
        channel=CHANNELS.get(app.channel, app.channel),
        app_number=app.number,
        description=app.description[:300],
        paragraph=oc.reply,
        details=details,
        basis=oc.basis,
        date=_fmt(on),
    )


def outcome_choices() -> list[tuple[str, str]]:
    return [(o.key, o.full_label) for o in outcomes() if o.key not in ("other.no_correction", "other.no_fee")]


@dataclass
class TrackerStep:
    on: date
    label: str
    note: str
    data: dict[str, Any] = field(default_factory=dict)


def public_trail(app: Application) -> list[TrackerStep]:
    """The steps an applicant sees (internal drafts and notes left out)."""
    out = []
    for e in sorted(app.events, key=lambda e: e.seq):
        if not e.public:
            continue
        label = EVENT_LABELS.get(e.kind, e.kind)
        note = (
            e.note
            if e.kind
            in (
                "correction_requested",
                "extension_approved",
                "reply_signed",
                "correction_lapsed",
                "fee_lapsed",
                "withdrawn",
                "fee_notice_sent",
            )
            else ""
        )
        if e.kind == "extension_approved":
            label = f"延期答复（延长{e.data.get('days')}个工作日）"
        if e.kind == "fee_notice_sent":
            note = f"应缴信息处理费{e.data.get('amount')}元。{e.note}".strip()
        out.append(TrackerStep(e.on_date, label, note, dict(e.data)))
    return out
