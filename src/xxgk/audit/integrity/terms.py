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


def _caseless(c: str) -> bool:
    """A CJK ideograph or an ASCII digit: unchanged by lower-casing, and no other character lower-cases to it."""
    return "\u4e00" <= c <= "\u9fff" or "0" <= c <= "9"


@cache
def spam_hint_pattern() -> re.Pattern[str] | None:
    """A quick test on the original text that must pass for any spam term to be in the lower-cased text: each
    term's longest run of :func:`_caseless` characters (its first three) is in the text as it is, since
    lower-casing maps other characters to letters only. ``None`` if some term has no such character."""
    hints = []
    for term in spam_terms():
        runs = re.findall("[\u4e00-\u9fff0-9]+", term)
        if not runs:
            return None
        hints.append(max(runs, key=len)[:3])
    return re.compile("|".join(re.escape(h) for h in sorted(set(hints), key=len, reverse=True)) or "(?!)")


@cache
def allowed_domains() -> tuple[str, ...]:
    return tuple(_data()["allowed_domains"])
