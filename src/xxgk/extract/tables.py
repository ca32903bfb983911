"""Rebuild the format's tables from the token stream: find the tables, match row labels to the format's rows.

The format drives everything: its tables' anchors switch table reading on, its row labels (with variants)
name the rows, its columns say how many cells a row has. The cells of each row are assigned in
:mod:`xxgk.extract.cells`; digits that ran together (``120010215``) are split in :mod:`xxgk.extract.runs` and
chosen jointly by the format's relations in :mod:`xxgk.extract.solver`. Where more than one reading satisfies
every relation, the cells that differ are reported as ambiguous (``None`` plus a finding), never guessed.
"""

from __future__ import annotations

import difflib
from functools import cached_property, lru_cache

from xxgk.extract.cells import ReadState, SequenceRow
from xxgk.extract.reading_order import rebuild
from xxgk.extract.runs import holds_where_known, row_checks
from xxgk.extract.solver import RunSolver
from xxgk.extract.table_data import LAYOUT_BASIS, RUN_BASIS, PendingRow, RowSlot, TableResult, ambiguous_cells
from xxgk.extract.tokens import UNITS, Kind, Token
from xxgk.findings import Category, Finding
from xxgk.formats import Column, Format, TableKind, label_key
from xxgk.ingest.document import UNREADABLE

_PREFIX_CHARS = 6  # a shorter beginning of a label says too little
_PREFIX_ROWS = 6  # rows after the last one read that a wrapped label may begin
_UNIT_SUFFIXES = tuple(sorted(UNITS, key=len, reverse=True))
_UNIT_LAST_CHARS = frozenset(u[-1] for u in UNITS)


