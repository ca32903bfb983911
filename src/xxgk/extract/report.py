"""The typed result of parsing one report: format, year, agency, dates, values with provenance, extra rows.

``Report.to_json`` writes the data contract of ``shared/spec/keys.md``. ``Report.from_values`` builds a report
from canonical keys (casework ledger, YAML input to the renderer) so every layer audits and renders the same
object whether it was parsed or computed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from xxgk.findings import Finding
from xxgk.formats import Format, get_format
from xxgk.ingest.document import Document

Number = int | float


@dataclass(slots=True)
class ExtraRow:
    """A table row the format does not define; kept with its numbers, never dropped."""

    label: str
    values: list[Number | None]
    span: tuple[int, int] | None = None
    table: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "values": self.values,
            "table": self.table,
            "span": list(self.span) if self.span else None,
        }


@dataclass(slots=True)
class SectionSpan:
    """A section of the report body (一、总体情况 …) located in the document text."""

    id: str
    title: str
    start: int
    end: int


@dataclass
class Report:
    source: str
    format: str
    year: int | None
    agency: str | None = None
    published: date | None = None
    url: str | None = None  # where it was published, when the input says so
    values: dict[str, Number | None] = field(default_factory=dict)
    provenance: dict[str, tuple[int, int]] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)  # the cell text each value was read from
    extra: list[ExtraRow] = field(default_factory=list)
    sections: list[SectionSpan] = field(default_factory=list)
    narrative: dict[str, str] = field(default_factory=dict)  # section id → text (for rendering)
    findings: list[Finding] = field(default_factory=list)  # found while parsing (ambiguous cells …)
    document: Document | None = None
    cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)  # derived data for rules

    @property
    def schema(self) -> Format:
        return get_format(self.format)

    @property
    def text(self) -> str:
        return self.document.text if self.document is not None else ""

    def source_span(self, span: tuple[int, int]) -> tuple[int, int]:
        if self.document is None:
            return span
        return self.document.source_span(*span)

    @classmethod
    def from_values(
        cls,
        format_id: str,
        year: int | None,
        values: dict[str, Number | None],
        *,
        agency: str | None = None,
        published: date | None = None,
        source: str = "",
        narrative: dict[str, str] | None = None,
    ) -> Report:
        """A report built from canonical keys; unknown keys raise ``KeyError`` (no silent typos)."""
        fmt = get_format(format_id)
        known = set(fmt.keys)
        unknown = [k for k in values if k.split("#", 1)[0] not in known]
        if unknown:
            raise KeyError(f"keys not in format {format_id}: {', '.join(sorted(unknown)[:10])}")
        return cls(
            source=source,
            format=format_id,
            year=year,
            agency=agency,
            published=published,
            values=dict(values),
            narrative=dict(narrative or {}),
        )

    def to_json(self) -> dict[str, Any]:
        """The ``xxgk parse --json`` object (keys.md); provenance spans index the reader's extracted text."""
        return {
            "source": self.source,
            "format": self.format,
            "year": self.year,
            "agency": self.agency,
            "published": self.published.isoformat() if self.published else None,
            "url": self.url,
            "values": self.values,
            "extra": [e.to_json() for e in self.extra],
            "provenance": {k: list(self.source_span(v)) for k, v in self.provenance.items()},
            "raw": self.raw,
            "findings": [f.to_json() for f in self.findings],
        }
