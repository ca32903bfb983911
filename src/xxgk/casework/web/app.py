"""The FastAPI application: portal (public), staff pages and the JSON API, server-rendered in Chinese.

``create_app(AppConfig(...))`` wires the database, the signed-cookie session (itsdangerous), CSRF, the
permission policy of every route, rate limits and error pages. Pages work without JavaScript.
"""

from __future__ import annotations

import logging
from datetime import date
from importlib import resources
from typing import Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session, sessionmaker
from starlette.middleware.sessions import SessionMiddleware

from xxgk.casework.catalogue import ART26_LABELS, art26_status
from xxgk.casework.db import make_engine
from xxgk.casework.models import CHANNELS, ROLES, STATES
from xxgk.casework.notify import backend_from_env
from xxgk.casework.outcomes import applicant_types
from xxgk.casework.security import RateLimiter, mask_email, mask_id_number, mask_name, mask_phone
from xxgk.casework.web.deps import AppConfig, NeedLogin, check_csrf, csrf_token, current_user, get_db, route_policy
from xxgk.casework.workflow import no_due_date_reason

__all__ = ["create_app"]

log = logging.getLogger("xxgk.casework.web")


def _cn_date(d: date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


async def enforce(request: Request, db: Session = Depends(get_db)) -> None:  # noqa: B008
    """App-wide dependency: the route's declared policy, then CSRF for unsafe methods."""
    allowed = route_policy(request)
    if allowed is None:
        raise HTTPException(403, "该地址未声明访问权限，已拒绝")
    if "public" not in allowed:
        user = current_user(request, db)
        if user is None:
            if request.url.path.startswith("/api/"):
                raise HTTPException(401, "请先登录")
            raise NeedLogin()
        if user.role not in allowed:
            raise HTTPException(403, "您的角色无权访问此页面或执行此操作")
    await check_csrf(request)


def create_app(config: AppConfig | None = None) -> FastAPI:
    cfg = config or AppConfig()
    app = FastAPI(
        title="xxgk 政府信息公开办理系统",
        description="依申请公开办理、主动公开目录、行政复议诉讼台账与年度报告的 JSON 接口。"
        "除公开接口外需先通过 /api/v1/login 登录（会话 Cookie），写操作需在 X-CSRF-Token 头中回传令牌。",
        version="1.0",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        dependencies=[Depends(enforce)],
    )
    engine = make_engine(cfg.database_url)
    app.state.engine = engine
    app.state.sessions = sessionmaker(engine, expire_on_commit=False)
    app.state.config = cfg
    app.state.mail = cfg.mail or backend_from_env()
    app.state.limiters = {
        "apply": RateLimiter(*cfg.rate_apply),
        "track": RateLimiter(*cfg.rate_track),
        "checkup": RateLimiter(*cfg.rate_checkup),
        "login": RateLimiter(*cfg.rate_login),
    }
    templates = Jinja2Templates(directory=str(resources.files("xxgk.casework.web") / "templates"))
    env = templates.env
    env.globals.update(STATES=STATES, CHANNELS=CHANNELS, ROLES=ROLES, APPLICANT_TYPES=dict(applicant_types()),
                       ART26_LABELS=ART26_LABELS)
    env.filters.update(cn_date=_cn_date, mask_name=mask_name, mask_phone=mask_phone, mask_email=mask_email,
                       mask_id=mask_id_number, art26=art26_status, no_due_reason=no_due_date_reason)
    app.state.templates = templates
    app.add_middleware(
        SessionMiddleware, secret_key=cfg.secret_key, session_cookie="xxgk_session", max_age=8 * 3600,
        same_site="lax", https_only=cfg.secure_cookies,
    )

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if not request.url.path.startswith("/api/docs"):
            response.headers.setdefault(
                "Content-Security-Policy",
                "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                "script-src 'self'; frame-ancestors 'none'",
            )
        return response

    static_dir = resources.files("xxgk.casework.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static_dir)), name="static")

    def wants_json(request: Request) -> bool:
        return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")

    @app.exception_handler(NeedLogin)
    async def need_login(request: Request, exc: NeedLogin) -> Response:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        return templates.TemplateResponse(
            request, "error.html", {"status": exc.status_code, "message": exc.detail, "user": None,
                                    "csrf": csrf_token(request)},
            status_code=exc.status_code,
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        fields = "、".join(".".join(str(p) for p in e.get("loc", ())[1:]) or "请求" for e in exc.errors()[:5])
        message = f"提交的内容不完整或格式不正确：{fields}"
        if wants_json(request):
            return JSONResponse({"detail": message, "errors": jsonable(exc.errors())}, status_code=422)
        return templates.TemplateResponse(
            request, "error.html", {"status": 422, "message": message, "user": None, "csrf": csrf_token(request)},
            status_code=422,
        )

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> Response:
        log.exception("未处理的错误：%s %s", request.method, request.url.path)
        if wants_json(request):
            return JSONResponse({"detail": "服务器内部错误，已记录"}, status_code=500)
        return HTMLResponse("<h1>服务器内部错误</h1><p>错误已记录，请稍后重试。</p>", status_code=500)

    from xxgk.casework.web.api import router as api_router
    from xxgk.casework.web.portal import router as portal_router
    from xxgk.casework.web.staff import router as staff_router

    app.include_router(portal_router)
    app.include_router(staff_router)
    app.include_router(api_router)
    return app


def jsonable(errors: Any) -> Any:
    out = []
    for e in errors:
        out.append({"loc": [str(x) for x in e.get("loc", ())], "msg": str(e.get("msg", "")), "type": e.get("type")})
    return out


def session_factory(app: FastAPI) -> sessionmaker[Session]:
    f: sessionmaker[Session] = app.state.sessions
    return f
