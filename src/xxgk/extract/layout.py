"""Space-aligned tables (pdftotext -layout, text tools' column layouts): where a table's columns stand in its
lines, rows with no figure, and the figures of rows with fewer figures than cells placed in the columns they
stand in. A part of :class:`~xxgk.extract.cells.ReadState`."""

from __future__ import annotations

import bisect
import itertools
import re
import statistics
from functools import cached_property
from typing import TYPE_CHECKING

from xxgk.extract.runs import (
    holds_where_known,
    row_checks,
)
from xxgk.extract.table_data import RowSlot, TableResult
from xxgk.extract.tokens import Token
from xxgk.formats import Table, TableKind, label_key

if TYPE_CHECKING:
    from xxgk.extract.tables import TableReader

_WORD = re.compile(r"\S+")
_LINE_BREAK = re.compile("\n")
_NO_HEADER_CACHE: set[str] = set()  # token texts with no word that begins a column header
_NEAR_HEADER = 2  # a figure stands at most this many characters from its column header's start
_CLEARLY_NEARER = 3  # a figure's nearest header is at least this much nearer than the next one
_LAYOUT_LINE = 240  # a longer line is no space-aligned table line
_MIN_COLUMN_GAP = 2  # column headers (and a figure's two nearest ones) at least this far apart
_FIGURE_SPREAD = 2.5  # figure centres this close stand in one column (centred or right-aligned figures)


