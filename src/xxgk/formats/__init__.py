"""The statutory report formats as data: one YAML definition per format, loaded into typed objects.

>>> from xxgk.formats import get_format
>>> get_format("2021").table("applications").columns[0].labels[0]
'自然人'

Adding a provincial variant means editing ``formats/data/*.yaml`` (a label, a row, a relation); no code.
``{$ref: name}`` pulls a fragment from ``shared.yaml``; a fragment that is a list is spliced into the list
that refers to it.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

from xxgk.formats.labels import label_key
from xxgk.formats.model import (
    Column,
    Deadline,
    Format,
    Heading,
    ProsePattern,
    Relation,
    Row,
    Section,
    SectionTopic,
    Table,
    TableKind,
)

__all__ = [
    "FORMAT_IDS",
    "Column",
    "Format",
    "Heading",
    "Relation",
    "Row",
    "Section",
    "SectionTopic",
    "Table",
    "TableKind",
    "all_formats",
    "format_for_year",
    "get_format",
    "label_key",
]

FORMAT_IDS = ("legacy", "2019", "2021")
_FILES = {"legacy": "legacy.yaml", "2019": "f2019.yaml", "2021": "f2021.yaml"}


class FormatError(ValueError):
    """A format definition is malformed."""


def _load_yaml(name: str) -> Any:
    text = resources.files("xxgk.formats").joinpath("data", name).read_text(encoding="utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)


def _resolve(node: Any, fragments: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        if set(node) == {"$ref"}:
            name = node["$ref"]
            if name not in fragments:
                raise FormatError(f"unknown fragment {name!r}")
            return _resolve(fragments[name], fragments)
        return {k: _resolve(v, fragments) for k, v in node.items()}
    if isinstance(node, list):
        out: list[Any] = []
        for item in node:
            is_ref = isinstance(item, dict) and set(item) == {"$ref"}
            resolved = _resolve(item, fragments)
            if is_ref and isinstance(resolved, list):
                out.extend(resolved)
            else:
                out.append(resolved)
        return out
    return node


def _labels(raw: Any) -> tuple[str, ...]:
    return tuple(str(x) for x in (raw or ()))


def _column(raw: dict[str, Any]) -> Column:
    return Column(
        id=str(raw["id"]),
        labels=_labels(raw.get("labels")),
        unit=raw.get("unit"),
        display=str(raw.get("display", "")),
        group=raw.get("group"),
    )


def _table(raw: dict[str, Any]) -> Table:
    rows = tuple(
        Row(
            key=str(r["key"]),
            labels=_labels(r.get("labels")),
            unit=r.get("unit"),
            parent=r.get("parent"),
            optional=bool(r.get("optional", False)),
            guidance=str(r.get("guidance", "")),
            display=str(r.get("display", "")),
            group=r.get("group"),
        )
        for r in raw["rows"]
    )
    return Table(
        id=str(raw["id"]),
        title=str(raw.get("title", "")),
        section=str(raw.get("section", "")),
        kind=TableKind(raw.get("kind", "grid")),
        columns=tuple(_column(c) for c in raw["columns"]),
        rows=rows,
        anchors=_labels(raw.get("anchors")),
        groups=_labels(raw.get("groups")),
        extra_columns=tuple(_column(c) for c in raw.get("extra_columns", ())),
        caption=str(raw.get("caption", "")),
        headings=tuple(
            Heading(id=str(h["id"]), label=str(h["label"]), parent=h.get("parent")) for h in raw.get("headings", ())
        ),
        corner=str(raw.get("corner", "")),
    )


def _relation(raw: dict[str, Any]) -> Relation:
    each = tuple((str(k), tuple(str(v) for v in vs)) for k, vs in (raw.get("each") or {}).items())
    return Relation(
        id=str(raw["id"]),
        expr=str(raw["expr"]),
        severity=str(raw.get("severity", "error")),
        message=str(raw["message"]),
        basis=str(raw.get("basis", "")),
        status=str(raw.get("status", "implied")),
        each=each,
        when=_labels(raw.get("when")),
        unless=_labels(raw.get("unless")),
    )


def _build(raw: dict[str, Any]) -> Format:
    years = raw["years"]
    return Format(
        id=str(raw["id"]),
        name=str(raw["name"]),
        basis=str(raw.get("basis", "")),
        first_year=int(years[0]),
        last_year=None if years[1] is None else int(years[1]),
        fingerprints=_labels(raw.get("fingerprints")),
        sections=tuple(
            Section(
                id=str(s["id"]),
                number=str(s.get("number", "")),
                labels=_labels(s.get("labels")),
                required=bool(s.get("required", True)),
                guidance=str(s.get("guidance", "")),
            )
            for s in raw.get("sections", ())
        ),
        tables=tuple(_table(t) for t in raw["tables"]),
        relations=tuple(_relation(r) for r in raw.get("relations", ())),
        prose=tuple(
            ProsePattern(
                pattern=str(p["pattern"]),
                keys=tuple(tuple(str(k) for k in alt) for alt in p["keys"]),
                label=str(p.get("label", "")),
            )
            for p in raw.get("prose", ())
        ),
        deadlines=tuple(
            Deadline(str(d["agency_kind"]), int(d["month"]), int(d["day"]), str(d.get("basis", "")))
            for d in raw.get("deadlines", ())
        ),
        topics=tuple(
            SectionTopic(
                id=str(t["id"]),
                section=str(t["section"]),
                any_of=_labels(t.get("any_of")),
                message=str(t["message"]),
                severity=str(t.get("severity", "info")),
                basis=str(t.get("basis", "")),
                agency_kinds=_labels(t.get("agency_kinds")),
                confidence=str(t.get("confidence", "")),
            )
            for t in raw.get("section_topics", ())
        ),
        nonnegative=_labels(raw.get("nonnegative")),
    )


@cache
def _fragments() -> dict[str, Any]:
    data = _load_yaml("shared.yaml")
    if not isinstance(data, dict):
        raise FormatError("shared.yaml must be a mapping")
    return data


@cache
def get_format(format_id: str) -> Format:
    """The format with this id (``legacy``, ``2019`` or ``2021``)."""
    if format_id not in _FILES:
        raise KeyError(f"unknown format {format_id!r}; known: {', '.join(FORMAT_IDS)}")
    raw = _resolve(_load_yaml(_FILES[format_id]), _fragments())
    return _build(raw)


def all_formats() -> tuple[Format, ...]:
    return tuple(get_format(f) for f in FORMAT_IDS)


def format_for_year(year: int) -> Format:
    """The format the law prescribes for a report on ``year``."""
    for fmt in all_formats():
        if fmt.covers(year):
            return fmt
    return get_format("legacy") if year < 2019 else get_format("2021")
