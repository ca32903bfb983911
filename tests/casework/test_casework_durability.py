"""Reliability: an acknowledged write survives kill -9 of the server; ``xxgk backup`` / ``xxgk restore``
round-trip a database (also across SQLite and PostgreSQL)."""

from __future__ import annotations

import os
import signal
from datetime import date
from pathlib import Path

import httpx
import pytest
from casework_server import free_port, prepare, start
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from xxgk.casework.calendar import WorkCalendar
from xxgk.casework.commands import backup_database, restore_database
from xxgk.casework.db import make_engine
from xxgk.casework.demo import create_tree, populate, populate_catalogue, populate_reviews
from xxgk.casework.models import Application, Base, Event
from xxgk.casework.security import hash_password

_HASH = hash_password("xxgk-demo-2025")


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_acknowledged_write_survives_kill_9(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """A write the server acknowledged is committed: killing the server (not the database) loses nothing."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'durable.db'}"
    else:
        from conftest import _new_pg_database

        url = _new_pg_database(request.getfixturevalue("pg_server"), "xxgk_durable")
    prepare(url)
    port = free_port()
    proc = start(url, port, tmp_path / "server.log")
    numbers = []
    try:
        for i in range(5):
            r = httpx.post(f"http://127.0.0.1:{port}/api/v1/applications", timeout=10, json={
                "agency_id": 2, "applicant_type": "natural_person", "applicant_name": f"申请人{i}",
                "applicant_phone": "13900001111", "description": f"第{i}份申请"})
            assert r.status_code == 201, r.text
            numbers.append(r.json()["number"])
    finally:
        os.kill(proc.pid, signal.SIGKILL)  # no shutdown, no checkpoint
        proc.wait(10)
    engine = make_engine(url)
    with Session(engine) as s:
        stored = set(s.scalars(select(Application.number)))
        assert set(numbers) <= stored
        assert s.scalar(select(func.count()).select_from(Event)) == 5
    engine.dispose()


def _snapshot(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    out = {}
    with engine.connect() as c:
        for t in Base.metadata.sorted_tables:
            rows = c.execute(select(t).order_by(*t.primary_key.columns)).all()
            out[t.name] = [tuple(_norm(v) for v in r) for r in rows]
    return out


def _norm(v: object) -> object:
    if hasattr(v, "tzinfo") and getattr(v, "tzinfo", None) is not None:
        return v.replace(tzinfo=None).isoformat()  # type: ignore[attr-defined]
    if hasattr(v, "isoformat"):
        return v.isoformat()  # type: ignore[attr-defined]
    if isinstance(v, memoryview):
        return bytes(v)
    return v


def test_backup_restore_round_trip(engine: Engine, tmp_path: Path, sqlite_template: Path) -> None:
    today = date(2025, 11, 14)
    cal = WorkCalendar.seeded()
    with Session(engine) as s:
        tree = create_tree(s, password_hash=lambda _p: _HASH)
        populate(s, tree, cal, today, n=40)
        populate_reviews(s, tree, today)
        populate_catalogue(s, tree, cal, today)
        s.commit()
        civil_id = tree.civil_affairs.id
    before = _snapshot(engine)
    assert len(before["events"]) > 40
    path = tmp_path / "backup.jsonl.gz"
    counts = backup_database(engine, path)
    assert counts["applications"] == 40
    # Restore into a fresh SQLite database (also the cross-engine case when the source is PostgreSQL).
    target = make_engine(f"sqlite:///{tmp_path / 'restored.db'}")
    restore_database(target, path)
    assert _snapshot(target) == before
    with pytest.raises(ValueError, match="已有数据"):
        restore_database(target, path)
    restore_database(target, path, replace=True)
    assert _snapshot(target) == before
    # The restored database keeps working: new ids do not collide.
    with Session(target) as s:
        from xxgk.casework.models import Agency
        from xxgk.casework.workflow import Actor, register_application

        app, _ = register_application(
            s, agency=s.get(Agency, civil_id), channel="in_person", applicant_type="natural_person",
            applicant_name="新申请人", description="恢复后新增", received_on=today, actor=Actor("clerk", "经办人"),
            calendar=cal, today=today, applicant_phone="13900000000")
        s.commit()
        assert app.id == 41
    target.dispose()


def test_backup_restore_cli_and_bad_file(tmp_path: Path) -> None:
    from xxgk.cli import app

    src = f"sqlite:///{tmp_path / 'a.db'}"
    prepare(src)
    runner = CliRunner()
    out = tmp_path / "b.jsonl.gz"
    r = runner.invoke(app, ["backup", str(out), "--database-url", src])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["restore", str(out), "--database-url", f"sqlite:///{tmp_path / 'b.db'}"])
    assert r.exit_code == 0, r.output
    bad = tmp_path / "bad.gz"
    bad.write_bytes(b"not gzip")
    r = runner.invoke(app, ["restore", str(bad), "--database-url", f"sqlite:///{tmp_path / 'c.db'}"])
    assert r.exit_code == 1 and "恢复失败" in r.output
