"""Helpers for the casework web tests: an app over a test database with the demo tree, and logged-in clients."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from xxgk.casework.calendar import WorkCalendar
from xxgk.casework.demo import DEMO_PASSWORD, DemoTree, create_tree, populate_catalogue, populate_reviews
from xxgk.casework.notify import ConsoleBackend
from xxgk.casework.security import hash_password
from xxgk.casework.web.app import create_app
from xxgk.casework.web.deps import AppConfig

_HASH = hash_password(DEMO_PASSWORD)
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Site:
    app: FastAPI
    tree: DemoTree
    engine: Engine
    today: date


def make_site(engine: Engine, today: date | None = None, **cfg: object) -> Site:
    today = today or date.today()
    with Session(engine, expire_on_commit=False) as s:
        tree = create_tree(s, password_hash=lambda _p: _HASH)
        populate_reviews(s, tree, today)
        populate_catalogue(s, tree, WorkCalendar.seeded(), today)
        s.commit()
    url = engine.url.render_as_string(hide_password=False)
    config = AppConfig(database_url=url, secret_key="test-secret", today=lambda: today, mail=ConsoleBackend(),
                       **cfg)  # type: ignore[arg-type]
    app = create_app(config)
    return Site(app, tree, engine, today)


def client(site: Site) -> TestClient:
    return TestClient(site.app, base_url="http://testserver")


def csrf(c: TestClient, path: str = "/login") -> str:
    m = CSRF_RE.search(c.get(path).text)
    assert m, path
    return m.group(1)


def login(site: Site, username: str) -> TestClient:
    c = client(site)
    tok = csrf(c)
    r = c.post("/login", data={"username": username, "password": DEMO_PASSWORD, "csrf_token": tok},
               follow_redirects=False)
    assert r.status_code == 303, r.text
    return c


def file_application(c: TestClient, agency_id: int, **extra: str) -> tuple[str, str]:
    tok = csrf(c, "/apply")
    data = {"csrf_token": tok, "agency_id": str(agency_id), "applicant_type": "natural_person",
            "applicant_name": "王小明", "applicant_phone": "13812345678", "applicant_email": "wxm@example.com",
            "applicant_id_number": "330802199001011234", "description": "2024年城乡低保资金发放明细",
            "delivery_form": "电子文档", "delivery_route": "电子邮件", **extra}
    r = c.post("/apply", data=data)
    assert r.status_code == 200, r.text
    number = re.search(r'id="app-number">([^<]+)<', r.text)
    code = re.search(r'id="query-code">([^<]+)<', r.text)
    assert number and code
    return number.group(1), code.group(1)


def last_year(today: date) -> int:
    return (today - timedelta(days=366)).year
