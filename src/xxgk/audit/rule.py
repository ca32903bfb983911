"""The rule protocol: each audit rule is a module exposing ``RULE`` (its metadata) and ``check(report)``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from xxgk.extract.report import Report
from xxgk.findings import Category, Finding

Check = Callable[[Report], Iterable[Finding]]


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    category: Category
    title: str  # Chinese, one line
    basis: str = ""
