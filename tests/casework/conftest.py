"""Casework fixtures: a migrated database per test, on SQLite and on a throwaway PostgreSQL cluster.

The PostgreSQL cluster is created with ``initdb`` in a temporary directory (as the ``postgres`` OS user when
the tests run as root), listens on 127.0.0.1 on a free port, and is stopped at the end of the session.
Without PostgreSQL server binaries the PostgreSQL variants are skipped with the reason.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from xxgk.casework.db import make_engine, migrate, seed_calendar

BACKENDS = ["sqlite", "postgresql"]


def _pg_bindir() -> Path | None:
    env = os.environ.get("XXGK_PG_BINDIR")
    if env and Path(env, "initdb").exists():
        return Path(env)
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3].split(".")[0])
    )
    if found:
        return Path(found[-1]).parent
    which = shutil.which("initdb")
    return Path(which).parent if which else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """URL of the ``postgres`` database of a throwaway cluster."""
    bindir = _pg_bindir()
    if bindir is None:
        pytest.skip("未找到 PostgreSQL 服务端程序（initdb/pg_ctl）：跳过 PostgreSQL 测试（CI 会安装 postgresql）")
    root = Path(tempfile.mkdtemp(prefix="xxgk-pg-"))
    os.chmod(root, 0o755)
    data = root / "data"
    prefix: list[str] = []
    if os.geteuid() == 0:
        runuser = shutil.which("runuser")
        if runuser is None:
            pytest.skip("以 root 运行但没有 runuser，无法以 postgres 用户启动 PostgreSQL")
        prefix = [runuser, "-u", "postgres", "--"]
        shutil.chown(root, user="postgres")
    port = _free_port()
    log = root / "server.log"
    try:
        subprocess.run(
            [*prefix, str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
             "-E", "UTF8", "--no-locale"],
            check=True, capture_output=True,
        )
        subprocess.run(
            [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60", "-o",
             f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
             " -c synchronous_commit=off -c full_page_writes=off",
             "start"],
            check=True, capture_output=True,
        )
    except subprocess.CalledProcessError as exc:
        detail = (exc.stderr or b"").decode(errors="replace")[-500:]
        if log.exists():
            detail += log.read_text(errors="replace")[-500:]
        pytest.fail(f"PostgreSQL 启动失败：{detail}")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                       capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def _new_pg_database(server_url: str, name: str) -> str:
    admin = make_engine(server_url, isolation_level="AUTOCOMMIT", pool_size=1, max_overflow=0)
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        c.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server_url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    with Session(engine) as s:
        seed_calendar(s)
        s.commit()
    with engine.connect() as c:
        c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_template(pg_server: str) -> str:
    url = _new_pg_database(pg_server, "xxgk_test")
    engine = make_engine(url)
    migrate(engine)
    with Session(engine) as s:
        seed_calendar(s)
        s.commit()
    engine.dispose()
    return url


_DATA_TABLES = (
    "notices, annual_reports, attachments, events, review_cases, catalogue_items, applications, users, agencies"
)


def _engine_for(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if backend == "sqlite":
        tpl: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "case.db"
        shutil.copy(tpl, path)
        engine = make_engine(f"sqlite:///{path}")
        yield engine
        engine.dispose()
    else:
        url: str = request.getfixturevalue("pg_template")
        engine = make_engine(url)
        with engine.begin() as c:
            c.execute(text(f"TRUNCATE {_DATA_TABLES} RESTART IDENTITY CASCADE"))
            c.execute(text("DELETE FROM calendar_days WHERE source = 'admin'"))
            c.execute(text("DELETE FROM calendar_years WHERE source = 'admin'"))
        yield engine
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    yield from _engine_for(request.param, request, tmp_path)


@pytest.fixture
def sqlite_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    yield from _engine_for("sqlite", request, tmp_path)


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def pytest_configure(config: pytest.Config) -> None:
    # Starlette 1.x TestClient warns that httpx is deprecated (tech-notes trap 18); the behaviour is unchanged.
    config.addinivalue_line("filterwarnings", "ignore:Using `httpx` with `starlette.testclient`")
