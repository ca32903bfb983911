"""Extraction: a :class:`~xxgk.ingest.document.Document` → a :class:`Report` with provenance.

``parse_document`` detects the format, year, agency and dates, reads the format's tables from the token
stream (see :mod:`xxgk.extract.tables`) and splits the narrative sections. ``parse_bytes`` and ``parse_path``
run a reader first.
"""

from __future__ import annotations

from pathlib import Path

from xxgk.extract.metadata import detect
from xxgk.extract.report import ExtraRow, Report, SectionSpan
from xxgk.extract.sections import find_sections
from xxgk.extract.stream import lexicon
from xxgk.extract.table_data import TableResult
from xxgk.extract.tables import TableReader, reader_for
from xxgk.extract.tokens import Tokenizer, tokenize
from xxgk.formats import Format, all_formats
from xxgk.ingest import read_bytes, read_path
from xxgk.ingest.document import Document

__all__ = ["ExtraRow", "Report", "SectionSpan", "parse_bytes", "parse_document", "parse_path"]


def _reader(fmt: Format) -> TableReader:
    return reader_for(fmt.id)


def _score(fmt: Format, result: TableResult) -> int:
    standard = set(fmt.standard_keys)
    return sum(1 for k in result.values if k.split("#", 1)[0] in standard)


def parse_document(doc: Document) -> Report:
    """Parse a document into a report in its statutory format."""
    meta = detect(doc)
    fmt = meta.format
    tokenizer = Tokenizer(doc, lexicon(fmt.id))
    tokens = tokenizer.run()
    result = _reader(fmt).read(tokens, doc.text)
    if meta.format_scores.get(fmt.id, 0) < 2:
        # Weak fingerprint evidence: let the tables decide which format reads best.
        for other in all_formats():
            if other.id == fmt.id:
                continue
            # (lines whose cells ran together are read by the labels of the format trying them)
            other_tokens = tokenize(doc, lexicon(other.id)) if tokenizer.glued else tokens
            alt = _reader(other).read(other_tokens, doc.text)
            if _score(other, alt) > _score(fmt, result) * 1.2 + 5:
                fmt, result = other, alt
    report = Report(
        source=doc.source,
        format=fmt.id,
        year=meta.year,
        agency=meta.agency,
        published=meta.published,
        url=meta.url,
        values=result.values,
        provenance=result.provenance,
        raw=result.raw,
        extra=[ExtraRow(label, values, span, table) for label, values, span, table in result.extra],
        findings=list(result.findings),
        document=doc,
    )
    report.sections = find_sections(doc, fmt)
    for section in report.sections:
        if section.id and section.id not in report.narrative:
            body = doc.text[section.start : section.end]
            if "\n" in body:
                report.narrative[section.id] = body.split("\n", 1)[1].strip()
            else:  # a heading inside a line (the crawl lost the line breaks): the text after it
                report.narrative[section.id] = body.removeprefix(section.title).strip()
    return report


def parse_bytes(data: bytes, source: str) -> Report:
    return parse_document(read_bytes(data, source))


def parse_path(path: str | Path) -> Report:
    return parse_document(read_path(path))
