"""Web layer: the citizen/clerk/approver flow over HTTP, the permission of every route for every role, CSRF,
rate limits, uploads, masking, bad input, reports and the 年报体检 page."""

from __future__ import annotations

import logging
import re
from datetime import date

import pytest
from casework_web_helpers import Site, client, csrf, file_application, login, make_site
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from xxgk.casework.models import Application

ROLES = ["public", "clerk", "approver", "admin", "supervisor"]
POLICY_DENIED = "您的角色无权访问此页面或执行此操作"
TODAY = date(2025, 11, 14)


@pytest.fixture
def site(engine: Engine) -> Site:
    return make_site(engine, today=TODAY)


def act(c: TestClient, app_id: int, action: str, **fields: str) -> str:
    page = c.get(f"/staff/applications/{app_id}").text
    tok = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert tok
    r = c.post(f"/staff/applications/{app_id}/action", data={"csrf_token": tok.group(1), "action": action, **fields})
    assert r.status_code == 200, r.text  # redirected back to the case page
    assert 'class="error"' not in r.text, re.findall(r'class="error"[^>]*>([^<]+)', r.text)
    return r.text


def test_citizen_clerk_approver_flow_and_report(site: Site) -> None:
    citizen = client(site)
    number, code = file_application(citizen, site.tree.civil_affairs.id)
    clerk, approver = login(site, "clerk"), login(site, "approver")
    with Session(site.engine) as s:
        app_id = s.scalar(select(Application.id).where(Application.number == number))
    assert app_id is not None
    queue = clerk.get("/staff").text
    assert number in queue and "王小明" not in queue and "王**" in queue  # masked in lists
    act(clerk, app_id, "request_correction", note="请说明所需低保资金明细的地区范围")
    other = client(site)
    t = other.post("/track", data={"csrf_token": csrf(other, "/track"), "number": number, "code": code})
    assert t.status_code == 200 and "请说明所需低保资金明细的地区范围" in t.text
    r = other.post(f"/track/{number}/correction", data={"csrf_token": csrf(other, f"/track/{number}"),
                                                        "text": "全市范围"})
    assert "收到补正" in r.text
    act(approver, app_id, "approve_extension", days="20", reason="需要汇总各区县数据")
    act(clerk, app_id, "draft_reply", outcome="partial", details="涉及个人隐私的部分已作区分处理。")
    act(approver, app_id, "sign_reply")
    page = other.get(f"/track/{number}").text
    for label in ("登记受理", "告知补正", "收到补正", "延期答复（延长20个工作日）", "作出答复"):
        assert label in page, label
    assert "第三十七条" in page and "拟定答复" not in page
    rep = clerk.get(f"/staff/reports/{TODAY.year}").text
    cell = re.search(r'data-key="applications.partial.natural_person">(\d+)<', rep)
    assert cell and cell.group(1) == "1"
    api = clerk.get(f"/api/v1/reports/{TODAY.year}").json()
    assert api["values"]["applications.partial.total"] == 1
    assert api["values"]["applications.new.natural_person"] == 1
    if api["findings"] is not None:
        assert [f for f in api["findings"] if f["category"] == "arithmetic"] == []


def api_routes(routes: list) -> list[APIRoute]:  # type: ignore[type-arg]
    """Every APIRoute, also inside included routers (FastAPI 0.16x wraps them in _IncludedRouter)."""
    out: list[APIRoute] = []
    for r in routes:
        if isinstance(r, APIRoute):
            out.append(r)
        elif hasattr(r, "original_router"):
            prefix = getattr(getattr(r, "include_context", None), "prefix", "") or ""
            assert prefix == "", "routers are included without an extra prefix"
            out.extend(api_routes(r.original_router.routes))
    return out


def _fill(path: str, ids: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], path)


