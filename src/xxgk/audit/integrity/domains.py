"""Portal addresses must be official (E11): a non-government domain given as the agency's website, or any
unknown domain in the text, suggests tampering or a spam mirror."""

from __future__ import annotations

import re
from collections.abc import Iterator

from xxgk.audit.integrity.terms import allowed_domains
from xxgk.audit.rule import Rule
from xxgk.extract.report import Report
from xxgk.findings import Category, Finding, Severity

RULE = Rule(
    "integrity.domains",
    Category.INTEGRITY,
    "网址应为政府网站域名",
    "《政府网站发展指引》（国办发〔2017〕47号）：政府网站使用 gov.cn 域名",
)

_DOMAIN = re.compile(
    r"(?<![@\w.-])(?:https?://)?((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,10})(?![\w-])", re.I
)
_ANY_DOMAIN = re.compile(r"[a-z0-9-]\.[a-z]{2,10}(?![a-z0-9-])", re.I)
# Every _DOMAIN (and _ANY_DOMAIN) match contains a dot followed by two letters: text without one is not
# scanned (a pattern that starts with a literal is found much faster than one that starts with [a-z] under re.I).
_DOT_LETTERS = re.compile(r"\.[a-z]{2}", re.I)
_PORTAL_CONTEXT = re.compile(r"(?:门户网站|网站|网址|网页|官网|平台|栏目|登录|访问)[^。；;\n]{0,12}$")


def _official(domain: str) -> bool:
    domain = domain.lower().rstrip(".")
    return any(domain == d or domain.endswith("." + d) for d in allowed_domains())


def check(report: Report) -> Iterator[Finding]:
    doc = report.document
    if doc is None:
        return
    if not _DOT_LETTERS.search(doc.text) or not _ANY_DOMAIN.search(doc.text):  # (the first is a quick pre-test)
        return
    seen: set[str] = set()
    for block in doc.blocks:
        if block.noise is not None and block.noise != "hidden":
            continue  # page chrome (navigation, footer, sidebar…) belongs to the portal, not the report
        if not _DOT_LETTERS.search(block.text):
            continue
        for m in _DOMAIN.finditer(block.text):
            domain = m.group(1).lower()
            if domain in seen or _official(domain) or re.fullmatch(r"[\d.]+", domain):
                continue
            if domain.rsplit(".", 1)[-1] in ("doc", "docx", "pdf", "xls", "xlsx", "jpg", "png", "html", "htm"):
                continue
            seen.add(domain)
            start = block.start + m.start()
            before = doc.text[max(0, start - 20) : start]
            portal = bool(_PORTAL_CONTEXT.search(before))
            yield RULE.finding(
                Severity.ERROR if portal else Severity.INFO,
                (f"报告给出的网站地址 {domain} 不是政府网站域名" if portal else f"报告中出现非政府域名 {domain}"),
                span=(start, block.start + m.end()),
                evidence=doc.text[max(0, start - 30) : block.start + m.end() + 10].replace("\n", " "),
            )
