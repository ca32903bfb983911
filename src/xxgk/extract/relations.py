"""Evaluating the format's arithmetic relations (勾稽关系) over a mapping of values.

A relation expression is ``lhs OP rhs`` with OP in ``== <= >=``; each side is a sum of terms: a key, an
integer, ``sum(glob)`` or ``max(glob)`` over the keys present (``fnmatch`` globs). The extractor uses the
relations to split run-together digits; the audit reports the ones that fail.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import lru_cache

from xxgk.formats import Format, Relation

Number = int | float

_TERM = re.compile(r"\s*([+-])?\s*(sum|max)?\(?\s*([A-Za-z0-9_.*#{}]+)\s*\)?\s*")
_OPS = ("==", "<=", ">=")


@dataclass(frozen=True, slots=True)
class Term:
    sign: int
    func: str | None  # None = single key, "sum" / "max" over a glob, "const"
    ref: str


@dataclass(frozen=True, slots=True)
class Expression:
    lhs: tuple[Term, ...]
    op: str
    rhs: tuple[Term, ...]
    text: str


@lru_cache(maxsize=8192)
def parse_expression(text: str) -> Expression:
    for op in _OPS:
        if op in text:
            left, right = text.split(op, 1)
            return Expression(_side(left), op, _side(right), text)
    raise ValueError(f"relation without comparator: {text!r}")


def _side(text: str) -> tuple[Term, ...]:
    terms: list[Term] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TERM.match(text, pos)
        if not m or m.end() == pos:
            raise ValueError(f"cannot parse relation side {text!r} at {pos}")
        sign = -1 if m.group(1) == "-" else 1
        func, ref = m.group(2), m.group(3)
        if func is None and ref.isdigit():
            terms.append(Term(sign, "const", ref))
        else:
            terms.append(Term(sign, func, ref))
        pos = m.end()
    return tuple(terms)


@dataclass(slots=True)
class Evaluation:
    """The outcome of one relation instance: ``ok`` is None when not assessable (blank or absent cells)."""

    relation: Relation
    expr: Expression
    ok: bool | None
    lhs: Number | None
    rhs: Number | None
    keys: list[str]


@lru_cache(maxsize=65536)
def _glob_keys(pattern: str, universe: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(k for k in universe if fnmatchcase(k, pattern))


def _resolve(
    term: Term, values: Mapping[str, Number | None], universe: tuple[str, ...]
) -> tuple[Number | None, list[str], bool]:
    """(value, keys used, applicable). Absent single keys make the relation inapplicable."""
    if term.func == "const":
        return int(term.ref), [], True
    if term.func is None:
        if term.ref not in values:
            return None, [term.ref], False
        return values[term.ref], [term.ref], True
    matched = [k for k in _glob_keys(term.ref, universe) if k in values]
    if not matched:
        return None, [], False
    vals = [values[k] for k in matched]
    if any(v is None for v in vals):
        return None, matched, True
    nums = [v for v in vals if v is not None]
    return (sum(nums) if term.func == "sum" else max(nums)), matched, True


def evaluate(
    expr: Expression, relation: Relation, values: Mapping[str, Number | None], universe: tuple[str, ...] | None = None
) -> Evaluation | None:
    """Evaluate one instance; ``None`` if it does not apply (its keys are not in the report).

    ``universe`` is every key a glob may match (the format's keys); by default the keys of ``values``.
    """
    keys = universe if universe is not None else tuple(values)
    used: list[str] = []
    sides: list[Number | None] = []
    for side in (expr.lhs, expr.rhs):
        total: Number | None = 0
        for term in side:
            v, ks, applicable = _resolve(term, values, keys)
            if not applicable:
                return None
            used.extend(ks)
            total = None if v is None or total is None else total + term.sign * v
        sides.append(total)
    lhs, rhs = sides
    if lhs is None or rhs is None:
        return Evaluation(relation, expr, None, lhs, rhs, used)
    if expr.op == "==":
        ok = abs(lhs - rhs) < 1e-6
    elif expr.op == "<=":
        ok = lhs <= rhs + 1e-6
    else:
        ok = lhs + 1e-6 >= rhs
    return Evaluation(relation, expr, ok, lhs, rhs, used)


def relation_instances(fmt: Format) -> list[tuple[Relation, Expression]]:
    return _instances(fmt.id)


@lru_cache(maxsize=8)
def _instances(format_id: str) -> list[tuple[Relation, Expression]]:
    from xxgk.formats import get_format

    fmt = get_format(format_id)
    return [(rel, parse_expression(text)) for rel in fmt.relations for text, _ in rel.instances()]


def applies(relation: Relation, values: Mapping[str, Number | None]) -> bool:
    return all(k in values for k in relation.when) and not any(k in values for k in relation.unless)


# A term compiled against a universe of keys: (sign, kind, constant or key, keys a glob matches).
_CONST, _KEY, _SUM, _MAX = 0, 1, 2, 3
_Compiled = tuple[int, int, "int | str", tuple[str, ...]]


@lru_cache(maxsize=16)
def _compiled(
    format_id: str, universe: tuple[str, ...]
) -> list[tuple[Relation, Expression, tuple[tuple[_Compiled, ...], tuple[_Compiled, ...]]]]:
    """The format's relation instances with every glob expanded over ``universe`` once."""
    out = []
    for rel, expr in _instances(format_id):
        sides = []
        for side in (expr.lhs, expr.rhs):
            terms: list[_Compiled] = []
            for term in side:
                if term.func == "const":
                    terms.append((term.sign, _CONST, int(term.ref), ()))
                elif term.func is None:
                    terms.append((term.sign, _KEY, term.ref, ()))
                else:
                    kind = _SUM if term.func == "sum" else _MAX
                    terms.append((term.sign, kind, term.ref, _glob_keys(term.ref, universe)))
            sides.append(tuple(terms))
        out.append((rel, expr, (sides[0], sides[1])))
    return out


def evaluate_all(fmt: Format, values: Mapping[str, Number | None]) -> list[Evaluation]:
    """Every applicable relation instance of ``fmt`` evaluated over ``values`` (what :func:`evaluate` gives for
    each instance whose ``applies`` holds, with the format's keys as the universe)."""
    out: list[Evaluation] = []
    for rel, expr, sides in _compiled(fmt.id, fmt.keys):
        if (rel.when or rel.unless) and not applies(rel, values):
            continue
        used: list[str] = []
        totals: list[Number | None] = []
        for side in sides:
            total: Number | None = 0
            for sign, kind, ref, globbed in side:
                v: Number | None
                if kind == _CONST:
                    v = ref  # type: ignore[assignment]
                elif kind == _KEY:
                    if ref not in values:
                        break
                    v = values[ref]  # type: ignore[index]
                    used.append(ref)  # type: ignore[arg-type]
                else:
                    matched = [k for k in globbed if k in values]
                    if not matched:
                        break
                    used.extend(matched)
                    vals = [values[k] for k in matched]
                    if any(x is None for x in vals):
                        v = None
                    else:
                        nums = [x for x in vals if x is not None]
                        v = sum(nums) if kind == _SUM else max(nums)
                total = None if v is None or total is None else total + sign * v
            else:
                totals.append(total)
                continue
            break  # a term does not apply: neither does the instance
        else:
            lhs, rhs = totals
            if lhs is None or rhs is None:
                out.append(Evaluation(rel, expr, None, lhs, rhs, used))
                continue
            if expr.op == "==":
                ok = abs(lhs - rhs) < 1e-6
            elif expr.op == "<=":
                ok = lhs <= rhs + 1e-6
            else:
                ok = lhs + 1e-6 >= rhs
            out.append(Evaluation(rel, expr, ok, lhs, rhs, used))
    return out


def expression_keys(expr: Expression, universe: Iterable[str]) -> set[str]:
    """The keys of ``universe`` an expression reads (globs expanded)."""
    universe = list(universe)
    out: set[str] = set()
    for term in (*expr.lhs, *expr.rhs):
        if term.func == "const":
            continue
        if term.func is None:
            out.add(term.ref)
        else:
            out.update(k for k in universe if fnmatchcase(k, term.ref))
    return out