def test_every_route_has_a_policy_enforced_for_every_role(engine: Engine) -> None:
    big = (10_000, 60.0)
    site = make_site(engine, today=TODAY, rate_apply=big, rate_track=big, rate_login=big, rate_checkup=big)
    citizen = client(site)
    number, code = file_application(citizen, site.tree.civil_affairs.id)
    with Session(site.engine) as s:
        app_id = s.scalar(select(Application.id).where(Application.number == number))
    ids = {"app_id": str(app_id), "number": number, "item_id": "1", "agency_id": str(site.tree.civil_affairs.id),
           "report_id": "1", "year": str(TODAY.year), "fmt": "html", "att_id": "1"}
    routes = api_routes(site.app.routes)
    assert len(routes) > 40
    assert "/staff/catalogue/{item_id}/repeal" in {r.path for r in routes}  # covered below like every route
    undeclared = [r.path for r in routes if getattr(r.endpoint, "__xxgk_policy__", None) is None]
    assert undeclared == []
    def fresh(role: str) -> TestClient:
        c = client(site) if role == "public" else login(site, role)
        # every visitor may follow the application it knows the code of
        c.post("/track", data={"csrf_token": csrf(c, "/track"), "number": number, "code": code})
        return c

    clients = {r: fresh(r) for r in ROLES}
    checked = 0
    for route in routes:
        allowed = route.endpoint.__xxgk_policy__
        path = _fill(route.path, ids)
        for method in route.methods:
            for role, c in clients.items():
                if method == "GET":
                    r = c.get(path, follow_redirects=False)
                else:
                    tok = csrf(c, "/track")
                    r = c.request(method, path, data={"csrf_token": tok}, headers={"X-CSRF-Token": tok},
                                  follow_redirects=False)
                    if path == "/logout":
                        clients[role] = c = fresh(role)
                to_login = r.status_code == 303 and r.headers.get("location", "").startswith("/login")
                denied = (to_login or (r.status_code == 401 and "请先登录" in r.text)
                          or (r.status_code == 403 and POLICY_DENIED in r.text))
                ok = "public" in allowed or role in allowed
                assert denied != ok, (method, route.path, role, r.status_code, r.text[:200])
                assert r.status_code < 500, (method, route.path, role, r.text[:300])
                checked += 1
    assert checked >= 5 * len(routes)


def test_csrf_required_on_forms(site: Site) -> None:
    clerk = login(site, "clerk")
    r = clerk.post("/staff/applications/new", data={"channel": "in_person"})
    assert r.status_code == 403 and "CSRF" in r.text
    r = clerk.post("/staff/applications/new", data={"channel": "in_person", "csrf_token": "forged"})
    assert r.status_code == 403
    api = clerk.post("/api/v1/applications/1/actions", json={"action": "note", "params": {"note": "x"}})
    assert api.status_code == 403  # logged-in JSON without the header


