"""Run-together digits → a row's cells: the pruned search finds exactly the splits a plain enumeration finds."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from xxgk.extract.runs import linear_holds, row_checks, row_splits, split_runs


def _row_keys(format_id: str, prefix: str) -> tuple[str, ...]:
    from xxgk.formats import get_format

    return tuple(
        k for k in get_format(format_id).keys if k.startswith(prefix + ".") and k.count(".") == prefix.count(".") + 1
    )


def _plain(format_id: str, keys: tuple[str, ...], runs: list[str]) -> set[tuple[object, ...]]:
    """Every split, with each row relation checked once its cells are placed (the unbounded search)."""
    checks = row_checks(format_id, keys)

    def check(i: int, parts: list[object]) -> bool:
        return all(linear_holds(op, terms, const, parts) for op, terms, const in checks.get(i, ()))  # type: ignore[arg-type]

    return set(split_runs(runs, len(keys), check))  # type: ignore[arg-type]


@settings(max_examples=150, deadline=None)
@given(cells=st.lists(st.integers(0, 400), min_size=6, max_size=6), cut=st.integers(0, 3))
def test_table_three_row_splits_are_the_plain_enumeration(cells: list[int], cut: int) -> None:
    keys = _row_keys("2021", "applications.new")
    assert len(keys) == 7 and keys[-1].endswith(".total")
    row = [str(c) for c in [*cells, sum(cells)]]
    runs = ["".join(row)] if not cut else ["".join(row[:cut]), "".join(row[cut:])]  # a space left in the run
    found = set(row_splits("2021", keys, runs))
    assert found == _plain("2021", keys, runs)
    assert tuple([*cells, sum(cells)]) in found


@settings(max_examples=100, deadline=None)
@given(groups=st.lists(st.lists(st.integers(0, 30), min_size=4, max_size=4), min_size=3, max_size=3))
def test_table_four_row_splits_are_the_plain_enumeration(groups: list[list[int]]) -> None:
    keys = (
        *_row_keys("2021", "review"),
        *_row_keys("2021", "litigation_direct"),
        *_row_keys("2021", "litigation_after_review"),
    )
    assert len(keys) == 15
    digits = "".join(str(v) for g in groups for v in [*g, sum(g)])
    found = set(row_splits("2021", keys, [digits]))
    assert found == _plain("2021", keys, [digits])
    assert tuple(v for g in groups for v in [*g, sum(g)]) in found


@given(digits=st.text(alphabet="0123456789", min_size=7, max_size=16))
@settings(max_examples=150, deadline=None)
def test_any_digits_split_as_the_plain_enumeration(digits: str) -> None:
    keys = _row_keys("2021", "applications.granted")
    assert set(row_splits("2021", keys, [digits])) == _plain("2021", keys, [digits])
