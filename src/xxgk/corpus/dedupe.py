"""Duplicate reports: a fingerprint that is the same for one report wherever and however it was published.

A report mirrored on several hosts, saved as HTML on one and as PDF on another, or shown in traditional
characters, parses to the same format, year, agency and values. The fingerprint hashes exactly those (the
agency folded by :func:`xxgk.corpus.agency.agency_key`, values in canonical key order, blank kept apart from
0). Documents too poor in data to be told apart that way (no agency, no year, fewer than
:data:`MIN_VALUES` figures) fall back to their normalised text (NFKC, simplified characters, without
whitespace and punctuation).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping

from xxgk.corpus.agency import agency_key

MIN_VALUES = 5
_NOT_TEXT = re.compile(r"[\W_]+", re.UNICODE)

Number = int | float


def _number(value: Number | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(round(value, 6))
    return str(value)


def data_basis(format_id: str, year: int | None, agency: str | None, values: Mapping[str, Number | None]) -> str | None:
    """The canonical text the data fingerprint hashes, or ``None`` when the data cannot identify the report."""
    key = agency_key(agency)
    if key is None or year is None or sum(1 for v in values.values() if v is not None) < MIN_VALUES:
        return None
    cells = ";".join(f"{k}={_number(values[k])}" for k in sorted(values))
    return f"data|{format_id}|{year}|{key}|{cells}"


def text_basis(text: str) -> str:
    """Normalised document text without whitespace and punctuation (the text is already NFKC + simplified)."""
    return "text|" + _NOT_TEXT.sub("", text)


def fingerprint(
    format_id: str, year: int | None, agency: str | None, values: Mapping[str, Number | None], text: str
) -> str:
    """32 hex digits identifying the report (see the module docstring)."""
    basis = data_basis(format_id, year, agency, values) or text_basis(text)
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:32]
