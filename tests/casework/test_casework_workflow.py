"""The state machine: every step on the trail, clock stops and restarts, permissions, immutability."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from tests.casework.casework_actors import demo_actors

from xxgk.casework.calendar import WorkCalendar
from xxgk.casework.deadlines import DeadlineRules
from xxgk.casework.models import Event, Notice
from xxgk.casework.workflow import Actor, WorkflowError, apply_action, public_trail, register_application

CAL = WorkCalendar.seeded()
RULES = DeadlineRules()
TODAY = date(2025, 12, 30)



def _register(session: Session, tree, clerk, received=date(2025, 3, 3)):  # type: ignore[no-untyped-def]
    return register_application(
        session, agency=tree.civil_affairs, channel="online", applicant_type="natural_person",
        applicant_name="张三", description="2024年低保资金发放明细", received_on=received, actor=clerk,
        calendar=CAL, today=TODAY, applicant_phone="13900001111", applicant_email="z@example.com",
    )


def act(session, app, action, actor, on, **params):  # type: ignore[no-untyped-def]
    return apply_action(session, app, action, actor, on=on, today=TODAY, calendar=CAL, rules=RULES,
                        params=params, agency_name="示例市民政局")


def test_full_path_with_correction_consultation_extension_fee(engine: Engine) -> None:
    with Session(engine) as s:
        tree, clerk, approver = demo_actors(s)
        app, code = _register(s, tree, clerk)
        assert app.number and app.number.startswith("YSQ2025") and len(code) == 10
        assert app.due_date == CAL.add_working_days(date(2025, 3, 3), 20)
        act(s, app, "request_correction", clerk, date(2025, 3, 5), note="请说明所需信息的时间范围")
        assert app.state == "awaiting_correction" and app.due_date is None
        with pytest.raises(WorkflowError, match="尚未届满"):
            act(s, app, "lapse_correction", clerk, date(2025, 3, 6))
        act(s, app, "receive_correction", Actor("public", "申请人"), date(2025, 3, 20), text="2024年全年")
        assert app.due_date == CAL.add_working_days(date(2025, 3, 20), 20)
        act(s, app, "start_consultation", clerk, date(2025, 3, 24), party="第三方")
        assert app.due_date is None
        act(s, app, "end_consultation", clerk, date(2025, 4, 3))
        # 3/24 → 4/3 paused: the days after 3/24 up to 4/3 are not counted.
        used = CAL.working_days_between(date(2025, 3, 20), date(2025, 3, 24))
        assert app.due_date == CAL.add_working_days(date(2025, 4, 3), 20 - used)
        with pytest.raises(WorkflowError, match="无权"):
            act(s, app, "approve_extension", clerk, date(2025, 4, 7), days=20, reason="复杂")
        with pytest.raises(WorkflowError, match="最长"):
            act(s, app, "approve_extension", approver, date(2025, 4, 7), days=21, reason="复杂")
        before = app.due_date
        act(s, app, "approve_extension", approver, date(2025, 4, 7), days=20, reason="需要检索大量档案")
        assert app.due_date == CAL.add_working_days(before, 20)
        with pytest.raises(WorkflowError, match="一次"):
            act(s, app, "approve_extension", approver, date(2025, 4, 8), days=5, reason="再延")
        act(s, app, "fee_notice", clerk, date(2025, 4, 10), amount=100, method="per_piece")
        assert app.state == "awaiting_fee" and app.due_date is None
        act(s, app, "fee_paid", clerk, date(2025, 4, 15))
        assert app.due_date is not None and app.due_date > before
        act(s, app, "draft_reply", clerk, date(2025, 4, 16), outcome="partial", details="第三方信息已作区分处理")
        assert app.state == "awaiting_signature"
        with pytest.raises(WorkflowError, match="无权"):
            act(s, app, "sign_reply", clerk, date(2025, 4, 16))
        act(s, app, "sign_reply", approver, date(2025, 4, 17))
        assert app.state == "answered" and app.result_date == date(2025, 4, 17) and app.outcome == "partial"
        assert "第三十七条" in app.reply_text and app.reply_number in app.reply_text
        act(s, app, "close", clerk, date(2025, 4, 18))
        assert app.state == "closed"
        s.commit()
        kinds = [e.kind for e in app.events]
        assert kinds == ["registered", "correction_requested", "correction_received", "consultation_started",
                         "consultation_ended", "extension_approved", "fee_notice_sent", "fee_paid",
                         "reply_drafted", "reply_signed", "closed"]
        assert [e.seq for e in app.events] == list(range(1, 12))
        trail = [t.label for t in public_trail(app)]
        assert "拟定答复" not in trail and "告知补正" in trail and any("延期" in t for t in trail)
        notices = s.scalars(select(Notice).where(Notice.application_id == app.id)).all()
        assert {n.kind for n in notices} == {"补正告知", "延期答复告知书", "收费通知"}


def test_lapses_close_with_other_rows(engine: Engine) -> None:
    with Session(engine) as s:
        tree, clerk, _ = demo_actors(s)
        a, _ = _register(s, tree, clerk)
        act(s, a, "request_correction", clerk, date(2025, 3, 4), note="请补正")
        assert a.correction_due is not None
        act(s, a, "lapse_correction", clerk, CAL.add_working_days(a.correction_due, 1))
        assert (a.state, a.outcome) == ("closed", "other.no_correction")
        b, _ = _register(s, tree, clerk)
        act(s, b, "fee_notice", clerk, date(2025, 3, 5), amount=200)
        with pytest.raises(WorkflowError):
            act(s, b, "fee_lapsed", clerk, date(2025, 3, 6))
        assert b.fee_due is not None
        act(s, b, "fee_lapsed", clerk, CAL.add_working_days(b.fee_due, 1))
        assert (b.state, b.outcome) == ("closed", "other.no_fee")
        c, _ = _register(s, tree, clerk)
        act(s, c, "withdraw", clerk, date(2025, 3, 10), note="申请人书面撤回")
        assert c.outcome == "other.other"
        s.commit()


def test_rule_violations_are_refused(engine: Engine) -> None:
    with Session(engine) as s:
        tree, clerk, approver = demo_actors(s)
        a, _ = _register(s, tree, clerk)
        with pytest.raises(WorkflowError, match="晚于今天"):
            act(s, a, "note", clerk, date(2026, 1, 5), note="x")
        with pytest.raises(WorkflowError, match="早于"):
            act(s, a, "note", clerk, date(2025, 3, 1), note="x")
        with pytest.raises(WorkflowError, match="不能执行"):
            act(s, a, "sign_reply", approver, date(2025, 3, 5))
        with pytest.raises(WorkflowError, match="法定的答复类型"):
            act(s, a, "draft_reply", clerk, date(2025, 3, 5), outcome="nonsense")
        with pytest.raises(WorkflowError, match="已经补正"):
            act(s, a, "draft_reply", clerk, date(2025, 3, 5), outcome="unable.unclear", details="x")
        with pytest.raises(WorkflowError, match="未知的操作"):
            act(s, a, "explode", clerk, date(2025, 3, 5))
        act(s, a, "request_correction", clerk, date(2025, 3, 4), note="请补正")
        act(s, a, "receive_correction", clerk, date(2025, 3, 6), text="补正内容")
        with pytest.raises(WorkflowError, match="一次性告知"):
            act(s, a, "request_correction", clerk, date(2025, 3, 7), note="再补正")
        with pytest.raises(WorkflowError, match="联系方式"):
            register_application(s, agency=tree.civil_affairs, channel="online", applicant_type="natural_person",
                                 applicant_name="张三", description="x", received_on=date(2025, 3, 3), actor=clerk,
                                 calendar=CAL, today=TODAY)
        with pytest.raises(WorkflowError, match="申请人类型"):
            register_application(s, agency=tree.civil_affairs, channel="online", applicant_type="alien",
                                 applicant_name="张三", description="x", received_on=date(2025, 3, 3), actor=clerk,
                                 calendar=CAL, today=TODAY, applicant_phone="13900001111")


def test_events_are_append_only(engine: Engine) -> None:
    with Session(engine) as s:
        tree, clerk, _ = demo_actors(s)
        _register(s, tree, clerk)
        s.commit()
        ev = s.scalars(select(Event)).first()
        assert ev is not None
        ev.note = "篡改"
        with pytest.raises(PermissionError):
            s.commit()
        s.rollback()
        s.delete(s.scalars(select(Event)).first())
        with pytest.raises(PermissionError):
            s.commit()


def test_calendar_missing_leaves_due_date_open(engine: Engine) -> None:
    short = WorkCalendar(CAL.overrides.values(), [y for y in CAL.years if y <= 2025])
    with Session(engine) as s:
        tree, clerk, _ = demo_actors(s)
        app, _ = register_application(
            s, agency=tree.civil_affairs, channel="in_person", applicant_type="commercial",
            applicant_name="示例科技有限公司", description="某文件", received_on=date(2025, 12, 22), actor=clerk,
            calendar=short, today=TODAY, applicant_address="示例路1号",
        )
        assert app.due_date is None  # runs into 2026, which this calendar does not know
