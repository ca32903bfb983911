"""Staff pages: queues sorted by due date (overdue, due soon), registering applications received in person,
by post, fax or e-mail, the case page with its actions and trail, the catalogue, review/litigation cases,
the annual-report builder and the agency administration (rules, holiday table, users).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from starlette.datastructures import FormData

from xxgk.casework.annual_report import check_report_year, report_years, stored_report, subtree_ids
from xxgk.casework.calendar import CalendarDataMissing
from xxgk.casework.catalogue import CHANNELS as CAT_CHANNELS
from xxgk.casework.catalogue import CatalogueError, add_item, art20_items, search, set_repeal_date
from xxgk.casework.codes import valid_uscc
from xxgk.casework.deadlines import RULE_NOTES, DeadlineRules, working_days_left
from xxgk.casework.models import (
    CHANNELS,
    ROLES,
    Agency,
    AnnualReport,
    Application,
    Attachment,
    CalendarDay,
    CalendarYear,
    CatalogueItem,
    ReviewCase,
    User,
)
from xxgk.casework.outcomes import applicant_types
from xxgk.casework.refresh import refresh_dates
from xxgk.casework.security import hash_password
from xxgk.casework.web.deps import HANDLERS, STAFF, Ctx, policy
from xxgk.casework.web.portal import ctx, field, page, read_form
from xxgk.casework.web.steps import ConcurrentStep, take_step
from xxgk.casework.workflow import (
    ACTIONS,
    OPEN_STATES,
    Actor,
    WorkflowError,
    deadline_of,
    effective_rules,
    outcome_choices,
    register_application,
)

router = APIRouter(prefix="/staff")
ROLE_LABEL = {"clerk": "经办人", "approver": "负责人", "admin": "管理员", "supervisor": "政务公开办"}


def actor(c: Ctx) -> Actor:
    assert c.user is not None
    return Actor(c.user.role, f"{ROLE_LABEL.get(c.user.role, c.user.role)} {c.user.display_name}", c.user.id,
                 c.user.agency_id)


def parse_date(value: str, label: str, default: date | None = None) -> date:
    if not value:
        if default is None:
            raise WorkflowError(f"请填写{label}")
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise WorkflowError(f"{label}格式应为 YYYY-MM-DD") from None


def missing_calendar_years(c: Ctx) -> list[int]:
    cal = c.calendar()
    return cal.missing_years([c.today.year, c.today.year + 1] if c.today.month >= 11 else [c.today.year])


def queue(c: Ctx, view: str, limit: int = 200) -> list[Application]:
    ids = c.visible_agency_ids()
    stmt = select(Application).where(Application.agency_id.in_(ids))
    if view in ("queue", "overdue", "due_soon"):
        stmt = stmt.where(Application.state.in_(OPEN_STATES))
    if view == "overdue":
        stmt = stmt.where(Application.due_date < c.today)
    elif view == "due_soon":
        rules = effective_rules(c.user.agency if c.user else None)
        try:
            horizon = c.calendar().add_working_days(c.today, rules.due_soon_days)
        except CalendarDataMissing:
            horizon = c.today
        stmt = stmt.where(Application.due_date >= c.today, Application.due_date <= horizon)
    if view == "closed":
        stmt = stmt.where(Application.state.not_in(OPEN_STATES))
        stmt = stmt.order_by(Application.result_date.desc(), Application.id.desc())
    else:
        stmt = stmt.order_by(Application.due_date.is_(None), Application.due_date, Application.id)
    return list(c.db.scalars(stmt.limit(limit)))


@router.get("", response_class=HTMLResponse, include_in_schema=False)
@policy(*STAFF)
def dashboard(c: Ctx = Depends(ctx), view: str = "queue") -> HTMLResponse:  # noqa: B008
    if view not in ("queue", "overdue", "due_soon", "closed", "all"):
        view = "queue"
    ids = c.visible_agency_ids()
    counts = dict(
        c.db.execute(
            select(Application.state, func.count()).where(Application.agency_id.in_(ids)).group_by(Application.state)
        ).all()
    )
    overdue = c.db.scalar(
        select(func.count()).select_from(Application).where(
            Application.agency_id.in_(ids), Application.state.in_(OPEN_STATES), Application.due_date < c.today)
    ) or 0
    return page(c, "staff_dashboard.html", apps=queue(c, view), view=view, counts=counts, overdue=overdue,
                missing_years=missing_calendar_years(c))


@router.get("/applications/new", response_class=HTMLResponse, include_in_schema=False)
@policy(*HANDLERS)
def new_application_form(c: Ctx = Depends(ctx)) -> HTMLResponse:  # noqa: B008
    return page(c, "staff_new.html", types=applicant_types(), form={}, error=None)


@router.post("/applications/new", response_class=HTMLResponse, include_in_schema=False)
@policy(*HANDLERS)
async def new_application(c: Ctx = Depends(ctx)) -> Response:  # noqa: B008
    form = await read_form(c.request, 256 * 1024)
    values = {k: field(form, k) for k in (
        "channel", "applicant_type", "applicant_name", "applicant_id_type", "applicant_id_number",
        "applicant_phone", "applicant_email", "applicant_address", "contact_person", "description",
        "document_number", "delivery_form", "delivery_route", "received_on")}
    try:
        received = parse_date(values.pop("received_on"), "收到申请日期", c.today)
        app, code = register_application(c.db, agency=c.agency(), actor=actor(c), calendar=c.calendar(),
                                         today=c.today, received_on=received, **values)
    except WorkflowError as exc:
        c.db.rollback()
        return page(c, "staff_new.html", status=400, types=applicant_types(), form=values, error=str(exc))
    c.db.commit()
    return page(c, "staff_registered.html", app=app, code=code)


def _app_page(c: Ctx, app: Application, error: str | None = None, status: int = 200) -> HTMLResponse:
    rules = effective_rules(app.agency)
    dl = deadline_of(app, c.calendar(), rules)
    left = None
    if app.due_date and app.state in OPEN_STATES:
        try:
            left = working_days_left(app.due_date, c.today, c.calendar())
        except CalendarDataMissing:
            left = None
    can_act = c.user is not None and c.user.role in HANDLERS and app.agency_id == c.user.agency_id
    actions = [
        (k, s) for k, s in ACTIONS.items()
        if can_act and c.user is not None and c.user.role in s.roles and app.state in s.from_states
    ]
    return page(c, "staff_application.html", status=status, app=app, deadline=dl, left=left, actions=actions,
                outcomes=outcome_choices(), rules=rules, error=error)


@router.get("/applications/{app_id}", response_class=HTMLResponse, include_in_schema=False)
@policy(*STAFF)
def application(app_id: int, c: Ctx = Depends(ctx)) -> HTMLResponse:  # noqa: B008
    return _app_page(c, c.application(app_id))


@router.post("/applications/{app_id}/action", response_class=HTMLResponse, include_in_schema=False)
@policy(*HANDLERS)
async def application_action(app_id: int, c: Ctx = Depends(ctx)) -> Response:  # noqa: B008
    app = c.application(app_id)
    if c.user is None or app.agency_id != c.user.agency_id:
        raise HTTPException(403, "只能办理本机关的申请")
    form = await read_form(c.request, 256 * 1024)
    action = field(form, "action")
    params = {k: field(form, k) for k in ("note", "days", "reason", "party", "amount", "method", "outcome",
                                          "details", "text")}
    try:
        on = parse_date(field(form, "on"), "办理日期", c.today)
        take_step(c, app, action, actor(c), on=on, params=params)
    except ConcurrentStep as exc:
        return _app_page(c, c.application(app_id), error=str(exc), status=409)
    except WorkflowError as exc:
        c.db.rollback()
        return _app_page(c, c.application(app_id), error=str(exc), status=400)
    return RedirectResponse(f"/staff/applications/{app_id}", status_code=303)


@router.get("/applications/{app_id}/letter", response_class=PlainTextResponse, include_in_schema=False)
@policy(*STAFF)
def letter(app_id: int, c: Ctx = Depends(ctx)) -> PlainTextResponse:  # noqa: B008
    app = c.application(app_id)
    if not app.reply_text:
        raise HTTPException(404, "该申请尚未生成答复书")
    return PlainTextResponse(app.reply_text)


@router.get("/attachments/{att_id}", include_in_schema=False)
@policy(*STAFF)
def attachment(att_id: int, c: Ctx = Depends(ctx)) -> Response:  # noqa: B008
    att = c.db.get(Attachment, att_id)
    if att is None:
        raise HTTPException(404, "没有找到附件")
    c.application(att.application_id)  # visibility check
    return Response(att.data, media_type="application/octet-stream",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{_quote(att.filename)}"})


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


# ---- catalogue -------------------------------------------------------------------------------------------


@router.get("/catalogue", response_class=HTMLResponse, include_in_schema=False)
@policy(*STAFF)
def staff_catalogue(c: Ctx = Depends(ctx), q: str = "") -> HTMLResponse:  # noqa: B008
    items, total = search(c.db, q=q, agency_ids=c.visible_agency_ids(), limit=100)
    return page(c, "staff_catalogue.html", items=items, total=total, q=q, art20=art20_items(),
                channels=CAT_CHANNELS, error=None)


@router.post("/catalogue", response_class=HTMLResponse, include_in_schema=False)
@policy(*HANDLERS)
async def staff_catalogue_add(c: Ctx = Depends(ctx)) -> Response:  # noqa: B008
    form = await read_form(c.request, 512 * 1024)
    try:
        made = parse_date(field(form, "made_on"), "成文日期")
        pub = parse_date(field(form, "published_on"), "发布日期", c.today)
        rep = field(form, "repealed_on")
        add_item(c.db, c.agency(), title=field(form, "title"), made_on=made, published_on=pub,
                 calendar=c.calendar(), rules=effective_rules(c.agency()), doc_number=field(form, "doc_number"),
                 category=field(form, "category"), channels=[str(x) for x in form.getlist("channels")],
                 art20_item=field(form, "art20_item"), summary=field(form, "summary"), body=field(form, "body"),
                 repealed_on=parse_date(rep, "废止日期") if rep else None)
        c.db.commit()
    except (WorkflowError, CatalogueError) as exc:
        c.db.rollback()
        return _catalogue_error(c, exc)
    return RedirectResponse("/staff/catalogue", status_code=303)


def _catalogue_error(c: Ctx, exc: Exception) -> HTMLResponse:
    """The staff catalogue page again, with the reason a change was refused."""
    items, total = search(c.db, agency_ids=c.visible_agency_ids(), limit=100)
    return page(c, "staff_catalogue.html", status=400, items=items, total=total, q="", art20=art20_items(),
                channels=CAT_CHANNELS, error=str(exc))


@router.post("/catalogue/{item_id}/repeal", response_class=HTMLResponse, include_in_schema=False)
@policy(*HANDLERS)
async def staff_catalogue_repeal(item_id: int, c: Ctx = Depends(ctx)) -> Response:  # noqa: B008
    """Record the 废止日期 of an existing item of the agency's own catalogue (``clear=1`` withdraws it)."""
    form = await read_form(c.request, 64 * 1024)
    item = c.db.get(CatalogueItem, item_id)
    try:
        if item is None or c.user is None or item.agency_id != c.user.agency_id:
            raise WorkflowError("没有找到该目录信息，或不是本机关发布的信息")
        clear = field(form, "clear") == "1"
        set_repeal_date(item, None if clear else parse_date(field(form, "repealed_on"), "废止日期"), c.today)
        c.db.commit()
    except (WorkflowError, CatalogueError) as exc:
        c.db.rollback()
        return _catalogue_error(c, exc)
    return RedirectResponse("/staff/catalogue", status_code=303)


