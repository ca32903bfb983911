"""Casework benchmark (not a test): p50/p95 latency of portal pages and the JSON API at 50 concurrent clients
against ``xxgk serve`` on 127.0.0.1, on SQLite and on PostgreSQL; and the time to compute the annual report
from a 1 000 000-application ledger.

    .venv/bin/python bench/casework_bench.py --backend sqlite --seconds 20
    .venv/bin/python bench/casework_bench.py --backend postgresql --seconds 20   # starts a throwaway cluster
    .venv/bin/python bench/casework_bench.py --report-rows 1000000 --backend sqlite --skip-load

Load is bounded in time (``--seconds``) and count (``--max-requests``) and only ever targets 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import glob
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert, text
from sqlalchemy.orm import Session

from xxgk.casework.annual_report import build_report
from xxgk.casework.calendar import WorkCalendar
from xxgk.casework.db import make_engine, migrate, seed_calendar
from xxgk.casework.demo import DEMO_PASSWORD, create_tree, populate, populate_catalogue, populate_reviews
from xxgk.casework.models import Application
from xxgk.casework.outcomes import applicant_types, outcomes
from xxgk.casework.security import hash_password

CLIENTS = 50


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def pg_cluster() -> Iterator[str]:
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not bins:
        raise SystemExit("PostgreSQL server binaries not found")
    bindir = Path(bins[-1]).parent
    root = Path(tempfile.mkdtemp(prefix="xxgk-bench-pg-"))
    os.chmod(root, 0o755)
    prefix: list[str] = []
    if os.geteuid() == 0:
        prefix = ["runuser", "-u", "postgres", "--"]
        shutil.chown(root, user="postgres")
    port = free_port()
    data = root / "data"
    subprocess.run([*prefix, str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                    "--no-locale"], check=True, capture_output=True)
    subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-w", "-o",
                    f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c max_connections=200", "start"],
                   check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                       capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def synthetic(n: int, agency_ids: list[int], start_id: int, seed: int = 11) -> Iterator[list[dict[str, Any]]]:
    rng = random.Random(seed)
    types = [t for t, _ in applicant_types()]
    keys = [o.key for o in outcomes()]
    first = date(2023, 1, 1)
    span = (date(2025, 12, 31) - first).days + 1
    now = datetime.now(UTC)
    batch: list[dict[str, Any]] = []
    for i in range(n):
        received = first + timedelta(days=rng.randrange(span))
        closed = rng.random() < 0.93
        result = received + timedelta(days=rng.randrange(75)) if closed else None
        batch.append({"id": start_id + i, "number": f"BEN{start_id + i:010d}", "agency_id": rng.choice(agency_ids),
                      "channel": "online", "applicant_type": rng.choice(types), "applicant_name": "压测",
                      "description": "压测数据", "received_on": received, "clock_start": received,
                      "state": "closed" if closed else "registered", "outcome": rng.choice(keys) if closed else None,
                      "result_date": result, "closed_on": result, "created_at": now, "version": 1})
        if len(batch) == 20_000:
            yield batch
            batch = []
    if batch:
        yield batch


def prepare(url: str, ledger_rows: int) -> dict[str, Any]:
    engine = make_engine(url)
    migrate(engine)
    cal = WorkCalendar.seeded()
    today = date.today()
    with Session(engine) as s:
        seed_calendar(s)
        h = hash_password(DEMO_PASSWORD)
        tree = create_tree(s, password_hash=lambda _p: h)
        populate(s, tree, cal, today, n=300)
        populate_reviews(s, tree, today)
        populate_catalogue(s, tree, cal, today)
        s.commit()
        ids = [tree.civil_affairs.id, tree.natural_resources.id, tree.township.id, tree.government.id]
        info = {"gov": tree.government.id, "civil": tree.civil_affairs.id}
    t0 = time.perf_counter()
    if ledger_rows:
        with Session(engine) as s:
            for batch in synthetic(ledger_rows, ids, start_id=10_000):
                s.execute(insert(Application), batch)
            s.commit()
            if engine.dialect.name == "postgresql":
                s.execute(text("SELECT setval('applications_id_seq', (SELECT max(id) FROM applications))"))
                s.execute(text("ANALYZE"))
                s.commit()
    info["insert_s"] = time.perf_counter() - t0
    engine.dispose()
    return info


def report_timing(url: str, gov_id: int, civil_id: int, year: int) -> dict[str, float]:
    from xxgk.casework.models import Agency

    engine = make_engine(url)
    out = {}
    with Session(engine) as s:
        gov, civil = s.get(Agency, gov_id), s.get(Agency, civil_id)
        assert gov is not None and civil is not None
        for label, agency, cons in (("one agency", civil, False), ("consolidated subtree", gov, True)):
            best = float("inf")
            for _ in range(3):
                t0 = time.perf_counter()
                rep = build_report(s, agency, year, consolidated=cons)
                best = min(best, time.perf_counter() - t0)
            out[label] = best
            out[label + " new.total"] = float(rep.values["applications.new.total"] or 0)
    engine.dispose()
    return out


async def load(base: str, seconds: float, max_requests: int) -> dict[str, list[float]]:
    """50 concurrent clients, each cycling over portal pages and API calls."""
    async with httpx.AsyncClient(base_url=base, timeout=30) as login_client:
        filed = await login_client.post("/api/v1/applications", json={
            "agency_id": 2, "applicant_type": "natural_person", "applicant_name": "压测", "applicant_phone":
            "13900000000", "description": "压测"})
        filed.raise_for_status()
        number, code = filed.json()["number"], filed.json()["query_code"]
        r = await login_client.post("/api/v1/login", json={"username": "supervisor", "password": DEMO_PASSWORD})
        r.raise_for_status()
        cookies = dict(login_client.cookies)
        token = r.json()["csrf_token"]
    portal = ["/", "/catalogue", "/catalogue?q=%E5%85%BB%E8%80%81", "/guide/2", "/reports", "/apply",
              "/catalogue/feed.rss"]
    api_get = ["/api/v1/catalogue?limit=20", "/api/v1/applications?view=queue&limit=50", "/api/v1/me"]
    results: dict[str, list[float]] = {"portal": [], "api": [], "errors": []}
    stop_at = time.monotonic() + seconds
    count = 0

    async def worker(i: int) -> None:
        nonlocal count
        async with httpx.AsyncClient(base_url=base, timeout=30, cookies=cookies,
                                     headers={"X-CSRF-Token": token}) as c:
            k = i
            while time.monotonic() < stop_at and count < max_requests:
                count += 1
                k += 1
                kind = "portal" if k % 2 == 0 else "api"
                t0 = time.perf_counter()
                try:
                    if kind == "portal":
                        resp = await c.get(portal[k % len(portal)])
                    elif k % 6 == 1:
                        resp = await c.post("/api/v1/track", json={"number": number, "code": code})
                    else:
                        resp = await c.get(api_get[k % len(api_get)])
                    ok = resp.status_code == 200
                except httpx.HTTPError:
                    ok = False
                dt = (time.perf_counter() - t0) * 1000
                results[kind if ok else "errors"].append(dt)

    await asyncio.gather(*(worker(i) for i in range(CLIENTS)))
    return results


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1] if len(values) > 1 else values[0]


def run(url: str, args: argparse.Namespace) -> None:
    info = prepare(url, args.report_rows)
    print(f"ledger: {args.report_rows} synthetic applications inserted in {info['insert_s']:.1f} s")
    if args.report_rows:
        t = report_timing(url, info["gov"], info["civil"], 2024)
        for k, v in t.items():
            print(f"  annual report 2024, {k}: {v:.3f}" + ("" if "total" in k else " s"))
    if args.skip_load:
        return
    port = free_port()
    log = Path(tempfile.mkdtemp(prefix="xxgk-bench-")) / "server.log"
    exe = Path(sys.executable).parent / "xxgk"
    proc = subprocess.Popen([str(exe), "serve", "--host", "127.0.0.1", "--port", str(port), "--database-url", url],
                            stdout=log.open("wb"), stderr=subprocess.STDOUT,
                            env={**os.environ, "XXGK_RATE_LIMIT_FACTOR": "100000", "XXGK_SECRET_KEY": "bench"})
    try:
        for _ in range(300):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        t0 = time.perf_counter()
        res = asyncio.run(load(f"http://127.0.0.1:{port}", args.seconds, args.max_requests))
        wall = time.perf_counter() - t0
    finally:
        proc.terminate()
        proc.wait(15)
    total = sum(len(v) for v in res.values())
    print(f"load: {CLIENTS} clients, {total} requests in {wall:.1f} s ({total / wall:.0f} req/s), "
          f"{len(res['errors'])} errors")
    for kind in ("portal", "api"):
        v = res[kind]
        print(f"  {kind:6s} n={len(v):6d}  p50 {pct(v, 50):7.1f} ms  p95 {pct(v, 95):7.1f} ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--database-url", help="use this (empty) database instead of a temporary one")
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--max-requests", type=int, default=50_000)
    ap.add_argument("--report-rows", type=int, default=0, help="synthetic ledger size for the report timing")
    ap.add_argument("--skip-load", action="store_true")
    args = ap.parse_args()
    if args.database_url:
        run(args.database_url, args)
    elif args.backend == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="xxgk-bench-"))
        try:
            run(f"sqlite:///{folder / 'bench.db'}", args)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    else:
        with pg_cluster() as url:
            run(url, args)


if __name__ == "__main__":
    main()
