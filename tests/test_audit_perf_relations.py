"""evaluate_all and failed (the fast paths over plain sums) against evaluate, instance by instance."""

from __future__ import annotations

import random

import pytest

from xxgk.extract.relations import Number, applies, evaluate, evaluate_all, failed, relation_instances
from xxgk.formats import FORMAT_IDS, get_format


def _expected(format_id: str, values: dict[str, Number | None]) -> list[tuple[object, ...]]:
    fmt = get_format(format_id)
    out = []
    for rel, expr in relation_instances(fmt):
        if not applies(rel, values):
            continue
        ev = evaluate(expr, rel, values, fmt.keys)
        if ev is not None:
            out.append((rel.id, expr.text, ev.ok, repr(ev.lhs), repr(ev.rhs), ev.keys))
    return out


def _got(evs: list[object]) -> list[tuple[object, ...]]:
    return [(e.relation.id, e.expr.text, e.ok, repr(e.lhs), repr(e.rhs), e.keys) for e in evs]  # type: ignore[attr-defined]


def _values(fmt_id: str, rng: random.Random) -> dict[str, Number | None]:
    keys = list(get_format(fmt_id).keys)
    keys += [f"{k}#cumulative" for k in keys[:8]]
    present = rng.choice([1.0, 1.0, 0.9, 0.5])
    values: dict[str, Number | None] = {}
    for k in keys:
        if rng.random() > present:
            continue
        roll = rng.random()
        if roll < 0.05:
            values[k] = None
        elif roll < 0.15:
            values[k] = rng.choice([0.1, 0.2, 0.3, 1.5, -0.0, 1e16, 2.0])
        else:
            values[k] = rng.randint(0, 30)
    return values


@pytest.mark.parametrize("fmt_id", FORMAT_IDS)
def test_evaluate_all_equals_evaluate_per_instance(fmt_id: str) -> None:
    rng = random.Random(fmt_id)
    fmt = get_format(fmt_id)
    for _ in range(300):
        values = _values(fmt_id, rng)
        want = _expected(fmt_id, values)
        assert _got(list(evaluate_all(fmt, values))) == want
        assert _got(list(failed(fmt, values))) == [w for w in want if w[2] is False]


@pytest.mark.parametrize("fmt_id", FORMAT_IDS)
def test_consistent_tables_fail_nothing(fmt_id: str) -> None:
    fmt = get_format(fmt_id)
    assert failed(fmt, {}) == [] and evaluate_all(fmt, {}) == []