# ---- review / litigation -------------------------------------------------------------------------------

REVIEW_KINDS = {"review": "行政复议", "litigation_direct": "行政诉讼（未经复议直接起诉）",
                "litigation_after_review": "行政诉讼（复议后起诉）"}
REVIEW_RESULTS = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果"}


@router.get("/reviews", response_class=HTMLResponse, include_in_schema=False)
@policy(*STAFF)
def reviews(c: Ctx = Depends(ctx)) -> HTMLResponse:  # noqa: B008
    rows = c.db.scalars(select(ReviewCase).where(ReviewCase.agency_id.in_(c.visible_agency_ids()))
                        .order_by(ReviewCase.filed_on.desc())).all()
    return page(c, "staff_reviews.html", rows=rows, kinds=REVIEW_KINDS, results=REVIEW_RESULTS, error=None)


@router.post("/reviews", response_class=HTMLResponse, include_in_schema=False)
@policy(*HANDLERS)
async def reviews_add(c: Ctx = Depends(ctx)) -> Response:  # noqa: B008
    form = await read_form(c.request, 64 * 1024)
    try:
        rid = field(form, "id")
        decided = field(form, "decided_on")
        result = field(form, "result") or None
        if result is not None and result not in REVIEW_RESULTS:
            raise WorkflowError("结果应为结果维持、结果纠正或其他结果")
        if bool(decided) != bool(result):
            raise WorkflowError("审结日期和结果需要同时填写")
        if rid:
            case = c.db.get(ReviewCase, int(rid)) if rid.isascii() and rid.isdigit() else None
            if case is None or c.user is None or case.agency_id != c.user.agency_id:
                raise WorkflowError("没有找到该案件")
            case.decided_on = parse_date(decided, "审结日期") if decided else None
            case.result = result
            if case.decided_on and case.decided_on < case.filed_on:
                raise WorkflowError("审结日期不能早于立案日期")
        else:
            kind = field(form, "kind")
            if kind not in REVIEW_KINDS:
                raise WorkflowError("请选择案件类型")
            filed = parse_date(field(form, "filed_on"), "立案日期")
            dec = parse_date(decided, "审结日期") if decided else None
            if dec and dec < filed:
                raise WorkflowError("审结日期不能早于立案日期")
            c.db.add(ReviewCase(agency_id=c.agency().id, kind=kind, case_number=field(form, "case_number")[:100],
                                filed_on=filed, decided_on=dec, result=result, note=field(form, "note")[:2000],
                                created_at=datetime.now(UTC)))
        c.db.commit()
    except WorkflowError as exc:
        c.db.rollback()
        rows = c.db.scalars(select(ReviewCase).where(ReviewCase.agency_id.in_(c.visible_agency_ids()))).all()
        return page(c, "staff_reviews.html", status=400, rows=rows, kinds=REVIEW_KINDS, results=REVIEW_RESULTS,
                    error=str(exc))
    return RedirectResponse("/staff/reviews", status_code=303)


