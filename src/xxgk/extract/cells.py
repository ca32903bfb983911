"""Assigning cells to rows while reading the token stream: a row's figures (with units, blanks and spans),
rows with dropped blanks, rows whose digits ran together (kept for :mod:`xxgk.extract.solver`), the extra
columns and rows a format does not define, and the label-less table 四 sequence."""

from __future__ import annotations

import bisect
import itertools
import re
import statistics
from collections import Counter
from functools import cached_property
from typing import TYPE_CHECKING

from xxgk.extract.runs import (
    MAX_ROW_STEPS,
    Number,
    SearchBudget,
    holds_where_known,
    most_cells,
    row_checks,
    split_runs,
)
from xxgk.extract.table_data import LAYOUT_BASIS, PendingRow, RowSlot, TableResult, ambiguous_cells
from xxgk.extract.tokens import Kind, Token
from xxgk.findings import Category, Finding, Severity
from xxgk.formats import Column, Row, Table, TableKind, label_key

if TYPE_CHECKING:
    from xxgk.extract.tables import TableReader

MAX_PENDING = 10
_WORD = re.compile(r"\S+")
_LINE_BREAK = re.compile("\n")
_NO_HEADER_CACHE: set[str] = set()  # token texts with no word that begins a column header
_NEAR_HEADER = 2  # a figure stands at most this many characters from its column header's start
_CLEARLY_NEARER = 3  # a figure's nearest header is at least this much nearer than the next one
_LAYOUT_LINE = 240  # a longer line is no space-aligned table line
_MIN_COLUMN_GAP = 2  # column headers (and a figure's two nearest ones) at least this far apart
_FIGURE_SPREAD = 2.5  # figure centres this close stand in one column (centred or right-aligned figures)


def _amount(value: Number, unit: str | None, column_unit: str | None) -> Number:
    """Convert an amount into the column's unit (万元); 176000元 → 17.6."""
    if column_unit == "万元" and unit == "元":
        return round(value / 10000, 6)
    return value


