"""Outlier correction rates in review and litigation (纠错率): many corrections among few decided cases."""

from __future__ import annotations

from collections.abc import Iterator

from xxgk.audit.rule import Rule
from xxgk.extract.report import Report
from xxgk.findings import Category, Finding, Severity

RULE = Rule("plausibility.correction_rate", Category.PLAUSIBILITY, "复议诉讼纠错率", "《条例》第五十一条")

GROUPS = {
    "review": "行政复议",
    "litigation_direct": "行政诉讼（未经复议直接起诉）",
    "litigation_after_review": "行政诉讼（复议后起诉）",
    "litigation": "行政诉讼",
}
THRESHOLD = 0.5
MIN_DECIDED = 4


def check(report: Report) -> Iterator[Finding]:
    v = report.values
    for group, name in GROUPS.items():
        corrected = v.get(f"{group}.corrected")
        decided_parts = [v.get(f"{group}.{o}") for o in ("upheld", "corrected", "other")]
        if corrected is None or any(p is None for p in decided_parts):
            continue
        decided = sum(p for p in decided_parts if p is not None)
        if decided >= MIN_DECIDED and corrected / decided > THRESHOLD:
            yield RULE.finding(
                Severity.WARNING,
                f"{name}纠错率 {corrected / decided:.0%}（{int(corrected)}/{int(decided)}），明显偏高，请核实",
                keys=[f"{group}.corrected"],
                span=report.provenance.get(f"{group}.corrected"),
            )