# ---- annual reports ------------------------------------------------------------------------------------


def _year(value: int) -> int:
    try:
        return check_report_year(value)
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None


def _report_page(c: Ctx, agency: Agency, year: int, consolidated: bool, error: str | None = None,
                 status: int = 200) -> HTMLResponse:
    from xxgk.casework.web.reports import draft, run_audit

    try:
        report, row = draft(c, agency, year, consolidated)
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None
    findings = run_audit(report)
    return page(c, "staff_report.html", status=status, report=report, row=row, year=year, agency=agency,
                consolidated=consolidated, findings=findings, schema=report.schema, error=error)


@router.get("/reports", response_class=HTMLResponse, include_in_schema=False)
@policy(*STAFF)
def reports_index(c: Ctx = Depends(ctx)) -> HTMLResponse:  # noqa: B008
    rows = c.db.scalars(select(AnnualReport).where(AnnualReport.agency_id.in_(c.visible_agency_ids()))
                        .order_by(AnnualReport.year.desc())).all()
    years = report_years(c.today)
    return page(c, "staff_reports.html", rows=rows, years=years)


@router.get("/reports/{year}", response_class=HTMLResponse, include_in_schema=False)
@policy(*STAFF)
def report_builder(year: int, c: Ctx = Depends(ctx)) -> HTMLResponse:  # noqa: B008
    return _report_page(c, c.agency(), _year(year), False)


