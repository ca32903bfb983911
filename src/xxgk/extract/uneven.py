"""Rows with more or fewer cells than the table has columns: padding, a column the format lacks, blank cells
that left no trace (the total certain, the other figures reported), and cells left unread with a finding.
A part of :class:`~xxgk.extract.cells.ReadState`."""

from __future__ import annotations

from collections import Counter
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
from xxgk.extract.table_data import LAYOUT_BASIS, RowSlot, TableResult, ambiguous_cells
from xxgk.extract.tokens import Kind, Token
from xxgk.findings import Category, Finding, Severity

if TYPE_CHECKING:
    from xxgk.extract.tables import TableReader


class UnevenRows:
    """What :class:`~xxgk.extract.cells.ReadState` does with rows whose cells do not match the columns."""

    reader: TableReader
    result: TableResult
    markdown_row: bool
    short_rows: bool
    extra_position: dict[str, int]
    dropped_blanks: list[tuple[str, list[str], tuple[int, int], str]]
    inferred_totals: list[tuple[str, str, tuple[int, int], str]]
    short_rows_summing: Counter[str]
    short_rows_not_summing: Counter[str]

    if TYPE_CHECKING:

        def _set(self, key: str, tok: Token, column_unit: str | None) -> None: ...

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
            readings = [trim_blanks(toks, n)[:n]]
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


def trim_blanks(toks: list[Token], n: int) -> list[Token]:
    """Drop padding blanks around the cells while there are more cells than columns: trailing ones first (a
    row closed by ``|`` or ``||``), then leading ones (an empty label cell before the numbers)."""
    toks = list(toks)
    while len(toks) > n and toks and toks[-1].kind is Kind.BLANK:
        toks.pop()
    while len(toks) > n and toks and toks[0].kind is Kind.BLANK:
        toks.pop(0)
    return toks


_NUM, _BLANK = Kind.NUM, Kind.BLANK
