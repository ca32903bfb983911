"""Hidden content (E11): text or links a page hides from readers (display:none, off-screen) inside a report.
The HTML reader keeps such blocks marked ``noise="hidden"``."""

from __future__ import annotations

from collections.abc import Iterator

from xxgk.audit.rule import Rule
from xxgk.extract.report import Report
from xxgk.findings import Category, Finding, Severity

RULE = Rule(
    "integrity.hidden_content",
    Category.INTEGRITY,
    "不得含有隐藏内容或链接",
    "《政府网站发展指引》（国办发〔2017〕47号）：内容安全",
)


def check(report: Report) -> Iterator[Finding]:
    doc = report.document
    if doc is None:
        return
    blocks = doc.blocks
    first_block = next(doc.content_blocks(), None)
    if first_block is None:
        return
    last_block = next(b for b in reversed(blocks) if b.noise is None)  # (the last content block)
    first, last = first_block.start, last_block.end
    for block in doc.noise_blocks():
        # Only what is hidden inside the report body: portals hide their own drop-down menus too.
        if block.noise != "hidden" or not block.text.strip() or not (first <= block.start <= last):
            continue
        has_link = "http" in block.text or "链接" in block.text or "www." in block.text
        yield RULE.finding(
            Severity.ERROR if has_link else Severity.WARNING,
            "页面中有对读者隐藏的" + ("链接" if has_link else "文字") + "，疑似被注入",
            span=(block.start, block.end),
            evidence=block.text[:200],
        )
