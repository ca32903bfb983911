"""Where documents come from: files, folders, zip archives and lists of URLs, fetched politely and cached.

:func:`expand` turns the command-line sources into a sorted list of :class:`Locator` (cheap: names only, so
the progress bar knows the total); :func:`load` streams their bytes. A source is

- an ``http(s)://`` URL;
- a file: a report, a ``.zip`` archive (its members are documents), or a URL list (``*.urls``, or a text
  file whose non-comment lines are all URLs);
- a folder: walked recursively for report files, archives and URL lists (hidden files skipped).

:class:`Fetcher` is the polite HTTP client: it obeys robots.txt (and its Crawl-delay), keeps at most one
request per host every ``1 / rate`` seconds, retries connection errors, 429 and 5xx with exponential back-off
(honouring Retry-After), caps the body size, and caches each response: ``cache/index.sqlite`` maps the URL
to the SHA-256 of its content, and the content is stored once under ``cache/blobs/`` by that hash. A URL in
the cache is not fetched again (``refresh`` revalidates it with ETag / Last-Modified).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
import time
import urllib.error
import urllib.request
import urllib.robotparser
import zipfile
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

MAX_BYTES = 200 * 1024 * 1024
REPORT_EXTENSIONS = frozenset(
    (".txt", ".md", ".text", ".html", ".htm", ".shtml", ".xhtml", ".jsp", ".php", ".asp", ".aspx", ".pdf",
     ".docx", ".xlsx", ".doc", ".wps", ".et", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp")
)  # fmt: skip
USER_AGENT = "xxgk-corpus/0.1 (government information disclosure annual report research; polite crawler)"


@dataclass(frozen=True, slots=True, order=True)
class Locator:
    kind: str  # "file" | "zip" | "url"
    path: str  # file or archive path, or the URL
    member: str = ""  # the archive member

    @property
    def source(self) -> str:
        return f"{self.path}!/{self.member}" if self.kind == "zip" else self.path


@dataclass(slots=True)
class SourceError:
    source: str
    message: str


def _is_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


def _url_list(path: Path) -> list[str] | None:
    """The URLs of a URL-list file, or ``None`` if the file is something else (a report)."""
    try:
        if path.stat().st_size > 64 * 1024 * 1024:
            return None
        with open(path, "rb") as fh:
            head = fh.read(4096)
        if not (path.suffix.lower() == ".urls" or head.lstrip().startswith((b"http://", b"https://", b"#"))):
            return None
        text = path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return None
    urls: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not _is_url(line):
            return None if path.suffix.lower() != ".urls" else urls
        urls.append(line)
    return urls if urls or path.suffix.lower() == ".urls" else None


def _zip_members(path: Path, errors: list[SourceError]) -> list[Locator]:
    try:
        with zipfile.ZipFile(path) as zf:
            out = []
            for info in zf.infolist():
                name = info.filename
                base = name.rsplit("/", 1)[-1]
                if info.is_dir() or not base or base.startswith(".") or name.startswith("__MACOSX/"):
                    continue
                if info.file_size > MAX_BYTES:
                    errors.append(SourceError(f"{path}!/{name}", f"压缩包内文件过大（{info.file_size // 1048576} MB）"))
                    continue
                if base.lower().endswith(".zip"):
                    errors.append(SourceError(f"{path}!/{name}", "压缩包内嵌套的压缩包未展开，请先解压"))
                    continue
                out.append(Locator("zip", str(path), name))
            return sorted(out)
    except (zipfile.BadZipFile, OSError) as exc:
        errors.append(SourceError(str(path), f"无法打开压缩包（{exc}）"))
        return []


def _from_file(path: Path, errors: list[SourceError], explicit: bool) -> list[Locator]:
    suffix = path.suffix.lower()
    if suffix == ".zip":
        return _zip_members(path, errors)
    if suffix in (".urls", ".txt", ".text", ""):
        urls = _url_list(path)
        if urls is not None:
            return [Locator("url", u) for u in urls]
    if explicit or suffix in REPORT_EXTENSIONS:
        return [Locator("file", str(path))]
    return []


def expand(sources: Sequence[str]) -> tuple[list[Locator], list[SourceError]]:
    """Every document the sources name, de-duplicated and in a stable order, and the sources that fail."""
    found: list[Locator] = []
    errors: list[SourceError] = []
    for source in sources:
        if _is_url(source):
            found.append(Locator("url", source))
            continue
        path = Path(source)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith("."):
                        found.extend(_from_file(Path(root) / name, errors, explicit=False))
        elif path.is_file():
            found.extend(_from_file(path, errors, explicit=True))
        elif path.exists():
            errors.append(SourceError(source, "不是普通文件或文件夹"))
        else:
            errors.append(SourceError(source, "文件或文件夹不存在"))
    unique = sorted(set(found), key=lambda loc: (loc.kind == "url", loc.path, loc.member))
    return unique, errors


# --------------------------------------------------------------------------------------------------- fetching


class FetchError(Exception):
    """A URL could not be fetched; the message is Chinese."""


@dataclass(slots=True)
class _Response:
    """An HTTP response read in full (stdlib ``urllib``; error statuses are responses, not exceptions)."""

    status_code: int
    headers: Message
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


class _NoRaise(urllib.request.HTTPErrorProcessor):
    """Hand every status back as a response: the fetcher decides what to retry."""

    def http_response(self, request: Any, response: Any) -> Any:
        return response

    https_response = http_response


@dataclass(slots=True)
class FetchOptions:
    rate: float = 1.0  # requests per second per host
    retries: int = 3
    backoff: float = 1.0  # seconds; doubled at each retry
    timeout: float = 30.0
    robots: bool = True
    refresh: bool = False
    user_agent: str = USER_AGENT
    workers: int = 8  # concurrent fetches (over different hosts; one host is still rate limited)
    max_retry_after: float = 120.0


@dataclass(slots=True)
class _Host:
    lock: threading.Lock = field(default_factory=threading.Lock)
    robots_lock: threading.Lock = field(default_factory=threading.Lock)
    next_time: float = 0.0
    robots: urllib.robotparser.RobotFileParser | None = None
    robots_error: str | None = None
    robots_loaded: bool = False


class Fetcher:
    """Polite, cached HTTP fetching (see the module docstring). Thread-safe."""

    def __init__(self, cache_dir: Path, options: FetchOptions | None = None) -> None:
        self.options = options or FetchOptions()
        self.cache_dir = cache_dir
        (cache_dir / "blobs").mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(cache_dir / "index.sqlite", check_same_thread=False)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS urls (url TEXT PRIMARY KEY, hash TEXT, status INTEGER, etag TEXT, "
            "last_modified TEXT, content_type TEXT, fetched_at TEXT)"
        )
        self._db.commit()
        self._db_lock = threading.Lock()
        self._hosts: dict[str, _Host] = {}
        self._hosts_lock = threading.Lock()
        self._opener = urllib.request.build_opener(_NoRaise())  # redirects are followed by default
        self.requests = 0  # network requests made (robots.txt included)

    def close(self) -> None:
        with self._db_lock:
            self._db.close()

    # cache -------------------------------------------------------------------------------------------

    def _blob(self, h: str) -> Path:
        return self.cache_dir / "blobs" / h[:2] / h

    def cached(self, url: str) -> tuple[str, bytes] | None:
        with self._db_lock:
            row = self._db.execute("SELECT hash FROM urls WHERE url = ?", (url,)).fetchone()
        if row is None or row[0] is None:
            return None
        blob = self._blob(row[0])
        try:
            return row[0], blob.read_bytes()
        except OSError:
            return None

    def _store(self, url: str, data: bytes, status: int, headers: Any) -> str:
        h = hashlib.sha256(data).hexdigest()
        blob = self._blob(h)
        if not blob.exists():
            blob.parent.mkdir(parents=True, exist_ok=True)
            tmp = blob.with_suffix(f".{threading.get_ident()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, blob)
        with self._db_lock:
            self._db.execute(
                "INSERT OR REPLACE INTO urls VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    url,
                    h,
                    status,
                    headers.get("etag"),
                    headers.get("last-modified"),
                    headers.get("content-type"),
                    datetime.now(UTC).isoformat(timespec="seconds"),
                ),
            )
            self._db.commit()
        return h

    # politeness ---------------------------------------------------------------------------------------

    def _host(self, url: str) -> _Host:
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}"
        with self._hosts_lock:
            return self._hosts.setdefault(key, _Host())

    def _wait_turn(self, host: _Host, delay: float) -> None:
        """Block until this host may be asked again, and book the next slot."""
        with host.lock:
            now = time.monotonic()
            if host.next_time > now:
                time.sleep(host.next_time - now)
            host.next_time = time.monotonic() + delay

    def _interval(self, host: _Host) -> float:
        interval = 1.0 / self.options.rate if self.options.rate > 0 else 0.0
        if host.robots is not None:
            crawl_delay = host.robots.crawl_delay(self.options.user_agent)
            if crawl_delay:
                interval = max(interval, float(crawl_delay))
        return interval

    def _load_robots(self, url: str, host: _Host) -> None:
        with host.robots_lock:
            if host.robots_loaded:
                return
            parts = urlsplit(url)
            robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
            parser = urllib.robotparser.RobotFileParser(robots_url)
            error = None
            try:
                response = self._request(robots_url, host, retries=1)
                if response.status_code >= 500:
                    error = f"robots.txt 返回 HTTP {response.status_code}，按规范视为禁止抓取"
                elif response.status_code >= 400:
                    parser.parse([])  # no robots.txt: everything allowed
                else:
                    parser.parse(response.text.splitlines())
            except FetchError as exc:
                error = f"无法获取 robots.txt（{exc}），按规范视为禁止抓取"
            host.robots, host.robots_error, host.robots_loaded = parser, error, True

    def _request(
        self, url: str, host: _Host, retries: int | None = None, headers: dict[str, str] | None = None
    ) -> _Response:
        attempts = (self.options.retries if retries is None else retries) + 1
        last = ""
        for attempt in range(attempts):
            self._wait_turn(host, self._interval(host))
            self.requests += 1
            try:
                response = self._read(url, headers or {})
            except (OSError, ValueError) as exc:  # URLError, timeouts, resets, bad status lines
                last = f"{type(exc).__name__}: {exc}"
                delay = self.options.backoff * 2**attempt
            else:
                if response.status_code not in (429, 500, 502, 503, 504):
                    return response
                last = f"HTTP {response.status_code}"
                delay = max(self.options.backoff * 2**attempt, self._retry_after(response))
            if attempt + 1 < attempts:
                time.sleep(min(delay, self.options.max_retry_after))
        raise FetchError(f"重试 {attempts - 1} 次后仍失败（{last}）")

    def _read(self, url: str, headers: dict[str, str]) -> _Response:
        request = urllib.request.Request(url, headers={"User-Agent": self.options.user_agent, **headers})
        with self._opener.open(request, timeout=self.options.timeout) as response:
            chunks = []
            size = 0
            while chunk := response.read(1 << 16):
                size += len(chunk)
                if size > MAX_BYTES:
                    raise FetchError(f"文件过大（超过 {MAX_BYTES // 1048576} MB）")
                chunks.append(chunk)
            return _Response(int(response.status), response.headers, b"".join(chunks))

    def _retry_after(self, response: _Response) -> float:
        value = response.headers.get("retry-after")
        if not value:
            return 0.0
        try:
            return float(value)
        except ValueError:
            pass
        try:
            return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
        except (TypeError, ValueError):
            return 0.0

    # public -------------------------------------------------------------------------------------------

    def fetch(self, url: str) -> tuple[str, bytes]:
        """(content hash, bytes) of ``url``, from the cache when it is there; raises :class:`FetchError`."""
        cached = self.cached(url)
        if cached is not None and not self.options.refresh:
            return cached
        host = self._host(url)
        if self.options.robots:
            self._load_robots(url, host)
            if host.robots_error:
                raise FetchError(host.robots_error)
            assert host.robots is not None
            if not host.robots.can_fetch(self.options.user_agent, url):
                raise FetchError("robots.txt 不允许抓取此网址")
        headers: dict[str, str] = {}
        if cached is not None:
            with self._db_lock:
                row = self._db.execute("SELECT etag, last_modified FROM urls WHERE url = ?", (url,)).fetchone()
            if row and row[0]:
                headers["If-None-Match"] = row[0]
            if row and row[1]:
                headers["If-Modified-Since"] = row[1]
        response = self._request(url, host, headers=headers)
        if response.status_code == 304 and cached is not None:
            return cached
        if response.status_code >= 400:
            raise FetchError(f"HTTP {response.status_code}")
        data = response.content
        return self._store(url, data, response.status_code, response.headers), data


# --------------------------------------------------------------------------------------------------- loading


@dataclass(slots=True)
class Loaded:
    locator: Locator
    data: bytes | None
    error: str | None = None
    hash: str | None = None  # known for cached/fetched URLs


def load(locators: Sequence[Locator], fetcher: Fetcher | None = None, window: int = 64) -> Iterator[Loaded]:
    """The bytes of every locator (files and archives in order, URLs as their fetches complete)."""
    zf: zipfile.ZipFile | None = None
    zpath = ""
    urls: list[Locator] = []
    try:
        for loc in locators:
            if loc.kind == "url":
                urls.append(loc)
                continue
            try:
                if loc.kind == "file":
                    size = os.path.getsize(loc.path)
                    if size > MAX_BYTES:
                        yield Loaded(loc, None, f"文件过大（{size // 1048576} MB）")
                        continue
                    yield Loaded(loc, Path(loc.path).read_bytes())
                else:
                    if zf is None or zpath != loc.path:
                        if zf is not None:
                            zf.close()
                        zf, zpath = zipfile.ZipFile(loc.path), loc.path
                    yield Loaded(loc, zf.read(loc.member))
            except (OSError, zipfile.BadZipFile, KeyError, RuntimeError) as exc:
                yield Loaded(loc, None, f"无法读取（{type(exc).__name__}: {exc}）")
    finally:
        if zf is not None:
            zf.close()
    if not urls:
        return
    if fetcher is None:
        for loc in urls:
            yield Loaded(loc, None, "未配置网址抓取")
        return
    yield from _fetch_all(urls, fetcher, window)


def _fetch_one(fetcher: Fetcher, loc: Locator) -> Loaded:
    try:
        h, data = fetcher.fetch(loc.path)
        return Loaded(loc, data, hash=h)
    except FetchError as exc:
        return Loaded(loc, None, f"抓取失败：{exc}")
    except Exception as exc:  # a malformed URL or an unexpected client error: record it, go on
        return Loaded(loc, None, f"抓取失败：{type(exc).__name__}: {exc}")


def _fetch_all(urls: list[Locator], fetcher: Fetcher, window: int) -> Iterator[Loaded]:
    # Interleave hosts so that one slow (rate-limited) host does not hold the window.
    by_host: dict[str, list[Locator]] = {}
    for loc in urls:
        by_host.setdefault(urlsplit(loc.path).netloc, []).append(loc)
    queues = [list(reversed(v)) for v in by_host.values()]
    order: list[Locator] = []
    while queues:
        for q in queues:
            order.append(q.pop())
        queues = [q for q in queues if q]
    pending: set[Future[Loaded]] = set()
    it = iter(order)
    with ThreadPoolExecutor(max_workers=max(1, fetcher.options.workers)) as pool:
        for loc in it:
            pending.add(pool.submit(_fetch_one, fetcher, loc))
            if len(pending) >= window:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for f in done:
                    yield f.result()
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for f in done:
                yield f.result()