class TableReader:
    """Reads all tables of one format from a token stream."""

    def __init__(self, fmt: Format) -> None:
        self.fmt = fmt
        self.slots: list[RowSlot] = []
        for table in fmt.tables:
            if table.kind is TableKind.SEQUENCE:
                continue
            for row in table.rows:
                variants = tuple(dict.fromkeys(label_key(v) for v in row.labels if label_key(v)))
                self.slots.append(RowSlot(table, row, len(self.slots), variants))
        self.by_suffix: dict[str, list[RowSlot]] = {}
        for slot in self.slots:
            for v in slot.variants:
                self.by_suffix.setdefault(v, []).append(slot)
        # Variants grouped by their last two characters, longest first, for suffix matching.
        by_end: dict[str, list[tuple[str, list[RowSlot]]]] = {}
        for variant, slots in self.by_suffix.items():
            by_end.setdefault(variant[-2:], []).append((variant, slots))
        self.by_end = {end: sorted(vs, key=lambda v: -len(v[0])) for end, vs in by_end.items()}
        self.anchors = {label_key(a): t for t in fmt.tables for a in t.anchors if label_key(a)}
        self.anchor_ends = tuple(self.anchors)
        self.groups = {label_key(g) for t in fmt.tables for g in t.groups}
        self.sequence = next((t for t in fmt.tables if t.kind is TableKind.SEQUENCE), None)
        column_words = {label_key(lab) for c in self.sequence.columns for lab in c.labels} if self.sequence else set()
        self.seq_header = (
            column_words
            # a column header wrapped in its narrow cell: a line of first halves, then one of second halves
            # (pdftotext -layout: "结果 结果 其他 尚未" over "维持 纠正 结果 审结")
            | {part for word in column_words if len(word) >= 4 for part in _halves(word)}
            | {label_key(lab) for r in self.sequence.rows for lab in r.labels}
            | {"行政诉讼", "行政复议"}
            if self.sequence
            else set()
        )
        self.column_labels = {label_key(lab) for t in fmt.tables for c in t.columns for lab in c.labels}
        self.seq_first_column = label_key(self.sequence.columns[0].labels[0]) if self.sequence else ""
        self.extra_column_labels = {
            label_key(lab): (t, c) for t in fmt.tables for c in t.extra_columns for lab in c.labels
        }
        self._opens_sequence: dict[str, bool] = {}
        self._indicator_cells: dict[tuple[int, ...], tuple[list[str], list[str | None]]] = {}
        # Each row's cell keys and units (grid tables; an indicator table's depend on its extra columns).
        self.row_cells: list[tuple[list[str], list[str | None]]] = [
            ([slot.table.key(slot.row, c) for c in slot.table.columns], [c.unit for c in slot.table.columns])
            for slot in self.slots
        ]

    @cached_property
    def column_starts(self) -> dict[str, list[tuple[str, int, int]]]:
        """Beginnings (2+ characters, in label-key form) of grid tables' column labels that begin exactly one
        column of their table: word → (table id, column index, column count). Space-aligned layouts break a
        header over lines (自然 / 人, 商业企 / 业)."""
        out: dict[str, list[tuple[str, int, int]]] = {}
        for table in self.fmt.tables:
            if table.kind is not TableKind.GRID:
                continue
            begins: dict[str, set[int]] = {}
            for i, column in enumerate(table.columns):
                for lab in column.labels:
                    key = label_key(lab)
                    for k in range(2, len(key) + 1):
                        begins.setdefault(key[:k], set()).add(i)
            for word, columns in begins.items():
                if len(columns) == 1:
                    out.setdefault(word, []).append((table.id, next(iter(columns)), len(table.columns)))
        return out

    def indicator_cells(self, slot: RowSlot, extra: tuple[Column, ...]) -> tuple[list[str], list[str | None]]:
        """An indicator row's cell keys and units: its value column and the table's extra columns read so far."""
        memo_key = (slot.index, *map(id, extra))
        cells = self._indicator_cells.get(memo_key)
        if cells is None:
            table = slot.table
            keys = [table.key(slot.row, c) for c in (table.columns[0], *extra)]
            cells = self._indicator_cells[memo_key] = (keys, [slot.row.unit] * len(keys))
        return cells

    def opens_sequence(self, key: str) -> bool:
        """Whether a label (key) starts the table-四 sequence (memoised: the same labels recur)."""
        opens = self._opens_sequence.get(key)
        if opens is None:
            opens = (
                self.sequence is not None
                and (
                    (key.startswith("行政复议") and len(key) <= 6)
                    or key == self.seq_first_column
                    or ("行政复议" in key and "行政诉讼" in key and len(key) <= 24)
                )
                and key not in self.by_suffix
            )
            if len(self._opens_sequence) >= 16384:
                self._opens_sequence.clear()
            self._opens_sequence[key] = opens
        return opens

    def is_sequence_header(self, key: str) -> bool:
        """Whether a (possibly run-together) label consists only of table-四 header words, the last of which
        may be cut short (a table cut off at the page edge when printed: ``总`` of 总计)."""
        for word in sorted(self.seq_header, key=len, reverse=True):
            if word:
                key = key.replace(word, "")
        return not key or any(word.startswith(key) for word in self.seq_header if len(word) > len(key))

    # -- public --------------------------------------------------------------------------------------
    def read(self, tokens: list[Token], text: str = "") -> TableResult:
        """The tables in ``tokens``; with the document's ``text``, figures in space-aligned lines can be placed
        under their column headers by position."""
        state = ReadState(self, TableResult(), text)
        feed = state.feed
        for tok in tokens:
            kind = tok.kind
            if kind is Kind.NUM or kind is Kind.BLANK:  # (what feed does with a cell)
                if state.active:
                    state.values.append(tok)
            else:
                feed(tok)
        state.flush()
        state.finish_laid_out_rows()
        state.finish_optional_blanks()
        state.finish_sequence()
        state.report_dropped_blanks()
        if state.unreadable or UNREADABLE in text:
            self._report_unreadable(state)
        # rows whose numbers, split by the table's relations, stand on several lines
        split_over_lines = {p.slot.row.key for p in state.run_rows if "\n" in text[p.runs[0].start : p.runs[-1].end]}
        RunSolver(self).solve(state)
        self._drop_listed_sub_rows(state.result)
        self._rebuild_reading_order(state.result, tokens, text)
        self._report_displaced(state.result, text, split_over_lines)
        return state.result

    def _report_unreadable(self, state: ReadState) -> None:
        """Cells the reader could not read (a table cut off at the page edge when it was printed): null, and
        named in one finding."""
        result = state.result
        keys = list(dict.fromkeys([*state.unreadable, *(k for k, raw in result.raw.items() if raw == UNREADABLE)]))
        if not keys:
            return
        span = result.provenance.get(keys[0], (0, 0))
        message = (
            f"表格有{len(keys)}个单元格没有完整印出（打印时表格超出页面，被页面边缘截断）或无法识别，"
            "无法读取，记为空值；请对照原件核实"
        )
        result.findings.append(ambiguous_cells(keys, span, UNREADABLE, message, "只读取完整印出的数字"))

    def _rebuild_reading_order(self, result: TableResult, tokens: list[Token], text: str) -> None:
        """A table whose figures could not all be given a row, standing on several lines, read again as PDF text
        in reading order (:mod:`xxgk.extract.reading_order`); if that gives the one reading under which the
        relations hold, it replaces the first reading and its findings."""
        for table_id, spans in list(result.displaced.items()):
            if not any("\n" in text[s:e] for s, e in spans):
                continue
            table = next(t for t in self.fmt.tables if t.id == table_id)
            cells = rebuild(self, tokens, table, result.values)
            if cells is None:
                continue
            own = {table.key(r, c) for r in table.rows for c in table.columns}
            for key in own:
                result.values.pop(key, None)
                result.provenance.pop(key, None)
                result.raw.pop(key, None)
            for key, tok in cells.items():
                result.values[key] = tok.value
                result.provenance[key] = (tok.start, tok.end)
                result.raw[key] = tok.text
            result.findings = [
                f for f in result.findings if not (f.category is Category.EXTRACTION and set(f.keys) <= own)
            ]
            result.extra = [e for e in result.extra if e[3] != table_id]
            del result.displaced[table_id]

    def _report_displaced(self, result: TableResult, text: str, split_over_lines: set[str]) -> None:
        """Figures the reader could not give a row, standing on several lines: the text's reading order mixed
        the table's rows (PDF text in reading order, column after column), so a row's figures are not known to
        be its own. A row whose own relations fail, that has fewer figures than cells, or whose numbers on
        several lines were split into cells by the relations (they fit, but may hold other rows' figures) is
        left unread; the table's blank and missing cells are
        reported, since a figure that belongs there may be among those without a row."""
        values = result.values
        for table in self.fmt.tables:
            if not any("\n" in text[s:e] for s, e in result.displaced.get(table.id, ())):
                continue
            reported = {k for f in result.findings if f.category is Category.EXTRACTION for k in f.keys}
            for row in table.rows:
                keys = [table.key(row, c) for c in table.columns]
                cells = [values.get(k) for k in keys]
                if all(v is None for v in cells):
                    continue
                where = [result.provenance[k] for k in keys if k in result.provenance]
                span = (min(s for s, _ in where), max(e for _, e in where)) if where else (0, 0)
                partial = None in cells and "\n" in text[span[0] : span[1]]
                holds = holds_where_known(row_checks(self.fmt.id, tuple(keys)), cells)
                split = row.key in split_over_lines
                if holds and not partial and not split:
                    continue
                raw = " ".join(str(v) for v in cells if v is not None)
                for k in keys:
                    values[k] = None
                why = (
                    "不满足本行的勾稽关系"
                    if not holds
                    else (
                        "少于本行的单元格，可能只是本行的一部分"
                        if partial
                        else "是按勾稽关系拆分的，可能含有其他行的数字"
                    )
                )
                message = (
                    f"表格的行次被打乱（数字与所在行分离），“{row.labels[0]}”读到的数字（{raw}）{why}，"
                    "也可能属于其他行；相关单元格记为空值"
                )
                result.findings.append(ambiguous_cells(keys, span, raw, message, LAYOUT_BASIS))
                reported.update(keys)
            replaced = {
                row.key.rsplit(".", 1)[-1]
                for row in table.rows
                if row.optional and any(values.get(table.key(row, c)) is not None for c in table.columns)
            }
            unsure = [
                key
                for row in table.rows
                if not row.optional and row.parent not in replaced
                for key in (table.key(row, c) for c in table.columns)
                if values.get(key) is None and key not in reported
            ]
            spans = [
                result.provenance[k]
                for r in table.rows
                for c in table.columns
                if (k := table.key(r, c)) in result.provenance
            ]
            if not unsure or not spans:
                continue
            span = (min(s for s, _ in spans), max(e for _, e in spans))
            message = (
                f"表格的行次被打乱，有数字未能确定所在的行，{len(unsure)}个空白或未读到的单元格无法确认为空白"
                "（那些数字可能属于这些单元格）；请对照原件核实"
            )
            result.findings.append(ambiguous_cells(unsure, span, "", message, LAYOUT_BASIS))

    def _drop_listed_sub_rows(self, result: TableResult) -> None:
        """A variant row that replaces a group (the 2019 single （六）其他处理 row in a 2021 table) read with
        figures, while the group's sub-rows have none: the sub-row labels were printed as the row's explanation
        (其他处理 1.申请人… 2.申请人… 3.其他 in one merged cell), not as rows of their own. They are left out, as
        a spaced copy of the same table leaves them."""
        values = result.values
        for table in self.fmt.tables:
            for row in table.rows:
                if not row.optional:
                    continue
                own = [table.key(row, c) for c in table.columns]
                if all(values.get(k) is None for k in own):
                    continue
                group = row.key.rsplit(".", 1)[-1]
                children = [r for r in table.rows if r.parent == group and r is not row]
                subs = [table.key(r, c) for r in children for c in table.columns]
                if subs and all(k in values and values[k] is None for k in subs):
                    for k in subs:
                        del values[k]
                        result.provenance.pop(k, None)
                        result.raw.pop(k, None)

    # -- label matching ------------------------------------------------------------------------------
    def match(self, pending: list[Token], cursor: int) -> RowSlot | None:
        """The row whose label ends the pending label cells (the same labels recur in every report: cached)."""
        texts = [t.text for t in pending if not t.prose]
        for text in texts[-4:]:
            if len(text) <= 2 and _numbering_fragment(text):
                texts = _join_numbering_fragments(texts)
                break
        index = _match_cached(self.fmt.id, tuple(texts[-4:]), cursor)
        if index is None and texts and label_key(texts[-1]) in self.column_labels:
            # PDF text read column after column: the column headers stand between the row label and its figures
            # (行政事业性收费 / 上一年项目数量 / 本年增/减 / 219 / +2).
            while texts and label_key(texts[-1]) in self.column_labels:
                texts = texts[:-1]
            index = _match_cached(self.fmt.id, tuple(texts[-4:]), cursor) if texts else None
        return None if index is None else self.slots[index]

    def _match(self, texts: tuple[str, ...], cursor: int) -> RowSlot | None:
        best: tuple[int, int, int, RowSlot] | None = None  # (length, in-order, -distance, slot)
        tail_keys: list[str] = []
        for k in range(1, min(len(texts), 4) + 1):
            tail_keys.append(label_key("".join(texts[-k:])))
        for tail in tail_keys:
            for cand in _with_unit_stripped(tail):
                for variant, slots in self.by_end.get(cand[-2:], ()):
                    length = len(variant)
                    if best is not None and length < best[0]:
                        break
                    if not cand.endswith(variant):
                        continue
                    if length < len(cand) and length <= 2 and cand[-length - 1] not in "0123456789":
                        continue  # short labels (其他, 总计) must stand alone or follow numbering
                    for slot in slots:
                        order = 1 if slot.index >= cursor else 0
                        score = (length, order, -abs(slot.index - cursor), slot)
                        if best is None or score[:3] > best[:3]:
                            best = score
        if best is not None:
            return best[3]
        return self._prefix(_wrapped_keys(texts), cursor) or self._fuzzy(tail_keys[0] if tail_keys else "", cursor)

    def _prefix(self, tail_keys: list[str], cursor: int) -> RowSlot | None:
        """A label wrapped over lines with the figures beside its middle line (PDF text laid out by position:
        ``5.要求行政机关确认或重`` / figures / ``新出具已获取信息``): the text so far begins exactly one of the
        next rows' labels."""
        for tail in tail_keys:
            if len(tail) < _PREFIX_CHARS:
                continue
            found = {
                slot.index
                for slot in self.slots[cursor : cursor + _PREFIX_ROWS]
                if any(v.startswith(tail) and len(v) > len(tail) for v in slot.variants)
            }
            if len(found) == 1:
                return self.slots[found.pop()]
        return None

    def _fuzzy(self, text: str, cursor: int) -> RowSlot | None:
        """Small typos (其他法律行政止公开): compare with the next few rows in table order."""
        if len(text) < 4:
            return None
        index = _fuzzy_match(self.fmt.id, text, cursor)
        return None if index is None else self.slots[index]

    # -- joint solving of run-together digits --------------------------------------------------------

    def ambiguous_finding(self, keys: list[str], span: tuple[int, int], raw: str, why: str) -> Finding:
        return ambiguous_cells(keys, span, raw, f"表格数字连写在一起（{raw}），{why}；相关单元格记为空值", RUN_BASIS)

    def keys_of(self, p: PendingRow) -> list[str]:
        return p.keys if isinstance(p, SequenceRow) else self._row_keys(p.slot)

    def _row_keys(self, slot: RowSlot) -> list[str]:
        t = slot.table
        if t.kind is TableKind.INDICATOR:
            return [slot.row.key]
        return [t.key(slot.row, c) for c in t.columns]


