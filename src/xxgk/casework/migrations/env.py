"""Alembic environment for the casework schema (batch mode on SQLite, which has almost no ALTER TABLE)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from xxgk.casework.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if not isinstance(engine, Engine):
        from xxgk.casework.db import make_engine

        engine = make_engine()
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    raise SystemExit("离线迁移不受支持：请连接数据库后运行 xxgk init-db")
run_migrations_online()