class ReadState:
    """The streaming state while reading tokens."""

    def __init__(self, reader: TableReader, result: TableResult, text: str = "") -> None:
        self.reader = reader
        self.result = result
        self.text = text  # the document's text: where a token stands in its line
        # column headers seen in space-aligned lines: table id → column index → positions in their lines
        self.header_x: dict[str, dict[int, list[int]]] = {}
        self.optional_blanks: list[tuple[RowSlot, tuple[int, int]]] = []  # variant rows seen blank, to decide
        self.active = False
        self.pending: list[Token] = []
        self.values: list[Token] = []
        self.cursor = 0
        self.seq_open = False
        self.seq_done = False
        self.seq_tokens: list[Token] = []
        self.run_rows: list[PendingRow] = []
        self.extra_columns: list[tuple[Table, Column]] = []
        self.filled: set[int] = set()
        self.extra_position: dict[str, int] = {}  # table id → position of a column the format lacks
        self.markdown_row = False  # whether the row being closed is a Markdown row (its closing pipe ends a cell)
        self.short_rows = False  # whether a row had fewer figures than cells with no blank marked among them
        # rows whose blank cells left no trace: (row label, keys, span, numbers as written)
        self.dropped_blanks: list[tuple[str, list[str], tuple[int, int], str]] = []
        # totals read as a short row's last figure (table id, key, span, figures); and by table, the short rows
        # whose last figure is the sum of the others, and those whose last figure is not (or that have only one
        # figure, not 0): where the latter are as many, the office may have left 总计 blank
        self.inferred_totals: list[tuple[str, str, tuple[int, int], str]] = []
        self.short_rows_summing: Counter[str] = Counter()
        self.short_rows_not_summing: Counter[str] = Counter()
        # space-aligned rows with fewer figures than cells, placed when the table is read; and the centres of
        # the figures seen in each such table's lines
        self.laid_out_rows: list[tuple[RowSlot, list[str], list[str | None], list[Token], int]] = []
        self.figure_x: dict[str, list[float]] = {}
        self.figure_starts: dict[str, list[int]] = {}

    def feed(self, tok: Token) -> None:
        kind = tok.kind
        if kind is _NUM or kind is _BLANK:
            if self.active:
                self.values.append(tok)
        elif kind is _TEXT:
            if self.values:
                self.flush()
            if tok.prose:  # a sentence: neither a label nor an anchor
                self.pending = []
                return
            if self.text and self.active:
                self._note_headers(tok)
                if self.header_x and self.pending and not self.values:
                    p = self.pending
                    # (a label on its line; wrapped over two; or two with a merged group label's piece between)
                    _ = (
                        self._blank_row(p[-1:])
                        or self._blank_row(p[-2:])
                        or (len(p) >= 3 and len(label_key(p[-2].text)) <= 4 and self._blank_row([p[-3], p[-1]]))
                    )
            reader = self.reader
            key = label_key(tok.text)
            pending = self.pending
            if not self.active:
                joined = label_key("".join(t.text for t in pending[-2:]) + tok.text) if pending else key
                # (a heading written before the anchor on the same line, "二、主动公开政府信息情况 第二十条第(一)项")
                self.active = key in reader.anchors or joined in reader.anchors or joined.endswith(reader.anchor_ends)
                if not self.active:
                    pending.append(tok)
                    del pending[:-MAX_PENDING]
                    return
            if key in reader.extra_column_labels:
                table, column = reader.extra_column_labels[key]
                if (table, column) not in self.extra_columns:
                    self.extra_columns.append((table, column))
            if not self.seq_done and reader.opens_sequence(key):
                self.seq_open = True
            pending.append(tok)
            del pending[:-MAX_PENDING]
        elif kind is _UNIT:
            if not self.values:
                return
            self.values.append(tok)
        elif kind is _ROW_END:
            self.markdown_row = tok.text == "|"
            if not self.values and self.active and not self.seq_open and self.pending and not self.pending[-1].prose:
                # A labelled row closed with no cells at all: its cells are blank (not absent).
                self.values.append(Token(Kind.BLANK, "", tok.start, tok.start))
            if self.values:
                self.flush()

    def flush(self) -> None:
        values, pending = self.values, self.pending
        self.values = []
        for t in values:
            if t.kind is _NUM:
                break
        else:  # no number
            if not pending or not any(t.kind is _BLANK for t in values):
                return
        if self.seq_open and not self.seq_done:
            label = label_key("".join(t.text for t in pending[-3:])) if pending else ""
            header = self.reader.is_sequence_header
            if not pending or not label or header(label_key(pending[-1].text)) or header(label):
                if not any(t.kind is Kind.NUM for t in (*self.seq_tokens, *values)):
                    self.pending = []
                    return  # a header row's empty cells (merged 行政复议 above its five columns)
                self.seq_tokens.extend(t for t in values if t.kind is not Kind.UNIT)
                self.pending = []
                if _cells_from_first_number(self.seq_tokens) >= self._seq_size():
                    self.finish_sequence()
                return
        slot = self.reader.match(pending, self.cursor) if pending else None
        self.pending = []
        if slot is None:
            nums = [t for t in values if t.kind is Kind.NUM]
            if nums and pending and not pending[-1].prose:
                label = pending[-1].text
                glued = label_key(label + "".join(t.text for t in nums))
                if len(label) <= 60 and glued not in self.reader.column_labels:
                    # (a header cell such as 数据1 is not a row; a number on a group label is a subtotal row)
                    span = (pending[-1].start, values[-1].end)
                    self.result.extra.append((label, [t.value for t in nums], span, ""))
            return
        self.cursor = slot.index + 1
        self._assign(slot, values)

    def _seq_size(self) -> int:
        seq = self.reader.sequence
        return len(seq.rows) * len(seq.columns) if seq else 0

    def finish_sequence(self) -> None:
        seq = self.reader.sequence
        if seq is None or self.seq_done:
            return
        if not self.seq_tokens:
            if self.seq_open:  # the table's header is there but its row is empty: fifteen blank cells
                for key in seq.keys:
                    self.result.values.setdefault(key, None)
            return
        self.seq_done = True
        self.seq_open = False
        keys = [seq.key(r, c) for r in seq.rows for c in seq.columns]
        toks = _trim_blanks([t for t in self.seq_tokens if t.kind is not Kind.UNIT], len(keys))
        nums = [t for t in toks if t.kind is Kind.NUM]
        if len(toks) < len(keys) and len(nums) < len(keys) and any(t.run for t in nums):
            slot = RowSlot(seq, Row(key="__sequence__", labels=()), -1, ())
            self.run_rows.append(SequenceRow(slot, toks, keys))
            return
        for key, tok in zip(keys, toks, strict=False):
            self._set(key, tok, None)

    def _assign(self, slot: RowSlot, values: list[Token]) -> None:
        if slot.index in self.filled:
            # The same row again (a repeated header or a second copy of the table): keep the first reading.
            return
        table = slot.table
        toks = [t for t in values if t.kind is not _UNIT]
        if table.kind is TableKind.INDICATOR:
            extra = tuple([c for t, c in self.extra_columns if t is table])
            keys, units = self.reader.indicator_cells(slot, extra)
        else:
            keys, units = self.reader.row_cells[slot.index]
        n = len(keys)
        nums = [t for t in toks if t.kind is _NUM]
        if not nums:
            # Only blank cells: the row is blank unless a later reading has numbers (a header cell such
            # as 总计 followed by empty cells looks the same).
            blanks = [t for t in toks if t.kind is Kind.BLANK]
            for i, key in enumerate(keys):
                if key in self.result.values:
                    continue
                self.result.values[key] = None
                if blanks:
                    tok = blanks[min(i, len(blanks) - 1)]
                    self.result.provenance[key] = (tok.start, tok.end)
                    self.result.raw[key] = tok.text
            return
        self.filled.add(slot.index)
        if len(nums) == n:
            if table.id in self.header_x:
                self._note_figure_columns(table.id, nums)
            result = self.result
            values_, provenance, raw = result.values, result.provenance, result.raw
            for key, tok, unit in zip(keys, nums, units, strict=True):
                # (what _set does, for a number)
                value = tok.value
                if value is None:
                    values_[key] = None
                elif unit == "万元" and tok.unit == "元":
                    values_[key] = round(value / 10000, 6)
                else:
                    values_[key] = value
                provenance[key] = (tok.start, tok.end)
                raw[key] = tok.text
            return
        keys, units = list(keys), list(units)  # (shared with the reader: findings below keep the list)
        if len(nums) == len(toks) < n and not nums[0].stream and self._laid_out(table, n, nums):
            # Figures laid out in columns: placed once the whole table has shown where its columns stand.
            self._note_figure_columns(table.id, nums)
            line_start = self._line_bounds(nums[0].start)[0]
            label_end = len(self.text[line_start : nums[0].start].rstrip())  # (where the row's label ends)
            self.laid_out_rows.append((slot, keys, units, nums, label_end))
            return
        self._assign_uneven(slot, keys, units, toks, nums)

    def _assign_uneven(
        self, slot: RowSlot, keys: list[str], units: list[str | None], toks: list[Token], nums: list[Token]
    ) -> None:
        """A row with fewer or more figures than cells, or with blank cells among them."""
        table = slot.table
        n = len(keys)
        # ``——`` may be one cell or two
        glued_dashes = any(t.glued and len(t.text) > 1 and t.kind is _BLANK for t in toks)
        if len(nums) < n and (glued_dashes or any(t.run for t in nums)) and most_cells(toks) >= n:
            if len(toks) < n or table.kind is TableKind.INDICATOR:
                self.run_rows.append(PendingRow(slot, toks))
                for key in keys:
                    self.result.values.pop(key, None)
                return
        if table.kind is TableKind.INDICATOR:
            # 指标 | 单位 | 数量: the first value cell after the unit; a blank means "no figure".
            for key, tok, unit in zip(keys, toks if len(nums) != len(toks) else nums, units, strict=False):
                self._set(key, tok, unit)
            for key in keys[len(toks) :]:
                self.result.values.setdefault(key, None)
            return
        if len(nums) > n:
            self._assign_with_extra_column(slot, keys, units, nums)
            return
        if 2 <= len(nums) == len(toks) < n and self._assign_with_dropped_blanks(slot, keys, units, nums):
            return
        if len(nums) == len(toks) < n and nums[0].stream and most_cells(toks) < n:
            # run-together text with too few digits for the cells: blanks left no trace
            self._assign_run_with_dropped_blanks(slot, keys, units, nums)
            return
        if len(toks) > n:
            self._assign_padded(slot, keys, units, toks)
            return
        if len(nums) == len(toks) < n and not nums[0].stream:
            # Fewer figures than columns and no trace of the blank cells (space-aligned text, a conversion that
            # dropped empty cells), placed neither by the line's layout nor by the row's relations: which columns
            # they stand in is unknown. Reported, not read left to right.
            self._unplaced(slot, keys, nums)
            return
        for i, key in enumerate(keys):
            if i < len(toks):
                self._set(key, toks[i], units[i])
            else:
                self.result.values[key] = None

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
        centres = self.figure_x.setdefault(table_id, [])
        starts = self.figure_starts.setdefault(table_id, [])
        for t in nums:
            start = self._x(t.start)
            starts.append(start)
            centres.append(start + (t.end - t.start) / 2)

    def _column_x(self, table: Table) -> tuple[list[float], bool] | None:
        """Where a space-aligned table's columns stand: the centres of its figures, which fall into one group
        per column when every column has a figure somewhere in the table. Headers are no measure there: text
        tools squeeze CJK header words, so a header row drifts left of the figures under it. Otherwise the
        headers' starts, if every group of figures starts right under one. With whether figures are measured
        by their centres (else by their starts)."""
        n = len(table.columns)
        centres = sorted(self.figure_x.get(table.id, ()))
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
        starts = sorted(self.figure_starts.get(table.id, ()))
        if all(any(abs(x0 - x) <= _NEAR_HEADER for x in xs) for x0 in starts):
            return xs, False
        return None

    def finish_laid_out_rows(self) -> None:
        """Place the figures of space-aligned rows that have fewer figures than cells (the rest blank)."""
        columns: dict[str, tuple[list[float], bool] | None] = {}
        for slot, keys, units, nums, label_end in self.laid_out_rows:
            table = slot.table
            if table.id not in columns:
                columns[table.id] = self._column_x(table)
            found = columns[table.id]
            # A label reaching into the figure columns (a group label and a row label side by side, as
            # inscriptis lays out a row under a spanned cell) means the row's cells are not in the table's columns.
            inside = label_end >= min(self.figure_starts.get(table.id, (0,)))
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

    def _unplaced(self, slot: RowSlot, keys: list[str], nums: list[Token]) -> None:
        raw = " ".join(t.text for t in nums)
        self.short_rows = True
        if row_checks(self.reader.fmt.id, tuple(keys)) and (len(nums) > 1 or nums[0].value):
            self.short_rows_not_summing[slot.table.id] += 1  # (its last figure is no total of the others)
        self._left_unread(
            keys,
            nums,
            ambiguous_cells(
                list(keys),
                (nums[0].start, nums[-1].end),
                raw,
                f"“{slot.row.labels[0]}”只有{len(nums)}个数字（{raw}），少于法定的{len(keys)}列，空白单元格没有留下"
                "位置，各数字所在的列无法确定；相关单元格记为空值",
                LAYOUT_BASIS + "；空白不等于0",
            ),
        )

    def _left_unread(self, keys: list[str], toks: list[Token], finding: Finding) -> None:
        """Cells the text does not let the reader place: null, with the figures they were read from as their
        provenance, and named in ``finding``."""
        span = (toks[0].start, toks[-1].end)
        raw = " ".join(t.text for t in toks)
        for key in keys:
            self.result.values[key] = None
            self.result.provenance[key] = span
            self.result.raw[key] = raw
        self.result.findings.append(finding)

    def _assign_padded(self, slot: RowSlot, keys: list[str], units: list[str | None], toks: list[Token]) -> None:
        """More cells than columns, the extra ones blank: the empty cells a spanned label left before the
        figures (``| （一）予以公开 | | 290 | 1 | | |``), or blank cells after them. In a Markdown row, whose
        closing pipe ends the last cell, the figures are the row's last cells. Elsewhere every placement that
        drops blanks at the two ends is tried: cells on which the placements that satisfy the row's relations
        differ are ``None`` with a finding, never shifted by a guess."""
        n = len(keys)
        extra = len(toks) - n
        lead = 0
        while lead < len(toks) and toks[lead].kind is _BLANK:
            lead += 1
        trail = 0
        while trail < len(toks) and toks[-1 - trail].kind is _BLANK:
            trail += 1
        if self.markdown_row and lead >= extra:
            readings = [toks[extra:]]
        else:
            readings = [toks[k : len(toks) - (extra - k)] for k in range(extra + 1) if k <= lead and extra - k <= trail]
        if not readings:  # figures on both sides beyond the columns: keep the first cells, as before
            readings = [_trim_blanks(toks, n)[:n]]
        if len(readings) > 1:
            checks = row_checks(self.reader.fmt.id, tuple(keys))
            kept = [r for r in readings if holds_where_known(checks, [t.value if t.kind is _NUM else None for t in r])]
            readings = kept or readings
        for i, key in enumerate(keys):
            cells = {id(r[i]) for r in readings}
            if len(cells) == 1:
                self._set(key, readings[0][i], units[i])
            else:
                self.result.values[key] = None
        differ = [key for i, key in enumerate(keys) if len({id(r[i]) for r in readings}) > 1]
        if differ:
            span = (toks[0].start, toks[-1].end)
            raw = " | ".join(t.text for t in toks)
            message = (
                f"本行单元格（{len(toks)}个）多于法定列数（{n}列），"
                "无法确定哪些空白单元格是多出来的；相关单元格记为空值"
            )
            self.result.findings.append(ambiguous_cells(differ, span, raw, message, LAYOUT_BASIS))

    def _assign_with_extra_column(
        self, slot: RowSlot, keys: list[str], units: list[str | None], nums: list[Token]
    ) -> None:
        """More numbers than statutory columns: a column the format does not have (法人或其他组织小计 …).

        The column is the one whose removal lets the row's own relations hold (a remembered position for the
        table wins when several do); its numbers go to ``extra``. If the table cannot tell, the row's cells are
        reported instead of guessed."""
        n = len(keys)
        checks = row_checks(self.reader.fmt.id, tuple(keys))
        candidates: list[int] = []
        if len(nums) == n + 1:
            for p in range(n + 1):
                parts = [t.value for i, t in enumerate(nums) if i != p]
                if all(v is not None for v in parts) and holds_where_known(checks, parts):
                    candidates.append(p)
        remembered = self.extra_position.get(slot.table.id)
        readings = {tuple(t.value for i, t in enumerate(nums) if i != p) for p in candidates}
        if remembered in candidates:
            position: int | None = remembered
        elif candidates and len(readings) == 1:
            position = candidates[0]
        else:
            position = None
        if position is None:
            why = f"本行有{len(nums)}个数字，多于法定的{n}列，无法判断哪一列是表外列"
            self.result.displaced.setdefault(slot.table.id, []).append((nums[0].start, nums[-1].end))
            raw = " ".join(t.text for t in nums)
            self._left_unread(keys, nums, self.reader.ambiguous_finding(keys, (nums[0].start, nums[-1].end), raw, why))
            return
        if len(candidates) == 1:
            self.extra_position[slot.table.id] = position
        kept = [t for i, t in enumerate(nums) if i != position]
        for key, tok, unit in zip(keys, kept, units, strict=True):
            self._set(key, tok, unit)
        extra = nums[position]
        self.result.extra.append(
            (
                f"{slot.row.labels[0]}（表外列，第{position + 1}列）",
                [extra.value],
                (extra.start, extra.end),
                slot.table.id,
            )
        )

    def _assign_with_dropped_blanks(
        self, slot: RowSlot, keys: list[str], units: list[str | None], nums: list[Token]
    ) -> bool:
        """Fewer numbers than columns and no blank cell between them: blank cells that left no trace (a page's
        empty ``<td>`` scraped as text, tab runs, one cell per line with empty cells dropped).

        When the row's own relations hold with the last number in the last column (总计 = the sum of the
        applicant columns) and the other numbers in the first ones, that is the reading; the columns between
        are blank (``null``) and the row is named in an ``extract.dropped_blanks`` finding, since which
        columns were blank is inferred. Otherwise (no relation over the row, or it fails) the row is read
        left to right as before."""
        n, k = len(keys), len(nums)
        checks = row_checks(self.reader.fmt.id, tuple(keys))
        if not checks:
            return False
        head = [t.value for t in nums[:-1]]
        last = nums[-1].value
        if last is None or any(v is None for v in head):
            return False
        parts: list[Number] = [*head, *([0] * (n - k)), last]  # type: ignore[list-item]
        if not holds_where_known(checks, parts):
            return False
        # The total is certain; which columns the other figures stand in (and which were blank) is not: they
        # are null and named in the finding, never placed by their order alone.
        for key in keys[: n - 1]:
            self.result.values[key] = None
            self.result.provenance[key] = (nums[0].start, nums[-2].end)
            self.result.raw[key] = " ".join(t.text for t in nums[:-1])
        self._set(keys[-1], nums[-1], units[-1])
        raw = " ".join(t.text for t in nums)
        self.dropped_blanks.append((slot.row.labels[0], keys[: n - 1], (nums[0].start, nums[-1].end), raw))
        self.inferred_totals.append((slot.table.id, keys[-1], (nums[0].start, nums[-1].end), raw))
        self.short_rows_summing[slot.table.id] += 1
        self.short_rows = True
        return True

    def _assign_run_with_dropped_blanks(
        self, slot: RowSlot, keys: list[str], units: list[str | None], nums: list[Token]
    ) -> None:
        """Digits that ran together and are too few for the row's cells (``2626`` for seven columns): the
        blank cells left nothing behind. As in :meth:`_assign_with_dropped_blanks`, the last number is the
        总计 and the others fill the first columns; the split is the one under which the row's relations hold.
        If none or several do, every cell of the row is reported instead of guessed."""
        n = len(keys)
        self.short_rows = True
        checks = row_checks(self.reader.fmt.id, tuple(keys))
        runs = [t.text for t in nums]
        readings: set[tuple[Number, ...]] = set()
        budget = SearchBudget(MAX_ROW_STEPS)
        if checks:
            for m in range(max(2, len(runs)), min(most_cells(nums), n) + 1):
                for split in split_runs(runs, m, None, budget):
                    parts = [*split[:-1], *([0] * (n - m)), split[-1]]
                    if all(v is not None for v in parts) and holds_where_known(checks, parts):
                        readings.add(tuple(split))  # type: ignore[arg-type]
                    if len(readings) > 1:
                        break
        span = (nums[0].start, nums[-1].end)
        raw = " ".join(runs)
        if checks and not readings and not budget.spent:
            self.short_rows_not_summing[slot.table.id] += 1
        if len(readings) != 1 or budget.spent:
            why = f"数字少于本行的{n}列，空白单元格没有留下分隔，" + (
                "有多种拆分都满足勾稽关系"
                if readings
                else ("没有任何拆分能满足本行的勾稽关系" if checks else "本行没有勾稽关系可以确定各数字所在的列")
            )
            self._left_unread(keys, nums, self.reader.ambiguous_finding(keys, span, raw, why))
            return
        (reading,) = readings
        # The total is certain; the other figures keep their order, but which columns they stand in (and which
        # were blank) the text no longer says: those cells are reported, not guessed.
        total = keys[-1]
        self.result.values[total] = reading[-1]
        self.result.provenance[total] = span
        self.result.raw[total] = raw
        self.inferred_totals.append((slot.table.id, total, span, raw))
        self.short_rows_summing[slot.table.id] += 1
        unplaced = keys[:-1]
        figures = "、".join(str(v) for v in reading[:-1])
        why = f"数字少于本行的{n}列，空白单元格没有留下分隔：合计为{reading[-1]}，其余数字（{figures}）所在的列无法确定"
        self._left_unread(unplaced, nums, self.reader.ambiguous_finding(unplaced, span, raw, why))

    def report_dropped_blanks(self) -> None:
        """One finding for the rows whose blank cells were placed by :meth:`_assign_with_dropped_blanks`; and
        the totals read as a short row's last figure are unread again in a table where no fewer short rows show
        that 总计 may be blank (their last figure is not the sum of the others, or a lone figure): there a last
        figure equal to the sum of the others may be an applicant column's, with the total left blank. (Where
        most short rows sum, the others are the source's own arithmetic errors.)"""
        summing, not_summing = self.short_rows_summing, self.short_rows_not_summing
        unsure = [t for t in self.inferred_totals if not_summing[t[0]] >= summing[t[0]]]
        if unsure:
            keys = [key for _, key, _, _ in unsure]
            for key in keys:
                self.result.values[key] = None
            _, _, span, raw = unsure[0]
            message = (
                f"本表有数字少于列数的行，末位数字不等于其余数字之和，说明总计列可能留空；{len(keys)}行的末位数字"
                "虽等于其余数字之和，也可能属于其他列，总计记为空值，请对照原件核实"
            )
            self.result.findings.append(ambiguous_cells(keys, span, raw, message, LAYOUT_BASIS + "；空白不等于0"))
        if not self.dropped_blanks:
            return
        labels = "、".join(f"“{label}”" for label, _, _, _ in self.dropped_blanks[:5])
        more = f"等{len(self.dropped_blanks)}行" if len(self.dropped_blanks) > 5 else ""
        _, _, first, raw = self.dropped_blanks[0]
        self.result.findings.append(
            Finding(
                rule="extract.dropped_blanks",
                category=Category.EXTRACTION,
                severity=Severity.WARNING,
                message=(
                    f"{labels}{more}的数字少于法定列数，空白单元格没有留下分隔：末位数字按本行勾稽关系记入最后一列"
                    "（总计），其余数字所在的列无法确定，记为空值，请对照原件核实"
                ),
                keys=[key for _, keys, _, _ in self.dropped_blanks for key in keys],
                span=first,
                evidence=raw,
                basis="表格每行的勾稽关系（总计 = 各列之和）；空白不等于0",
            )
        )

    def _set(self, key: str, tok: Token, column_unit: str | None) -> None:
        if tok.kind is Kind.NUM and tok.value is not None:
            self.result.values[key] = _amount(tok.value, tok.unit, column_unit)
        else:
            self.result.values[key] = None
        self.result.provenance[key] = (tok.start, tok.end)
        self.result.raw[key] = tok.text


class SequenceRow(PendingRow):
    """The table-四 sequence when its digits ran together."""

    def __init__(self, slot: RowSlot, runs: list[Token], keys: list[str]) -> None:
        super().__init__(slot, runs)
        self.keys = keys


_TEXT, _NUM, _BLANK, _UNIT, _ROW_END = Kind.TEXT, Kind.NUM, Kind.BLANK, Kind.UNIT, Kind.ROW_END


def _cells_from_first_number(toks: list[Token]) -> int:
    """Cells (numbers and blanks) from the first number on: blank header padding before it does not count."""
    for i, t in enumerate(toks):
        if t.kind is Kind.NUM:
            return sum(1 for u in toks[i:] if u.kind in (Kind.NUM, Kind.BLANK))
    return 0


def _trim_blanks(toks: list[Token], n: int) -> list[Token]:
    """Drop padding blanks around the cells while there are more cells than columns: trailing ones first (a
    row closed by ``|`` or ``||``), then leading ones (an empty label cell before the numbers)."""
    toks = list(toks)
    while len(toks) > n and toks and toks[-1].kind is Kind.BLANK:
        toks.pop()
    while len(toks) > n and toks and toks[0].kind is Kind.BLANK:
        toks.pop(0)
    return toks
