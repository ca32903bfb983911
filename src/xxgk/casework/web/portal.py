"""Public portal: file an application, follow it with number + query code, the catalogue and its feeds, the
指南, published annual reports, the 年报体检 upload page, and staff login.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from xxgk.casework.catalogue import CHANNELS as CAT_CHANNELS
from xxgk.casework.catalogue import art20_items, feed_json, feed_rss, search
from xxgk.casework.deadlines import RULE_NOTES
from xxgk.casework.models import AGENCY_KINDS, Agency, AnnualReport, Application, Attachment, CatalogueItem, User
from xxgk.casework.outcomes import applicant_types
from xxgk.casework.security import (
    UploadRejected,
    burn_password_check,
    check_upload,
    mask_name,
    normalise_code,
    verify_password,
    verify_query_code,
)
from xxgk.casework.web.deps import Ctx, csrf_token, current_user, get_db, policy, rate_limit
from xxgk.casework.web.steps import ConcurrentStep, take_step
from xxgk.casework.workflow import (
    Actor,
    WorkflowError,
    deadline_of,
    effective_rules,
    public_trail,
    register_application,
)

router = APIRouter()
log = logging.getLogger("xxgk.casework.web")


def ctx(request: Request, db: Session = Depends(get_db)) -> Ctx:  # noqa: B008
    return Ctx(request, db, current_user(request, db))


def page(c: Ctx, name: str, status: int = 200, **data: Any) -> HTMLResponse:
    data.setdefault("user", c.user)
    data.setdefault("csrf", csrf_token(c.request))
    data.setdefault("today", c.today)
    return c.templates.TemplateResponse(c.request, name, data, status_code=status)


async def read_form(request: Request, max_bytes: int) -> FormData:
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > max_bytes:
        raise HTTPException(413, f"提交的内容过大（上限 {max_bytes // (1024 * 1024)} MB）")
    try:
        return await request.form(max_files=10, max_fields=60)
    except HTTPException:
        raise
    except Exception:
        raise HTTPException(400, "表单内容无法解析") from None


def field(form: FormData, name: str) -> str:
    v = form.get(name)
    return v.strip() if isinstance(v, str) else ""


@router.get("/healthz", include_in_schema=False)
@policy("public")
def healthz(c: Ctx = Depends(ctx)) -> dict[str, str]:  # noqa: B008
    c.db.execute(select(1))
    return {"status": "ok"}


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
@policy("public")
def home(c: Ctx = Depends(ctx)) -> HTMLResponse:  # noqa: B008
    items, _ = search(c.db, limit=5)
    reports = c.db.scalars(
        select(AnnualReport).where(AnnualReport.status == "published").order_by(AnnualReport.year.desc()).limit(10)
    ).all()
    return page(c, "home.html", items=items, reports=reports, agencies=c.agencies())


@router.get("/apply", response_class=HTMLResponse, include_in_schema=False)
@policy("public")
def apply_form(c: Ctx = Depends(ctx)) -> HTMLResponse:  # noqa: B008
    return page(c, "apply.html", agencies=c.agencies(), types=applicant_types(), form={}, error=None)


@router.post("/apply", response_class=HTMLResponse, include_in_schema=False)
@policy("public")
async def apply_submit(c: Ctx = Depends(ctx)) -> HTMLResponse:  # noqa: B008
    rate_limit(c.request, "apply")
    policy_ = c.config.upload
    form = await read_form(c.request, policy_.max_bytes * policy_.max_files + 1024 * 1024)
    values = {k: field(form, k) for k in (
        "agency_id", "applicant_type", "applicant_name", "applicant_id_type", "applicant_id_number",
        "applicant_phone", "applicant_email", "applicant_address", "contact_person", "description",
        "document_number", "delivery_form", "delivery_route")}
    files = [f for f in form.getlist("attachments") if isinstance(f, UploadFile) and f.filename]

    def fail(msg: str) -> HTMLResponse:
        return page(c, "apply.html", status=400, agencies=c.agencies(), types=applicant_types(), form=values,
                    error=msg)

    try:
        agency = c.db.get(Agency, int(values["agency_id"] or 0))
    except ValueError:
        agency = None
    if agency is None:
        return fail("请选择受理机关")
    if len(files) > policy_.max_files:
        return fail(f"附件最多 {policy_.max_files} 个")
    blobs: list[tuple[str, str, bytes]] = []
    try:
        for f in files:
            data = await f.read(policy_.max_bytes + 1)
            name = check_upload(f.filename or "", data, policy_)
            blobs.append((name, f.content_type or "application/octet-stream", data))
    except UploadRejected as exc:
        return fail(str(exc))
    try:
        app, code = register_application(
            c.db, agency=agency, channel="online", actor=Actor("public", "申请人（网上提交）"),
            calendar=c.calendar(), today=c.today, received_on=c.today,
            **{k: v for k, v in values.items() if k != "agency_id"},
        )
    except WorkflowError as exc:
        c.db.rollback()
        return fail(str(exc))
    for name, ctype, data in blobs:
        c.db.add(Attachment(application_id=app.id, filename=name, content_type=ctype[:100], size=len(data),
                            sha256=hashlib.sha256(data).hexdigest(), data=data, created_at=datetime.now(UTC)))
    c.db.commit()
    log.info("网上申请 %s 已登记（申请人 %s）", app.number, mask_name(app.applicant_name))
    tracked = list(c.request.session.get("tracked", []))[-9:]
    c.request.session["tracked"] = [*tracked, app.number]
    return page(c, "apply_done.html", app=app, code=code, agency=agency)


@router.get("/track", response_class=HTMLResponse, include_in_schema=False)
@policy("public")
def track_form(c: Ctx = Depends(ctx)) -> HTMLResponse:  # noqa: B008
    return page(c, "track_form.html", error=None, number="")


@router.post("/track", response_class=HTMLResponse, include_in_schema=False)
@policy("public")
async def track_submit(c: Ctx = Depends(ctx)) -> Response:  # noqa: B008
    rate_limit(c.request, "track")
    form = await read_form(c.request, 64 * 1024)
    number = field(form, "number").upper()
    code = normalise_code(field(form, "code"))
    app = c.db.scalar(select(Application).where(Application.number == number)) if number else None
    if app is None or not verify_query_code(code, app.query_salt, app.query_hash):
        return page(c, "track_form.html", status=404, error="申请编号或查询码不正确", number=number)
    tracked = [n for n in c.request.session.get("tracked", []) if n != number][-9:]
    c.request.session["tracked"] = [*tracked, number]
    return RedirectResponse(f"/track/{number}", status_code=303)


def tracked_app(c: Ctx, number: str) -> Application:
    if number not in c.request.session.get("tracked", []):
        raise HTTPException(403, "请先输入申请编号和查询码")
    app = c.db.scalar(select(Application).where(Application.number == number))
    if app is None:
        raise HTTPException(404, "没有找到该申请")
    return app


@router.get("/track/{number}", response_class=HTMLResponse, include_in_schema=False)
@policy("public")
def track_view(number: str, c: Ctx = Depends(ctx)) -> HTMLResponse:  # noqa: B008
    app = tracked_app(c, number)
    dl = deadline_of(app, c.calendar(), effective_rules(app.agency))
    return page(c, "track.html", app=app, trail=public_trail(app), deadline=dl, error=None)


@router.post("/track/{number}/correction", response_class=HTMLResponse, include_in_schema=False)
@policy("public")
async def track_correction(number: str, c: Ctx = Depends(ctx)) -> Response:  # noqa: B008
    rate_limit(c.request, "track")
    app = tracked_app(c, number)
    form = await read_form(c.request, 256 * 1024)
    try:
        take_step(c, app, "receive_correction", Actor("public", "申请人（网上补正）"), on=c.today,
                  params={"text": field(form, "text")})
    except WorkflowError as exc:
        status = 409 if isinstance(exc, ConcurrentStep) else 400
        app = tracked_app(c, number)
        dl = deadline_of(app, c.calendar(), effective_rules(app.agency))
        return page(c, "track.html", status=status, app=app, trail=public_trail(app), deadline=dl, error=str(exc))
    return RedirectResponse(f"/track/{number}", status_code=303)


@router.get("/catalogue", response_class=HTMLResponse, include_in_schema=False)
@policy("public")
def catalogue(c: Ctx = Depends(ctx), q: str = "", year: int | None = None, item: str = "",  # noqa: B008
              page_no: int = 1) -> HTMLResponse:
    page_no = max(1, min(page_no, 10_000))
    items, total = search(c.db, q=q, year=year, art20_item=item, limit=20, offset=(page_no - 1) * 20)
    return page(c, "catalogue.html", items=items, total=total, q=q, year=year, item=item, page_no=page_no,
                art20=art20_items(), channels=CAT_CHANNELS)


@router.get("/catalogue/feed.json", include_in_schema=False)
@policy("public")
def catalogue_json(c: Ctx = Depends(ctx)) -> JSONResponse:  # noqa: B008
    items, _ = search(c.db, limit=50)
    return JSONResponse(feed_json(items, str(c.request.base_url).rstrip("/")),
                        media_type="application/feed+json")


@router.get("/catalogue/feed.rss", include_in_schema=False)
@policy("public")
def catalogue_rss(c: Ctx = Depends(ctx)) -> Response:  # noqa: B008
    items, _ = search(c.db, limit=50)
    return Response(feed_rss(items, str(c.request.base_url).rstrip("/")), media_type="application/rss+xml")


@router.get("/catalogue/{item_id}", response_class=HTMLResponse, include_in_schema=False)
@policy("public")
def catalogue_item(item_id: int, c: Ctx = Depends(ctx)) -> HTMLResponse:  # noqa: B008
    item = c.db.get(CatalogueItem, item_id)
    if item is None:
        raise HTTPException(404, "没有找到该信息")
    return page(c, "catalogue_item.html", item=item, art20=dict(art20_items()), channels=CAT_CHANNELS)


@router.get("/guide", response_class=HTMLResponse, include_in_schema=False)
@policy("public")
def guide_index(c: Ctx = Depends(ctx)) -> HTMLResponse:  # noqa: B008
    return page(c, "guide_index.html", agencies=c.agencies(), kinds=AGENCY_KINDS)


@router.get("/guide/{agency_id}", response_class=HTMLResponse, include_in_schema=False)
@policy("public")
def guide(agency_id: int, c: Ctx = Depends(ctx)) -> HTMLResponse:  # noqa: B008
    agency = c.db.get(Agency, agency_id)
    if agency is None:
        raise HTTPException(404, "没有找到该机关")
    rules = effective_rules(agency)
    return page(c, "guide.html", agency=agency, rules=rules, notes=RULE_NOTES, art20=art20_items())


@router.get("/reports", response_class=HTMLResponse, include_in_schema=False)
@policy("public")
def reports(c: Ctx = Depends(ctx)) -> HTMLResponse:  # noqa: B008
    rows = c.db.scalars(
        select(AnnualReport).where(AnnualReport.status == "published")
        .order_by(AnnualReport.year.desc(), AnnualReport.agency_id)
    ).all()
    return page(c, "reports.html", reports=rows)


def published(c: Ctx, report_id: int) -> AnnualReport:
    r = c.db.get(AnnualReport, report_id)
    if r is None or r.status != "published":
        raise HTTPException(404, "没有找到该年度报告")
    return r


@router.get("/reports/{report_id}", response_class=HTMLResponse, include_in_schema=False)
@policy("public")
def report_view(report_id: int, c: Ctx = Depends(ctx)) -> Response:  # noqa: B008
    from xxgk.casework.web.reports import render_stored

    r = published(c, report_id)
    return render_stored(c, r, "html")


@router.get("/reports/{report_id}/download/{fmt}", include_in_schema=False)
@policy("public")
def report_download(report_id: int, fmt: str, c: Ctx = Depends(ctx)) -> Response:  # noqa: B008
    from xxgk.casework.web.reports import render_stored

    if fmt not in ("docx", "pdf", "html"):
        raise HTTPException(404, "不支持的格式")
    return render_stored(c, published(c, report_id), fmt)


@router.get("/checkup", response_class=HTMLResponse, include_in_schema=False)
@policy("public")
def checkup_form(c: Ctx = Depends(ctx)) -> HTMLResponse:  # noqa: B008
    return page(c, "checkup.html", findings=None, report=None, error=None)


@router.post("/checkup", response_class=HTMLResponse, include_in_schema=False)
@policy("public")
async def checkup_submit(c: Ctx = Depends(ctx)) -> HTMLResponse:  # noqa: B008
    rate_limit(c.request, "checkup")
    form = await read_form(c.request, c.config.checkup_max_bytes + 64 * 1024)
    upload = form.get("report")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return page(c, "checkup.html", status=400, findings=None, report=None, error="请选择要体检的年报文件")
    data = await upload.read(c.config.checkup_max_bytes + 1)
    if len(data) > c.config.checkup_max_bytes:
        return page(c, "checkup.html", status=413, findings=None, report=None,
                    error=f"文件超过 {c.config.checkup_max_bytes // (1024 * 1024)} MB")
    if not data:
        return page(c, "checkup.html", status=400, findings=None, report=None, error="文件为空")
    from xxgk.casework.web.reports import checkup

    try:
        report, findings = checkup(data, upload.filename)
    except Exception as exc:  # a damaged upload must never take the service down
        log.warning("年报体检失败：%s", type(exc).__name__)
        return page(c, "checkup.html", status=422, findings=None, report=None,
                    error="无法识别该文件（支持 PDF、Word、HTML、文本等格式的年度报告）")
    return page(c, "checkup.html", findings=findings, report=report, error=None, filename=upload.filename)


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
@policy("public")
def login_form(c: Ctx = Depends(ctx), next: str = "/staff") -> HTMLResponse:  # noqa: B008
    safe = next if next.startswith("/") and not next.startswith("//") else "/staff"
    return page(c, "login.html", error=None, next=safe)


@router.post("/login", response_class=HTMLResponse, include_in_schema=False)
@policy("public")
async def login(c: Ctx = Depends(ctx)) -> Response:  # noqa: B008
    rate_limit(c.request, "login")
    form = await read_form(c.request, 64 * 1024)
    username, password = field(form, "username"), str(form.get("password") or "")
    nxt = field(form, "next") or "/staff"
    if not nxt.startswith("/") or nxt.startswith("//"):
        nxt = "/staff"
    user = c.db.scalar(select(User).where(User.username == username)) if username else None
    if user is None:
        burn_password_check(password)
    if user is None or not user.active or not verify_password(user.password_hash, password):
        log.info("登录失败：%s", mask_name(username))
        return page(c, "login.html", status=401, error="用户名或密码错误", next=nxt)
    c.request.session.clear()
    c.request.session["uid"] = user.id
    csrf_token(c.request)
    return RedirectResponse(nxt, status_code=303)


@router.post("/logout", include_in_schema=False)
@policy("public")
def logout(c: Ctx = Depends(ctx)) -> Response:  # noqa: B008
    c.request.session.clear()
    return RedirectResponse("/", status_code=303)