@router.get("/reports/{year}/consolidated", response_class=HTMLResponse, include_in_schema=False)
@policy("supervisor")
def report_consolidated(year: int, c: Ctx = Depends(ctx)) -> HTMLResponse:  # noqa: B008
    return _report_page(c, c.agency(), _year(year), True)


def _save(c: Ctx, agency: Agency, year: int, consolidated: bool, form: FormData) -> AnnualReport:
    row = stored_report(c.db, agency, year, consolidated)
    if row is None:
        row = AnnualReport(agency_id=agency.id, year=year, consolidated=consolidated, narrative={},
                           manual_values={}, values={}, status="draft", updated_at=datetime.now(UTC))
        c.db.add(row)
    if row.status == "published":
        raise WorkflowError("该年度报告已经发布，不能再修改")
    narrative = {k.removeprefix("section_"): str(v)[:20000] for k, v in form.items() if k.startswith("section_")}
    manual = {k.removeprefix("cell_"): str(v).strip() for k, v in form.items() if k.startswith("cell_")}
    from xxgk.casework.annual_report import proactive_values

    try:
        proactive_values(c.db, [agency.id], year, {k: v for k, v in manual.items() if v != ""})
    except ValueError as exc:
        raise WorkflowError(str(exc)) from None
    row.narrative = {**(row.narrative or {}), **narrative}
    row.manual_values = {k: v for k, v in manual.items() if v != ""}
    row.updated_at = datetime.now(UTC)
    return row


