"""Identifiers: the 统一社会信用代码 (GB 32100-2015, with its check character) and the catalogue 索引号."""

from __future__ import annotations

import re

__all__ = ["index_number", "parse_index_number", "uscc_check_char", "valid_uscc"]

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def uscc_check_char(first17: str) -> str:
    total = sum(_USCC_CHARS.index(ch) * w for ch, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31]


def valid_uscc(code: str) -> bool:
    """True for a well-formed 18-character 统一社会信用代码 whose check character is right."""
    code = code.strip().upper()
    if not _USCC_RE.match(code):
        return False
    return uscc_check_char(code[:17]) == code[17]


def index_number(agency_code: str, year: int, serial: int) -> str:
    """索引号: agency code / year - serial (a local convention; e.g. 12330800002618357U/2018-103701)."""
    return f"{agency_code}/{year}-{serial:05d}"


_INDEX_RE = re.compile(r"^(?P<code>[0-9A-Z]{18})/(?P<year>\d{4})-(?P<serial>\d{1,8})$")


def parse_index_number(value: str) -> tuple[str, int, int] | None:
    m = _INDEX_RE.match(value.strip().upper())
    if not m:
        return None
    return m["code"], int(m["year"]), int(m["serial"])