_NUMBERING_CHARS = frozenset("（）()、.．一二三四五六七八九十0123456789")
_CLOSING = frozenset("）)")


def _numbering_fragment(text: str) -> bool:
    """A cell that is only a piece of a label's numbering: "（", "二", "）" (a scrape that put every span of
    the Word HTML on a line of its own)."""
    stripped = text.strip()
    return bool(stripped) and all(c in _NUMBERING_CHARS for c in stripped)


def _join_numbering_fragments(texts: list[str]) -> list[str]:
    """Numbering fragments joined to the label text they belong to: a closing bracket to the text before it,
    the others to the text after (（ 二 ） 部分公开 → （二）部分公开)."""
    out: list[str] = []
    lead = ""
    for text in texts:
        if len(text) <= 2 and _numbering_fragment(text):
            if text.strip()[0] in _CLOSING and out and not lead:
                out[-1] += text.strip()
            else:
                lead += text.strip()
            continue
        out.append(lead + text)
        lead = ""
    if lead:
        if out:
            out[-1] += lead
        else:
            out.append(lead)
    return out


def _halves(word: str) -> tuple[str, str]:
    middle = len(word) // 2
    return word[:middle], word[middle:]


def _wrapped_keys(texts: tuple[str, ...]) -> list[str]:
    """The keys of the last one to three label pieces joined, and of the last three without a short middle
    piece (a merged group label broken over the same lines: ``2.申请人逾期未按收费通知要求`` / ``他处理`` /
    ``缴纳费用、行政机关不再处理其``)."""
    keys = [label_key("".join(texts[-k:])) for k in range(1, min(len(texts), 3) + 1)]
    if len(texts) >= 3 and len(label_key(texts[-2])) <= 4:
        keys.append(label_key(texts[-3] + texts[-1]))
    return keys


