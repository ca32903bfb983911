"""Rebuild the format's tables from the token stream: match row labels, assign cells, split run-together digits.

The format drives everything: its tables' anchors switch table reading on, its row labels (with variants)
name the rows, its columns say how many cells a row has, and its relations decide how digits that were run
together (``120010215``) split into cells. Where more than one split satisfies every relation, the cells
that differ between the splits are reported as ambiguous (``None`` plus a finding), never guessed.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from functools import lru_cache

from xxgk.extract.relations import Expression, evaluate, expression_keys, relation_instances
from xxgk.extract.tokens import UNITS, Kind, Token
from xxgk.findings import Category, Finding, Severity
from xxgk.formats import Column, Format, Relation, Row, Table, TableKind, label_key

Number = int | float

MAX_PENDING = 10
MAX_SPLITS = 20000  # candidate splits per row kept for the joint solver
MAX_SOLUTIONS = 256
# Search steps (numbers placed while splitting a row's digits, rows tried while solving a table) spent on
# run-together digits: at most MAX_ROW_STEPS for one row and MAX_TABLE_STEPS for a whole table. Consistent
# tables need at most ~130 000 for a row (measured on 180 random reports); a long run of random digits would
# need billions. When a budget is spent, the cells concerned are reported as ambiguous, never guessed.
MAX_ROW_STEPS = 400_000
MAX_TABLE_STEPS = 1_500_000
CANDIDATE_STEPS = 20  # trying one row's split against the table's relations costs about 20 placed numbers


class SearchBudget:
    """A countdown of search steps shared by every split and solve of one table."""

    __slots__ = ("left", "spent")

    def __init__(self, steps: int) -> None:
        self.left = steps
        self.spent = False

    def take(self, steps: int = 1) -> bool:
        """Use ``steps``; False (and ``spent`` set) once none are left."""
        if self.left < steps:
            self.spent = True
            return False
        self.left -= steps
        return True
_UNIT_SUFFIXES = tuple(sorted(UNITS, key=len, reverse=True))
_UNIT_LAST_CHARS = frozenset(u[-1] for u in UNITS)


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


def _amount(value: Number, unit: str | None, column_unit: str | None) -> Number:
    """Convert an amount into the column's unit (万元); 176000元 → 17.6."""
    if column_unit == "万元" and unit == "元":
        return round(value / 10000, 6)
    return value


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
        """Whether a (possibly run-together) label consists only of table-四 header words."""
        for word in sorted(self.seq_header, key=len, reverse=True):
            if word:
                key = key.replace(word, "")
        return not key

    # -- public --------------------------------------------------------------------------------------
    def read(self, tokens: list[Token]) -> TableResult:
        state = _ReadState(self, TableResult())
        feed = state.feed
        for tok in tokens:
            kind = tok.kind
            if kind is _NUM or kind is _BLANK:  # (what feed does with a cell)
                if state.active:
                    state.values.append(tok)
            else:
                feed(tok)
        state.flush()
        state.finish_sequence()
        state.report_dropped_blanks()
        self._solve(state)
        self._drop_listed_sub_rows(state.result)
        return state.result

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
        return self._fuzzy(tail_keys[0] if tail_keys else "", cursor)

    def _fuzzy(self, text: str, cursor: int) -> RowSlot | None:
        """Small typos (其他法律行政止公开): compare with the next few rows in table order."""
        if len(text) < 4:
            return None
        index = _fuzzy_match(self.fmt.id, text, cursor)
        return None if index is None else self.slots[index]

    # -- joint solving of run-together digits --------------------------------------------------------
    def _solve(self, state: _ReadState) -> None:
        """Choose one split per run-together row so that every relation holds; rows that share no relation
        are solved separately. Cells that differ between the consistent choices become ``None`` plus a finding;
        if the search had to stop early, every cell of that group is reported rather than risk a wrong one."""
        pending = state.run_rows
        if not pending:
            return
        result = state.result
        truncated: set[int] = set()
        table_budget = SearchBudget(MAX_TABLE_STEPS)
        for idx, p in enumerate(pending):
            p.candidates = []
            budget = SearchBudget(min(MAX_ROW_STEPS, table_budget.left))
            for cand in self._row_candidates(p, result.values, budget):
                p.candidates.append(cand)
            table_budget.left -= min(MAX_ROW_STEPS, table_budget.left) - budget.left
            if len(p.candidates) >= MAX_SPLITS or budget.spent:
                truncated.add(idx)
        found = [list(p.candidates) for p in pending]
        blanks_dropped = state.short_rows
        outcome = self._plan(state, found, truncated, blanks_dropped, table_budget)
        if not blanks_dropped and any(failed for *_, failed in outcome):
            # No split of some run-together row satisfies its table, but one with blanks dropped does: blanks
            # left no trace somewhere, so no row of this report proves that its own blanks left one.
            blanks_dropped = True
            outcome = self._plan(state, found, truncated, True, SearchBudget(MAX_TABLE_STEPS))
        for members, solutions, complete, cut, _ in outcome:
            if complete and not solutions and not blanks_dropped:
                for idx in members:
                    result.findings.extend(self._failing_in_every_reading(pending[idx]))
            for idx in members:
                if complete or idx in cut:
                    self._settle(pending[idx], self._keys_of(pending[idx]), solutions, complete, result)
                else:
                    # The joint search gave up: a cell is still certain when every split of its own row that
                    # satisfies the row's relations gives it the same value.
                    keys = self._keys_of(pending[idx])
                    own: list[dict[str, Number | None]] = [
                        dict(zip(keys, cand, strict=True)) for cand in pending[idx].candidates
                    ]
                    self._settle(pending[idx], keys, own, True, result, many="与其他行联合求解时可能的拆分过多")

    def _plan(
        self,
        state: _ReadState,
        found: list[list[tuple[Number | None, ...]]],
        over_budget: set[int],
        blanks_dropped: bool,
        table_budget: SearchBudget,
    ) -> list[tuple[list[int], list[dict[str, Number | None]], bool, set[int], bool]]:
        """The joint solutions of each group of rows that share relations: (rows, solutions, complete, rows
        whose splits cannot be trusted, whether a group of run-together rows has no consistent split)."""
        pending = state.run_rows
        result = state.result
        truncated = set(over_budget)
        for p, cands in zip(pending, found, strict=True):
            p.candidates = list(cands)
        # In run-together text a blank cell leaves no trace, so a row with no relation of its own to place its
        # figures is certain only if its digits split into as many numbers as it has cells and in no fewer
        # (000 is 0|0|0; 207 may be 2|0|7, or 20|7 or 2|07… with a blank, or 207 and two blanks).
        # The office's own evidence that it writes every cell of a table: a row of that table whose digits can
        # only be as many numbers as it has cells (规章000), in a report where no row lost a blank. Then a sibling
        # row's digits (规范性文件308) are as many figures as cells too; offices blank by column or leave zeros
        # blank, and either would have blanked that row as well.
        suspect: list[int] = []
        written: set[str] = set()
        for idx, p in enumerate(pending):
            keys = self._keys_of(p)
            if not (p.runs and p.runs[0].stream):
                continue
            runs = [t.text or None for t in p.runs]
            fewer = any(True for m in range(max(1, len(runs)), len(keys)) for _ in split_runs(runs, m))
            if fewer:
                if blanks_dropped or not _row_checks(self.fmt.id, tuple(keys)):
                    suspect.append(idx)
            elif len(keys) > 1 and p.candidates and "0" in "".join(r or "" for r in runs):
                written.add(_table_of(keys[0]))
        for idx in suspect:
            p = pending[idx]
            if blanks_dropped or _table_of(self._keys_of(p)[0]) not in written:
                # (where a row of this report lost blanks, they left no trace: a relation that holds for the full
                # split does not show that no blank was dropped here either)
                truncated.add(idx)
                p.candidates = p.candidates[:0]
        unknown_keys: list[list[str]] = [self._keys_of(p) for p in pending]
        owner = {k: i for i, ks in enumerate(unknown_keys) for k in ks}
        all_keys = set(result.values) | set(owner)
        relevant: list[tuple[Expression, set[str], Relation]] = []
        parent = list(range(len(pending)))

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for rel, expr in relation_instances(self.fmt):
            if rel.severity != "error":
                continue
            read = expression_keys(expr, all_keys)
            rows = {owner[k] for k in read if k in owner}
            if rows and read <= all_keys:
                relevant.append((expr, read, rel))
                first, *rest = rows
                for other in rest:
                    parent[find(other)] = find(first)
        components: dict[int, list[int]] = {}
        for i in range(len(pending)):
            components.setdefault(find(i), []).append(i)
        outcome: list[tuple[list[int], list[dict[str, Number | None]], bool, set[int], bool]] = []
        for members in components.values():
            solutions: list[dict[str, Number | None]]
            if truncated & set(members):  # some split is missing: no solution could be trusted
                solutions, complete = [], False
            else:
                solutions, complete = self._search(
                    members, pending, unknown_keys, relevant, result.values, table_budget
                )
            failed = complete and not solutions and any(self._lost_blanks(pending[i]) for i in members)
            outcome.append((members, solutions, complete, truncated, failed))
        return outcome

    def _failing_in_every_reading(self, p: PendingRow) -> Iterator[Finding]:
        """The row's own relations that no split of its digits satisfies: the source does not add up however it
        is read (行政复议 1010000000050000: 结果维持 10 + 结果纠正 1, 总计 0), which its spaced copy's audit reports
        as an arithmetic finding; so does this one."""
        keys = self._keys_of(p)
        relations = _row_relations(self.fmt.id, tuple(keys))
        if not relations or not p.runs or not p.runs[0].stream:
            return
        runs = [t.text or None for t in p.runs]
        budget = SearchBudget(MAX_ROW_STEPS)
        splits = []
        for split in split_runs(runs, len(keys), None, budget):
            splits.append(split)
            if len(splits) > MAX_SPLITS:
                return
        if budget.spent or not splits:
            return
        raw = " ".join(t.text for t in p.runs)
        span = (p.runs[0].start, p.runs[-1].end)
        for rel, (op, terms, const) in relations:
            if any(_linear_holds(op, terms, const, split) for split in splits):
                continue
            read = [keys[pos] for pos, _ in terms]
            yield Finding(
                rule=f"arithmetic.{rel.id}",
                category=Category.ARITHMETIC,
                severity=Severity(rel.severity),
                message=f"{rel.message}（表格数字连写在一起，任何拆分都不能使其成立）",
                keys=read,
                span=span,
                evidence=f"{'、'.join(self.fmt.label_of(k) for k in read[:6])}：{raw}",
                basis=rel.basis,
            )

    def _lost_blanks(self, p: PendingRow) -> bool:
        """Whether a run-together row shows that blanks left no trace: no split into as many numbers as it has
        cells satisfies the row's own relations, but a split into fewer does (blanks before the 总计). A source
        that simply does not add up fails both ways and proves nothing about blanks."""
        if not p.runs or not p.runs[0].stream or p.candidates:
            return False
        keys = self._keys_of(p)
        checks = _row_checks(self.fmt.id, tuple(keys))
        if not checks:
            return False
        n = len(keys)
        runs = [t.text or None for t in p.runs]
        budget = SearchBudget(MAX_ROW_STEPS)
        for m in range(max(2, len(runs)), n):
            for split in split_runs(runs, m, None, budget):
                parts = [*split[:-1], *([0] * (n - m)), split[-1]]
                if all(v is not None for v in parts) and _holds(checks, parts):  # type: ignore[arg-type]
                    return True
        return False

    def _search(
        self,
        members: list[int],
        pending: list[PendingRow],
        unknown_keys: list[list[str]],
        relevant: list[tuple[Expression, set[str], Relation]],
        known: dict[str, Number | None],
        budget: SearchBudget,
    ) -> tuple[list[dict[str, Number | None]], bool]:
        keys_here = {k for i in members for k in unknown_keys[i]}
        checks = [(expr, read, rel) for expr, read, rel in relevant if read & keys_here]
        order = sorted(members, key=lambda i: len(pending[i].candidates))
        solutions: list[dict[str, Number | None]] = []
        assigned: dict[str, Number | None] = dict(known)
        placed: set[str] = set(known)

        def consistent(new_keys: set[str]) -> bool:
            for expr, read, rel in checks:
                if read & new_keys and read <= placed:
                    ev = evaluate(expr, rel, assigned, self.fmt.keys)
                    if ev is not None and ev.ok is False:
                        return False
            return True

        def dfs(j: int) -> None:
            if len(solutions) >= MAX_SOLUTIONS:
                return
            if j == len(order):
                solutions.append({k: assigned.get(k) for k in keys_here})
                return
            row_keys = unknown_keys[order[j]]
            new = set(row_keys)
            for cand in pending[order[j]].candidates:
                if not budget.take(CANDIDATE_STEPS):  # trying a candidate evaluates relations: dearer
                    break
                assigned.update(zip(row_keys, cand, strict=True))
                placed.update(row_keys)
                if consistent(new):
                    dfs(j + 1)
            for k in row_keys:
                assigned.pop(k, None)
                placed.discard(k)

        dfs(0)
        return solutions, len(solutions) < MAX_SOLUTIONS and not budget.spent

    def _settle(
        self,
        p: PendingRow,
        keys: list[str],
        solutions: list[dict[str, Number | None]],
        complete: bool,
        result: TableResult,
        many: str = "",
    ) -> None:
        span = (p.runs[0].start, p.runs[-1].end)
        raw = " ".join(t.text for t in p.runs)
        for k in keys:
            result.provenance[k] = span
            result.raw[k] = raw
        if not solutions and complete:
            for k in keys:
                result.values[k] = None
            result.findings.append(self._ambiguous(keys, span, raw, "没有任何拆分能满足本表的勾稽关系"))
            return
        ambiguous: list[str] = []
        for k in keys:
            seen = {sol.get(k) for sol in solutions}
            if len(seen) == 1 and complete:
                result.values[k] = seen.pop()
            else:
                result.values[k] = None
                ambiguous.append(k)
        if ambiguous:
            how = many or (f"有{len(solutions)}种拆分都满足勾稽关系" if complete else "可能的拆分过多")
            result.findings.append(self._ambiguous(ambiguous, span, raw, f"{how}，无法确定"))

    def _ambiguous(self, keys: list[str], span: tuple[int, int], raw: str, why: str) -> Finding:
        return Finding(
            rule="extract.ambiguous_cells",
            category=Category.EXTRACTION,
            severity=Severity.WARNING,
            message=f"表格数字连写在一起（{raw}），{why}；相关单元格记为空值",
            keys=keys,
            span=span,
            evidence=raw,
            basis="数字之间没有分隔符，只能依据表格自身的勾稽关系拆分",
        )

    def _keys_of(self, p: PendingRow) -> list[str]:
        return p.keys if isinstance(p, _SequenceRow) else self._row_keys(p.slot)

    def _row_keys(self, slot: RowSlot) -> list[str]:
        t = slot.table
        if t.kind is TableKind.INDICATOR:
            return [slot.row.key]
        return [t.key(slot.row, c) for c in t.columns]

    def _row_candidates(
        self, p: PendingRow, known: dict[str, Number | None], budget: SearchBudget | None = None
    ) -> Iterator[tuple[Number | None, ...]]:
        """Splits of the row's digits that satisfy every relation lying within the row, pruned as they grow."""
        return row_splits(self.fmt.id, tuple(self._keys_of(p)), [t.text or None for t in p.runs], budget)


