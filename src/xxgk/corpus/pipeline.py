"""The per-document function every engine runs: bytes in, one plain record out (picklable, no shared state).

``process_one(raw, meta)`` reads, parses and audits one document and returns a dict of plain Python values:
the document's identity (content hash, source, size, kind), its status (``ok`` or ``error`` with a Chinese
message), the report fields, and its values, extra rows and findings as columns (lists), ready to be appended
to Arrow batches without touching each row again. It never raises: a document that cannot be read, that
crashes the parser, or that takes longer than ``meta["timeout"]`` seconds is returned as an error record.
``process_partition`` maps it over an iterator of ``(raw, meta)`` pairs (Spark's ``mapPartitions``, pool batches).
"""

from __future__ import annotations

import hashlib
import signal
import threading
import time
from collections.abc import Iterable, Iterator
from types import FrameType
from typing import Any

from xxgk.corpus.agency import agency_key, classify
from xxgk.corpus.dedupe import fingerprint

__all__ = ["DEFAULT_TIMEOUT", "content_hash", "process_batch", "process_one", "process_partition"]

DEFAULT_TIMEOUT = 120.0
Record = dict[str, Any]


class _Timeout(Exception):
    pass


def content_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def _empty_columns(*names: str) -> dict[str, list[Any]]:
    return {name: [] for name in names}


VALUE_COLUMNS = ("key", "value", "span_start", "span_end")
EXTRA_COLUMNS = ("table", "label", "values", "span_start", "span_end")
FINDING_COLUMNS = ("rule", "category", "severity", "message", "keys", "span_start", "span_end", "evidence", "basis")


def _base(raw: bytes, meta: dict[str, Any]) -> Record:
    return {
        "hash": meta.get("hash") or content_hash(raw),
        "source": str(meta.get("source", "")),
        "size": len(raw),
        "kind": None,
        "status": "ok",
        "error": None,
        "fingerprint": None,
        "elapsed_ms": 0.0,
        "report": None,
        "values": _empty_columns(*VALUE_COLUMNS),
        "extra": _empty_columns(*EXTRA_COLUMNS),
        "findings": _empty_columns(*FINDING_COLUMNS),
    }


def _span(span: Any) -> tuple[int | None, int | None]:
    if span is None:
        return None, None
    return int(span[0]), int(span[1])


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    raise _Timeout


def _parse(raw: bytes, rec: Record) -> None:
    from xxgk.audit import audit
    from xxgk.extract import parse_document
    from xxgk.findings import Severity
    from xxgk.ingest import detect_kind, read_bytes

    source = rec["source"]
    rec["kind"] = detect_kind(raw, source)
    doc = read_bytes(raw, source, kind=rec["kind"])
    report = parse_document(doc)
    findings = audit(report)
    values = report.values
    cols = rec["values"]
    for key, value in values.items():
        start, end = _span(report.source_span(report.provenance[key]) if key in report.provenance else None)
        cols["key"].append(key)
        cols["value"].append(None if value is None else float(value))
        cols["span_start"].append(start)
        cols["span_end"].append(end)
    extra = rec["extra"]
    for row in report.extra:
        start, end = _span(report.source_span(row.span) if row.span else None)
        extra["table"].append(row.table)
        extra["label"].append(row.label)
        extra["values"].append([None if v is None else float(v) for v in row.values])
        extra["span_start"].append(start)
        extra["span_end"].append(end)
    fcols = rec["findings"]
    errors = warnings = 0
    for f in findings:
        start, end = _span(f.span)
        fcols["rule"].append(f.rule)
        fcols["category"].append(f.category.value)
        fcols["severity"].append(f.severity.value)
        fcols["message"].append(f.message)
        fcols["keys"].append(list(f.keys))
        fcols["span_start"].append(start)
        fcols["span_end"].append(end)
        fcols["evidence"].append(f.evidence)
        fcols["basis"].append(f.basis)
        errors += f.severity is Severity.ERROR
        warnings += f.severity is Severity.WARNING
    region, level = classify(report.agency)
    rec["fingerprint"] = fingerprint(report.format, report.year, report.agency, values, doc.text)
    rec["report"] = {
        "format": report.format,
        "year": report.year,
        "agency": report.agency,
        "agency_key": agency_key(report.agency),
        "region": region,
        "level": level,
        "published": report.published.isoformat() if report.published else None,
        "url": report.url,
        "n_values": len(values),
        "n_blank": sum(1 for v in values.values() if v is None),
        "n_extra": len(report.extra),
        "n_findings": len(findings),
        "n_errors": errors,
        "n_warnings": warnings,
        "text_chars": len(doc.text),
    }


def process_one(raw: bytes, meta: dict[str, Any]) -> Record:
    """Read, parse and audit one document; always returns a record (``status`` ``ok`` or ``error``).

    ``meta``: ``source`` (path or URL, also used to tell the file kind), optionally ``hash`` (the content
    hash, computed when absent) and ``timeout`` (seconds, default :data:`DEFAULT_TIMEOUT`; 0 disables it).
    """
    from xxgk.ingest import IngestError

    rec = _base(raw, meta)
    timeout = float(meta.get("timeout", DEFAULT_TIMEOUT) or 0)
    use_alarm = timeout > 0 and threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
    previous: Any = None
    start = time.perf_counter()
    try:
        if use_alarm:
            previous = signal.signal(signal.SIGALRM, _on_alarm)
            signal.setitimer(signal.ITIMER_REAL, timeout)
        _parse(raw, rec)
    except _Timeout:
        _fail(rec, f"处理超时（超过 {timeout:g} 秒）")
    except IngestError as exc:
        _fail(rec, str(exc))
    except RecursionError:
        _fail(rec, "解析失败：文档结构嵌套过深 (RecursionError)")
    except Exception as exc:  # a parser bug on one document must not stop the run
        _fail(rec, f"解析失败 (parser error: {type(exc).__name__}: {exc})")
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)
    rec["elapsed_ms"] = round((time.perf_counter() - start) * 1000, 3)
    return rec


def _fail(rec: Record, message: str) -> None:
    rec["status"] = "error"
    rec["error"] = message.splitlines()[0][:500] if message else "未知错误"
    rec["report"] = None
    rec["fingerprint"] = None
    rec["values"] = _empty_columns(*VALUE_COLUMNS)
    rec["extra"] = _empty_columns(*EXTRA_COLUMNS)
    rec["findings"] = _empty_columns(*FINDING_COLUMNS)


def process_partition(items: Iterable[tuple[bytes, dict[str, Any]]]) -> Iterator[Record]:
    """``process_one`` over ``(raw, meta)`` pairs (a Spark partition, a pool batch)."""
    for raw, meta in items:
        yield process_one(raw, meta)


def process_batch(items: list[tuple[bytes, dict[str, Any]]]) -> list[Record]:
    return list(process_partition(items))
