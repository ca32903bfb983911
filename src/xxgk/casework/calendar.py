"""Working-day calendar: China's public holidays and 调休 make-up working days.

The holiday table is our own data. It is *seeded* from the ``chinesecalendar`` library (which covers only the
years it ships data for and raises for later ones) and extended by an agency administrator for years the
library does not know yet (the 国务院办公厅 notice for year N usually appears in November of year N-1).

A day is a working day when the table says so (调休 working weekend), is not a holiday in the table, and is
Monday to Friday otherwise. A year that is not in the table is *unknown*: every question about it raises
:class:`CalendarDataMissing` instead of guessing, because a deadline computed from a guessed calendar is wrong
in law.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

__all__ = [
    "HOLIDAY_NAMES_ZH",
    "CalendarDataMissing",
    "DayOverride",
    "WorkCalendar",
    "seed_overrides",
    "seed_years",
]

HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


class CalendarDataMissing(LookupError):
    """The holiday table has no data for a year; deadlines in that year cannot be computed."""

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(
            f"节假日表缺少 {year} 年的数据：请管理员根据国务院办公厅当年的放假安排通知补充该年的节假日和调休上班日，"
            "补充前无法计算该年的期限。"
        )


@dataclass(frozen=True, slots=True)
class DayOverride:
    """One entry of the holiday table: a holiday (``workday=False``) or a 调休 working day (``True``)."""

    day: date
    workday: bool
    name: str


def _holiday_name(value: object) -> str:
    raw = str(getattr(value, "value", value))
    if isinstance(raw, tuple):  # pragma: no cover - enum values are (english, chinese, days) in some versions
        raw = raw[0]
    return HOLIDAY_NAMES_ZH.get(raw, raw)


@cache
def seed_overrides() -> tuple[DayOverride, ...]:
    """The holiday table as chinesecalendar ships it (holidays and 调休 working days)."""
    from chinese_calendar import constants

    out = [DayOverride(d, False, _holiday_name(v)) for d, v in constants.holidays.items()]
    out += [DayOverride(d, True, _holiday_name(v) + "调休上班") for d, v in constants.workdays.items()]
    out.sort(key=lambda o: o.day)
    return tuple(out)


@cache
def seed_years() -> tuple[int, ...]:
    """The years chinesecalendar has data for (it raises for any other year)."""
    import chinese_calendar

    years = sorted({o.day.year for o in seed_overrides()})
    out = []
    for y in range(years[0], years[-1] + 1):
        try:
            chinese_calendar.is_workday(date(y, 6, 1))
        except NotImplementedError:
            continue
        out.append(y)
    return tuple(out)


class WorkCalendar:
    """Answers "is this a working day?" for the years it knows; raises for the others."""

    def __init__(self, overrides: Iterable[DayOverride], years: Iterable[int]) -> None:
        self._days: dict[date, DayOverride] = {o.day: o for o in overrides}
        self._years = frozenset(years)

    @classmethod
    def seeded(cls) -> WorkCalendar:
        return _seeded()

    def extended(self, overrides: Iterable[DayOverride], years: Iterable[int]) -> WorkCalendar:
        """A copy with admin-entered days (which win over the seed) and further complete years."""
        days = dict(self._days)
        for o in overrides:
            days[o.day] = o
        return WorkCalendar(days.values(), self._years | set(years))

    @property
    def years(self) -> frozenset[int]:
        return self._years

    @property
    def overrides(self) -> Mapping[date, DayOverride]:
        return self._days

    def covers(self, year: int) -> bool:
        return year in self._years

    def missing_years(self, years: Iterable[int]) -> list[int]:
        return sorted(y for y in set(years) if y not in self._years)

    def is_workday(self, day: date) -> bool:
        if day.year not in self._years:
            raise CalendarDataMissing(day.year)
        o = self._days.get(day)
        if o is not None:
            return o.workday
        return day.weekday() < 5

    def describe(self, day: date) -> str:
        """A short Chinese description: 工作日 / 周末 / the holiday's name / 调休上班."""
        if day.year not in self._years:
            return "（无节假日数据）"
        o = self._days.get(day)
        if o is not None:
            return o.name
        return "工作日" if day.weekday() < 5 else "周末"

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (counting starts the next day); n=0 returns ``start``."""
        if n < 0:
            raise ValueError("工作日数不能为负数")
        d = start
        left = n
        while left > 0:
            d += timedelta(days=1)
            if self.is_workday(d):
                left -= 1
        return d

    def working_days_between(self, start: date, end: date) -> int:
        """The number of working days in the half-open interval (start, end]; 0 if end <= start."""
        count = 0
        d = start
        while d < end:
            d += timedelta(days=1)
            if self.is_workday(d):
                count += 1
        return count

    def next_working_day(self, day: date) -> date:
        """``day`` itself if it is a working day, else the next one."""
        d = day
        while not self.is_workday(d):
            d += timedelta(days=1)
        return d


@cache
def _seeded() -> WorkCalendar:
    return WorkCalendar(seed_overrides(), seed_years())