Linear = tuple[str, tuple[tuple[int, int], ...], float]


def row_splits(
    format_id: str, keys: tuple[str, ...], runs: Sequence[str | None], budget: SearchBudget | None = None
) -> Iterator[tuple[Number | None, ...]]:
    """The splits of a row's digit runs into its cells that satisfy every relation lying within the row.

    The search is pruned as it grows: a relation is checked as soon as its cells are placed, and where the
    row ends in its total (总计 = the sum of the other cells), each way the last run can end in that total is
    tried first and the cells before it are searched with their sum bounded by it (from above, and from below
    by what the digits still to place can add up to).
    """
    checks = _row_checks(format_id, keys)
    # A total still to come bounds the sum of its parts placed so far: it has at most the digits left
    # beyond one for every other number still to place (counts only: no sign in the row).
    sums = [] if any("-" in (r or "") for r in runs) else _sum_checks(checks)
    left = [_NO_BOUND, 0]
    n = len(keys)
    last_total = next((members for members, at in sums if at == n - 1), None)
    sums = [(members, at) for members, at in sums if at != n - 1]  # (that one is bounded by ``target``)
    target: list[Number] = [0]  # the row's last cell, when the search starts from it

    def check(i: int, parts: list[Number | None]) -> bool:
        if last_total is not None and i < n - 1:
            placed: Number = 0
            for pos in last_total:
                if pos <= i:
                    v = parts[pos]
                    if v is not None:
                        placed += v
            if placed > target[0]:
                return False
            if left[0] < 12 and len(last_total) == n - 1:
                # the numbers still to place cannot make up the rest of the total
                most = 10 ** max(0, left[0] - left[1] + 1) + 9 * left[1] if left[1] else 0
                if placed + most < target[0]:
                    return False
        if sums and left[0] < 12:
            cap = 10 ** max(0, left[0] - left[1] + 1)
            for members, total_at in sums:
                if total_at > i:
                    placed = 0
                    for pos in members:
                        if pos <= i:
                            v = parts[pos]
                            if v is not None:
                                placed += v
                    if placed >= cap:
                        return False
        for op, terms, const in checks.get(i, ()):
            total = const
            for pos, coef in terms:
                value = parts[pos]
                if value is None:  # a blank cell: the relation cannot be assessed
                    break
                total += coef * value
            else:
                if (
                    (op == "==" and abs(total) > 1e-6)
                    or (op == "<=" and total > 1e-6)
                    or (op == ">=" and total < -1e-6)
                ):
                    return False
        return True

    last = runs[-1] if runs else None
    if last_total is not None and last is not None and last.isdecimal() and n > 1:
        # The total at the end of the row: try each way the last run ends in it, then split what is left
        # with the sum of its parts bounded by it (a subset-sum search instead of every split).
        count = 0
        for length in range(1, len(last) + 1):
            piece = last[-length:]
            if piece[0] == "0" and length > 1:
                continue
            target[0] = int(piece)
            head = [*runs[:-1], last[:-length]] if length < len(last) else runs[:-1]
            if not head:
                continue
            for parts in split_runs(head, n - 1, check, budget, left):
                full = [*parts, target[0]]
                if check(n - 1, full):
                    yield tuple(full)
                    count += 1
                    if count >= MAX_SPLITS:
                        return
        return
    for count, parts in enumerate(split_runs(runs, n, check, budget, left), start=1):
        yield parts
        if count >= MAX_SPLITS:
            return


