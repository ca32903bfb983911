"""Decoding bytes to text: BOMs, declared charsets, strict UTF-8, then GB18030 and Big5.

Order (tech-notes trap 1): BOM, then a declared charset (HTTP header or ``<meta charset>`` in the first 4 KB),
then strict UTF-8, then GB18030 (a superset of GBK/GB2312), then Big5. charset-normalizer, when installed,
arbitrates between GB18030 and Big5 when both decode.
"""

from __future__ import annotations

import codecs
import re

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_META_CHARSET = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "big5": "big5hkscs",
}


class DecodeError(ValueError):
    """The bytes are not text in any supported encoding."""


def _canonical(name: str) -> str | None:
    name = name.strip().lower()
    name = _ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _looks_binary(data: bytes) -> bool:
    sample = data[:4096]
    return b"\x00" in sample and not sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))


def decode_bytes(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode ``data``; returns ``(text, encoding)``. Raises :class:`DecodeError` for binary data."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return data.decode(enc), enc
    if _looks_binary(data):
        raise DecodeError("binary data, not text")
    candidates: list[str] = []
    if declared and (c := _canonical(declared)):
        candidates.append(c)
    m = _META_CHARSET.search(data[:4096])
    if m and (c := _canonical(m.group(1).decode("ascii", "replace"))):
        candidates.append(c)
    for enc in candidates:
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    gb = big5 = None
    try:
        gb = data.decode("gb18030")
    except UnicodeDecodeError:
        pass
    try:
        big5 = data.decode("big5hkscs")
    except UnicodeDecodeError:
        pass
    if gb is not None and big5 is not None:
        return (big5, "big5hkscs") if _prefer_big5(data) else (gb, "gb18030")
    if gb is not None:
        return gb, "gb18030"
    if big5 is not None:
        return big5, "big5hkscs"
    # Last resort: keep the text, mark undecodable bytes; never lose the document.
    return data.decode("gb18030", errors="replace"), "gb18030 (with replacement characters)"


def _prefer_big5(data: bytes) -> bool:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - optional
        return False
    best = from_bytes(data[:20000], cp_isolation=["gb18030", "big5"]).best()
    return best is not None and "big5" in best.encoding
