"""The working-day calendar and the deadline calculator, checked against chinese-calendar."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xxgk.casework.calendar import CalendarDataMissing, DayOverride, WorkCalendar, seed_years
from xxgk.casework.deadlines import Clock, DeadlineRules, Pause, compute_deadline, working_days_left

CAL = WorkCalendar.seeded()
RULES = DeadlineRules()
LAST_SAFE = date(max(seed_years()), 9, 30)  # far enough from the end of the data for 60+ working days
dates = st.dates(min_value=date(2005, 1, 1), max_value=LAST_SAFE)


def cc_add(start: date, n: int) -> date:
    """Independent: walk chinese_calendar day by day."""
    d = start
    while n:
        d += timedelta(days=1)
        if chinese_calendar.is_workday(d):
            n -= 1
    return d


def test_seed_matches_chinese_calendar_every_day() -> None:
    years = seed_years()
    assert years[0] <= 2005 and years[-1] >= 2026
    d = date(years[0], 1, 1)
    end = date(years[-1], 12, 31)
    while d <= end:
        assert CAL.is_workday(d) == chinese_calendar.is_workday(d), d
        d += timedelta(days=1)


def test_tiaoxiu_and_holidays() -> None:
    assert CAL.is_workday(date(2025, 1, 26))  # Sunday 调休 before Spring Festival
    assert not CAL.is_workday(date(2025, 1, 29))  # Spring Festival
    assert not CAL.is_workday(date(2025, 10, 1))
    assert CAL.is_workday(date(2025, 9, 28))  # Sunday 调休 before National Day
    assert "春节" in CAL.describe(date(2025, 1, 29))


def test_unknown_year_raises_and_admin_can_extend() -> None:
    future = max(seed_years()) + 1
    with pytest.raises(CalendarDataMissing) as exc:
        CAL.is_workday(date(future, 3, 2))
    assert str(future) in str(exc.value) and "节假日" in str(exc.value)
    ext = CAL.extended([DayOverride(date(future, 1, 1), False, "元旦")], [future])
    assert not ext.is_workday(date(future, 1, 1))
    assert ext.covers(future) and not CAL.covers(future)


def test_national_day_2025_hand_counted() -> None:
    # 9/28 (Sun, 调休) … 10/1–10/8 holiday, 10/11 (Sat, 调休): the 20th working day after 9/26 is 10/30.
    assert CAL.add_working_days(date(2025, 9, 26), 20) == date(2025, 10, 30)


def test_year_end_and_spring_festival() -> None:
    # From 2024-12-20: 元旦 2025-01-01 off; the 20th working day is 2025-01-20.
    assert CAL.add_working_days(date(2024, 12, 20), 20) == date(2025, 1, 20)
    due = compute_deadline(Clock(receipt=date(2025, 1, 10)), CAL, RULES).due
    assert due == cc_add(date(2025, 1, 10), 20)
    assert due == date(2025, 2, 13)  # Spring Festival 1/28–2/4 not counted, 1/26 and 2/8 调休 counted


@settings(max_examples=300, deadline=None)
@given(start=dates, n=st.integers(min_value=0, max_value=45))
def test_add_working_days_property(start: date, n: int) -> None:
    d = CAL.add_working_days(start, n)
    assert d == cc_add(start, n)
    if n:
        assert chinese_calendar.is_workday(d)
        assert CAL.working_days_between(start, d) == n
        assert CAL.working_days_between(start, d - timedelta(days=1)) == n - 1


@settings(max_examples=200, deadline=None)
@given(receipt=dates, gap=st.integers(0, 30), length=st.integers(0, 40), ext=st.integers(0, 20))
def test_pause_and_extension_property(receipt: date, gap: int, length: int, ext: int) -> None:
    """Paused days are skipped entirely; an extension adds exactly ``ext`` working days."""
    p_start = receipt + timedelta(days=gap)
    p_end = p_start + timedelta(days=length)
    dl = compute_deadline(Clock(receipt=receipt, extension_days=ext, pauses=(Pause(p_start, p_end),)), CAL, RULES)
    assert dl.due is not None
    # Independent count: working days after receipt that are not in (p_start, p_end].
    d, counted = receipt, 0
    while counted < RULES.answer_days_for(receipt) + ext:
        d += timedelta(days=1)
        if p_start < d <= p_end:
            continue
        if chinese_calendar.is_workday(d):
            counted += 1
    assert dl.due == d


@settings(max_examples=150, deadline=None)
@given(receipt=dates, wait=st.integers(1, 60))
def test_correction_restarts_clock(receipt: date, wait: int) -> None:
    corrected = receipt + timedelta(days=wait)
    stopped = compute_deadline(Clock(receipt=receipt, stopped=True), CAL, RULES)
    assert stopped.due is None and stopped.state == "stopped"
    dl = compute_deadline(Clock(receipt=receipt, restart=corrected), CAL, RULES)
    assert dl.due == cc_add(corrected, RULES.answer_days_for(receipt))


def test_pause_before_restart_ignored_and_open_pause() -> None:
    r = date(2025, 3, 3)
    dl = compute_deadline(Clock(receipt=r, restart=date(2025, 4, 1), pauses=(Pause(r, date(2025, 3, 20)),)),
                          CAL, RULES)
    assert dl.due == cc_add(date(2025, 4, 1), 20)
    open_ = compute_deadline(Clock(receipt=r, pauses=(Pause(date(2025, 3, 5), None),)), CAL, RULES)
    assert open_.due is None and open_.state == "paused"


def test_legacy_rules_before_2019_05_15() -> None:
    assert compute_deadline(Clock(receipt=date(2019, 5, 14)), CAL, RULES).due == cc_add(date(2019, 5, 14), 15)
    assert compute_deadline(Clock(receipt=date(2019, 5, 15)), CAL, RULES).due == cc_add(date(2019, 5, 15), 20)
    assert RULES.extension_max_for(date(2018, 1, 1)) == 15


def test_deadline_into_unknown_year_raises() -> None:
    last = max(seed_years())
    with pytest.raises(CalendarDataMissing):
        compute_deadline(Clock(receipt=date(last, 12, 20)), CAL, RULES)


def test_rules_are_configurable_and_validated() -> None:
    r = DeadlineRules.from_json({"fee_payment_days": "15", "fee_notice_pauses_clock": "false",
                                 "fee_rules_effective": "2021-02-01"})
    assert r.fee_payment_days == 15 and r.fee_notice_pauses_clock is False
    assert r.fee_rules_effective == date(2021, 2, 1)
    with pytest.raises(ValueError, match="未知的规则项"):
        DeadlineRules.from_json({"nope": 1})
    with pytest.raises(ValueError, match="取值无效"):
        DeadlineRules.from_json({"answer_days": "abc"})
    assert DeadlineRules.from_json(r.to_json()) == r


def test_working_days_left() -> None:
    assert working_days_left(date(2025, 10, 30), date(2025, 10, 27), CAL) == 3
    assert working_days_left(date(2025, 10, 27), date(2025, 10, 30), CAL) == -3
