"""信息处理费 under 《政府信息公开信息处理费管理办法》 (国办函〔2020〕109号), formats.md §6.6.

Two progressive (超额累进) tariffs; one is chosen per application, never both:

* 按件 (per application, counted per applicant per calendar month): the first 10 free, the 11th–30th 100 元
  each, then bands of 10 each adding 100 元 per application (31–40: 200 元, 41–50: 300 元, …).
* 按量 (per page): up to 30 pages free, pages 31–100 10 元, 101–200 20 元, from 201 40 元 per page.

The tariffs are data (:class:`FeeTariff`) so they can be changed by configuration.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_TARIFF", "FeeTariff", "per_page_fee", "per_piece_fee"]


@dataclass(frozen=True)
class FeeTariff:
    piece_free: int = 10
    piece_first_band_end: int = 30
    piece_first_rate: int = 100
    piece_band_size: int = 10
    piece_band_step: int = 100
    # (last page of band or None for open-ended, 元 per page)
    page_bands: tuple[tuple[int | None, int], ...] = ((30, 0), (100, 10), (200, 20), (None, 40))


DEFAULT_TARIFF = FeeTariff()


def per_piece_rate(nth_in_month: int, tariff: FeeTariff = DEFAULT_TARIFF) -> int:
    """The fee (元) for the applicant's n-th application in the calendar month."""
    if nth_in_month < 1:
        raise ValueError("申请序号必须从1开始")
    if nth_in_month <= tariff.piece_free:
        return 0
    if nth_in_month <= tariff.piece_first_band_end:
        return tariff.piece_first_rate
    band = (nth_in_month - tariff.piece_first_band_end - 1) // tariff.piece_band_size + 1
    return tariff.piece_first_rate + band * tariff.piece_band_step


def per_piece_fee(count_before: int, count_now: int = 1, tariff: FeeTariff = DEFAULT_TARIFF) -> int:
    """Total fee for ``count_now`` applications after ``count_before`` earlier ones in the same month."""
    if count_before < 0 or count_now < 0:
        raise ValueError("件数不能为负数")
    return sum(per_piece_rate(n, tariff) for n in range(count_before + 1, count_before + count_now + 1))


def per_page_fee(pages: int, tariff: FeeTariff = DEFAULT_TARIFF) -> int:
    """Progressive fee (元) for ``pages`` pages."""
    if pages < 0:
        raise ValueError("页数不能为负数")
    total = 0
    lower = 0
    for upper, rate in tariff.page_bands:
        top = pages if upper is None else min(pages, upper)
        if top > lower:
            total += (top - lower) * rate
        if upper is None or pages <= upper:
            break
        lower = upper
    return total
