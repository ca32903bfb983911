"""Request plumbing shared by the portal, staff pages and JSON API: configuration, database sessions, the
current user, the per-route permission policy, CSRF and rate limits.

Every route declares its policy with :func:`policy` (``"public"`` or a set of roles); one app-wide dependency
enforces it, and a route without a declared policy is refused (deny by default).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from fastapi import HTTPException, Request
from fastapi.templating import Jinja2Templates
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from xxgk.casework.annual_report import subtree_ids
from xxgk.casework.calendar import WorkCalendar
from xxgk.casework.db import load_calendar
from xxgk.casework.models import Agency, Application, User
from xxgk.casework.notify import MailBackend
from xxgk.casework.security import RateLimiter, UploadPolicy

__all__ = ["STAFF", "AppConfig", "Ctx", "policy"]

STAFF = ("clerk", "approver", "admin", "supervisor")
HANDLERS = ("clerk", "approver")
F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class AppConfig:
    database_url: str | None = None
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    today: Callable[[], date] = date.today
    mail: MailBackend | None = None
    upload: UploadPolicy = field(default_factory=UploadPolicy)
    rate_apply: tuple[int, float] = (10, 3600.0)  # public filings per client per hour
    rate_track: tuple[int, float] = (30, 600.0)
    rate_checkup: tuple[int, float] = (10, 600.0)
    rate_login: tuple[int, float] = (10, 300.0)
    checkup_max_bytes: int = 20 * 1024 * 1024
    demo: bool = False
    secure_cookies: bool = False


def policy(*roles: str) -> Callable[[F], F]:
    """Declare who may call a route: ``policy("public")`` or ``policy("clerk", "approver")``."""

    def deco(fn: F) -> F:
        fn.__xxgk_policy__ = frozenset(roles)  # type: ignore[attr-defined]
        return fn

    return deco


class NeedLogin(Exception):
    """Raised for an anonymous visitor on a staff page: HTML gets a redirect to the login page."""


def route_policy(request: Request) -> frozenset[str] | None:
    route = request.scope.get("route")
    endpoint = getattr(route, "endpoint", None)
    return getattr(endpoint, "__xxgk_policy__", None)


def get_db(request: Request) -> Iterator[Session]:
    factory: sessionmaker[Session] = request.app.state.sessions
    session = factory()
    try:
        yield session
    finally:
        session.close()


def current_user(request: Request, db: Session) -> User | None:
    uid = request.session.get("uid")
    if not isinstance(uid, int):
        return None
    user = db.get(User, uid)
    if user is None or not user.active:
        request.session.pop("uid", None)
        return None
    return user


def csrf_token(request: Request) -> str:
    tok = request.session.get("csrf")
    if not isinstance(tok, str):
        tok = secrets.token_urlsafe(24)
        request.session["csrf"] = tok
    return tok


async def check_csrf(request: Request) -> None:
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    expected = request.session.get("csrf")
    if ctype == "application/json":
        # A cross-site page cannot send JSON without a CORS preflight (which we never grant); logged-in
        # API clients must still echo the token in a header.
        if request.session.get("uid") is None:
            return
        sent = request.headers.get("x-csrf-token", "")
    else:
        sent = request.headers.get("x-csrf-token", "")
        if not sent:
            try:
                form = await request.form()
            except Exception:  # malformed or oversized body
                raise HTTPException(400, "请求格式错误") from None
            sent = str(form.get("csrf_token") or "")
    if not expected or not sent or not secrets.compare_digest(str(expected), sent):
        raise HTTPException(403, "表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试")


def client_key(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def rate_limit(request: Request, bucket: str) -> None:
    limiter: dict[str, RateLimiter] = request.app.state.limiters
    if not limiter[bucket].hit(f"{bucket}:{client_key(request)}"):
        raise HTTPException(429, "操作过于频繁，请稍后再试")


@dataclass
class Ctx:
    """What a route handler needs: the request, a database session, the user (None for the public)."""

    request: Request
    db: Session
    user: User | None

    @property
    def config(self) -> AppConfig:
        cfg: AppConfig = self.request.app.state.config
        return cfg

    @property
    def today(self) -> date:
        return self.config.today()

    @property
    def templates(self) -> Jinja2Templates:
        t: Jinja2Templates = self.request.app.state.templates
        return t

    def calendar(self) -> WorkCalendar:
        return load_calendar(self.db)

    @property
    def role(self) -> str:
        return self.user.role if self.user else "public"

    def visible_agency_ids(self) -> list[int]:
        if self.user is None:
            return []
        if self.user.role == "supervisor":
            return subtree_ids(self.db, self.user.agency_id)
        return [self.user.agency_id]

    def agency(self) -> Agency:
        assert self.user is not None
        return self.user.agency

    def application(self, app_id: int) -> Application:
        app = self.db.get(Application, app_id)
        if app is None or app.agency_id not in self.visible_agency_ids():
            raise HTTPException(404, "没有找到该申请，或您无权查看")
        return app

    def agencies(self) -> list[Agency]:
        return list(self.db.scalars(select(Agency).order_by(Agency.id)))
