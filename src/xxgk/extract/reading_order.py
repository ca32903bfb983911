"""A table in PDF text taken out in reading order (``pdftotext`` without ``-layout``): rows rebuilt from blocks.

Reading order breaks a ruled table into rectangular blocks of text: the label column and the first figure
columns of some rows, the remaining columns of the same rows, and so on. Each block comes out line by line,
left to right, so the figures of one row keep their order and a block continues the rows it holds from top to
bottom; but a block of figures may continue rows whose labels came earlier, and the labels of several rows may
come before all their figures (``4.保护第三方合法权益`` / ``5.属于三类内部事务信息`` / fourteen figures).

When every cell of the table holds a figure (the count of figures is the count of rows seen times the
columns), the figures after each run of labels fill, in order, either the rows left incomplete before that run
or the run's own rows first. Each combination of those choices is one reading; the reading is kept only if it
is the one reading under which every relation of the format holds. A table with blank cells (fewer figures)
leaves no such trace: it is not rebuilt here, and its cells stay as the reader reported them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from xxgk.extract.relations import failed
from xxgk.extract.runs import holds_where_known, row_checks
from xxgk.extract.tokens import Kind, Token
from xxgk.formats import Table, label_key

if TYPE_CHECKING:
    from xxgk.extract.runs import Number
    from xxgk.extract.table_data import RowSlot
    from xxgk.extract.tables import TableReader

# A row label is looked for among the next rows of the format only (reading order keeps the label column).
_WINDOW = 4
# At most this many readings are tried (each block whose figures may continue earlier rows or start its own
# doubles them).
_MAX_READINGS = 64
_MAX_STEPS = 20000


@dataclass(slots=True)
class _Block:
    """Row labels seen together, then the figures that follow them."""

    run: list[RowSlot] = field(default_factory=list)
    figures: list[Token] = field(default_factory=list)


def _blocks(reader: TableReader, tokens: list[Token], table: Table, expected: list[RowSlot]) -> list[_Block] | None:
    """The table's row labels and figures as blocks, from its first row label until it has as many figures as
    cells; ``None`` if it ends first."""
    n = len(table.columns)
    wanted = len(expected) * n
    rows = {s.index for s in expected}
    cursor = expected[0].index
    anchors = [a for a, t in reader.anchors.items() if t is table]
    headers = {label_key(label) for c in table.columns for label in c.labels}
    blocks: list[_Block] = []
    current = _Block()
    pending: list[Token] = []
    started = False
    figures = 0
    for tok in tokens:
        kind = tok.kind
        if kind is Kind.NUM:
            if started:
                current.figures.append(tok)
                figures += 1
                pending = []
                if figures == wanted:
                    break
            continue
        if kind is Kind.BLANK:
            if started:
                return None  # (a blank cell marked: not a table whose every cell holds a figure)
            continue
        if kind is not Kind.TEXT:
            continue
        if tok.prose:
            if started:
                return None
            continue
        pending.append(tok)
        slot = reader.match(pending, cursor)
        if slot is None or not cursor <= slot.index < cursor + _WINDOW or slot.index not in rows:
            key = label_key(tok.text)
            if key in headers or any(key.endswith(a) for a in anchors):
                started = True  # (the table's title or header: its figures may come before any row label)
                pending = []
            elif key in reader.column_labels or (slot is not None and slot.table is table):
                pending = []  # (a column header taken out between the rows; a variant row's label)
            elif started and (slot is not None or (key and reader.is_sequence_header(key))):
                return None  # (the next table)
            continue
        if current.figures:
            blocks.append(current)
            current = _Block()
        current.run.append(slot)
        cursor = slot.index + 1
        started = True
        pending = []
    blocks.append(current)
    return blocks if figures == wanted else None


def _readings(
    blocks: list[_Block], expected: list[int], n: int, row_holds: Callable[[int, list[Token]], bool]
) -> Iterator[dict[int, list[Token]]]:
    """Each way the blocks' figures fill the rows (by slot index), at most :data:`_MAX_READINGS` found in at
    most :data:`_MAX_STEPS` steps. A block's figures go to the rows left incomplete before its labels and to
    the rows of its labels (where both wait, either first), then to the rows after them in the format's order,
    whose labels are still to come: row after row, continuing a row begun, or some whole rows column after
    column. A row is complete only if ``row_holds`` (its own relations); every row must end complete."""
    position = {i: k for k, i in enumerate(expected)}
    budget = [_MAX_READINGS, _MAX_STEPS]

    def walk(b: int, filled: dict[int, list[Token]], opened: int) -> Iterator[dict[int, list[Token]]]:
        if b == len(blocks):
            if all(len(row) == n for row in filled.values()):
                budget[0] -= 1
                yield filled
            return
        block = blocks[b]
        run = [s.index for s in block.run]
        last = max([opened, *(position[i] for i in run)])
        earlier = [i for i in expected[: last + 1] if len(filled[i]) < n and i not in run]
        own = [i for i in run if len(filled[i]) < n]
        later = [i for i in expected[last + 1 :] if len(filled[i]) < n]
        for rows in [earlier + own, own + earlier] if earlier and own else [earlier + own]:
            yield from fill([*rows, *later], block.figures, 0, filled, last, b)

    def fill(
        order: list[int], figures: list[Token], k: int, filled: dict[int, list[Token]], reached: int, b: int
    ) -> Iterator[dict[int, list[Token]]]:
        budget[1] -= 1
        if budget[0] <= 0 or budget[1] <= 0:
            return
        if k == len(figures):
            yield from walk(b + 1, filled, reached)
            return
        rows = [i for i in order if len(filled[i]) < n]
        if not rows:
            return
        first = rows[0]
        # row after row: the next row's remaining cells (or as many figures as are left)
        take = min(n - len(filled[first]), len(figures) - k)
        row = filled[first] + figures[k : k + take]
        if len(row) < n or row_holds(first, row):
            yield from fill(order, figures, k + take, {**filled, first: row}, max(reached, position[first]), b)
        # column after column: the next m rows whole (top to bottom, as they stand in the table), one column
        # of m figures after another
        down = sorted(rows, key=position.__getitem__)
        m = 2
        while m <= len(down) and k + m * n <= len(figures) and all(not filled[i] for i in down[:m]):
            span = figures[k : k + m * n]
            made = {i: [span[c * m + r] for c in range(n)] for r, i in enumerate(down[:m])}
            if all(row_holds(i, cells) for i, cells in made.items()):
                yield from fill(order, figures, k + m * n, {**filled, **made}, max(reached, position[down[m - 1]]), b)
            m += 1

    yield from walk(0, {i: [] for i in expected}, -1)


def _row_sets(reader: TableReader, table: Table) -> list[list[RowSlot]]:
    """The rows a table may have: its rows without the variants, and for each variant row (the 2019 single
    （六）其他处理 in a 2021 table) the same with the variant in place of the rows it replaces."""
    slots = [s for s in reader.slots if s.table is table]
    sets = [[s for s in slots if not s.row.optional]]
    for row in table.rows:
        if not row.optional:
            continue
        group = row.key.rsplit(".", 1)[-1]
        replaced = {r.key for r in table.rows if r.parent == group and r is not row}
        if replaced:
            sets.append([s for s in slots if s.row is row or (not s.row.optional and s.row.key not in replaced)])
    return [rows for rows in sets if rows]


def rebuild(
    reader: TableReader, tokens: list[Token], table: Table, others: dict[str, Number | None]
) -> dict[str, Token] | None:
    """The table's cells and the figure each holds, if reading order leaves exactly one reading under which
    the format's relations hold; ``others`` are the values read elsewhere in the report."""
    n = len(table.columns)

    def row_holds(i: int, figures: list[Token]) -> bool:
        keys = tuple(reader.row_cells[i][0])
        return holds_where_known(row_checks(reader.fmt.id, keys), [t.value for t in figures])

    readings: dict[tuple[tuple[str, Number | None], ...], dict[str, Token]] = {}
    for expected in _row_sets(reader, table):
        blocks = _blocks(reader, tokens, table, expected)
        if not blocks:
            continue
        for filled in _readings(blocks, [s.index for s in expected], n, row_holds):
            cells: dict[str, Token] = {}
            for i, figures in filled.items():
                for key, tok in zip(reader.row_cells[i][0], figures, strict=True):
                    cells[key] = tok
            values = {k: v for k, v in others.items() if not k.startswith(table.id + ".")}
            values.update((k, t.value) for k, t in cells.items())
            if any(k in cells for e in failed(reader.fmt, values) for k in e.keys):
                continue
            readings.setdefault(tuple(sorted((k, values[k]) for k in cells)), cells)
            if len(readings) > 1:
                return None
    return next(iter(readings.values())) if len(readings) == 1 else None
