"""Readers: bytes of any supported kind → :class:`~xxgk.ingest.document.Document`.

``read_path`` / ``read_bytes`` pick the reader from the content (magic bytes) and the file name. Each reader
lives in its own module and is imported only when needed, so the text path stays light.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from xxgk.ingest.document import Block, BlockKind, Cell, Document
from xxgk.ingest.encoding import DecodeError

__all__ = ["Block", "BlockKind", "Cell", "Document", "IngestError", "detect_kind", "read_bytes", "read_path"]

MAX_BYTES = 200 * 1024 * 1024


class IngestError(ValueError):
    """The input cannot be read as a report. The message is bilingual (Chinese / English)."""


_READERS: dict[str, tuple[str, str]] = {
    "text": ("xxgk.ingest.text", "read_text"),
    "html": ("xxgk.ingest.html", "read_html"),
    "pdf": ("xxgk.ingest.pdf", "read_pdf"),
    "docx": ("xxgk.ingest.docx", "read_docx"),
    "xlsx": ("xxgk.ingest.xlsx", "read_xlsx"),
    "doc": ("xxgk.ingest.office", "read_legacy_office"),
    "image": ("xxgk.ingest.ocr", "read_image"),
}

_EXTENSIONS = {
    ".txt": "text",
    ".md": "text",
    ".text": "text",
    ".csv": "text",
    ".html": "html",
    ".htm": "html",
    ".shtml": "html",
    ".xhtml": "html",
    ".jsp": "html",
    ".php": "html",
    ".asp": "html",
    ".aspx": "html",
    ".pdf": "pdf",
    ".docx": "docx",
    ".xlsx": "xlsx",
    ".doc": "doc",
    ".wps": "doc",
    ".et": "doc",
    ".png": "image",
    ".jpg": "image",
    ".jpeg": "image",
    ".tif": "image",
    ".tiff": "image",
    ".bmp": "image",
}


def detect_kind(data: bytes, name: str = "") -> str:
    """The reader kind for these bytes: content first (magic bytes), then the file extension."""
    head = data[:2048]
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        if b"word/" in data[:65536] or name.lower().endswith(".docx"):
            return "docx"
        if b"xl/" in data[:65536] or name.lower().endswith(".xlsx"):
            return "xlsx"
        return _EXTENSIONS.get(Path(name).suffix.lower(), "docx")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "doc"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"BM")):
        return "image"
    ext = _EXTENSIONS.get(Path(name).suffix.lower())
    if ext and ext not in ("pdf", "docx", "xlsx", "doc", "image"):
        return ext
    lowered = head.lower()
    if b"<html" in lowered or b"<!doctype html" in lowered or b"<table" in lowered or b"<body" in lowered:
        return "html"
    return ext or "text"


def read_bytes(data: bytes, source: str, kind: str | None = None, encoding: str | None = None) -> Document:
    """Read ``data`` (named ``source``) into a document, or raise :class:`IngestError`."""
    if not data or not data.strip():
        raise IngestError(f"文件为空 (empty input): {source}")
    if len(data) > MAX_BYTES:
        raise IngestError(f"文件过大（{len(data) // 1048576} MB）(input too large): {source}")
    kind = kind or detect_kind(data, source)
    module_name, func_name = _READERS[kind]
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise IngestError(f"缺少读取 {kind} 文件所需的组件 (reader for {kind} not installed: {exc}): {source}") from exc
    reader = getattr(module, func_name)
    try:
        doc: Document = reader(data, source) if encoding is None else reader(data, source, encoding)
    except IngestError:
        raise
    except DecodeError as exc:
        raise IngestError(f"无法识别文件编码 (cannot decode: {exc}): {source}") from exc
    except Exception as exc:  # a reader failing on malformed input must not crash a batch
        raise IngestError(f"无法读取文件 (unreadable {kind} file: {type(exc).__name__}: {exc}): {source}") from exc
    return doc


def read_path(path: str | Path) -> Document:
    p = Path(path)
    try:
        if p.is_dir():
            raise IngestError(f"这是一个目录，不是文件 (is a directory): {p}")
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise IngestError(f"文件过大（{size // 1048576} MB）(input too large): {p}")
        data = p.read_bytes()
    except FileNotFoundError as exc:
        raise IngestError(f"文件不存在 (no such file): {p}") from exc
    except PermissionError as exc:
        raise IngestError(f"没有读取权限 (permission denied): {p}") from exc
    except OSError as exc:
        raise IngestError(f"无法读取文件 (cannot read: {exc.strerror}): {p}") from exc
    return read_bytes(data, str(p))
