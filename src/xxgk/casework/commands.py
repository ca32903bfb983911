"""CLI commands of the casework service: ``serve`` (with ``--demo``), ``init-db``, ``create-user``,
``remind``, ``backup`` and ``restore``.

A backup is a gzip'd JSON-lines file: a header line, then one line per row of every table in dependency
order. It is independent of the database engine, so a SQLite backup restores into PostgreSQL and back.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from sqlalchemy import Connection, Engine, func, insert, select, text
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from xxgk.casework.web.deps import AppConfig

__all__ = ["backup_database", "register", "restore_database"]

BACKUP_FORMAT = "xxgk-casework-backup"
BACKUP_VERSION = 1


def _engine(url: str | None) -> Engine:
    from xxgk.casework.db import make_engine

    return make_engine(url)


def prepare_database(engine: Engine) -> None:
    """Migrate to head and seed the holiday table; when the seed brought new days or years (a newer
    chinesecalendar), recompute the open cases' due dates and the catalogue's Art. 26 status."""
    from xxgk.casework.db import migrate, seed_calendar
    from xxgk.casework.models import CalendarYear
    from xxgk.casework.refresh import refresh_dates

    migrate(engine)
    with Session(engine) as s:
        years = set(s.scalars(select(CalendarYear.year)))
        added = seed_calendar(s)
        if added or set(s.scalars(select(CalendarYear.year))) != years:
            refresh_dates(s)
        s.commit()


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$d": value.isoformat()}
    if isinstance(value, bytes | memoryview):
        return {"$b": base64.b64encode(bytes(value)).decode()}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        (k, v), = value.items()
        if k == "$dt":
            return datetime.fromisoformat(v)
        if k == "$d":
            return date.fromisoformat(v)
        if k == "$b":
            return base64.b64decode(v)
    return value


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection whose reads all see one consistent state of the database, while writers go on.

    PostgreSQL: a REPEATABLE READ, READ ONLY transaction (one snapshot for every statement). SQLite: an explicit
    read transaction (the driver would otherwise run each SELECT in its own); in WAL mode it reads the state as
    of its first statement.
    """
    if engine.dialect.name == "postgresql":
        with (
            engine.connect().execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True) as conn,
            conn.begin(),
        ):
            yield conn
        return
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN DEFERRED")
        try:
            yield conn
        finally:
            conn.rollback()


def backup_database(engine: Engine, path: Path) -> dict[str, int]:
    """Write every table to ``path``; returns the row count per table."""
    from alembic.migration import MigrationContext

    from xxgk.casework.models import Base

    counts: dict[str, int] = {}
    tmp = path.with_name(path.name + ".tmp")
    with _snapshot(engine) as conn, gzip.open(tmp, "wt", encoding="utf-8") as out:
        revision = MigrationContext.configure(conn).get_current_revision()
        out.write(json.dumps({"format": BACKUP_FORMAT, "version": BACKUP_VERSION, "revision": revision,
                              "created": datetime.now(UTC).isoformat()}) + "\n")
        for table in Base.metadata.sorted_tables:
            n = 0
            pk = list(table.primary_key.columns)
            for row in conn.execute(select(table).order_by(*pk)).mappings():
                out.write(json.dumps({"t": table.name, "r": {k: _encode(v) for k, v in row.items()}},
                                     ensure_ascii=False) + "\n")
                n += 1
            counts[table.name] = n
    os.replace(tmp, path)
    return counts


def restore_database(engine: Engine, path: Path, *, replace: bool = False) -> dict[str, int]:
    """Load a backup into a database (migrated first); it must be empty unless ``replace``."""
    from xxgk.casework.models import Base

    prepare_database(engine)
    tables = {t.name: t for t in Base.metadata.sorted_tables}
    with gzip.open(path, "rt", encoding="utf-8") as f:
        header = json.loads(f.readline() or "{}")
        if header.get("format") != BACKUP_FORMAT:
            raise ValueError("不是 xxgk 办理系统的备份文件")
        if int(header.get("version", 0)) > BACKUP_VERSION:
            raise ValueError("备份文件的版本比本程序新，请升级后再恢复")
        rows: dict[str, list[dict[str, Any]]] = {name: [] for name in tables}
        for line in f:
            item = json.loads(line)
            if item["t"] not in tables:
                raise ValueError(f"备份中有未知的表：{item['t']}")
            rows[item["t"]].append({k: _decode(v) for k, v in item["r"].items()})
    counts: dict[str, int] = {}
    with engine.begin() as conn:
        has_data = any(
            conn.execute(select(func.count()).select_from(t)).scalar()
            for name, t in tables.items() if name not in ("calendar_days", "calendar_years")
        )
        if has_data and not replace:
            raise ValueError("目标数据库中已有数据；如需覆盖请使用 --replace")
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
        for table in Base.metadata.sorted_tables:
            data = rows[table.name]
            if table.name == "agencies":  # self-referencing: parents first
                data.sort(key=lambda r: (r.get("parent_id") is not None, r["id"]))
            for i in range(0, len(data), 5000):
                conn.execute(insert(table), data[i:i + 5000])
            counts[table.name] = len(data)
        if conn.dialect.name == "postgresql":
            for table in Base.metadata.sorted_tables:
                pk = list(table.primary_key.columns)
                if len(pk) == 1 and pk[0].autoincrement is not False and pk[0].type.python_type is int:
                    seq = conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                       {"t": table.name, "c": pk[0].name}).scalar()
                    if seq:
                        conn.execute(text(f"SELECT setval('{seq}', COALESCE((SELECT max({pk[0].name}) FROM "
                                          f"{table.name}), 0) + 1, false)"))
    return counts