def _with_unit_stripped(tail: str) -> list[str]:
    """The label, and the label without a unit cell glued to it (主动公开政府信息数条1050)."""
    out = [tail]
    if not tail or tail[-1] not in _UNIT_LAST_CHARS:
        return out
    for unit in _UNIT_SUFFIXES:
        if tail.endswith(unit) and len(tail) > len(unit):
            out.append(tail[: -len(unit)])
    return out


@lru_cache(maxsize=65536)
def _match_cached(format_id: str, texts: tuple[str, ...], cursor: int) -> int | None:
    slot = reader_for(format_id)._match(texts, cursor)
    return None if slot is None else slot.index


@lru_cache(maxsize=16384)
def _fuzzy_match(format_id: str, text: str, cursor: int) -> int | None:
    reader = reader_for(format_id)
    best: tuple[float, int] | None = None
    for slot in reader.slots[cursor : cursor + 4]:
        for v in slot.variants:
            if len(v) < 4:
                continue
            tail = text[-len(v) - 3 :]
            matcher = difflib.SequenceMatcher(None, tail, v)
            if matcher.real_quick_ratio() < 0.8 or matcher.quick_ratio() < 0.8:
                continue
            ratio = matcher.ratio()
            if ratio >= 0.8 and (best is None or ratio > best[0]):
                best = (ratio, slot.index)
    return best[1] if best else None


_READERS: dict[str, TableReader] = {}


def reader_for(format_id: str) -> TableReader:
    """One reader per format (building one compiles the format's labels)."""
    reader = _READERS.get(format_id)
    if reader is None:
        from xxgk.formats import get_format

        reader = _READERS[format_id] = TableReader(get_format(format_id))
    return reader