@router.post("/reports/{year}", response_class=HTMLResponse, include_in_schema=False)
@policy("clerk", "approver", "admin", "supervisor")
async def report_save(year: int, c: Ctx = Depends(ctx)) -> Response:  # noqa: B008
    year = _year(year)
    form = await read_form(c.request, 1024 * 1024)
    consolidated = field(form, "consolidated") == "1"
    if consolidated != (c.user is not None and c.user.role == "supervisor"):
        raise HTTPException(403, "汇总报告由政务公开办编辑，本机关报告由本机关编辑")
    publish = field(form, "publish") == "1"
    if publish and c.user is not None and c.user.role not in ("approver", "admin", "supervisor"):
        raise HTTPException(403, "发布年度报告需要负责人或管理员")
    agency = c.agency()
    try:
        row = _save(c, agency, year, consolidated, form)
        if publish:
            from xxgk.casework.web.reports import draft

            c.db.flush()
            report, _ = draft(c, agency, year, consolidated)
            row.values = dict(report.values)
            row.narrative = dict(report.narrative)
            row.status = "published"
            row.published_on = c.today
        c.db.commit()
    except WorkflowError as exc:
        c.db.rollback()
        return _report_page(c, agency, year, consolidated, error=str(exc), status=400)
    suffix = "/consolidated" if consolidated else ""
    return RedirectResponse(f"/staff/reports/{year}{suffix}", status_code=303)


