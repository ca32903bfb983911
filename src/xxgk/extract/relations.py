"""Evaluating the format's arithmetic relations (勾稽关系) over a mapping of values.

A relation expression is ``lhs OP rhs`` with OP in ``== <= >=``; each side is a sum of terms: a key, an
integer, ``sum(glob)`` or ``max(glob)`` over the keys present (``fnmatch`` globs). The extractor uses the
relations to split run-together digits; the audit reports the ones that fail.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import lru_cache
from operator import itemgetter

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


# A term compiled against a universe of keys: (sign, kind, constant or key, keys a glob matches, as a set).
_CONST, _KEY, _SUM, _MAX = 0, 1, 2, 3
_Compiled = tuple[int, int, "int | str", tuple[str, ...], frozenset[str]]
_NONE: frozenset[str] = frozenset()
_Getter = Callable[[Mapping[str, Number | None]], tuple[Number | None, ...]]


@dataclass(frozen=True, slots=True)
class _Plan:
    """A relation instance with every glob expanded over a universe of keys.

    An instance whose terms are all added keys and ``sum`` globs (most relations) also has the keys they read,
    in order, flattened (``keys``): when all of them are present its sides are the sums of their values.
    """

    relation: Relation
    expr: Expression
    sides: tuple[tuple[_Compiled, ...], tuple[_Compiled, ...]]
    keys: tuple[str, ...]  # the keys read, both sides in order, if the sides are plain sums (else empty)
    needed: frozenset[str]  # (the same keys, as a set)
    getter: _Getter | None  # (their values, as a tuple; None if the sides are not plain sums)
    split: int  # how many of the values are the left side's
    globs: bool  # whether a term is a glob (else an absent key means the instance does not apply)


@lru_cache(maxsize=16)
def _compiled(format_id: str, universe: tuple[str, ...]) -> tuple[tuple[_Plan, ...], frozenset[str]]:
    """The format's relation instances with every glob expanded over ``universe`` once, and every key that
    the plain sums among them read."""
    out = []
    for rel, expr in _instances(format_id):
        sides = []
        for side in (expr.lhs, expr.rhs):
            terms: list[_Compiled] = []
            for term in side:
                if term.func == "const":
                    terms.append((term.sign, _CONST, int(term.ref), (), _NONE))
                elif term.func is None:
                    terms.append((term.sign, _KEY, term.ref, (), _NONE))
                else:
                    kind = _SUM if term.func == "sum" else _MAX
                    globbed = _glob_keys(term.ref, universe)
                    terms.append((term.sign, kind, term.ref, globbed, frozenset(globbed)))
            sides.append(tuple(terms))
        lhs, rhs = sides
        # Plain: every term a key or a sum over a glob that matches a key, added (a glob matching no key at
        # all never applies, and is left to the general evaluation).
        every = lhs + rhs
        plain = all(sign == 1 and (kind == _KEY or (kind == _SUM and globbed)) for sign, kind, _, globbed, _ in every)
        flat = [[str(ref)] if kind == _KEY else list(globbed) for side in sides for _, kind, ref, globbed, _ in side]
        keys = tuple(k for ks in flat for k in ks)
        split = sum(len(ks) for ks in flat[: len(lhs)])
        globs = any(kind != _KEY for _, kind, _, _, _ in every)
        if plain:  # (each side has a term: at least two keys, the getter returns a tuple)
            out.append(_Plan(rel, expr, (lhs, rhs), keys, frozenset(keys), itemgetter(*keys), split, globs))
        else:
            out.append(_Plan(rel, expr, (lhs, rhs), (), _NONE, None, 0, globs))
    plain_keys = frozenset(k for plan in out for k in plan.keys)
    return tuple(out), plain_keys


@lru_cache(maxsize=8)
def _format_plans(format_id: str) -> tuple[tuple[_Plan, ...], frozenset[str]]:
    from xxgk.formats import get_format

    return _compiled(format_id, get_format(format_id).keys)


def _plans(fmt: Format) -> tuple[tuple[_Plan, ...], frozenset[str]]:
    from xxgk.formats import get_format

    if fmt is get_format(fmt.id):  # the registered format: no need to hash its keys to find the plans
        return _format_plans(fmt.id)
    return _compiled(fmt.id, fmt.keys)


def evaluate_all(fmt: Format, values: Mapping[str, Number | None]) -> list[Evaluation]:
    """Every applicable relation instance of ``fmt`` evaluated over ``values`` (what :func:`evaluate` gives for
    each instance whose ``applies`` holds, with the format's keys as the universe)."""
    return _evaluate_plans(fmt, values, failed_only=False)


def failed(fmt: Format, values: Mapping[str, Number | None]) -> list[Evaluation]:
    """The evaluations of :func:`evaluate_all` whose relation does not hold (``ok is False``), in its order."""
    return _evaluate_plans(fmt, values, failed_only=True)


def _evaluate_plans(fmt: Format, values: Mapping[str, Number | None], *, failed_only: bool) -> list[Evaluation]:
    out: list[Evaluation] = []
    present = values.keys()
    blanks = None in values.values()  # without blank cells no sum needs a test for None
    plans, plain_keys = _plans(fmt)
    all_present = present >= plain_keys  # then every plain sum applies, as is
    for plan in plans:
        rel = plan.relation
        if (rel.when or rel.unless) and not applies(rel, values):
            continue
        lhs: Number | None = None
        rhs: Number | None = None
        evaluated: tuple[Number | None, Number | None, Sequence[str]] | None = None
        getter = plan.getter
        if getter is not None and (all_present or present >= plan.needed):
            vals = getter(values)
            left, right = vals[: plan.split], vals[plan.split :]
            if not (blanks and None in left):
                lhs = sum(left)  # type: ignore[arg-type]
            if not (blanks and None in right):
                rhs = sum(right)  # type: ignore[arg-type]
            # Integers add up exactly in any grouping; a float total is computed term by term below.
            if lhs.__class__ is not float and rhs.__class__ is not float:
                evaluated = lhs, rhs, plan.keys
        elif getter is not None and not plan.globs:
            continue  # a key is absent: the instance does not apply
        if evaluated is None:
            evaluated = _evaluate_terms(plan.sides, values)
            if evaluated is None:
                continue
        lhs, rhs, used = evaluated
        if lhs is None or rhs is None:
            if not failed_only:
                out.append(Evaluation(rel, plan.expr, None, lhs, rhs, list(used)))
            continue
        op = plan.expr.op
        if op == "==":
            ok = abs(lhs - rhs) < 1e-6
        elif op == "<=":
            ok = lhs <= rhs + 1e-6
        else:
            ok = lhs + 1e-6 >= rhs
        if not (ok and failed_only):
            out.append(Evaluation(rel, plan.expr, ok, lhs, rhs, list(used)))
    return out


def _evaluate_terms(
    sides: tuple[tuple[_Compiled, ...], tuple[_Compiled, ...]], values: Mapping[str, Number | None]
) -> tuple[Number | None, Number | None, list[str]] | None:
    """Both sides' totals and the keys read; ``None`` when a term does not apply (an absent key, a glob that
    matches no present key)."""
    used: list[str] = []
    totals: list[Number | None] = []
    present = values.keys()
    for side in sides:
        total: Number | None = 0
        for sign, kind, ref, globbed, globset in side:
            v: Number | None
            if kind == _CONST:
                v = ref  # type: ignore[assignment]
            elif kind == _KEY:
                if ref not in values:
                    return None
                v = values[ref]  # type: ignore[index]
                used.append(ref)  # type: ignore[arg-type]
            else:
                # (all the glob's keys present, the common case, is one set test)
                matched = globbed if present >= globset else tuple(k for k in globbed if k in present)
                if not matched:
                    return None
                used.extend(matched)
                vals = tuple(map(values.__getitem__, matched))
                if None in vals:
                    v = None
                else:
                    v = sum(vals) if kind == _SUM else max(vals)  # type: ignore[arg-type,type-var]
            total = None if v is None or total is None else total + sign * v
        totals.append(total)
    return totals[0], totals[1], used


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
