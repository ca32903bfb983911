"""Start ``xxgk serve`` on 127.0.0.1 as a real process over a prepared database (browser, durability and
benchmark tests)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy.orm import Session

from xxgk.casework.db import make_engine, migrate, seed_calendar
from xxgk.casework.demo import create_tree
from xxgk.casework.security import hash_password


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(url: str, with_tree: bool = True) -> None:
    engine = make_engine(url)
    migrate(engine)
    with Session(engine) as s:
        seed_calendar(s)
        if with_tree:
            h = hash_password("xxgk-demo-2025")
            create_tree(s, password_hash=lambda _p: h)
        s.commit()
    engine.dispose()


def start(url: str, port: int, log: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    exe = Path(sys.executable).parent / "xxgk"
    cmd = [str(exe), "serve", "--host", "127.0.0.1", "--port", str(port), "--database-url", url]
    proc = subprocess.Popen(cmd, stdout=log.open("ab"), stderr=subprocess.STDOUT,
                            env={**os.environ, "XXGK_SECRET_KEY": "browser-test", **(env or {})})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start in 60 s")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
