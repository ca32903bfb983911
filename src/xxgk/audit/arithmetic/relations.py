"""Every arithmetic relation (勾稽关系) the format defines, evaluated over the report's values.

Blank cells make a relation "not assessable" (no finding): blank is not zero (formats.md §5, S23).
"""

from __future__ import annotations

from collections.abc import Iterator

from xxgk.audit.rule import Rule
from xxgk.extract.relations import failed
from xxgk.extract.report import Report
from xxgk.findings import Category, Finding, Severity

RULE = Rule("arithmetic.relations", Category.ARITHMETIC, "表内勾稽关系")


def _fmt(v: float | int | None) -> str:
    if v is None:
        return "空"
    if isinstance(v, int):
        return str(v)  # (float() of a huge count overflows)
    return str(int(v)) if v.is_integer() else f"{v:g}"


def check(report: Report) -> Iterator[Finding]:
    for ev in failed(report.schema, report.values):
        keys = list(dict.fromkeys(ev.keys))
        spans = [report.provenance[k] for k in keys if k in report.provenance]
        span = (min(s[0] for s in spans), max(s[1] for s in spans)) if spans else None
        parts = "；".join(f"{report.schema.label_of(k)}={_fmt(report.values.get(k))}" for k in keys[:12])
        yield Finding(
            rule=f"arithmetic.{ev.relation.id}",
            category=Category.ARITHMETIC,
            severity=Severity(ev.relation.severity),
            message=f"{ev.relation.message}（{_fmt(ev.lhs)} 与 {_fmt(ev.rhs)}）",
            keys=keys,
            span=span,
            evidence=parts,
            basis=ev.relation.basis,
        )