@router.get("/reports/{year}/download/{fmt}", include_in_schema=False)
@policy(*STAFF)
def report_download(year: int, fmt: str, c: Ctx = Depends(ctx), consolidated: int = 0) -> Response:  # noqa: B008
    from xxgk.casework.web.reports import MEDIA, draft, render_report

    if fmt not in MEDIA:
        raise HTTPException(404, "不支持的格式")
    cons = bool(consolidated)
    if cons and (c.user is None or c.user.role != "supervisor"):
        raise HTTPException(403, "汇总报告仅政务公开办可以下载")
    try:
        report, _ = draft(c, c.agency(), _year(year), cons)
        data = render_report(report, fmt)
    except ImportError:
        raise HTTPException(503, "报告渲染模块不可用（请安装 docs 依赖）") from None
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None
    if fmt == "html":
        return HTMLResponse(data.decode("utf-8"))
    return Response(data, media_type=MEDIA[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{year}-report.{fmt}"'})


# ---- administration ------------------------------------------------------------------------------------


@router.get("/admin", response_class=HTMLResponse, include_in_schema=False)
@policy("admin")
def admin_home(c: Ctx = Depends(ctx)) -> HTMLResponse:  # noqa: B008
    return admin(c)


def admin(c: Ctx, error: str | None = None, status: int = 200) -> HTMLResponse:
    agency = c.agency()
    users = c.db.scalars(select(User).where(User.agency_id == agency.id).order_by(User.id)).all()
    years = c.db.scalars(select(CalendarYear).order_by(CalendarYear.year)).all()
    admin_days = c.db.scalars(select(CalendarDay).where(CalendarDay.source == "admin").order_by(CalendarDay.day)).all()
    own_rules = dict((agency.settings or {}).get("rules") or {})
    return page(c, "staff_admin.html", status=status, agency=agency, users=users, years=years,
                admin_days=admin_days, rules=effective_rules(agency), inherited=effective_rules(agency.parent),
                own_rules=own_rules, notes=RULE_NOTES, roles=ROLES, error=error,
                missing_years=missing_calendar_years(c))


def _admin_error(c: Ctx, exc: Exception) -> HTMLResponse:
    c.db.rollback()
    return admin(c, error=str(exc), status=400)


_TRUE = {"1", "true", "yes", "on", "是"}


def rule_overrides(agency: Agency, form: FormData) -> dict[str, Any]:
    """The agency's own rule overrides after the settings form: only what differs from what it inherits.

    The form shows the effective values. A value equal to the inherited one (defaults, then the ancestors'
    overrides) is not stored, so saving the page unchanged stores nothing; an empty field or a ticked
    ``inherit`` box (恢复继承) drops the agency's own override. A field absent from the form is left as it was.
    A checkbox rule is sent as a hidden ``false`` followed by the box's ``true``. Bad values raise ValueError
    (Chinese message).
    """
    inherited = effective_rules(agency.parent)
    own = dict((agency.settings or {}).get("rules") or {})
    reset = {str(v) for v in form.getlist("inherit")}
    for key in RULE_NOTES:
        if key in reset:
            own.pop(key, None)
            continue
        if key not in form:
            continue
        values = [str(v).strip() for v in form.getlist(key)]
        if isinstance(getattr(inherited, key), bool):
            raw = "true" if any(v.lower() in _TRUE for v in values) else "false"
        else:
            raw = values[-1]
            if raw == "":
                own.pop(key, None)
                continue
        value = getattr(DeadlineRules.from_json({key: raw}, inherited), key)
        if value == getattr(inherited, key):
            own.pop(key, None)
        else:
            own[key] = value.isoformat() if isinstance(value, date) else value
    DeadlineRules.from_json(own, inherited)  # the stored set must load
    return own


@router.post("/admin/rules", response_class=HTMLResponse, include_in_schema=False)
@policy("admin")
async def admin_rules(c: Ctx = Depends(ctx)) -> Response:  # noqa: B008
    form = await read_form(c.request, 64 * 1024)
    agency = c.agency()
    try:
        own = rule_overrides(agency, form)
    except ValueError as exc:
        return _admin_error(c, exc)
    agency.settings = {**(agency.settings or {}), "rules": own}
    refresh_dates(c.db, subtree_ids(c.db, agency.id))  # the agency and the descendants inheriting from it
    c.db.commit()
    return RedirectResponse("/staff/admin", status_code=303)


@router.post("/admin/agency", response_class=HTMLResponse, include_in_schema=False)
@policy("admin")
async def admin_agency(c: Ctx = Depends(ctx)) -> Response:  # noqa: B008
    form = await read_form(c.request, 128 * 1024)
    agency = c.agency()
    code = field(form, "code").upper()
    if code and not valid_uscc(code):
        return _admin_error(c, ValueError("统一社会信用代码格式或校验位不正确"))
    for key, limit in (("office_address", 300), ("office_hours", 200), ("phone", 50), ("fax", 50),
                       ("email", 200)):
        setattr(agency, key, field(form, key)[:limit])
    agency.guide = field(form, "guide")[:20000]
    if code:
        agency.code = code
    try:
        c.db.commit()
    except IntegrityError:
        return _admin_error(c, ValueError("该统一社会信用代码已被其他机关使用"))
    return RedirectResponse("/staff/admin", status_code=303)


@router.post("/admin/holidays", response_class=HTMLResponse, include_in_schema=False)
@policy("admin")
async def admin_holidays(c: Ctx = Depends(ctx)) -> Response:  # noqa: B008
    """Add holidays / 调休 working days (one per line: ``YYYY-MM-DD 休|班 名称``) and confirm a year complete."""
    form = await read_form(c.request, 64 * 1024)
    try:
        for n, line in enumerate(field(form, "days").splitlines(), start=1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) < 2 or parts[1] not in ("休", "班"):
                raise WorkflowError(f"第{n}行格式应为“YYYY-MM-DD 休|班 名称”")
            day = parse_date(parts[0], f"第{n}行日期")
            name = " ".join(parts[2:])[:100] or ("节假日" if parts[1] == "休" else "调休上班")
            existing = c.db.get(CalendarDay, day)
            if existing is not None:
                existing.workday, existing.name, existing.source = parts[1] == "班", name, "admin"
            else:
                c.db.add(CalendarDay(day=day, workday=parts[1] == "班", name=name, source="admin"))
        year = field(form, "complete_year")
        if year:
            if not (year.isascii() and year.isdigit()) or not 2000 <= int(year) <= 2100:
                raise WorkflowError("年份无效")
            if c.db.get(CalendarYear, int(year)) is None:
                c.db.add(CalendarYear(year=int(year), source="admin",
                                      note=f"{c.user.display_name if c.user else ''} 确认"))
        refresh_dates(c.db)  # the table serves every agency: recompute all open cases and catalogue checks
        c.db.commit()
    except WorkflowError as exc:
        return _admin_error(c, exc)
    return RedirectResponse("/staff/admin", status_code=303)


@router.post("/admin/users", response_class=HTMLResponse, include_in_schema=False)
@policy("admin")
async def admin_users(c: Ctx = Depends(ctx)) -> Response:  # noqa: B008
    form = await read_form(c.request, 64 * 1024)
    agency = c.agency()
    try:
        uid = field(form, "id")
        if uid:
            u = c.db.get(User, int(uid)) if uid.isascii() and uid.isdigit() else None
            if u is None or u.agency_id != agency.id:
                raise WorkflowError("没有找到该用户")
            if u.id == (c.user.id if c.user else None):
                raise WorkflowError("不能停用自己的账号")
            u.active = field(form, "active") == "1"
        else:
            role = field(form, "role")
            if role not in ROLES or role == "supervisor":
                raise WorkflowError("请选择角色（政务公开办账号由上级机关创建）")
            username = field(form, "username")
            if not username or len(username) > 64 or not username.replace("_", "").isalnum():
                raise WorkflowError("用户名只能包含字母、数字和下划线")
            if c.db.scalar(select(User).where(User.username == username)) is not None:
                raise WorkflowError("用户名已存在")
            try:
                pw = hash_password(str(form.get("password") or ""))
            except ValueError as exc:
                raise WorkflowError(str(exc)) from None
            c.db.add(User(username=username, display_name=field(form, "display_name")[:100] or username,
                          password_hash=pw, role=role, agency_id=agency.id, email=field(form, "email")[:200],
                          active=True, created_at=datetime.now(UTC)))
        c.db.commit()
    except WorkflowError as exc:
        return _admin_error(c, exc)
    return RedirectResponse("/staff/admin", status_code=303)


def visible_subtree(c: Ctx) -> list[int]:
    return subtree_ids(c.db, c.agency().id)


CHANNEL_LABELS = CHANNELS