def _sum_checks(checks: dict[int, list[Linear]]) -> list[tuple[tuple[int, ...], int]]:
    """The checks that say one cell (the total) is the sum of earlier cells: (the parts' positions, the
    total's position)."""
    out: list[tuple[tuple[int, ...], int]] = []
    for group in checks.values():
        for op, terms, const in group:
            if op != "==" or const or len(terms) < 2:
                continue
            total_at = max(pos for pos, _ in terms)
            sign = dict(terms)[total_at]
            if abs(sign) == 1 and all(c == -sign for pos, c in terms if pos != total_at):
                out.append((tuple(pos for pos, _ in terms if pos != total_at), total_at))
    return out


def _linear_holds(op: str, terms: tuple[tuple[int, int], ...], const: float, parts: Sequence[Number | None]) -> bool:
    """Whether one linear check holds for a split; a blank cell leaves it not assessable (holding)."""
    total = const
    for pos, coef in terms:
        value = parts[pos]
        if value is None:
            return True
        total += coef * value
    return not ((op == "==" and abs(total) > 1e-6) or (op == "<=" and total > 1e-6) or (op == ">=" and total < -1e-6))


def _holds(checks: dict[int, list[Linear]], parts: list[Number]) -> bool:
    """Whether a complete row satisfies its linear relations."""
    for group in checks.values():
        for op, terms, const in group:
            total = const + sum(coef * parts[pos] for pos, coef in terms)
            if (op == "==" and abs(total) > 1e-6) or (op == "<=" and total > 1e-6) or (op == ">=" and total < -1e-6):
                return False
    return True


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


