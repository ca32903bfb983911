"""Database access: engine creation (SQLite in WAL mode by default, PostgreSQL via ``XXGK_DATABASE_URL``),
Alembic migrations, the holiday-table seed, and the calendar as the database knows it.

SQLite is opened with ``journal_mode=WAL`` and ``synchronous=FULL`` so that a committed (acknowledged) write
survives a crash of the server process and of the machine.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.orm import Session, sessionmaker

from xxgk.casework.calendar import DayOverride, WorkCalendar, seed_overrides, seed_years
from xxgk.casework.models import CalendarDay, CalendarYear

__all__ = [
    "default_database_url",
    "load_calendar",
    "make_engine",
    "migrate",
    "seed_calendar",
    "session_scope",
]


def default_database_url() -> str:
    url = os.environ.get("XXGK_DATABASE_URL")
    if url:
        return url
    data = Path(os.environ.get("XXGK_DATA_DIR", ".")).expanduser()
    return f"sqlite:///{data / 'xxgk.db'}"


def normalise_url(url: str) -> str:
    """Use psycopg 3 for ``postgresql://`` URLs."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    url = normalise_url(url or default_database_url())
    if url.startswith("sqlite"):
        if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
            kwargs.setdefault("pool_size", 20)
            kwargs.setdefault("max_overflow", 40)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        kwargs.setdefault("pool_size", 20)
        kwargs.setdefault("max_overflow", 40)
        kwargs.setdefault("pool_pre_ping", True)
        engine = create_engine(url, **kwargs)
    event.listen(engine, "before_cursor_execute", _strip_nul_parameters, retval=True)
    return engine


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, dict):
        return {k: _without_nul(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_without_nul(v) for v in value)
    return value


def _strip_nul_parameters(
    conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
) -> tuple[str, Any]:
    """Drop NUL characters from every bound text parameter.

    PostgreSQL text cannot hold U+0000 and a NUL is never meaningful in a form field or a search, so both
    backends store and match the same text whatever a client sends (bytes parameters are left alone).
    """
    return statement, _without_nul(parameters)


def _alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("xxgk.casework") / "migrations"))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to ``revision`` with the package's Alembic migrations."""
    from alembic import command

    command.upgrade(_alembic_config(engine), revision)


def seed_calendar(session: Session) -> int:
    """Load the chinesecalendar seed into the holiday table (idempotent; admin rows are kept)."""
    have = set(session.scalars(select(CalendarDay.day)))
    added = 0
    for o in seed_overrides():
        if o.day not in have:
            session.add(CalendarDay(day=o.day, workday=o.workday, name=o.name, source="seed"))
            added += 1
    years = set(session.scalars(select(CalendarYear.year)))
    for y in seed_years():
        if y not in years:
            session.add(CalendarYear(year=y, source="seed", note="chinesecalendar"))
    session.flush()
    return added


def load_calendar(session: Session) -> WorkCalendar:
    days = [DayOverride(d.day, d.workday, d.name) for d in session.scalars(select(CalendarDay))]
    years = list(session.scalars(select(CalendarYear.year)))
    return WorkCalendar(days, years)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
