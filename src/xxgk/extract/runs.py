"""Run-together digits → numbers: every split of a row's digit runs into its cells (``120010215`` →
12 | 0 | 0 | 10 | 2 | 15 …), pruned by the relations that lie within the row, within a search budget.

A crawl or a conversion that dropped the separators between cells leaves runs of digits; which numbers they
were is decided by the format's relations (row totals, group sums). This module enumerates the candidates;
:mod:`xxgk.extract.solver` chooses among them jointly for a whole table.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from fnmatch import fnmatchcase
from functools import lru_cache

from xxgk.extract.relations import expression_keys, relation_instances
from xxgk.extract.tokens import Kind, Token
from xxgk.formats import Relation

Number = int | float

MAX_SPLITS = 20000  # candidate splits per row kept for the joint solver
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
    checks = row_checks(format_id, keys)
    # A total still to come bounds the sum of its parts placed so far: it has at most the digits left
    # beyond one for every other number still to place (counts only: no sign in the row).
    sums = [] if any("-" in (r or "") for r in runs) else sum_checks(checks)
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


def sum_checks(checks: dict[int, list[Linear]]) -> list[tuple[tuple[int, ...], int]]:
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


def linear_holds(op: str, terms: tuple[tuple[int, int], ...], const: float, parts: Sequence[Number | None]) -> bool:
    """Whether one linear check holds for a split; a blank cell leaves it not assessable (holding)."""
    total = const
    for pos, coef in terms:
        value = parts[pos]
        if value is None:
            return True
        total += coef * value
    return not ((op == "==" and abs(total) > 1e-6) or (op == "<=" and total > 1e-6) or (op == ">=" and total < -1e-6))


def holds_where_known(checks: dict[int, list[Linear]], parts: Sequence[Number | None]) -> bool:
    """Whether a row's relations hold where they can be assessed (a blank cell leaves a relation unassessed)."""
    return all(linear_holds(op, terms, const, parts) for group in checks.values() for op, terms, const in group)


@lru_cache(maxsize=4096)
def row_checks(format_id: str, keys: tuple[str, ...]) -> dict[int, list[Linear]]:
    """The error relations that read only these cells, as linear checks ``Σ coef·cell + const OP 0``, indexed
    by the position of the last cell they need (so a split is pruned as soon as a check can be made)."""
    out: dict[int, list[Linear]] = {}
    for _, linear in row_relations(format_id, keys):
        out.setdefault(max(pos for pos, _ in linear[1]), []).append(linear)
    return out


@lru_cache(maxsize=4096)
def row_relations(format_id: str, keys: tuple[str, ...]) -> tuple[tuple[Relation, Linear], ...]:
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
    run_blanks = [blank_cells(r) for r in runs]
    capacity = [cells[1] if cells else len(r or "") for r, cells in zip(runs, run_blanks, strict=True)]
    if n < len(runs) or sum(capacity) < n:  # the most cells each run can give
        return
    parts: list[Number | None] = []
    later_digits = [sum(capacity[k + 1 :]) for k in range(len(runs))]
    last_run = len(runs) - 1

    def place(run: int, pos: int) -> Iterator[tuple[Number | None, ...]]:
        i = len(parts)
        blanks = run_blanks[run]
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
            elif valid_part(piece):
                value = to_number(piece)
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


def most_cells(toks: list[Token]) -> int:
    """The most cells these tokens can stand for if their digits ran together."""
    total = 0
    for t in toks:
        blanks = blank_cells(t.text or None) if t.kind is Kind.BLANK else None
        total += blanks[1] if blanks else len(t.text.lstrip("+-"))
    return total


def blank_cells(run: str | None) -> tuple[int, int] | None:
    """How many blank cells a run stands for (least, most), or None for a run of digits."""
    if run is None:
        return (1, 1)
    if any(c.isdigit() for c in run):
        return None
    if len(run) > 1 and all(c in _DASH_CHARS for c in run):
        return ((len(run) + 1) // 2, len(run))
    return (1, 1)


_PART = re.compile(r"[+-]?(?:0|[1-9]\d*)(?:\.\d+)?")


def valid_part(s: str) -> bool:
    """A number as written in a cell: optional sign, no leading zeros, no dangling decimal point."""
    return _PART.fullmatch(s) is not None


def to_number(s: str) -> Number:
    return float(s) if "." in s else int(s)
