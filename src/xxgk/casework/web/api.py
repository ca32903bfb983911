"""JSON API (``/api/v1``, documented at ``/api/docs``): public filing and tracking, the catalogue, and for
staff the case list (personal data masked), case detail, workflow actions and the annual report values.
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, Field
from sqlalchemy import select

from xxgk.casework.annual_report import check_report_year
from xxgk.casework.catalogue import item_json, search
from xxgk.casework.models import STATES, Agency, Application, User
from xxgk.casework.security import (
    burn_password_check,
    mask_email,
    mask_id_number,
    mask_name,
    mask_phone,
    normalise_code,
    verify_password,
    verify_query_code,
)
from xxgk.casework.web.deps import HANDLERS, STAFF, Ctx, csrf_token, policy, rate_limit
from xxgk.casework.web.portal import ctx
from xxgk.casework.workflow import (
    OPEN_STATES,
    Actor,
    WorkflowError,
    public_trail,
    register_application,
)

router = APIRouter(prefix="/api/v1", tags=["xxgk"])


class LoginIn(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(max_length=200)


class LoginOut(BaseModel):
    username: str
    role: str
    agency: str
    csrf_token: str


class ApplicationIn(BaseModel):
    agency_id: int
    applicant_type: str = Field(
        description="申请人类型：natural_person/commercial/research/nonprofit/legal_services/other_org"
    )
    applicant_name: str = Field(max_length=200)
    description: str = Field(max_length=5000, description="所需政府信息的名称、文号或特征性描述")
    applicant_id_type: str = ""
    applicant_id_number: str = ""
    applicant_phone: str = ""
    applicant_email: str = ""
    applicant_address: str = ""
    contact_person: str = ""
    document_number: str = ""
    delivery_form: str = ""
    delivery_route: str = ""


class FiledOut(BaseModel):
    number: str
    query_code: str = Field(description="查询码：只显示这一次，请妥善保存")
    received_on: date
    due_date: date | None


class TrackIn(BaseModel):
    number: str = Field(max_length=40)
    code: str = Field(max_length=40)


class Step(BaseModel):
    on: date
    label: str
    note: str


class TrackOut(BaseModel):
    number: str
    state: str
    state_label: str
    received_on: date
    due_date: date | None
    outcome: str | None
    reply_text: str | None
    steps: list[Step]


class ActionIn(BaseModel):
    action: str
    on: date | None = None
    params: dict[str, Any] = Field(default_factory=dict)


class CaseOut(BaseModel):
    id: int
    number: str | None
    agency_id: int
    channel: str
    applicant_type: str
    applicant_name: str
    state: str
    received_on: date
    due_date: date | None
    outcome: str | None
    result_date: date | None


class CaseDetail(CaseOut):
    applicant_phone: str
    applicant_email: str
    applicant_id_number: str
    applicant_address: str
    description: str
    reply_text: str
    events: list[dict[str, Any]]


def _case(app: Application, masked: bool = True) -> dict[str, Any]:
    return {
        "id": app.id, "number": app.number, "agency_id": app.agency_id, "channel": app.channel,
        "applicant_type": app.applicant_type,
        "applicant_name": mask_name(app.applicant_name) if masked else app.applicant_name,
        "state": app.state, "received_on": app.received_on, "due_date": app.due_date, "outcome": app.outcome,
        "result_date": app.result_date,
    }


@router.post("/login", response_model=LoginOut)
@policy("public")
def api_login(body: LoginIn, c: Ctx = Depends(ctx)) -> LoginOut:  # noqa: B008
    rate_limit(c.request, "login")
    user = c.db.scalar(select(User).where(User.username == body.username))
    if user is None:
        burn_password_check(body.password)
    if user is None or not user.active or not verify_password(user.password_hash, body.password):
        raise HTTPException(401, "用户名或密码错误")
    c.request.session.clear()
    c.request.session["uid"] = user.id
    c.request.session["csrf"] = secrets.token_urlsafe(24)
    return LoginOut(username=user.username, role=user.role, agency=user.agency.name, csrf_token=csrf_token(c.request))


@router.get("/me", response_model=LoginOut)
@policy(*STAFF)
def api_me(c: Ctx = Depends(ctx)) -> LoginOut:  # noqa: B008
    assert c.user is not None
    return LoginOut(username=c.user.username, role=c.user.role, agency=c.user.agency.name,
                    csrf_token=csrf_token(c.request))


@router.post("/applications", response_model=FiledOut, status_code=201)
@policy("public")
def api_file(body: ApplicationIn, c: Ctx = Depends(ctx)) -> FiledOut:  # noqa: B008
    """提交政府信息公开申请（网络渠道）。返回申请编号和查询码。"""
    rate_limit(c.request, "apply")
    agency = c.db.get(Agency, body.agency_id)
    if agency is None:
        raise HTTPException(422, "受理机关不存在")
    data = body.model_dump(exclude={"agency_id"})
    try:
        app, code = register_application(
            c.db, agency=agency, channel="online", actor=Actor("public", "申请人（接口提交）"),
            calendar=c.calendar(), today=c.today, received_on=c.today, **data,
        )
    except WorkflowError as exc:
        c.db.rollback()
        raise HTTPException(422, str(exc)) from None
    c.db.commit()
    assert app.number is not None
    return FiledOut(number=app.number, query_code=code, received_on=app.received_on, due_date=app.due_date)


@router.post("/track", response_model=TrackOut)
@policy("public")
def api_track(body: TrackIn, c: Ctx = Depends(ctx)) -> TrackOut:  # noqa: B008
    """凭申请编号和查询码查询办理进度。"""
    rate_limit(c.request, "track")
    app = c.db.scalar(select(Application).where(Application.number == body.number.strip().upper()))
    if app is None or not verify_query_code(normalise_code(body.code), app.query_salt, app.query_hash):
        raise HTTPException(404, "申请编号或查询码不正确")
    return TrackOut(
        number=app.number or "", state=app.state, state_label=STATES.get(app.state, app.state),
        received_on=app.received_on, due_date=app.due_date if app.state in OPEN_STATES else None,
        outcome=app.outcome if app.state in ("answered", "closed") else None,
        reply_text=app.reply_text if app.state in ("answered", "closed") else None,
        steps=[Step(on=s.on, label=s.label, note=s.note) for s in public_trail(app)],
    )


@router.get("/catalogue")
@policy("public")
def api_catalogue(c: Ctx = Depends(ctx), q: str = "", year: int | None = None, item: str = "",  # noqa: B008
                  limit: int = 20, offset: int = 0) -> dict[str, Any]:
    """检索政府信息公开目录。"""
    items, total = search(c.db, q=q, year=year, art20_item=item, limit=limit, offset=offset)
    base = str(c.request.base_url).rstrip("/")
    return {"total": total, "items": [item_json(i, base) for i in items]}


@router.get("/applications", response_model=list[CaseOut])
@policy(*STAFF)
def api_cases(c: Ctx = Depends(ctx), view: str = "queue", limit: int = 100) -> list[dict[str, Any]]:  # noqa: B008
    """本机关（政务公开办：下级机关）的申请，按答复期限排序；申请人姓名已脱敏。"""
    from xxgk.casework.web.staff import queue

    return [_case(a) for a in queue(c, view, max(1, min(limit, 500)))]


@router.get("/applications/{app_id}", response_model=CaseDetail)
@policy(*STAFF)
def api_case(app_id: int, c: Ctx = Depends(ctx)) -> dict[str, Any]:  # noqa: B008
    app = c.application(app_id)
    own = c.user is not None and c.user.agency_id == app.agency_id and c.user.role in HANDLERS
    out = _case(app, masked=not own)
    out.update(
        applicant_phone=app.applicant_phone if own else mask_phone(app.applicant_phone),
        applicant_email=app.applicant_email if own else mask_email(app.applicant_email),
        applicant_id_number=app.applicant_id_number if own else mask_id_number(app.applicant_id_number),
        applicant_address=app.applicant_address if own else "",
        description=app.description, reply_text=app.reply_text,
        events=[{"seq": e.seq, "kind": e.kind, "on": e.on_date.isoformat(), "actor": e.actor_label,
                 "state_after": e.state_after, "note": e.note, "data": e.data,
                 "recorded_at": e.recorded_at.isoformat()} for e in app.events],
    )
    return out


@router.post("/applications/{app_id}/actions", response_model=CaseOut)
@policy(*HANDLERS)
def api_action(app_id: int, body: ActionIn, c: Ctx = Depends(ctx)) -> dict[str, Any]:  # noqa: B008
    """办理操作：request_correction、receive_correction、approve_extension、draft_reply、sign_reply 等。"""
    app = c.application(app_id)
    if c.user is None or app.agency_id != c.user.agency_id:
        raise HTTPException(403, "只能办理本机关的申请")
    from xxgk.casework.web.staff import actor
    from xxgk.casework.web.steps import take_step

    try:
        take_step(c, app, body.action, actor(c), on=body.on or c.today, params=body.params)
    except WorkflowError as exc:  # a refused step, or ConcurrentStep when another step won the race
        raise HTTPException(409, str(exc)) from None
    return _case(app)


@router.get("/reports/{year}")
@policy(*STAFF)
def api_report(year: int, c: Ctx = Depends(ctx), consolidated: bool = False) -> dict[str, Any]:  # noqa: B008
    """本机关某年度报告的统计数据（由台账计算）和审核结果。"""
    from xxgk.casework.web.reports import draft, run_audit

    if consolidated and (c.user is None or c.user.role != "supervisor"):
        raise HTTPException(403, "汇总报告仅政务公开办可以查看")
    try:
        check_report_year(year)
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None
    try:
        report, row = draft(c, c.agency(), year, consolidated)
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None
    findings = run_audit(report)
    return {
        "format": report.format, "year": year, "agency": report.agency,
        "status": row.status if row else "draft", "values": report.values,
        "findings": [f.to_json() for f in findings] if findings is not None else None,
    }
