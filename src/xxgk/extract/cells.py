"""Assigning cells to rows while reading the token stream: a row's figures (with units, blanks and spans),
rows whose digits ran together (kept for :mod:`xxgk.extract.solver`), the extra columns and rows a format
does not define, and the label-less table 四 sequence. Rows whose cells do not match the columns are in
:mod:`xxgk.extract.uneven`, space-aligned lines in :mod:`xxgk.extract.layout`."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from xxgk.extract.layout import LaidOutRows
from xxgk.extract.runs import (
    Number,
    most_cells,
)
from xxgk.extract.table_data import PendingRow, RowSlot, TableResult
from xxgk.extract.tokens import Kind, Token
from xxgk.extract.uneven import UnevenRows, trim_blanks
from xxgk.formats import Column, Row, Table, TableKind, label_key
from xxgk.ingest.document import UNREADABLE

if TYPE_CHECKING:
    from xxgk.extract.tables import TableReader

MAX_PENDING = 10


def _amount(value: Number, unit: str | None, column_unit: str | None) -> Number:
    """Convert an amount into the column's unit (万元); 176000元 → 17.6."""
    if column_unit == "万元" and unit == "元":
        return round(value / 10000, 6)
    return value


class ReadState(LaidOutRows, UnevenRows):
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
        self.figure_tokens: dict[str, list[Token]] = {}
        self.unreadable: list[str] = []  # cells the reader could not read (cut off at the page edge)

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
        toks = trim_blanks([t for t in self.seq_tokens if t.kind is not Kind.UNIT], len(keys))
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
        if toks and toks[-1].text == UNREADABLE and len(toks) <= n:
            self.filled.add(slot.index)
            self._assign_cut(keys, units, toks)
            return
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

    def _assign_cut(self, keys: list[str], units: list[str | None], toks: list[Token]) -> None:
        """A row whose last cell the reader could not read (the page edge cut the table off there): its cells
        stand where they are, left to right (a ruled grid leaves no blank out); from the unreadable cell on,
        the row's cells are null and reported."""
        read = len(toks) - 1
        for key, tok, unit in zip(keys[:read], toks[:read], units[:read], strict=True):
            self._set(key, tok, unit)
        cut = toks[-1]
        for key in keys[read:]:
            self.result.values[key] = None
            self.result.provenance[key] = (cut.start, cut.end)
            self.result.raw[key] = cut.text
            self.unreadable.append(key)

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
