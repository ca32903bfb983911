"""Joint solving of run-together rows: one split per row such that every relation of the format holds.

Rows that share no relation are solved separately. Cells that differ between the consistent choices become
``None`` plus an ``extract.ambiguous_cells`` finding; where the search had to stop early, every cell of that
group is reported rather than risk a wrong one. Blank cells that left no trace make every run of the report
suspect; a row whose own relations hold in no reading gets the arithmetic finding its spaced copy would.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from xxgk.extract.relations import Expression, evaluate, expression_keys, relation_instances
from xxgk.extract.runs import (
    CANDIDATE_STEPS,
    MAX_ROW_STEPS,
    MAX_SPLITS,
    MAX_TABLE_STEPS,
    Number,
    SearchBudget,
    holds_where_known,
    linear_holds,
    row_checks,
    row_relations,
    row_splits,
    split_runs,
)
from xxgk.extract.table_data import PendingRow, TableResult
from xxgk.findings import Category, Finding, Severity
from xxgk.formats import Relation

if TYPE_CHECKING:
    from xxgk.extract.cells import ReadState
    from xxgk.extract.tables import TableReader

MAX_SOLUTIONS = 256


class RunSolver:
    """Solves the run-together rows a table reader collected."""

    def __init__(self, reader: TableReader) -> None:
        self.reader = reader
        self.fmt = reader.fmt

    def solve(self, state: ReadState) -> None:
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
            for cand in self._row_candidates(p, budget):
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
                    self._settle(pending[idx], self.reader.keys_of(pending[idx]), solutions, complete, result)
                else:
                    # The joint search gave up: a cell is still certain when every split of its own row that
                    # satisfies the row's relations gives it the same value.
                    keys = self.reader.keys_of(pending[idx])
                    own: list[dict[str, Number | None]] = [
                        dict(zip(keys, cand, strict=True)) for cand in pending[idx].candidates
                    ]
                    self._settle(pending[idx], keys, own, True, result, many="与其他行联合求解时可能的拆分过多")

    def _plan(
        self,
        state: ReadState,
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
            keys = self.reader.keys_of(p)
            if not (p.runs and p.runs[0].stream):
                continue
            runs = [t.text or None for t in p.runs]
            fewer = any(True for m in range(max(1, len(runs)), len(keys)) for _ in split_runs(runs, m))
            if fewer:
                if blanks_dropped or not row_checks(self.fmt.id, tuple(keys)):
                    suspect.append(idx)
            elif len(keys) > 1 and p.candidates and "0" in "".join(r or "" for r in runs):
                written.add(_table_of(keys[0]))
        for idx in suspect:
            p = pending[idx]
            if blanks_dropped or _table_of(self.reader.keys_of(p)[0]) not in written:
                # (where a row of this report lost blanks, they left no trace: a relation that holds for the full
                # split does not show that no blank was dropped here either)
                truncated.add(idx)
                p.candidates = p.candidates[:0]
        unknown_keys: list[list[str]] = [self.reader.keys_of(p) for p in pending]
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
        keys = self.reader.keys_of(p)
        relations = row_relations(self.fmt.id, tuple(keys))
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
            if any(linear_holds(op, terms, const, split) for split in splits):
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
        keys = self.reader.keys_of(p)
        checks = row_checks(self.fmt.id, tuple(keys))
        if not checks:
            return False
        n = len(keys)
        runs = [t.text or None for t in p.runs]
        budget = SearchBudget(MAX_ROW_STEPS)
        for m in range(max(2, len(runs)), n):
            for split in split_runs(runs, m, None, budget):
                parts = [*split[:-1], *([0] * (n - m)), split[-1]]
                if all(v is not None for v in parts) and holds_where_known(checks, parts):
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
            result.findings.append(self.reader.ambiguous_finding(keys, span, raw, "没有任何拆分能满足本表的勾稽关系"))
            result.displaced.setdefault(p.slot.table.id, []).append(span)
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
            result.findings.append(self.reader.ambiguous_finding(ambiguous, span, raw, f"{how}，无法确定"))

    def _row_candidates(self, p: PendingRow, budget: SearchBudget | None = None) -> Iterator[tuple[Number | None, ...]]:
        """Splits of the row's digits that satisfy every relation lying within the row, pruned as they grow."""
        return row_splits(self.fmt.id, tuple(self.reader.keys_of(p)), [t.text or None for t in p.runs], budget)


def _table_of(key: str) -> str:
    """The statutory table (or 第二十条 item) a cell key belongs to: art20_1 for art20_1.normative_docs.issued."""
    return key.split(".", 1)[0]