DEMO_HELP = (
    "写入示例机关、用户和数据后启动：未设置数据库地址（--database-url 或 XXGK_DATABASE_URL）时"
    "使用新建的临时 SQLite 数据库；已设置时写入该数据库（仅首次写入）"
)
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_flag(name: str) -> bool:
    """A yes/no environment variable: 1/true/yes/on or 0/false/no/off (unset or empty: no)."""
    value = os.environ.get(name, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"环境变量 {name} 的取值无效：{value!r}（应为 1/true/yes/on 或 0/false/no/off）")


def serve_config(url: str | None, *, demo: bool = False, secure_cookies: bool | None = None) -> AppConfig:
    """The web app's configuration for ``xxgk serve``: the options, then ``XXGK_SECRET_KEY``,
    ``XXGK_SECURE_COOKIES`` (when the option is not given) and ``XXGK_RATE_LIMIT_FACTOR``."""
    from xxgk.casework.web.deps import AppConfig

    cfg = AppConfig(database_url=url, secret_key=os.environ.get("XXGK_SECRET_KEY") or AppConfig().secret_key,
                    demo=demo,
                    secure_cookies=env_flag("XXGK_SECURE_COOKIES") if secure_cookies is None else secure_cookies)
    factor = os.environ.get("XXGK_RATE_LIMIT_FACTOR", "")
    if factor.isascii() and factor.isdigit() and int(factor) > 1:  # load tests from one address
        f = int(factor)
        cfg.rate_apply, cfg.rate_track, cfg.rate_checkup, cfg.rate_login = (
            (n * f, w) for n, w in (cfg.rate_apply, cfg.rate_track, cfg.rate_checkup, cfg.rate_login)
        )
    return cfg


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        demo: Annotated[bool, typer.Option("--demo", help=DEMO_HELP)] = False,
        host: Annotated[str, typer.Option(help="监听地址（默认仅本机）")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="端口")] = 8000,
        database_url: Annotated[str | None, typer.Option(help="数据库地址，默认读取 XXGK_DATABASE_URL")] = None,
        secure_cookies: Annotated[bool | None, typer.Option(
            "--secure-cookies/--no-secure-cookies",
            help="会话 Cookie 是否只经 HTTPS 发送（默认读取 XXGK_SECURE_COOKIES，未设置为否）",
        )] = None,
    ) -> None:
        """启动政府信息公开办理系统（门户、工作台、JSON 接口 /api/docs）。"""
        import uvicorn

        from xxgk.casework.web.app import create_app

        url = database_url or os.environ.get("XXGK_DATABASE_URL")
        try:
            env_flag("XXGK_SECURE_COOKIES")  # refuse a bad value before touching any database
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None
        if demo and not url:
            folder = Path(tempfile.mkdtemp(prefix="xxgk-demo-"))
            url = f"sqlite:///{folder / 'demo.db'}"
        cfg = serve_config(url, demo=demo, secure_cookies=secure_cookies)
        engine = _engine(url)
        prepare_database(engine)
        if demo:
            from xxgk.casework.db import load_calendar
            from xxgk.casework.demo import DEMO_PASSWORD, build_demo
            from xxgk.casework.workflow import WorkflowError

            with Session(engine) as s:
                try:
                    build_demo(s, load_calendar(s), date.today())
                    s.commit()
                    typer.echo("已生成示例数据。")
                except WorkflowError:
                    s.rollback()
                    typer.echo("数据库中已有示例数据，直接启动。")
            typer.echo(f"示例账号（密码均为 {DEMO_PASSWORD}）：clerk 经办人、approver 负责人、admin 管理员、"
                       "supervisor 市政务公开办")
        engine.dispose()
        typer.echo(f"数据库：{url or '（默认）'}")
        typer.echo(f"请在浏览器中打开 http://{host}:{port}/ （接口文档 /api/docs）")
        if cfg.secure_cookies:
            typer.echo("会话 Cookie 仅经 HTTPS 发送（Secure）；请通过 HTTPS 反向代理访问。")
        uvicorn.run(create_app(cfg), host=host, port=port, log_level="info", access_log=False)

    @app.command("init-db")
    def init_db(database_url: Annotated[str | None, typer.Option(help="数据库地址")] = None) -> None:
        """创建或升级数据库结构，并写入节假日表种子数据。"""
        prepare_database(_engine(database_url))
        typer.echo("数据库已就绪。")

    @app.command("create-user")
    def create_user(
        username: str,
        role: Annotated[str, typer.Option(help="clerk / approver / admin / supervisor")],
        agency_code: Annotated[str, typer.Option(help="所属机关的统一社会信用代码")],
        display_name: Annotated[str, typer.Option(help="姓名")] = "",
        email: Annotated[str, typer.Option(help="电子邮箱（接收期限提醒）")] = "",
        database_url: Annotated[str | None, typer.Option(help="数据库地址")] = None,
    ) -> None:
        """创建工作人员账号（密码交互输入）。"""
        from xxgk.casework.models import ROLES, Agency, User
        from xxgk.casework.security import hash_password

        if role not in ROLES:
            raise typer.BadParameter(f"角色应为 {', '.join(ROLES)}")
        password = typer.prompt("密码", hide_input=True, confirmation_prompt=True)
        engine = _engine(database_url)
        prepare_database(engine)
        with Session(engine) as s:
            agency = s.scalar(select(Agency).where(Agency.code == agency_code.upper()))
            if agency is None:
                raise typer.BadParameter("没有找到该统一社会信用代码对应的机关")
            try:
                pw = hash_password(password)
            except ValueError as exc:
                raise typer.BadParameter(str(exc)) from None
            s.add(User(username=username, display_name=display_name or username, password_hash=pw, role=role,
                       agency_id=agency.id, email=email, active=True, created_at=datetime.now(UTC)))
            s.commit()
        typer.echo(f"已创建用户 {username}（{ROLES[role]}）。")

    @app.command("create-agency")
    def create_agency(
        name: str,
        code: Annotated[str, typer.Option(help="统一社会信用代码（18位）")],
        kind: Annotated[str, typer.Option(help="government / department / township")] = "department",
        parent_code: Annotated[str | None, typer.Option(help="上级机关的统一社会信用代码")] = None,
        database_url: Annotated[str | None, typer.Option(help="数据库地址")] = None,
    ) -> None:
        """新增机关。"""
        from xxgk.casework.codes import valid_uscc
        from xxgk.casework.models import AGENCY_KINDS, Agency

        if not valid_uscc(code):
            raise typer.BadParameter("统一社会信用代码格式或校验位不正确")
        if kind not in AGENCY_KINDS:
            raise typer.BadParameter(f"机关类型应为 {', '.join(AGENCY_KINDS)}")
        engine = _engine(database_url)
        prepare_database(engine)
        with Session(engine) as s:
            parent = None
            if parent_code:
                parent = s.scalar(select(Agency).where(Agency.code == parent_code.upper()))
                if parent is None:
                    raise typer.BadParameter("没有找到上级机关")
            s.add(Agency(name=name, code=code.upper(), kind=kind, parent_id=parent.id if parent else None,
                         settings={}))
            s.commit()
        typer.echo(f"已新增机关 {name}。")

    @app.command("remind")
    def remind(database_url: Annotated[str | None, typer.Option(help="数据库地址")] = None) -> None:
        """发送答复期限提醒邮件（已超期和即将到期的申请；默认输出到控制台，配置 XXGK_SMTP_HOST 后经 SMTP 发送）。"""
        from xxgk.casework.db import load_calendar
        from xxgk.casework.notify import backend_from_env, deliver_pending, queue_reminders

        engine = _engine(database_url)
        with Session(engine) as s:
            n = queue_reminders(s, date.today(), load_calendar(s))  # each agency's due_soon_days rule
            s.commit()
            sent = deliver_pending(s, backend_from_env())
        typer.echo(f"生成提醒 {n} 条，发送 {sent} 条。")

    @app.command("backup")
    def backup(
        output: Annotated[Path, typer.Argument(help="备份文件路径（.jsonl.gz）")],
        database_url: Annotated[str | None, typer.Option(help="数据库地址")] = None,
    ) -> None:
        """备份办理系统数据库（与数据库类型无关，可在 SQLite 和 PostgreSQL 之间恢复）。"""
        counts = backup_database(_engine(database_url), output)
        typer.echo(f"已备份到 {output}：" + "，".join(f"{k} {v}" for k, v in counts.items()))

    @app.command("restore")
    def restore(
        input_: Annotated[Path, typer.Argument(metavar="INPUT", help="备份文件路径")],
        database_url: Annotated[str | None, typer.Option(help="数据库地址")] = None,
        replace: Annotated[bool, typer.Option("--replace", help="覆盖目标数据库中的现有数据")] = False,
    ) -> None:
        """从备份恢复数据库。"""
        if not input_.exists():
            raise typer.BadParameter(f"备份文件不存在：{input_}")
        try:
            counts = restore_database(_engine(database_url), input_, replace=replace)
        except (ValueError, OSError, json.JSONDecodeError) as exc:
            typer.echo(f"恢复失败：{exc}", err=True)
            raise typer.Exit(1) from None
        typer.echo("已恢复：" + "，".join(f"{k} {v}" for k, v in counts.items()))
