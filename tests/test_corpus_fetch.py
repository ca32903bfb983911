"""URL sources against a local HTTP server on 127.0.0.1: robots.txt, per-host rate limit, retries, cache."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import pairwise
from pathlib import Path
from random import Random

import pyarrow.parquet as pq
import pytest

from xxgk.corpus import synthetic as S
from xxgk.corpus.ingest import IngestOptions, ingest
from xxgk.corpus.sources import Fetcher, FetchError, FetchOptions, Locator, expand

AGENCY = "湖南省长沙市民政局"


class _Site:
    """What the server serves, and a log of the requests it got."""

    def __init__(self) -> None:
        self.pages: dict[str, bytes] = {}
        self.robots = b"User-agent: *\nDisallow: /private/\n"
        self.flaky: dict[str, int] = {}  # path -> 503 answers still to give
        self.log: list[tuple[float, str]] = []
        self.lock = threading.Lock()


def _handler(site: _Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            with site.lock:
                site.log.append((time.monotonic(), self.path))
                flaky = site.flaky.get(self.path, 0)
                if flaky:
                    site.flaky[self.path] = flaky - 1
            if self.path == "/robots.txt":
                return self._send(200, site.robots, "text/plain")
            if flaky:
                return self._send(503, b"busy", "text/plain", {"Retry-After": "0"})
            body = site.pages.get(self.path)
            if body is None:
                return self._send(404, b"not found", "text/plain")
            etag = '"' + str(hash(body)) + '"'
            if self.headers.get("If-None-Match") == etag:
                return self._send(304, b"", "text/html", {"ETag": etag})
            return self._send(200, body, "text/html; charset=utf-8", {"ETag": etag})

        def _send(self, code: int, body: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            if body:
                self.wfile.write(body)

    return Handler


@pytest.fixture()
def site() -> Iterator[tuple[_Site, str]]:
    state = _Site()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _report(year: int, seed: int) -> bytes:
    values = S.random_values("2021", Random(seed))
    return S.render_document("2021", values, "html", year, AGENCY)[0]


def _fast(**kw: object) -> FetchOptions:
    opts = FetchOptions(rate=50.0, retries=2, backoff=0.01, timeout=5.0)
    for k, v in kw.items():
        setattr(opts, k, v)
    return opts


def test_robots_rate_limit_retries_and_cache(site: tuple[_Site, str], tmp_path: Path) -> None:
    state, base = site
    state.pages = {f"/r/{i}.html": _report(2021 + i % 3, i) for i in range(4)}
    state.pages["/private/secret.html"] = _report(2022, 99)
    state.flaky["/r/1.html"] = 2
    fetcher = Fetcher(tmp_path / "cache", _fast(rate=10.0))
    try:
        for i in range(4):
            h, data = fetcher.fetch(f"{base}/r/{i}.html")
            assert data == state.pages[f"/r/{i}.html"] and len(h) == 64
        with pytest.raises(FetchError, match=r"robots\.txt"):
            fetcher.fetch(f"{base}/private/secret.html")
        with pytest.raises(FetchError, match="404"):
            fetcher.fetch(f"{base}/r/missing.html")
    finally:
        fetcher.close()
    times = [t for t, _ in state.log]
    gaps = [b - a for a, b in pairwise(times)]
    assert min(gaps) >= 0.09  # one request per host every 1/rate seconds (robots.txt included)
    assert [p for _, p in state.log].count("/r/1.html") == 3  # two 503s, then success
    assert [p for _, p in state.log].count("/robots.txt") == 1
    assert "/private/secret.html" not in [p for _, p in state.log]
    # A second fetcher on the same cache does not touch the network for what it has.
    n = len(state.log)
    fetcher = Fetcher(tmp_path / "cache", _fast())
    try:
        assert fetcher.fetch(f"{base}/r/2.html")[1] == state.pages["/r/2.html"]
        assert fetcher.requests == 0 and len(state.log) == n
    finally:
        fetcher.close()
    # refresh revalidates with the ETag: 304, served from the cache.
    fetcher = Fetcher(tmp_path / "cache", _fast(refresh=True))
    try:
        assert fetcher.fetch(f"{base}/r/3.html")[1] == state.pages["/r/3.html"]
        assert fetcher.requests == 2  # robots.txt + the conditional GET
    finally:
        fetcher.close()


def test_unreachable_robots_means_no_fetching(site: tuple[_Site, str], tmp_path: Path) -> None:
    state, _ = site
    state.pages = {"/a.html": _report(2022, 1)}
    fetcher = Fetcher(tmp_path / "cache", _fast(retries=0))
    try:
        dead = "http://127.0.0.1:9/a.html"  # nothing listens on the discard port
        with pytest.raises(FetchError, match=r"robots\.txt"):
            fetcher.fetch(dead)
    finally:
        fetcher.close()


def test_url_list_files_are_expanded(tmp_path: Path) -> None:
    lst = tmp_path / "list.urls"
    lst.write_text("# 年报网址\nhttps://a.example/1.html\n\nhttps://b.example/2.pdf\n", encoding="utf-8")
    txt = tmp_path / "links.txt"
    txt.write_text("https://a.example/3.html\n", encoding="utf-8")
    report = tmp_path / "report.txt"
    report.write_text("某某市民政局2021年政府信息公开工作年度报告\nhttps://a.example\n", encoding="utf-8")
    locs, errors = expand([str(lst), str(txt), str(report), "https://c.example/4.html"])
    assert not errors
    urls = sorted(loc.path for loc in locs if loc.kind == "url")
    assert urls == ["https://a.example/1.html", "https://a.example/3.html", "https://b.example/2.pdf",
                    "https://c.example/4.html"]  # fmt: skip
    assert Locator("file", str(report)) in locs


def test_ingest_from_urls_records_failures_and_resumes(site: tuple[_Site, str], tmp_path: Path) -> None:
    state, base = site
    state.pages = {f"/r/{i}.html": _report(2021 + i, i) for i in range(3)}
    state.pages["/mirror/0.html"] = state.pages["/r/0.html"]  # the same file on another path
    urls = [f"{base}/r/{i}.html" for i in range(3)] + [f"{base}/mirror/0.html", f"{base}/r/gone.html",
                                                         f"{base}/private/x.html"]  # fmt: skip
    (tmp_path / "list.urls").write_text("\n".join(urls), encoding="utf-8")
    out = tmp_path / "out"
    opts = IngestOptions(workers=1, fetch=_fast())
    summary = ingest([str(tmp_path / "list.urls")], out, opts)
    assert summary.processed == 3 and summary.skipped == 1 and summary.load_errors == 2
    reports = pq.read_table(out / "reports.parquet").to_pylist()
    assert len(reports) == 3
    mirrored = next(r for r in reports if r["year"] == 2021)
    assert mirrored["sources"] == sorted([f"{base}/mirror/0.html", f"{base}/r/0.html"])
    errors = {d["source"]: d["error"] for d in pq.read_table(out / "documents.parquet").to_pylist() if d["error"]}
    assert "HTTP 404" in errors[f"{base}/r/gone.html"] and "robots.txt" in errors[f"{base}/private/x.html"]
    # Resume: everything fetched is in the cache; the page that was missing now exists.
    n = len(state.log)
    state.pages["/r/gone.html"] = _report(2024, 7)
    again = ingest([str(tmp_path / "list.urls")], out, opts)
    assert again.processed == 1 and again.load_errors == 1
    assert [p for _, p in state.log[n:]] == ["/robots.txt", "/r/gone.html"]
    documents = pq.read_table(out / "documents.parquet").to_pylist()
    assert f"{base}/r/gone.html" not in {d["source"] for d in documents if d["status"] != "ok"}
