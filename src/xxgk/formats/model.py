"""The schema of a statutory report format: sections, tables, rows, columns, labels, units and relations.

A format is data (``formats/data/<id>.yaml``); these classes are its typed, immutable view. Every layer —
extraction, audit, rendering and the casework aggregation — reads the same objects.

Keys follow ``shared/spec/keys.md``: a grid table's cell is ``<row.key>.<column.id>``; an indicator table
(legacy 指标/单位/数量) has one value per row, keyed ``<row.key>``, and any further value column adds
``#<column.id>`` (``proactive.total#cumulative``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property


class TableKind(StrEnum):
    GRID = "grid"  # labelled rows × statutory columns (table 三, the 第二十条 sub-tables)
    INDICATOR = "indicator"  # legacy 指标 | 单位 | 数量 [| 历年累计]
    SEQUENCE = "sequence"  # no row labels: the numbers of all rows follow each other (table 四)


@dataclass(frozen=True, slots=True)
class Column:
    id: str
    labels: tuple[str, ...]
    unit: str | None = None
    display: str = ""  # the header as printed in the statutory table (full-width punctuation, unit note)
    group: str | None = None  # id of the merged header cell above this column (Table.headings)

    @property
    def title(self) -> str:
        """The header text a renderer prints."""
        return self.display or self.labels[0]


@dataclass(frozen=True, slots=True)
class Row:
    key: str
    labels: tuple[str, ...]
    unit: str | None = None
    parent: str | None = None  # key of the row or group this one is a 其中/sub-row of
    optional: bool = False  # a variant row (not expected in every report of the format)
    guidance: str = ""
    display: str = ""  # the label as printed, with its numbering: （三）不予公开 → "1.属于国家秘密"
    group: str | None = None  # sequence tables: id of the merged header cell above this row's block

    @property
    def title(self) -> str:
        """The label text a renderer prints."""
        return self.display or self.labels[0]


@dataclass(frozen=True, slots=True)
class Heading:
    """A merged, label-only cell of a statutory table (三、本年度办理结果, 法人或其他组织, 行政诉讼 …).

    Rows point at one through ``Row.parent``, columns (and sequence-table rows) through ``group``; a heading
    may itself sit under another (``parent``). Renderers compute rowspan/colspan from this tree.
    """

    id: str
    label: str
    parent: str | None = None


@dataclass(frozen=True)
class Table:
    id: str
    title: str
    section: str
    kind: TableKind
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    anchors: tuple[str, ...] = ()  # header/caption labels that announce the table
    groups: tuple[str, ...] = ()  # label-only rows (三、本年度办理结果, (三)不予公开 …)
    extra_columns: tuple[Column, ...] = ()  # indicator tables: optional value columns (历年累计)
    caption: str = ""
    headings: tuple[Heading, ...] = ()  # merged label-only cells, for rendering the statutory layout
    corner: str = ""  # the top-left header cell above the row labels (表三 note, 信息内容)

    def key(self, row: Row, column: Column) -> str:
        if self.kind is TableKind.INDICATOR:
            return row.key if column is self.columns[0] else f"{row.key}#{column.id}"
        return f"{row.key}.{column.id}"

    @cached_property
    def keys(self) -> tuple[str, ...]:
        """Every statutory cell key of the table, in reading order (optional rows included)."""
        if self.kind is TableKind.INDICATOR:
            return tuple(r.key for r in self.rows)
        return tuple(self.key(r, c) for r in self.rows for c in self.columns)

    @cached_property
    def standard_keys(self) -> tuple[str, ...]:
        """The keys of the rows every report of the format has (variant rows left out)."""
        if self.kind is TableKind.INDICATOR:
            return tuple(r.key for r in self.rows if not r.optional)
        return tuple(self.key(r, c) for r in self.rows if not r.optional for c in self.columns)


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    number: str
    labels: tuple[str, ...]
    required: bool = True
    guidance: str = ""


@dataclass(frozen=True, slots=True)
class Relation:
    """An arithmetic relation (勾稽关系) between cells, e.g. ``a + b == c + d``, expanded per ``each``."""

    id: str
    expr: str
    severity: str
    message: str
    basis: str
    status: str = "implied"  # stated | implied (formats.md §5)
    each: tuple[tuple[str, tuple[str, ...]], ...] = ()
    when: tuple[str, ...] = ()  # keys that must be present for the relation to apply
    unless: tuple[str, ...] = ()  # keys whose presence means the relation does not apply

    def instances(self) -> list[tuple[str, dict[str, str]]]:
        """The expression with each combination of placeholders substituted, plus the bindings."""
        combos: list[dict[str, str]] = [{}]
        for name, values in self.each:
            combos = [{**c, name: v} for c in combos for v in values]
        out = []
        for c in combos:
            expr = self.expr
            for name, value in c.items():
                expr = expr.replace("{" + name + "}", value)
            out.append((expr, c))
        return out


@dataclass(frozen=True)
class ProsePattern:
    """A regular expression that finds a figure in the prose, and the table key(s) it may equal."""

    pattern: str
    keys: tuple[tuple[str, ...], ...]  # alternatives; each a tuple of keys whose sum the figure may equal
    label: str

    @cached_property
    def regex(self) -> re.Pattern[str]:
        return re.compile(self.pattern)


@dataclass(frozen=True, slots=True)
class Deadline:
    """Publication deadline (month, day of the year after the reporting year) for a kind of agency."""

    agency_kind: str
    month: int
    day: int
    basis: str


@dataclass(frozen=True, slots=True)
class SectionTopic:
    """Something a narrative section must report, found by any of its phrases (e.g. 信息处理费 in 六)."""

    id: str
    section: str  # section id
    any_of: tuple[str, ...]  # phrases; the topic is reported when the section's text contains one of them
    message: str
    severity: str = "info"
    basis: str = ""
    agency_kinds: tuple[str, ...] = ()  # only for these kinds of agency (government, department …); () = all
    confidence: str = ""  # formats.md tag: V (verified) or M (from memory)


@dataclass(frozen=True)
class Format:
    id: str
    name: str
    basis: str
    first_year: int
    last_year: int | None
    fingerprints: tuple[str, ...]
    sections: tuple[Section, ...]
    tables: tuple[Table, ...]
    relations: tuple[Relation, ...]
    prose: tuple[ProsePattern, ...] = ()
    deadlines: tuple[Deadline, ...] = ()
    topics: tuple[SectionTopic, ...] = ()
    nonnegative: tuple[str, ...] = ()  # globs of keys that must be non-negative integers
    units: dict[str, float] = field(default_factory=dict)  # unit → factor into 万元 for *_wan keys

    def covers(self, year: int) -> bool:
        return self.first_year <= year and (self.last_year is None or year <= self.last_year)

    @cached_property
    def keys(self) -> tuple[str, ...]:
        return tuple(k for t in self.tables for k in t.keys)

    @cached_property
    def standard_keys(self) -> tuple[str, ...]:
        return tuple(k for t in self.tables for k in t.standard_keys)

    @cached_property
    def table_of_key(self) -> dict[str, Table]:
        return {k: t for t in self.tables for k in t.keys}

    def table(self, table_id: str) -> Table:
        for t in self.tables:
            if t.id == table_id:
                return t
        raise KeyError(table_id)

    def row(self, key: str) -> Row | None:
        """The row a cell key belongs to."""
        table = self.table_of_key.get(key.split("#", 1)[0])
        if table is None:
            return None
        for r in table.rows:
            if key == r.key or key.startswith(r.key + ".") or key.startswith(r.key + "#"):
                if table.kind is TableKind.INDICATOR and key.split("#", 1)[0] != r.key:
                    continue
                return r
        return None

    def label_of(self, key: str) -> str:
        """A human label for a key: row label, plus the column label for grid cells."""
        base, _, column = key.partition("#")
        table = self.table_of_key.get(base)
        if table is None:
            return key
        if column:
            extra = next((c for c in table.extra_columns if c.id == column), None)
            return f"{self.label_of(base)}（{extra.labels[0] if extra else column}）"
        for r in table.rows:
            for c in table.columns:
                if table.key(r, c) == key:
                    if table.kind is TableKind.INDICATOR:
                        return r.labels[0]
                    return f"{r.labels[0]}（{c.labels[0]}）"
        return key