@lru_cache(maxsize=4096)
def _row_checks(format_id: str, keys: tuple[str, ...]) -> dict[int, list[Linear]]:
    """The error relations that read only these cells, as linear checks ``Σ coef·cell + const OP 0``, indexed
    by the position of the last cell they need (so a split is pruned as soon as a check can be made)."""
    out: dict[int, list[Linear]] = {}
    for _, linear in _row_relations(format_id, keys):
        out.setdefault(max(pos for pos, _ in linear[1]), []).append(linear)
    return out


@lru_cache(maxsize=4096)
def _row_relations(format_id: str, keys: tuple[str, ...]) -> tuple[tuple[Relation, Linear], ...]:
    """The error relations that read only these cells, each with its linear check."""
    from xxgk.formats import get_format

    fmt = get_format(format_id)
    position = {k: i for i, k in enumerate(keys)}
    out: list[tuple[Relation, Linear]] = []
    for rel, expr in relation_instances(fmt):
        if rel.severity != "error" or rel.when or rel.unless:
            continue
        read = expression_keys(expr, fmt.keys)
        if not read or not read <= set(position):
            continue
        coeffs: dict[int, int] = {}
        const = 0.0
        linear = True
        for side, sign in ((expr.lhs, 1), (expr.rhs, -1)):
            for term in side:
                if term.func == "const":
                    const += sign * term.sign * int(term.ref)
                elif term.func == "max":
                    linear = False
                else:
                    matched = [term.ref] if term.func is None else [k for k in keys if fnmatchcase(k, term.ref)]
                    for k in matched:
                        coeffs[position[k]] = coeffs.get(position[k], 0) + sign * term.sign
        if not linear:
            continue
        terms = tuple((pos, c) for pos, c in coeffs.items() if c)
        if terms:
            out.append((rel, (expr.op, terms, const)))
    return tuple(out)


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


