"""Regression tests for the defects found in the casework code review: bad numbers in steps, races, fees,
the three-valued Art. 26 check, stale due dates, reminders, backups, rule inheritance, repeal dates, search."""

from __future__ import annotations

import re
from datetime import date

import pytest
from casework_web_helpers import Site, csrf, login, make_site
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from tests.casework.casework_actors import demo_actors

from xxgk.casework.calendar import WorkCalendar
from xxgk.casework.deadlines import DeadlineRules
from xxgk.casework.models import Application
from xxgk.casework.workflow import Actor, WorkflowError, apply_action, register_application

CAL = WorkCalendar.seeded()
RULES = DeadlineRules()
TODAY = date(2025, 11, 14)



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
        tree, clerk, approver = demo_actors(s)
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
        tree, clerk, _ = demo_actors(s)
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


# ---- 13 / 3. concurrency and notices from every path -------------------------------------------------------


def test_simultaneous_catalogue_additions_get_distinct_serials(engine: Engine,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from xxgk.casework import catalogue
    from xxgk.casework.models import Agency, CatalogueItem

    with Session(engine) as s:
        tree, _, _ = demo_actors(s)
        s.commit()
        agency_id = tree.civil_affairs.id
    # Both additions read the current maximum serial, then meet here before inserting (unless one of them
    # is made to wait for the other first, which the barrier's timeout lets through).
    barrier = threading.Barrier(2, timeout=3)
    real = catalogue.index_number

    def meet(code: str, year: int, serial: int) -> str:
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            pass
        return real(code, year, serial)

    monkeypatch.setattr(catalogue, "index_number", meet)
    errors: list[BaseException] = []

    def add(title: str) -> None:
        try:
            with Session(engine) as s:
                catalogue.add_item(s, s.get(Agency, agency_id), title=title, made_on=date(2025, 3, 3),  # type: ignore[arg-type]
                                   published_on=date(2025, 3, 5), calendar=CAL, rules=RULES)
                s.commit()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(f"文件{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    with Session(engine) as s:
        serials = sorted(s.scalars(select(CatalogueItem.serial).where(CatalogueItem.agency_id == agency_id)))
    assert serials == [1, 2]


def _bump_from_elsewhere(engine: Engine, app_id: int) -> None:
    """Another user's step on the same case, committed while the request is between reading and saving."""
    with Session(engine) as other:
        app = other.get(Application, app_id)
        assert app is not None
        apply_action(other, app, "note", Actor("clerk", "经办人 另一人"), on=TODAY, today=TODAY, calendar=CAL,
                     rules=RULES, params={"note": "同时办理"})
        other.commit()


def test_lost_version_race_is_a_clear_message(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    from xxgk.casework.web import steps

    app_id = new_case(site)
    clerk = login(site, "clerk")
    real = steps.apply_action
    raced = {"n": 0}

    def racing(session, app, *args, **kwargs):  # type: ignore[no-untyped-def]
        if raced["n"] == 0:
            raced["n"] += 1
            assert app.events  # this request has read the case and its trail ...
            _bump_from_elsewhere(site.engine, app.id)  # ... when another step on it is committed
        return real(session, app, *args, **kwargs)

    monkeypatch.setattr(steps, "apply_action", racing)
    # A state change loses on the version column, a note (which leaves the case row alone) on the
    # unique event sequence; both are the same clear message.
    r = case_page_action(clerk, app_id, "request_correction", note="请补正")
    assert r.status_code == 409 and "已由其他人办理" in r.text and "同时办理" in r.text  # fresh trail shown
    raced["n"] = 0
    tok = clerk.get("/api/v1/me").json()["csrf_token"]
    r = clerk.post(f"/api/v1/applications/{app_id}/actions", headers={"X-CSRF-Token": tok},
                   json={"action": "note", "params": {"note": "接口备注"}})
    assert r.status_code == 409 and "已由其他人办理" in r.json()["detail"]
    with Session(site.engine) as s:
        app = s.get(Application, app_id)
        assert app is not None and app.state == "registered"
        assert [e.note for e in app.events if e.kind == "note"] == ["同时办理", "同时办理"]  # losers not saved


def test_api_steps_deliver_notices_like_the_staff_pages(site: Site) -> None:
    from xxgk.casework.models import Notice

    app_id = new_case(site)
    clerk = login(site, "clerk")
    tok = clerk.get("/api/v1/me").json()["csrf_token"]
    r = clerk.post(f"/api/v1/applications/{app_id}/actions", headers={"X-CSRF-Token": tok},
                   json={"action": "request_correction", "params": {"note": "请说明时间范围"}})
    assert r.status_code == 200, r.text
    with Session(site.engine) as s:
        statuses = [n.status for n in s.scalars(select(Notice).where(Notice.application_id == app_id))]
    assert statuses == ["sent"]
    outbox = site.app.state.mail.outbox
    assert [to for to, subject, _ in outbox if "补正告知" in subject] == ["z@example.com"]


# ---- 7. fees counted once -----------------------------------------------------------------------------------


def test_fee_counted_once_per_notice_and_second_notice_refused(engine: Engine) -> None:
    from datetime import UTC, datetime

    from xxgk.casework.annual_report import fee_summary
    from xxgk.casework.models import Event

    with Session(engine) as s:
        tree, clerk, _ = demo_actors(s)
        a = _register(s, tree, clerk)
        act(s, a, "fee_notice", clerk, date(2025, 3, 4), amount="50")
        act(s, a, "fee_paid", clerk, date(2025, 3, 6))
        with pytest.raises(WorkflowError, match="只收取一次"):
            act(s, a, "fee_notice", clerk, date(2025, 3, 7), amount="30")
        b = _register(s, tree, clerk)
        act(s, b, "fee_notice", clerk, date(2025, 3, 4), amount="20")
        s.commit()
        assert fee_summary(s, [tree.civil_affairs.id], 2025) == {
            "notices": 2, "notice_amount": 70, "paid_count": 1, "paid_amount": 50}
        # A ledger written before the refusal: a second notice of 30 on the paid application.
        s.add(Event(application_id=a.id, seq=len(a.events) + 1, kind="fee_notice_sent", on_date=date(2025, 3, 7),
                    recorded_at=datetime.now(UTC), actor_label="经办人", state_after="awaiting_fee",
                    data={"amount": 30}))
        a.fee_amount = 30
        s.commit()
        assert fee_summary(s, [tree.civil_affairs.id], 2025) == {
            "notices": 3, "notice_amount": 100, "paid_count": 1, "paid_amount": 50}


# ---- 6. Art. 26: yes / no / unknown -------------------------------------------------------------------------


def test_art26_unknown_when_holiday_data_missing(site: Site) -> None:
    from xxgk.casework.catalogue import add_item
    from xxgk.casework.models import Agency

    short = WorkCalendar(CAL.overrides.values(), [y for y in CAL.years if y <= 2025])
    with Session(site.engine) as s:
        agency = s.get(Agency, site.tree.civil_affairs.id)
        assert agency is not None
        item = add_item(s, agency, title="跨年发布的文件", made_on=date(2025, 12, 22), published_on=date(2025, 12, 24),
                        calendar=short, rules=RULES)  # 20 WD after 12/22 runs into 2026, unknown to `short`
        assert item.late is None
        s.commit()
        item_id = item.id
    c = TestClient(site.app)
    found = c.get("/api/v1/catalogue", params={"q": "跨年发布"}).json()["items"]
    assert found[0]["published_within_art26"] is None and found[0]["art26"] == "unknown"
    feed = {i["id"]: i["_xxgk"] for i in c.get("/catalogue/feed.json").json()["items"]}
    assert any(v["art26"] == "unknown" and v["published_within_art26"] is None for v in feed.values())
    assert any(v["art26"] == "late" and v["published_within_art26"] is False for v in feed.values())
    assert any(v["art26"] == "on_time" and v["published_within_art26"] is True for v in feed.values())
    rss = c.get("/catalogue/feed.rss").text
    assert '<category domain="urn:xxgk:art26">无法判断（节假日数据缺失）</category>' in rss
    assert '<category domain="urn:xxgk:art26">超过第二十六条时限</category>' in rss
    assert "无法判断（节假日数据缺失）" in c.get(f"/catalogue/{item_id}").text
    staff = login(site, "clerk").get("/staff/catalogue").text
    row = re.search(r"跨年发布的文件.*?</tr>", staff, re.S)
    assert row and "无法判断" in row.group(0) and "按时" not in row.group(0)


# ---- 5. stored dates follow the holiday table and the rules ----------------------------------------------


def test_due_dates_recomputed_when_holiday_table_or_rules_change(engine: Engine) -> None:
    from xxgk.casework.calendar import seed_years
    from xxgk.casework.catalogue import add_item
    from xxgk.casework.db import load_calendar
    from xxgk.casework.models import Agency, CatalogueItem

    future = max(seed_years()) + 1
    today = date(future - 1, 12, 10)
    site = make_site(engine, today=today)
    with Session(site.engine) as s:
        cal = load_calendar(s)
        agency = s.get(Agency, site.tree.civil_affairs.id)
        assert agency is not None
        clerk = Actor("clerk", "经办人", site.tree.users["clerk"].id, agency.id)
        app, _ = register_application(
            s, agency=agency, channel="email", applicant_type="natural_person", applicant_name="张三",
            description="跨年的申请", received_on=today, actor=clerk, calendar=cal, today=today,
            applicant_email="z@example.com")
        item = add_item(s, agency, title="年底文件", made_on=today, published_on=today, calendar=cal, rules=RULES)
        assert app.due_date is None and item.late is None  # both periods run into `future`
        s.commit()
        app_id, item_id = app.id, item.id
    clerk_c = login(site, "clerk")
    row = re.search(r'/staff/applications/' + str(app_id) + r'".*?</tr>', clerk_c.get("/staff").text, re.S)
    assert row and "节假日数据缺失" in row.group(0) and "暂停计时" not in row.group(0)
    admin = login(site, "admin")
    r = admin.post("/staff/admin/holidays", data={"csrf_token": csrf(admin, "/staff/admin"),
                                                  "days": f"{future}-01-01 休 元旦", "complete_year": str(future)})
    assert r.status_code == 200
    with Session(site.engine) as s:
        cal = load_calendar(s)
        app = s.get(Application, app_id)
        assert app is not None and app.due_date == cal.add_working_days(today, 20)
        ci = s.get(CatalogueItem, item_id)
        assert ci is not None and ci.late is False
    r = admin.post("/staff/admin/rules", data={"csrf_token": csrf(admin, "/staff/admin"), "answer_days": "15"})
    assert r.status_code == 200, r.text
    with Session(site.engine) as s:
        app = s.get(Application, app_id)
        assert app is not None and app.due_date == load_calendar(s).add_working_days(today, 15)


def test_dashboard_names_the_real_reason_for_a_missing_due_date(site: Site) -> None:
    app_id = new_case(site)
    clerk = login(site, "clerk")
    assert case_page_action(clerk, app_id, "start_consultation", party="第三方").status_code == 200
    row = re.search(r'/staff/applications/' + str(app_id) + r'".*?</tr>', clerk.get("/staff").text, re.S)
    assert row and "征求意见期间，暂停计时" in row.group(0)


# ---- 2. reminders follow each agency's due_soon_days --------------------------------------------------------


def test_reminders_use_each_agencys_due_soon_rule(engine: Engine) -> None:
    from xxgk.casework.models import Notice
    from xxgk.casework.notify import queue_reminders

    today = date(2025, 4, 1)
    with Session(engine) as s:
        tree, _, _ = demo_actors(s)
        tree.government.settings = {"rules": {"due_soon_days": 10}}  # inherited by 民政局
        tree.township.settings = {"rules": {"due_soon_days": 2}}
        ids = {}
        for agency, key in ((tree.civil_affairs, "civil"), (tree.township, "town")):
            app, _ = register_application(
                s, agency=agency, channel="in_person", applicant_type="natural_person", applicant_name="张三",
                description="某文件", received_on=date(2025, 3, 13), actor=Actor("clerk", "经办人"), calendar=CAL,
                today=today, applicant_phone="13900001111")
            ids[key] = app.id
        s.commit()
        due = s.get(Application, ids["civil"]).due_date  # type: ignore[union-attr]
        assert due is not None and 2 < CAL.working_days_between(today, due) <= 10
        assert queue_reminders(s, today, CAL) == 2  # 民政局's clerk and approver; not 青山镇 (2 days)
        reminded = {n.application_id for n in s.scalars(select(Notice).where(Notice.kind == "期限提醒"))}
        assert reminded == {ids["civil"]}
        assert queue_reminders(s, today, CAL, due_soon_days=20) == 1  # an explicit threshold for all: town too


# ---- 8. a backup is one consistent snapshot -------------------------------------------------------------------


def test_backup_reads_one_snapshot_while_others_write(engine: Engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import gzip
    import json
    from datetime import UTC, datetime

    from sqlalchemy import event, func, insert

    from xxgk.casework.commands import backup_database
    from xxgk.casework.models import CalendarYear, Notice

    with Session(engine) as s:
        demo_actors(s)
        s.commit()
        years_before = s.scalar(select(func.count()).select_from(CalendarYear))
    fired = {"done": False}

    def write_elsewhere(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if fired["done"] or "FROM agencies" not in statement:
            return
        fired["done"] = True  # the backup has read its first table: another client commits to later ones
        with engine.begin() as other:
            other.execute(insert(CalendarYear).values(year=2999, source="admin", note="并发写入"))
            other.execute(insert(Notice).values(recipient="x@example.com", subject="并发", body="", kind="test",
                                                backend="console", status="sent", error="",
                                                created_at=datetime.now(UTC), on_date=TODAY))

    event.listen(engine, "after_cursor_execute", write_elsewhere)
    try:
        counts = backup_database(engine, tmp_path / "b.jsonl.gz")
    finally:
        event.remove(engine, "after_cursor_execute", write_elsewhere)
    assert fired["done"]
    assert counts["calendar_years"] == years_before and counts["notices"] == 0
    with gzip.open(tmp_path / "b.jsonl.gz", "rt", encoding="utf-8") as f:
        lines = [json.loads(x) for x in f]
    assert not any(x.get("t") == "notices" for x in lines)
    with Session(engine) as s:  # the concurrent writes themselves went through
        assert s.scalar(select(func.count()).select_from(Notice)) == 1


# ---- 4. rule settings store only the agency's own changes -------------------------------------------------


def test_rule_form_stores_only_own_changes_and_can_return_to_inherited(site: Site) -> None:
    from xxgk.casework.deadlines import RULE_NOTES
    from xxgk.casework.models import Agency
    from xxgk.casework.workflow import effective_rules

    with Session(site.engine) as s:
        gov = s.get(Agency, site.tree.government.id)
        assert gov is not None
        gov.settings = {"rules": {"fee_payment_days": 25, "fee_notice_pauses_clock": False}}
        s.commit()

    def own_and_effective() -> tuple[dict, object]:  # type: ignore[type-arg]
        with Session(site.engine) as s:
            civil = s.get(Agency, site.tree.civil_affairs.id)
            assert civil is not None
            return dict((civil.settings or {}).get("rules") or {}), effective_rules(civil)

    admin = login(site, "admin")
    page = admin.get("/staff/admin").text
    assert 'name="fee_payment_days" value="25"' in page  # the inherited value is shown
    # Saving the page as shown (every field, checkboxes as the browser sends them) stores nothing.
    _, eff = own_and_effective()
    data: dict[str, object] = {"csrf_token": csrf(admin, "/staff/admin")}
    for key in RULE_NOTES:
        v = getattr(eff, key)
        data[key] = (["false", "true"] if v else ["false"]) if isinstance(v, bool) else str(v)
    assert admin.post("/staff/admin/rules", data=data).status_code == 200
    own, eff = own_and_effective()
    assert own == {} and eff.fee_payment_days == 25  # type: ignore[attr-defined]
    # Back to the statutory default the parent overrode, and the checkbox the parent turned off.
    data.update(fee_payment_days="20", fee_notice_pauses_clock=["false", "true"])
    assert admin.post("/staff/admin/rules", data=data).status_code == 200
    own, eff = own_and_effective()
    assert own == {"fee_payment_days": 20, "fee_notice_pauses_clock": True}
    assert "恢复继承" in admin.get("/staff/admin").text
    # 恢复继承 for one, an empty field for the other.
    tok = csrf(admin, "/staff/admin")
    r = admin.post("/staff/admin/rules", data={"csrf_token": tok, "inherit": "fee_notice_pauses_clock"})
    assert r.status_code == 200
    assert own_and_effective()[0] == {"fee_payment_days": 20}
    assert admin.post("/staff/admin/rules", data={"csrf_token": tok, "fee_payment_days": ""}).status_code == 200
    own, eff = own_and_effective()
    assert own == {} and eff.fee_payment_days == 25 and eff.fee_notice_pauses_clock is False  # type: ignore[attr-defined]
    r = admin.post("/staff/admin/rules", data={"csrf_token": tok, "answer_days": "二十"})
    assert r.status_code == 400 and "取值无效" in r.text


# ---- 14. a repeal date on an existing catalogue item ------------------------------------------------------------


def test_repeal_date_recorded_on_existing_item_and_counted(site: Site) -> None:
    from xxgk.casework.annual_report import proactive_values
    from xxgk.casework.models import CatalogueItem

    year = TODAY.year - 1
    with Session(site.engine) as s:
        item = s.scalars(select(CatalogueItem).where(CatalogueItem.title == "示例市最低生活保障办法")).one()
        item_id, key = item.id, item.art20_item
        before = proactive_values(s, [site.tree.civil_affairs.id], year)
    clerk = login(site, "clerk")
    page = clerk.get("/staff/catalogue").text
    assert f'action="/staff/catalogue/{item_id}/repeal"' in page
    tok = csrf(clerk, "/staff/catalogue")
    path = f"/staff/catalogue/{item_id}/repeal"
    r = clerk.post(path, data={"csrf_token": tok, "repealed_on": f"{year}-01-01"})
    assert r.status_code == 400 and "不能早于成文日期" in r.text
    r = clerk.post(path, data={"csrf_token": tok, "repealed_on": "昨天"})
    assert r.status_code == 400 and "格式应为" in r.text
    r = clerk.post(path, data={"csrf_token": tok})
    assert r.status_code == 400 and "请填写废止日期" in r.text
    r = clerk.post(path, data={"csrf_token": tok, "repealed_on": f"{year}-09-30"})
    assert r.status_code == 200 and f"{year}-09-30" in r.text
    with Session(site.engine) as s:
        after = proactive_values(s, [site.tree.civil_affairs.id], year)
    assert after[f"{key}.repealed"] == (before[f"{key}.repealed"] or 0) + 1
    assert after[f"{key}.in_force"] == (before[f"{key}.in_force"] or 0) - 1
    # Another agency's clerk cannot touch it; the supervisor (read-only) is refused by the policy.
    town = login(site, "town_clerk")
    r = town.post(path, data={"csrf_token": csrf(town, "/staff/catalogue"), "repealed_on": f"{year}-10-01"})
    assert r.status_code == 400 and "不是本机关" in r.text
    sup = login(site, "supervisor")
    assert sup.post(path, data={"csrf_token": csrf(sup, "/staff/catalogue"), "repealed_on": f"{year}-10-01"}
                    ).status_code == 403
    r = clerk.post(path, data={"csrf_token": tok, "repealed_on": f"{year}-09-30", "clear": "1"})
    assert r.status_code == 200
    with Session(site.engine) as s:
        assert s.get(CatalogueItem, item_id).repealed_on is None  # type: ignore[union-attr]


# ---- 12. catalogue search takes % and _ literally --------------------------------------------------------------


def test_catalogue_search_escapes_like_wildcards(site: Site) -> None:
    from xxgk.casework.catalogue import add_item
    from xxgk.casework.models import Agency

    titles = ["完成率100%的通知", "a_b文件", "axb文件", "路径\\说明"]
    with Session(site.engine) as s:
        agency = s.get(Agency, site.tree.civil_affairs.id)
        assert agency is not None
        for t in titles:
            add_item(s, agency, title=t, made_on=date(2025, 3, 3), published_on=date(2025, 3, 5), calendar=CAL,
                     rules=RULES)
        s.commit()
    c = TestClient(site.app)

    def found(q: str) -> list[str]:
        return [i["title"] for i in c.get("/api/v1/catalogue", params={"q": q, "limit": 200}).json()["items"]]

    assert found("%") == ["完成率100%的通知"]
    assert found("100%的") == ["完成率100%的通知"]
    assert found("_") == ["a_b文件"]
    assert found("a_b") == ["a_b文件"]
    assert found("\\") == ["路径\\说明"]
    assert sorted(found("b文件")) == ["a_b文件", "axb文件"]


# ---- 11. one definition of the report years ----------------------------------------------------------------


def test_report_year_list_and_checks_agree(site: Site) -> None:
    from xxgk.casework.annual_report import FIRST_REPORT_YEAR

    clerk = login(site, "clerk")
    listed = [int(y) for y in re.findall(r'href="/staff/reports/(\d{4})"', clerk.get("/staff/reports").text)]
    assert listed == list(range(TODAY.year, FIRST_REPORT_YEAR - 1, -1)) and 2019 in listed and 2020 in listed
    for y in (2019, 2020):
        assert clerk.get(f"/staff/reports/{y}").status_code == 200
        assert clerk.get(f"/api/v1/reports/{y}").status_code == 200
    for path in ("/staff/reports/2018", "/api/v1/reports/2018", "/api/v1/reports/2101"):
        r = clerk.get(path)
        assert r.status_code == 400 and "2019年至2100年" in r.text


# ---- 10 / 9. serve: secure cookies from the CLI or the environment; a true --demo help ------------------


def test_secure_cookies_from_environment_and_option(monkeypatch: pytest.MonkeyPatch) -> None:
    from xxgk.casework.commands import serve_config

    monkeypatch.delenv("XXGK_SECURE_COOKIES", raising=False)
    assert serve_config(None).secure_cookies is False
    for value, expected in (("1", True), ("true", True), ("YES", True), ("0", False), ("off", False)):
        monkeypatch.setenv("XXGK_SECURE_COOKIES", value)
        assert serve_config(None).secure_cookies is expected
    monkeypatch.setenv("XXGK_SECURE_COOKIES", "1")
    assert serve_config(None, secure_cookies=False).secure_cookies is False  # the option wins
    monkeypatch.setenv("XXGK_SECURE_COOKIES", "maybe")
    with pytest.raises(ValueError, match="XXGK_SECURE_COOKIES"):
        serve_config(None)
    assert serve_config(None, secure_cookies=True).secure_cookies is True


def test_secure_cookie_is_marked_secure(engine: Engine) -> None:
    site = make_site(engine, today=TODAY, secure_cookies=True)
    c = TestClient(site.app, base_url="https://testserver")
    r = c.get("/login")
    assert "secure" in r.headers["set-cookie"].lower()


def test_serve_options_help_is_true() -> None:
    import typer
    from typer.main import get_command

    from xxgk.casework.commands import register

    app = typer.Typer()
    register(app)
    serve = get_command(app).commands["serve"]  # type: ignore[attr-defined]
    helps = {p.name: p.help for p in serve.params}
    assert "未设置数据库地址" in helps["demo"] and "已设置时写入该数据库" in helps["demo"]
    assert "XXGK_SECURE_COOKIES" in helps["secure_cookies"]
    opts = {o for p in serve.params for o in p.opts + p.secondary_opts}
    assert {"--secure-cookies", "--no-secure-cookies"} <= opts


# ---- 15. minor ----------------------------------------------------------------------------------------------


def test_create_user_migrates_first_and_stores_an_aware_timestamp(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from datetime import datetime

    from alembic.migration import MigrationContext
    from sqlalchemy import event
    from typer.testing import CliRunner

    from xxgk.casework.db import make_engine, migrate
    from xxgk.casework.models import Agency, User
    from xxgk.cli import app as cli

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    migrate(engine, "0001")  # a database from before the latest migration
    with Session(engine) as s:
        s.add(Agency(name="示例市民政局", code="12330800002618401X", kind="department", settings={}))
        s.commit()
    stamps: list[datetime] = []

    def seen(mapper, connection, target) -> None:  # type: ignore[no-untyped-def]
        stamps.append(target.created_at)

    event.listen(User, "before_insert", seen)
    try:
        r = CliRunner().invoke(cli, ["create-user", "newclerk", "--role", "clerk", "--agency-code",
                                     "12330800002618401X", "--database-url", url], input="long-password-1\n" * 2)
    finally:
        event.remove(User, "before_insert", seen)
    assert r.exit_code == 0, r.output
    assert len(stamps) == 1 and stamps[0].tzinfo is not None
    with engine.connect() as c:
        assert MigrationContext.configure(c).get_current_revision() == "0002"
    engine.dispose()


def test_stored_consolidated_report_keeps_its_source(engine: Engine) -> None:
    from datetime import UTC, datetime

    from xxgk.casework.annual_report import build_report
    from xxgk.casework.models import AnnualReport
    from xxgk.casework.web.reports import report_from_row

    with Session(engine) as s:
        tree, _, _ = demo_actors(s)
        built = build_report(s, tree.government, 2024, consolidated=True)
        row = AnnualReport(agency_id=tree.government.id, year=2024, consolidated=True, values=dict(built.values),
                           narrative={}, manual_values={}, status="published", published_on=date(2025, 1, 20),
                           updated_at=datetime.now(UTC))
        assert report_from_row(row, tree.government).source == built.source
        assert built.source.endswith(":consolidated")
