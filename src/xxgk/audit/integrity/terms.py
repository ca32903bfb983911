"""Integrity data (spam terms, allowed domains), loaded once from ``audit/data/integrity.yaml``."""

from __future__ import annotations

import re
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
def spam_terms() -> tuple[str, ...]:
    return tuple(t.lower() for t in _data()["spam_terms"])


@cache
def allowed_domains() -> tuple[str, ...]:
    return tuple(_data()["allowed_domains"])