def _table_of(key: str) -> str:
    """The statutory table (or 第二十条 item) a cell key belongs to: art20_1 for art20_1.normative_docs.issued."""
    return key.split(".", 1)[0]


def split_runs(
    runs: Sequence[str | None],
    n: int,
    check: Callable[[int, list[Number | None]], bool] | None = None,
    budget: SearchBudget | None = None,
    left: list[int] | None = None,
) -> Iterator[tuple[Number | None, ...]]:
    """Every way to cut the digit runs into ``n`` numbers (each run into ≥ 1 numbers, no leading zeros).

    A run without digits is blank: ``None`` (or ``无``, ``/``) is exactly one blank cell; a run of ``k`` dashes
    is ``k`` cells written ``—`` or fewer written ``——`` (between ⌈k/2⌉ and ``k`` blank cells).

    ``check(i, parts)`` is called as the ``i``-th number is placed; returning False prunes that branch, so
    relations within a row cut the search down long before the product of all positions is enumerated.
    With a ``budget``, each number placed costs one step and the enumeration stops (``budget.spent``) when
    none are left. With ``left``, ``check`` can read there the digits and the numbers still to place after
    the one just placed (``left[0]``, ``left[1]``; a blank cell sets no bound).
    """
    blank_cells = [_blank_cells(r) for r in runs]
    capacity = [cells[1] if cells else len(r or "") for r, cells in zip(runs, blank_cells, strict=True)]
    if n < len(runs) or sum(capacity) < n:  # the most cells each run can give
        return
    parts: list[Number | None] = []
    later_digits = [sum(capacity[k + 1 :]) for k in range(len(runs))]
    last_run = len(runs) - 1

    def place(run: int, pos: int) -> Iterator[tuple[Number | None, ...]]:
        i = len(parts)
        blanks = blank_cells[run]
        if blanks is not None:  # blank cells: none of them constrains a relation
            least, most = blanks
            if left is not None:
                left[0] = _NO_BOUND
            for count in range(least, min(most, n - i) + 1):
                parts.extend([None] * count)
                if check is None or all(check(i + k, parts[: i + k + 1]) for k in range(count)):
                    if run == last_run:
                        if len(parts) == n:
                            yield tuple(parts)
                    else:
                        yield from place(run + 1, 0)
                del parts[i:]
            return
        text = runs[run]
        assert text is not None
        if pos == len(text):  # this run is used up: the next one starts a new number
            if run == last_run:
                if i == n:
                    yield tuple(parts)
                return
            yield from place(run + 1, 0)
            return
        if i == n:
            return
        digits_left = later_digits[run] + len(text) - pos
        runs_left = last_run - run
        numbers_left = n - i
        if digits_left < numbers_left or numbers_left < runs_left + 1:
            return
        # Leave one digit for every later number; the last number of the last run takes all that is left.
        longest = min(len(text), pos + digits_left - (numbers_left - 1))
        first_end = longest if (numbers_left == 1 and runs_left == 0) else pos + 1
        for end in range(first_end, longest + 1):
            piece = text[pos:end]
            if piece.isdecimal():  # the common case, without the regular expression
                if piece[0] == "0" and len(piece) > 1:
                    break  # a leading zero: every longer piece has it too
                value: Number = int(piece)
            elif _valid_part(piece):
                value = _to_number(piece)
            else:
                if piece.lstrip("+-").startswith("0") and len(piece.lstrip("+-")) >= 1 and piece not in ("+", "-"):
                    break
                continue
            if budget is not None:
                if budget.left <= 0:
                    budget.spent = True
                    return
                budget.left -= 1
            parts.append(value)
            if left is not None:
                left[0] = digits_left - (end - pos)
                left[1] = numbers_left - 1
            if check is None or check(i, parts):
                yield from place(run, end)
            parts.pop()

    yield from place(0, 0)