class LaidOutRows:
    """What :class:`~xxgk.extract.cells.ReadState` does with space-aligned lines."""

    reader: TableReader
    result: TableResult
    text: str
    cursor: int
    filled: set[int]
    header_x: dict[str, dict[int, list[int]]]
    optional_blanks: list[tuple[RowSlot, tuple[int, int]]]
    laid_out_rows: list[tuple[RowSlot, list[str], list[str | None], list[Token], int]]
    figure_tokens: dict[str, list[Token]]

    if TYPE_CHECKING:

        def _set(self, key: str, tok: Token, column_unit: str | None) -> None: ...

        def _assign_uneven(
            self, slot: RowSlot, keys: list[str], units: list[str | None], toks: list[Token], nums: list[Token]
        ) -> None: ...

    # -- space-aligned layout (pdftotext -layout): figures under their column headers ----------------------
    @cached_property
    def _line_breaks(self) -> list[int]:
        """Where the document's lines end (found once, looked up by bisection: a page run onto one long line
        would make a scan per token quadratic)."""
        return [m.start() for m in _LINE_BREAK.finditer(self.text)]

    def _line_bounds(self, pos: int) -> tuple[int, int]:
        """The start and end (exclusive, without the line break) of the line holding ``pos``."""
        breaks = self._line_breaks
        i = bisect.bisect_left(breaks, pos)
        return (breaks[i - 1] + 1 if i else 0), (breaks[i] if i < len(breaks) else len(self.text))

    def _x(self, pos: int) -> int:
        """The character column of a document position within its line (layout text counts every character
        as one column, CJK included)."""
        return pos - self._line_bounds(pos)[0]

    def _line(self, pos: int) -> str:
        start, end = self._line_bounds(pos)
        return self.text[start:end]

    def _note_headers(self, tok: Token) -> None:
        """Remember where the column headers of a table stand in their lines: each word of the token that
        begins exactly one column label of one table (自然 for 自然人, 商业企 for 商业企业)."""
        starts = self.reader.column_starts
        text = tok.text
        if text in _NO_HEADER_CACHE:
            return
        found = False
        for m in _WORD.finditer(text):
            hits = starts.get(label_key(m.group()))
            if not hits:
                continue
            found = True
            for table_id, column, n in hits:
                heads = self.header_x.setdefault(table_id, {})
                if len(heads) == n and column in heads:
                    continue  # (once every header was seen, 其他 and 总计 in row labels are no headers)
                if len(self._line(tok.start)) > _LAYOUT_LINE:
                    return  # (a page run onto one line is no layout)
                heads.setdefault(column, []).append(self._x(tok.start + m.start()))
        if not found and len(_NO_HEADER_CACHE) < 65536:
            _NO_HEADER_CACHE.add(text)

    def _blank_row(self, labels: list[Token]) -> bool:
        """In a space-aligned table, a row label (on its line, or wrapped over two) followed by the next label
        with no figure between: the row's cells are blank (a later reading with figures still wins)."""
        if not labels:
            return False
        slot = self.reader.match(labels, self.cursor)
        if slot is None or slot.index in self.filled or slot.table.kind is not TableKind.GRID:
            return False
        if len(self.header_x.get(slot.table.id, {})) != len(slot.table.columns):
            return False  # (only under a header laid out by position)
        key = label_key("".join(t.text for t in labels))
        for label in labels:
            if self.text[label.end : self._line_bounds(label.end)[1]].strip():
                return False  # (a label with more on its line)
        if not any(key.endswith(v) and (len(v) >= 4 or len(key) - len(v) <= 1) for v in slot.variants):
            return False  # (the beginning of a label wrapped over lines)
        if slot.row.optional:
            # A variant row's label (（六）其他处理) is also the heading of the rows it replaces: blank only if
            # none of those rows is in the table (decided when the tables are read).
            self.optional_blanks.append((slot, (labels[0].start, labels[-1].end)))
            return True
        self._set_blank(slot, (labels[0].start, labels[-1].end))
        self.cursor = max(self.cursor, slot.index + 1)  # (the next rows are looked for after this one)
        return True

    def _set_blank(self, slot: RowSlot, span: tuple[int, int]) -> None:
        keys, _ = self.reader.row_cells[slot.index]
        for cell in keys:
            if cell not in self.result.values:
                self.result.values[cell] = None
                self.result.provenance[cell] = span

    def finish_optional_blanks(self) -> None:
        """Variant rows whose label stood alone with no figure: blank when none of the rows they replace has a
        figure (then either reading of the label, a blank row or a heading over blank rows, leaves it blank)."""
        for slot, span in self.optional_blanks:
            group = slot.row.key.rsplit(".", 1)[-1]
            replaced = [r for r in slot.table.rows if r.parent == group and r is not slot.row]
            values = self.result.values
            read = any(v is not None and k.startswith(r.key + ".") for r in replaced for k, v in values.items())
            if replaced and not read:
                self._set_blank(slot, span)

    def _laid_out(self, table: Table, n: int, nums: list[Token]) -> bool:
        """Whether a row's figures stand in a space-aligned table: every column header of the table seen,
        and the figures on lines short enough to be a layout (a page run onto one line is none)."""
        heads = self.header_x.get(table.id, {})
        if not self.text or len(table.columns) != n or len(heads) != n:
            return False
        return all(self._line_bounds(t.start)[1] - self._line_bounds(t.start)[0] <= _LAYOUT_LINE for t in nums)

    def _note_figure_columns(self, table_id: str, nums: list[Token]) -> None:
        """Keep a space-aligned table's figures; where they stand is measured only if a row needs placing."""
        self.figure_tokens.setdefault(table_id, []).extend(nums)

    def _figure_starts(self, table_id: str) -> list[int]:
        return sorted(self._x(t.start) for t in self.figure_tokens.get(table_id, ()))

    def _column_x(self, table: Table) -> tuple[list[float], bool] | None:
        """Where a space-aligned table's columns stand: the centres of its figures, which fall into one group
        per column when every column has a figure somewhere in the table. Headers are no measure there: text
        tools squeeze CJK header words, so a header row drifts left of the figures under it. Otherwise the
        headers' starts, if every group of figures starts right under one. With whether figures are measured
        by their centres (else by their starts)."""
        n = len(table.columns)
        figures = self.figure_tokens.get(table.id, ())
        centres = sorted(self._x(t.start) + (t.end - t.start) / 2 for t in figures)
        groups: list[list[float]] = []
        for c in centres:
            if groups and c - groups[-1][-1] <= _FIGURE_SPREAD:
                groups[-1].append(c)
            else:
                groups.append([c])
        if len(groups) == n and all(g[-1] - g[0] <= 2 * _FIGURE_SPREAD for g in groups):
            return [statistics.median(g) for g in groups], True
        heads = self.header_x.get(table.id, {})
        if len(heads) != n or any(len(v) != 1 for v in heads.values()):
            return None
        xs = [float(heads[i][0]) for i in range(n)]
        starts = self._figure_starts(table.id)
        if all(any(abs(x0 - x) <= _NEAR_HEADER for x in xs) for x0 in starts):
            return xs, False
        return None

    def finish_laid_out_rows(self) -> None:
        """Place the figures of space-aligned rows that have fewer figures than cells (the rest blank)."""
        columns: dict[str, tuple[list[float], bool] | None] = {}
        first_figure: dict[str, int] = {}
        for slot, keys, units, nums, label_end in self.laid_out_rows:
            table = slot.table
            if table.id not in columns:
                columns[table.id] = self._column_x(table)
                first_figure[table.id] = min(self._figure_starts(table.id), default=0)
            found = columns[table.id]
            # A label reaching into the figure columns (a group label and a row label side by side, as
            # inscriptis lays out a row under a spanned cell) means the row's cells are not in the table's columns.
            inside = label_end >= first_figure[table.id]
            if found is None or inside or not self._place_by_position(slot, keys, units, nums, *found):
                self._assign_uneven(slot, keys, units, nums, nums)
        self.laid_out_rows = []

    def _place_by_position(
        self,
        slot: RowSlot,
        keys: list[str],
        units: list[str | None],
        nums: list[Token],
        xs: list[float],
        by_centre: bool,
    ) -> bool:
        """Figures of a space-aligned row placed in the columns they stand in (``xs``: where each column's
        figures are centred). Each figure must stand within a few characters of one column and clearly nearer
        to it than to any other; the figures keep the columns' order; and the row's relations hold where the
        placement lets them be assessed. Otherwise nothing is placed."""
        n = len(keys)
        if any(b - a < _MIN_COLUMN_GAP for a, b in itertools.pairwise(xs)):
            return False
        placed: list[int] = []
        for tok in nums:
            x = self._x(tok.start) + ((tok.end - tok.start) / 2 if by_centre else 0)
            dist = sorted((abs(x - hx), i) for i, hx in enumerate(xs))
            (best, col), (second, _) = dist[0], dist[1]
            # (right under a column and the next one at least 2 further, or 2 off and the next at least 3 further)
            clear = (best <= 1.5 and second - best >= 2) or (
                best <= _NEAR_HEADER + 0.5 and second - best >= _CLEARLY_NEARER
            )
            if not clear or (placed and col <= placed[-1]):
                return False
            placed.append(col)
        cells: list[Token | None] = [None] * n
        for tok, col in zip(nums, placed, strict=True):
            cells[col] = tok
        checks = row_checks(self.reader.fmt.id, tuple(keys))
        if not holds_where_known(checks, [t.value if t is not None else None for t in cells]):
            return False
        for key, cell, unit in zip(keys, cells, units, strict=True):
            if cell is None:
                self.result.values[key] = None
            else:
                self._set(key, cell, unit)
        return True
