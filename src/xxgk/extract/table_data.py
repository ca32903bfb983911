"""What the table reader works with: the format's rows as label slots, rows whose digits ran together, and
the tables read (values with provenance, extra rows, findings)."""

from __future__ import annotations

from dataclasses import dataclass, field

from xxgk.extract.runs import Number
from xxgk.extract.tokens import Token
from xxgk.findings import Category, Finding, Severity
from xxgk.formats import Row, Table


@dataclass(slots=True)
class RowSlot:
    """A row of the format with its label variants in comparable form."""

    table: Table
    row: Row
    index: int
    variants: tuple[str, ...]


@dataclass(slots=True)
class PendingRow:
    """Cells read for a row whose digits ran together; resolved jointly at the end.

    ``runs`` are the row's number tokens in order, with its blank cells (``—``) among them: a blank is one
    cell whatever the split."""

    slot: RowSlot
    runs: list[Token]
    candidates: list[tuple[Number | None, ...]] = field(default_factory=list)


@dataclass
class TableResult:
    values: dict[str, Number | None] = field(default_factory=dict)
    provenance: dict[str, tuple[int, int]] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)
    extra: list[tuple[str, list[Number | None], tuple[int, int], str]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    # figures the reader could not give a row (more figures than the row has cells, or a row no split of them
    # fits), by table id: where they stand on several lines, the text's reading order mixed the table's rows
    displaced: dict[str, list[tuple[int, int]]] = field(default_factory=dict)


RUN_BASIS = "数字之间没有分隔符，只能依据表格自身的勾稽关系拆分"
LAYOUT_BASIS = "单元格位置只能依据表格结构和勾稽关系确定"


def ambiguous_cells(keys: list[str], span: tuple[int, int], evidence: str, message: str, basis: str) -> Finding:
    """The ``extract.ambiguous_cells`` finding: cells the text does not let the reader place are null, and
    ``message`` says why."""
    return Finding(
        rule="extract.ambiguous_cells",
        category=Category.EXTRACTION,
        severity=Severity.WARNING,
        message=message,
        keys=keys,
        span=span,
        evidence=evidence,
        basis=basis,
    )