_DASH_CHARS = frozenset("—―–")
_NO_BOUND = 1 << 30


def _most_cells(toks: list[Token]) -> int:
    """The most cells these tokens can stand for if their digits ran together."""
    total = 0
    for t in toks:
        blanks = _blank_cells(t.text or None) if t.kind is Kind.BLANK else None
        total += blanks[1] if blanks else len(t.text.lstrip("+-"))
    return total


def _blank_cells(run: str | None) -> tuple[int, int] | None:
    """How many blank cells a run stands for (least, most), or None for a run of digits."""
    if run is None:
        return (1, 1)
    if any(c.isdigit() for c in run):
        return None
    if len(run) > 1 and all(c in _DASH_CHARS for c in run):
        return ((len(run) + 1) // 2, len(run))
    return (1, 1)


_PART = re.compile(r"[+-]?(?:0|[1-9]\d*)(?:\.\d+)?")


def _valid_part(s: str) -> bool:
    """A number as written in a cell: optional sign, no leading zeros, no dangling decimal point."""
    return _PART.fullmatch(s) is not None


def _to_number(s: str) -> Number:
    return float(s) if "." in s else int(s)


class _ReadState:
    """The streaming state while reading tokens."""

    def __init__(self, reader: TableReader, result: TableResult) -> None:
        self.reader = reader
        self.result = result
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
        self.short_rows = False  # whether a row had fewer figures than cells with no blank marked among them
        # rows whose blank cells left no trace: (row label, keys, span, numbers as written)
        self.dropped_blanks: list[tuple[str, list[str], tuple[int, int], str]] = []

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
            self.run_rows.append(_SequenceRow(slot, toks, keys))
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
        # ``——`` may be one cell or two
        glued_dashes = any(t.glued and len(t.text) > 1 and t.kind is _BLANK for t in toks)
        if len(nums) < n and (glued_dashes or any(t.run for t in nums)) and _most_cells(toks) >= n:
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
        if len(nums) == len(toks) < n and nums[0].stream and _most_cells(toks) < n:
            # run-together text with too few digits for the cells: blanks left no trace
            self._assign_run_with_dropped_blanks(slot, keys, units, nums)
            return
        toks = _trim_blanks(toks, n)
        for i, key in enumerate(keys):
            if i < len(toks):
                self._set(key, toks[i], units[i])
            else:
                self.result.values[key] = None

    def _assign_with_extra_column(
        self, slot: RowSlot, keys: list[str], units: list[str | None], nums: list[Token]
    ) -> None:
        """More numbers than statutory columns: a column the format does not have (法人或其他组织小计 …).

        The column is the one whose removal lets the row's own relations hold (a remembered position for the
        table wins when several do); its numbers go to ``extra``. If the table cannot tell, the row's cells are
        reported instead of guessed."""
        n = len(keys)
        checks = _row_checks(self.reader.fmt.id, tuple(keys))
        candidates: list[int] = []
        if len(nums) == n + 1:
            for p in range(n + 1):
                parts = [t.value for i, t in enumerate(nums) if i != p]
                if all(v is not None for v in parts) and _holds(checks, parts):  # type: ignore[arg-type]
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
            span = (nums[0].start, nums[-1].end)
            raw = " ".join(t.text for t in nums)
            for key in keys:
                self.result.values[key] = None
                self.result.provenance[key] = span
                self.result.raw[key] = raw
            self.result.findings.append(
                self.reader._ambiguous(
                    keys, span, raw, f"本行有{len(nums)}个数字，多于法定的{n}列，无法判断哪一列是表外列"
                )
            )
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
        checks = _row_checks(self.reader.fmt.id, tuple(keys))
        if not checks:
            return False
        head = [t.value for t in nums[:-1]]
        last = nums[-1].value
        if last is None or any(v is None for v in head):
            return False
        parts: list[Number] = [*head, *([0] * (n - k)), last]  # type: ignore[list-item]
        if not _holds(checks, parts):
            return False
        for key, tok, unit in zip(keys[: k - 1], nums[:-1], units, strict=False):
            self._set(key, tok, unit)
        for key in keys[k - 1 : n - 1]:
            self.result.values[key] = None
        self._set(keys[-1], nums[-1], units[-1])
        raw = " ".join(t.text for t in nums)
        self.dropped_blanks.append((slot.row.labels[0], keys, (nums[0].start, nums[-1].end), raw))
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
        checks = _row_checks(self.reader.fmt.id, tuple(keys))
        runs = [t.text for t in nums]
        readings: set[tuple[Number, ...]] = set()
        budget = SearchBudget(MAX_ROW_STEPS)
        if checks:
            for m in range(max(2, len(runs)), min(_most_cells(nums), n) + 1):
                for split in split_runs(runs, m, None, budget):
                    parts = [*split[:-1], *([0] * (n - m)), split[-1]]
                    if all(v is not None for v in parts) and _holds(checks, parts):  # type: ignore[arg-type]
                        readings.add(tuple(split))  # type: ignore[arg-type]
                    if len(readings) > 1:
                        break
        span = (nums[0].start, nums[-1].end)
        raw = " ".join(runs)
        if len(readings) != 1 or budget.spent:
            for key in keys:
                self.result.values[key] = None
                self.result.provenance[key] = span
                self.result.raw[key] = raw
            why = f"数字少于本行的{n}列，空白单元格没有留下分隔，" + (
                "有多种拆分都满足勾稽关系"
                if readings
                else ("没有任何拆分能满足本行的勾稽关系" if checks else "本行没有勾稽关系可以确定各数字所在的列")
            )
            self.result.findings.append(self.reader._ambiguous(keys, span, raw, why))
            return
        (reading,) = readings
        # The total is certain; the other figures keep their order, but which columns they stand in (and which
        # were blank) the text no longer says: those cells are reported, not guessed.
        total = keys[-1]
        self.result.values[total] = reading[-1]
        self.result.provenance[total] = span
        self.result.raw[total] = raw
        unplaced = keys[:-1]
        for key in unplaced:
            self.result.values[key] = None
            self.result.provenance[key] = span
            self.result.raw[key] = raw
        figures = "、".join(str(v) for v in reading[:-1])
        self.result.findings.append(
            self.reader._ambiguous(
                unplaced,
                span,
                raw,
                f"数字少于本行的{n}列，空白单元格没有留下分隔：合计为{reading[-1]}，其余数字（{figures}）"
                "所在的列无法确定",
            )
        )

    def report_dropped_blanks(self) -> None:
        """One finding for the rows whose blank cells were placed by :meth:`_assign_with_dropped_blanks`."""
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
                    "（总计），其余数字依次记入前几列，中间各列记为空值，请对照原件核实"
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


class _SequenceRow(PendingRow):
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
