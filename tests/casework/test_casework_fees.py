"""信息处理费 tariffs (国办函〔2020〕109号)."""

from __future__ import annotations

import pytest

from xxgk.casework.fees import FeeTariff, per_page_fee, per_piece_fee, per_piece_rate


def test_per_piece_bands() -> None:
    assert [per_piece_rate(n) for n in (1, 10, 11, 30, 31, 40, 41, 50, 51)] == [0, 0, 100, 100, 200, 200, 300, 300, 400]
    assert per_piece_fee(0, 10) == 0
    assert per_piece_fee(10, 1) == 100
    assert per_piece_fee(0, 35) == 20 * 100 + 5 * 200


def test_per_page_bands() -> None:
    assert per_page_fee(30) == 0
    assert per_page_fee(31) == 10
    assert per_page_fee(100) == 70 * 10
    assert per_page_fee(150) == 70 * 10 + 50 * 20
    assert per_page_fee(250) == 70 * 10 + 100 * 20 + 50 * 40


def test_configurable_and_validated() -> None:
    t = FeeTariff(piece_free=5)
    assert per_piece_rate(6, t) == 100
    with pytest.raises(ValueError):
        per_page_fee(-1)
    with pytest.raises(ValueError):
        per_piece_rate(0)
