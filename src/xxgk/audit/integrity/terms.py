"""Integrity data (spam terms, allowed domains), loaded once from ``audit/data/integrity.yaml``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from importlib import resources

import yaml


@cache
def _data() -> dict[str, list[str]]:
    text = resources.files("xxgk.audit").joinpath("data", "integrity.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


@cache
def spam_pattern() -> re.Pattern[str]:
    terms = sorted(_data()["spam_terms"], key=len, reverse=True)
    return re.compile("|".join(re.escape(t) for t in terms), re.I)


@cache
def _spam_parts() -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """:func:`spam_pattern` split in two, each keeping the terms' order: the terms whose first character has no
    case (Chinese, digits), for which the regex engine can skip to the possible first characters, and the rest.
    A position can start a match of only one of the two (a character without case matches only itself)."""
    terms = sorted(_data()["spam_terms"], key=len, reverse=True)
    uncased = [t for t in terms if t[0].lower() == t[0] == t[0].upper()]
    cased = [t for t in terms if not (t[0].lower() == t[0] == t[0].upper())]
    return tuple(  # type: ignore[return-value]
        re.compile("|".join(re.escape(t) for t in part), re.I) if part else None for part in (uncased, cased)
    )


def spam_matches(text: str) -> Iterator[re.Match[str]]:
    """The matches of ``spam_pattern().finditer(text)``, found faster (see :func:`_spam_parts`)."""
    first, second = _spam_parts()
    a = first.search(text) if first is not None else None
    b = second.search(text) if second is not None else None
    while a is not None or b is not None:
        m = a if b is None or (a is not None and a.start() < b.start()) else b
        assert m is not None
        yield m
        pos = m.end()
        # A part's next match is searched again only if the one found overlaps this match.
        if a is not None and a.start() < pos:
            a = first.search(text, pos) if first is not None else None
        if b is not None and b.start() < pos:
            b = second.search(text, pos) if second is not None else None


@cache
def spam_terms() -> tuple[str, ...]:
    return tuple(t.lower() for t in _data()["spam_terms"])


@cache
def spam_terms_pattern() -> re.Pattern[str]:
    """Matches where any of :func:`spam_terms` (already lower-case) occurs, case-sensitively: searching a
    lower-cased text with it tells whether any term is ``in`` that text, in one pass."""
    terms = spam_terms()
    return re.compile("|".join(re.escape(t) for t in terms) if terms else "(?!)")


@cache
def allowed_domains() -> tuple[str, ...]:
    return tuple(_data()["allowed_domains"])