def test_other_applicants_cannot_see_and_personal_data_masked(site: Site, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    a = client(site)
    number, code = file_application(a, site.tree.civil_affairs.id)
    b = client(site)
    assert b.get(f"/track/{number}").status_code == 403
    wrong = b.post("/track", data={"csrf_token": csrf(b, "/track"), "number": number, "code": "WRONGCODE1"})
    assert wrong.status_code == 404 and "王小明" not in wrong.text
    assert b.post("/api/v1/track", json={"number": number, "code": "x"}).status_code == 404
    ok = b.post("/api/v1/track", json={"number": number, "code": code.lower()})
    assert ok.status_code == 200 and ok.json()["state"] == "registered"
    sup = login(site, "supervisor")
    listing = sup.get("/api/v1/applications").json()
    assert listing and all(x["applicant_name"] != "王小明" for x in listing)
    detail = sup.get(f"/api/v1/applications/{listing[0]['id']}").json()
    assert detail["applicant_phone"].startswith("138") and "*" in detail["applicant_phone"]
    assert "330802199001011234" not in sup.get(f"/staff/applications/{listing[0]['id']}").text
    assert "王小明" not in caplog.text and "13812345678" not in caplog.text
    # Supervisor is read-only; a clerk of another agency cannot see the case at all.
    town = login(site, "town_clerk")
    assert town.get(f"/staff/applications/{listing[0]['id']}").status_code == 404


def test_rate_limit_on_public_forms(engine: Engine) -> None:
    site = make_site(engine, today=TODAY, rate_apply=(2, 3600.0))
    c = client(site)
    file_application(c, site.tree.civil_affairs.id)
    file_application(c, site.tree.civil_affairs.id)
    r = c.post("/apply", data={"csrf_token": csrf(c, "/apply"), "agency_id": "2"})
    assert r.status_code == 429 and "频繁" in r.text


def test_uploads_checked_and_bounded(site: Site) -> None:
    c = client(site)
    base = {"agency_id": str(site.tree.civil_affairs.id), "applicant_type": "natural_person",
            "applicant_name": "李四", "applicant_phone": "13900000000", "description": "某文件"}
    r = c.post("/apply", data={"csrf_token": csrf(c, "/apply"), **base},
               files={"attachments": ("evil.exe", b"MZ\x90\x00", "application/octet-stream")})
    assert r.status_code == 400 and "不支持的附件类型" in r.text
    r = c.post("/apply", data={"csrf_token": csrf(c, "/apply"), **base},
               files={"attachments": ("id.pdf", b"not a pdf", "application/pdf")})
    assert r.status_code == 400 and "不符" in r.text
    big = b"%PDF" + b"0" * (5 * 1024 * 1024)
    r = c.post("/apply", data={"csrf_token": csrf(c, "/apply"), **base},
               files={"attachments": ("big.pdf", big, "application/pdf")})
    assert r.status_code == 400 and "上限" in r.text
    r = c.post("/apply", data={"csrf_token": csrf(c, "/apply"), **base},
               files={"attachments": ("id.pdf", b"%PDF-1.4 ok", "application/pdf")})
    assert r.status_code == 200
    with Session(site.engine) as s:
        app = s.scalars(select(Application)).one()
        assert [a.filename for a in app.attachments] == ["id.pdf"]


@pytest.mark.parametrize("path", ["/staff/applications/abc", "/catalogue?year=abc", "/catalogue/999999",
                                  "/reports/999", "/guide/999", "/track/NOPE", "/staff/reports/1900",
                                  "/reports/1/download/exe", "/api/v1/reports/1800"])
def test_bad_input_gets_clear_message_not_crash(site: Site, path: str) -> None:
    c = login(site, "clerk")
    r = c.get(path)
    assert 400 <= r.status_code < 500, (path, r.status_code)


def test_invalid_forms_show_errors(site: Site) -> None:
    c = client(site)
    r = c.post("/apply", data={"csrf_token": csrf(c, "/apply"), "agency_id": "2", "applicant_type": "natural_person",
                               "applicant_name": "", "description": "x", "applicant_phone": "1"})
    assert r.status_code == 400 and "请填写" in r.text
    r = c.post("/apply", data={"csrf_token": csrf(c, "/apply"), "agency_id": "zz"})
    assert r.status_code == 400 and "受理机关" in r.text
    r = c.post("/api/v1/applications", json={"agency_id": 2})
    assert r.status_code == 422 and "detail" in r.json()
    clerk = login(site, "clerk")
    tok = csrf(clerk, "/staff/applications/new")
    r = clerk.post("/staff/applications/new", data={"csrf_token": tok, "channel": "pigeon", "applicant_type": "x"})
    assert r.status_code == 400 and "未知的申请渠道" in r.text


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(number=st.text(max_size=60), code=st.text(max_size=60), q=st.text(max_size=120))
@example(number="\x00", code="\x00", q="\x00")  # PostgreSQL text cannot hold NUL
def test_fuzzed_public_inputs_never_crash(site: Site, number: str, code: str, q: str) -> None:
    c = client(site)
    r = c.post("/api/v1/track", json={"number": number, "code": code})
    assert r.status_code in (404, 422, 429)
    assert c.get("/api/v1/catalogue", params={"q": q}).status_code == 200


def test_nul_characters_are_dropped_not_fatal(site: Site) -> None:
    c = client(site)
    number, code = file_application(c, site.tree.civil_affairs.id,
                                    description="低保\x00名单", applicant_name="王\x00明")
    with Session(site.engine) as s:
        app = s.scalars(select(Application).where(Application.number == number)).one()
        assert app.description == "低保名单" and "\x00" not in app.applicant_name
    assert c.post("/api/v1/track", json={"number": number + "\x00", "code": code}).status_code == 200


def test_holiday_table_extension_removes_warning(engine: Engine) -> None:
    from xxgk.casework.calendar import seed_years

    future = max(seed_years()) + 1
    site = make_site(engine, today=date(future - 1, 12, 1))
    admin = login(site, "admin")
    assert str(future) in admin.get("/staff").text  # visible warning
    tok = csrf(admin, "/staff/admin")
    r = admin.post("/staff/admin/holidays", data={"csrf_token": tok, "days": f"{future}-01-01 休 元旦\nbad line",
                                                  "complete_year": str(future)})
    assert r.status_code == 400 and "第2行" in r.text
    r = admin.post("/staff/admin/holidays", data={"csrf_token": tok, "days": f"{future}-01-01 休 元旦",
                                                  "complete_year": str(future)})
    assert r.status_code == 200
    assert "节假日表缺少" not in admin.get("/staff").text


def test_admin_rules_configurable(site: Site) -> None:
    admin = login(site, "admin")
    tok = csrf(admin, "/staff/admin")
    r = admin.post("/staff/admin/rules", data={"csrf_token": tok, "fee_payment_days": "abc"})
    assert r.status_code == 400 and "取值无效" in r.text
    r = admin.post("/staff/admin/rules", data={"csrf_token": tok, "fee_payment_days": "15",
                                               "fee_notice_pauses_clock": "true"})
    assert r.status_code == 200
    from xxgk.casework.models import Agency
    from xxgk.casework.workflow import effective_rules

    with Session(site.engine) as s:
        assert effective_rules(s.get(Agency, site.tree.civil_affairs.id)).fee_payment_days == 15


@pytest.mark.slow
def test_publish_report_and_checkup(site: Site) -> None:
    pytest.importorskip("xxgk.render")
    approver = login(site, "approver")
    year = TODAY.year - 1
    tok = csrf(approver, f"/staff/reports/{year}")
    r = approver.post(f"/staff/reports/{year}", data={"csrf_token": tok, "consolidated": "0", "publish": "1",
                                                      "section_problems": "存在的问题：办理效率有待提高。",
                                                      "cell_art20_5.licensing.decisions": "12"})
    assert r.status_code == 200, r.text
    public = client(site)
    listing = public.get("/reports").text
    rid = re.search(r'href="/reports/(\d+)"', listing)
    assert rid
    html = public.get(f"/reports/{rid.group(1)}")
    assert html.status_code == 200 and "办理效率有待提高" in html.text
    docx = public.get(f"/reports/{rid.group(1)}/download/docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    # 年报体检: upload the rendered report and get the audit back.
    up = public.post("/checkup", data={"csrf_token": csrf(public, "/checkup")},
                     files={"report": ("report.html", html.content, "text/html")})
    assert up.status_code == 200 and "体检结果" in up.text
    junk = public.post("/checkup", data={"csrf_token": csrf(public, "/checkup")},
                       files={"report": ("x.pdf", b"%PDF-garbage", "application/pdf")})
    assert junk.status_code in (200, 422)
    sup = login(site, "supervisor")
    cons = sup.get(f"/staff/reports/{year}/consolidated")
    assert cons.status_code == 200 and "汇总" in cons.text


def test_catalogue_feeds_and_art26(site: Site) -> None:
    c = client(site)
    feed = c.get("/catalogue/feed.json").json()
    assert feed["items"] and "/" in feed["items"][0]["id"]
    assert c.get("/catalogue/feed.rss").text.startswith("<?xml")
    found = c.get("/api/v1/catalogue", params={"q": "养老"}).json()
    assert found["total"] == 1 and found["items"][0]["published_within_art26"] is False  # 4/1 → 5/20 is late
    clerk = login(site, "clerk")
    tok = csrf(clerk, "/staff/catalogue")
    r = clerk.post("/staff/catalogue", data={"csrf_token": tok, "title": "测试文件", "made_on": "2025-03-01",
                                             "published_on": "2025-02-01"})
    assert r.status_code == 400 and "发布日期不能早于" in r.text


def test_security_headers_on_pages_api_and_errors(site: Site) -> None:
    c = client(site)
    for path, status in (("/", 200), ("/api/v1/catalogue?limit=1", 200), ("/no-such-page", 404)):
        r = c.get(path)
        assert r.status_code == status, path
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["referrer-policy"] == "same-origin"
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
        assert len(r.headers.get_list("x-frame-options")) == 1
    docs = c.get("/api/docs")  # Swagger UI loads its own scripts: no content security policy there
    assert docs.status_code == 200 and "content-security-policy" not in docs.headers
    assert docs.headers["x-frame-options"] == "DENY"
