"""Regression tests for the defects found in the casework code review: bad numbers in steps, races, fees,
the three-valued Art. 26 check, stale due dates, reminders, backups, rule inheritance, repeal dates, search."""

from __future__ import annotations

from datetime import date

import pytest
from casework_web_helpers import Site, csrf, login, make_site
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from xxgk.casework.calendar import WorkCalendar
from xxgk.casework.deadlines import DeadlineRules
from xxgk.casework.demo import create_tree
from xxgk.casework.security import hash_password
from xxgk.casework.workflow import Actor, WorkflowError, apply_action, register_application

CAL = WorkCalendar.seeded()
RULES = DeadlineRules()
TODAY = date(2025, 11, 14)
_HASH = hash_password("xxgk-demo-2025")


def _setup(session: Session):  # type: ignore[no-untyped-def]
    tree = create_tree(session, password_hash=lambda _p: _HASH)
    clerk = Actor("clerk", "经办人 李经办", tree.users["clerk"].id, tree.civil_affairs.id)
    approver = Actor("approver", "负责人 王科长", tree.users["approver"].id, tree.civil_affairs.id)
    return tree, clerk, approver


def _register(session: Session, tree, clerk, received=date(2025, 3, 3), calendar=CAL):  # type: ignore[no-untyped-def]
    app, _ = register_application(
        session, agency=tree.civil_affairs, channel="online", applicant_type="natural_person",
        applicant_name="张三", description="2024年低保资金发放明细", received_on=received, actor=clerk,
        calendar=calendar, today=TODAY, applicant_phone="13900001111", applicant_email="z@example.com",
    )
    return app


def act(session, app, action, actor, on, calendar=CAL, rules=RULES, **params):  # type: ignore[no-untyped-def]
    return apply_action(session, app, action, actor, on=on, today=TODAY, calendar=calendar, rules=rules,
                        params=params, agency_name="示例市民政局")


def case_page_action(c: TestClient, app_id: int, action: str, **fields: str):  # type: ignore[no-untyped-def]
    tok = csrf(c, f"/staff/applications/{app_id}")
    return c.post(f"/staff/applications/{app_id}/action", data={"csrf_token": tok, "action": action, **fields})


def new_case(site: Site) -> int:
    with Session(site.engine) as s:
        tree = site.tree
        clerk = Actor("clerk", "经办人", tree.users["clerk"].id, tree.civil_affairs.id)
        app, _ = register_application(
            s, agency=s.merge(tree.civil_affairs), channel="email", applicant_type="natural_person",
            applicant_name="张三", description="某文件", received_on=date(2025, 11, 3), actor=clerk,
            calendar=CAL, today=site.today, applicant_email="z@example.com",
        )
        s.commit()
        return app.id


@pytest.fixture
def site(engine: Engine) -> Site:
    return make_site(engine, today=TODAY)


# ---- 1. numbers from forms and the API -------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["abc", "1.5", "²", "1e3", [3], {"n": 1}, True])
def test_non_numeric_step_numbers_are_workflow_errors(engine: Engine, bad: object) -> None:
    with Session(engine) as s:
        tree, clerk, approver = _setup(s)
        a = _register(s, tree, clerk)
        with pytest.raises(WorkflowError, match="必须是整数"):
            act(s, a, "request_correction", clerk, date(2025, 3, 4), note="请补正", days=bad)
        with pytest.raises(WorkflowError, match="必须是整数"):
            act(s, a, "approve_extension", approver, date(2025, 3, 4), reason="汇总数据", days=bad)
        with pytest.raises(WorkflowError, match="必须是整数"):
            act(s, a, "fee_notice", clerk, date(2025, 3, 4), amount=bad)
        assert a.state == "registered"
        act(s, a, "request_correction", clerk, date(2025, 3, 4), note="请补正", days=" 10 ")
        assert a.events[-1].data["days"] == 10


def test_non_text_params_are_refused(engine: Engine) -> None:
    with Session(engine) as s:
        tree, clerk, _ = _setup(s)
        a = _register(s, tree, clerk)
        with pytest.raises(WorkflowError, match="应为文字"):
            act(s, a, "note", clerk, date(2025, 3, 4), note={"x": 1})


def test_bad_days_on_case_page_and_api_are_clear_errors(site: Site) -> None:
    app_id = new_case(site)
    clerk = login(site, "clerk")
    r = case_page_action(clerk, app_id, "request_correction", note="请补正", days="十天")
    assert r.status_code == 400 and "补正期限（工作日）必须是整数" in r.text
    tok = clerk.get("/api/v1/me").json()["csrf_token"]
    r = clerk.post(f"/api/v1/applications/{app_id}/actions", headers={"X-CSRF-Token": tok},
                   json={"action": "request_correction", "params": {"note": "请补正", "days": "abc"}})
    assert r.status_code == 409 and "必须是整数" in r.json()["detail"]


def test_unicode_digits_in_ids_do_not_crash(site: Site) -> None:
    admin = login(site, "admin")
    tok = csrf(admin, "/staff/admin")
    r = admin.post("/staff/admin/holidays", data={"csrf_token": tok, "days": "", "complete_year": "²⁰²⁷"})
    assert r.status_code == 400 and "年份无效" in r.text
    r = admin.post("/staff/admin/users", data={"csrf_token": tok, "id": "²"})
    assert r.status_code == 400 and "没有找到该用户" in r.text
    clerk = login(site, "clerk")
    r = clerk.post("/staff/reviews", data={"csrf_token": csrf(clerk, "/staff/reviews"), "id": "³"})
    assert r.status_code == 400 and "没有找到该案件" in r.text


@pytest.mark.parametrize("bad", ["nan", "inf", "-inf"])
def test_report_cells_refuse_non_finite_numbers(site: Site, bad: str) -> None:
    clerk = login(site, "clerk")
    year = TODAY.year - 1
    r = clerk.post(f"/staff/reports/{year}", data={"csrf_token": csrf(clerk, f"/staff/reports/{year}"),
                                                   "consolidated": "0", "cell_art20_5.licensing.decisions": bad})
    assert r.status_code == 400 and "取值无效" in r.text
