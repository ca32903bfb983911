"""``xxgk corpus ingest``: sources → engine → Parquet parts → final tables, resumable and never stopping on a bad file.

The driver lists the documents (so the progress bar knows the total), reads or fetches their bytes, hashes
them, skips what earlier runs did (by content hash), and streams the rest through the engine; records are
written in batches as they come back. A document that cannot be read, fetched or parsed is recorded with
its error. Ctrl-C writes what is done and stops; running the same command again continues. At the end the
final tables, the cross-report audit and the DuckDB database are rebuilt from all parts.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from xxgk.corpus import store
from xxgk.corpus.engines import Engine, Item, make_engine
from xxgk.corpus.pipeline import DEFAULT_TIMEOUT, Record
from xxgk.corpus.sources import Fetcher, FetchOptions, Loaded, Locator, expand, load


@dataclass(slots=True)
class IngestOptions:
    engine: str = "pool"
    workers: int | None = None
    master: str | None = None
    batch_size: int = 500
    retry_failed: bool = False
    timeout: float = DEFAULT_TIMEOUT
    agencies: Path | None = None
    fetch: FetchOptions = field(default_factory=FetchOptions)
    finalize: bool = True
    limit: int | None = None  # process at most this many new documents (then stop as if interrupted)


@dataclass(slots=True)
class IngestSummary:
    engine: str = "pool"
    workers: int = 0
    listed: int = 0  # documents the sources name
    skipped: int = 0  # done by an earlier run (or the same content seen earlier in this run)
    processed: int = 0  # parsed in this run
    ok: int = 0
    failed: int = 0  # parse errors in this run
    load_errors: int = 0  # could not be read or fetched
    first_load_errors: list[tuple[str, str]] = field(default_factory=list)  # (source, reason), the first few
    seconds: float = 0.0  # listing, reading and parsing (the documents/s figure)
    finalize_seconds: float = 0.0  # rebuilding the tables, cross-report audit and database
    interrupted: bool = False
    final: store.FinalSummary | None = None

    @property
    def rate(self) -> float:
        return self.processed / self.seconds if self.seconds > 0 else 0.0


def _load_error(loc_source: str, message: str) -> Record:
    return {
        "hash": None,
        "source": loc_source,
        "size": None,
        "kind": None,
        "status": "load_error",
        "error": message,
        "fingerprint": None,
        "elapsed_ms": 0.0,
        "report": None,
    }


Progress = Callable[[int], None]


def ingest(
    sources: Sequence[str],
    out: Path,
    options: IngestOptions | None = None,
    *,
    spark: Any = None,
    progress: Callable[[int, int], Progress] | None = None,
) -> IngestSummary:
    """Ingest ``sources`` into ``out``; ``progress(total, already)`` returns a callback advanced per document."""
    opts = options or IngestOptions()
    out.mkdir(parents=True, exist_ok=True)
    if (out / "parts").exists() and not os.access(out / "parts", os.W_OK):
        raise store.StoreError(f"输出目录不可写：{out}")
    started = time.perf_counter()
    if opts.agencies is not None:
        # Kept with the output, so later runs and ``finalize`` use the same list without being told again.
        kept = out / "agencies.csv"
        if not kept.exists() or not kept.samefile(opts.agencies):
            shutil.copyfile(opts.agencies, kept)
    store.cleanup_orphans(out)
    done = store.load_done(out)
    locators, errors = expand(sources)
    summary = IngestSummary(engine=opts.engine, listed=len(locators) + len(errors))
    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f") + f"-{os.getpid()}"
    writer = store.PartWriter(out, run_id, batch_size=opts.batch_size)  # (never reuses an earlier run's names)
    run_id = writer.run_id
    advance = progress(summary.listed, 0) if progress else (lambda n: None)
    def load_failed(source: str, reason: str) -> None:
        writer.add(_load_error(source, reason))
        summary.load_errors += 1
        if len(summary.first_load_errors) < 10:
            summary.first_load_errors.append((source, reason))

    for err in errors:
        load_failed(err.source, err.message)
        advance(1)
    fetcher = Fetcher(out / "cache", opts.fetch) if any(loc.kind == "url" for loc in locators) else None
    seen: set[str] = set()
    new_sources: set[tuple[str, str]] = set()

    def items() -> Iterator[Item]:
        dispatched = 0
        for loaded in load(locators, fetcher):
            item = _admit(loaded)
            if item is None:
                advance(1)
                continue
            yield item
            dispatched += 1
            if opts.limit is not None and dispatched >= opts.limit:
                summary.interrupted = True
                return

    def _admit(loaded: Loaded) -> Item | None:
        loc: Locator = loaded.locator
        if loaded.data is None:
            load_failed(loc.source, loaded.error or "无法读取")
            return None
        h = loaded.hash or hashlib.sha256(loaded.data).hexdigest()
        if h in done.hashes or h in seen or (h in done.failed and not opts.retry_failed):
            pair = (h, loc.source)
            if pair not in done.sources and pair not in new_sources:
                new_sources.add(pair)
                writer.add_source(h, loc.source)
            summary.skipped += 1
            return None
        seen.add(h)
        return loaded.data, {"source": loc.source, "hash": h, "timeout": opts.timeout}

    engine: Engine | None = None
    try:
        engine = make_engine(opts.engine, opts.workers, opts.master, spark=spark)
        summary.workers = engine.workers
        for rec in engine.map(items()):
            writer.add(rec)
            summary.processed += 1
            if rec["status"] == "ok":
                summary.ok += 1
            else:
                summary.failed += 1
            advance(1)
    except KeyboardInterrupt:
        summary.interrupted = True
    finally:
        writer.flush()
        if engine is not None:
            engine.close()
        if fetcher is not None:
            fetcher.close()
    summary.seconds = time.perf_counter() - started
    if opts.finalize and (out / "parts").is_dir():
        summary.final = store.finalize(out, threads=summary.workers or None, agencies=opts.agencies)
        summary.finalize_seconds = time.perf_counter() - started - summary.seconds
    entry = {k: v for k, v in asdict(summary).items() if k != "final"}
    entry.update(run=run_id, sources=list(sources)[:20], finished=datetime.now(UTC).isoformat(timespec="seconds"))
    store.append_run(out, entry)
    return summary
