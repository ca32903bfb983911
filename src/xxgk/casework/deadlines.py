"""Statutory periods for 依申请公开 cases: the answer deadline, its pauses, restarts and extensions.

Rules (《中华人民共和国政府信息公开条例》, 国务院令第711号, formats.md §6):

* Art. 31: the clock starts on the receipt date, which depends on the channel (see :mod:`workflow`).
* Art. 33: answer within 20 working days; one extension approved by the head of the 工作机构, at most 20 WD.
* Art. 30: a 补正 request stops the clock; the period restarts from the day the corrected request is received.
* Art. 32/34: time spent consulting third parties or other bodies is not counted.
* 109号 (信息处理费) [M]: the time from the fee notice to payment is not counted.
* 2007 条例 Art. 24: 15 + 15 WD for applications received before 2019-05-15.

Counting starts on the day after the start event and uses working days from :class:`WorkCalendar`
(holidays and 调休). A pause runs from the day after the pause started up to and including the day it ended.

Every number that formats.md tags [M] (or that the statute leaves to the body) is a field of
:class:`DeadlineRules`, so an administrator can change it without a code change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields, replace
from datetime import date, timedelta
from typing import Any

from xxgk.casework.calendar import WorkCalendar

__all__ = ["RULE_NOTES", "Clock", "Deadline", "DeadlineRules", "Pause", "compute_deadline"]


@dataclass(frozen=True)
class DeadlineRules:
    """Configurable statutory periods (working days unless stated)."""

    answer_days: int = 20  # Art. 33 [V]
    extension_max_days: int = 20  # Art. 33 [V]
    correction_notice_days: int = 7  # Art. 30: 一次性告知 within 7 WD of receipt [V]
    correction_reply_days: int = 15  # Art. 30: "合理的补正期限", set by the body
    third_party_reply_days: int = 15  # Art. 32/34 [V]
    fee_payment_days: int = 20  # 109号: pay within 20 WD of receiving the notice [M]
    fee_notice_pauses_clock: bool = True  # 109号: notice→payment not counted [M]
    fee_rules_effective: date = date(2021, 1, 1)  # 109号 in force [M]
    fee_method_default: str = "per_piece"  # per_piece (按件) | per_page (按量)
    legacy_cutoff: date = date(2019, 5, 15)  # 2019 条例 in force [V]
    legacy_answer_days: int = 15  # 2007 条例 Art. 24 [V S20]
    legacy_extension_max_days: int = 15  # 2007 条例 Art. 24 [V S20]
    due_soon_days: int = 5  # 即将到期 view and reminder threshold
    catalogue_publish_days: int = 20  # Art. 26 [V]

    def answer_days_for(self, receipt: date) -> int:
        return self.legacy_answer_days if receipt < self.legacy_cutoff else self.answer_days

    def extension_max_for(self, receipt: date) -> int:
        return self.legacy_extension_max_days if receipt < self.legacy_cutoff else self.extension_max_days

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        for k, v in out.items():
            if isinstance(v, date):
                out[k] = v.isoformat()
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None, base: DeadlineRules | None = None) -> DeadlineRules:
        """Rules with the overrides in ``data`` applied; bad values raise ``ValueError`` with a Chinese message."""
        rules = base or cls()
        if not data:
            return rules
        changes: dict[str, Any] = {}
        types = {f.name: f.type for f in fields(cls)}
        for key, value in data.items():
            if key not in types:
                raise ValueError(f"未知的规则项：{key}")
            current = getattr(rules, key)
            try:
                if isinstance(current, bool):
                    if isinstance(value, str):
                        value = value.strip().lower() in {"1", "true", "yes", "on", "是"}
                    changes[key] = bool(value)
                elif isinstance(current, int):
                    iv = int(value)
                    if iv < 0 or iv > 365:
                        raise ValueError
                    changes[key] = iv
                elif isinstance(current, date):
                    changes[key] = value if isinstance(value, date) else date.fromisoformat(str(value))
                else:
                    sv = str(value)
                    if key == "fee_method_default" and sv not in {"per_piece", "per_page"}:
                        raise ValueError
                    changes[key] = sv
            except (TypeError, ValueError):
                raise ValueError(f"规则项 {key} 的取值无效：{value!r}") from None
        return replace(rules, **changes)


# Label, legal basis and confidence tag of each rule, for the admin settings page.
RULE_NOTES: dict[str, tuple[str, str, str]] = {
    "answer_days": ("答复期限（工作日）", "《条例》第三十三条第二款", "V"),
    "extension_max_days": ("延期最长（工作日）", "《条例》第三十三条第二款", "V"),
    "correction_notice_days": ("补正告知期限（收到申请后，工作日）", "《条例》第三十条", "V"),
    "correction_reply_days": ("给予申请人的补正期限（工作日）", "《条例》第三十条（合理期限，由机关确定）", "I"),
    "third_party_reply_days": ("第三方/其他机关答复期限（工作日）", "《条例》第三十二条、第三十四条", "V"),
    "fee_payment_days": ("缴费期限（收到收费通知后，工作日）", "《政府信息公开信息处理费管理办法》", "M"),
    "fee_notice_pauses_clock": ("收费通知至缴费期间不计入答复期限", "《政府信息公开信息处理费管理办法》", "M"),
    "fee_rules_effective": ("信息处理费办法施行日期", "国办函〔2020〕109号", "M"),
    "fee_method_default": ("默认收费方式（per_piece 按件 / per_page 按量）", "国办函〔2020〕109号第三条", "V"),
    "legacy_cutoff": ("新《条例》施行日期", "国务院令第711号", "V"),
    "legacy_answer_days": ("旧《条例》答复期限（工作日）", "2007年《条例》第二十四条", "V"),
    "legacy_extension_max_days": ("旧《条例》延期最长（工作日）", "2007年《条例》第二十四条", "V"),
    "due_soon_days": ("“即将到期”提醒阈值（工作日）", "本系统设置", "I"),
    "catalogue_publish_days": ("主动公开时限（形成或变更后，工作日）", "《条例》第二十六条", "V"),
}


@dataclass(frozen=True, slots=True)
class Pause:
    """Time not counted: from the day after ``start`` to ``end`` inclusive (``end=None``: still running)."""

    start: date
    end: date | None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Clock:
    """What the deadline depends on, as recorded in the case's event trail."""

    receipt: date
    restart: date | None = None  # the date the corrected (补正) application was received
    stopped: bool = False  # 补正 requested and not yet received: the clock is stopped
    extension_days: int = 0
    pauses: tuple[Pause, ...] = ()


@dataclass(frozen=True, slots=True)
class Deadline:
    """The computed deadline. ``due`` is None while the clock is stopped or paused."""

    due: date | None
    state: str  # running | paused | stopped
    allowed_days: int
    start: date

    def label(self) -> str:
        if self.state == "stopped":
            return "补正期间，计时中止"
        if self.state == "paused":
            return "征求意见/缴费期间，不计入期限"
        return self.due.isoformat() if self.due else ""


def _paused(day: date, pauses: Iterable[Pause]) -> Pause | None:
    for p in pauses:
        if day > p.start and (p.end is None or day <= p.end):
            return p
    return None


def compute_deadline(clock: Clock, calendar: WorkCalendar, rules: DeadlineRules) -> Deadline:
    """The answer deadline: start + allowed working days, skipping paused days.

    Raises :class:`CalendarDataMissing` when the period runs into a year the holiday table does not know.
    """
    start = clock.restart or clock.receipt
    allowed = rules.answer_days_for(clock.receipt) + clock.extension_days
    if clock.stopped:
        return Deadline(None, "stopped", allowed, start)
    relevant = tuple(p for p in clock.pauses if p.end is None or p.end > start)
    counted = 0
    d = start
    while counted < allowed:
        d += timedelta(days=1)
        p = _paused(d, relevant)
        if p is not None:
            if p.end is None:
                return Deadline(None, "paused", allowed, start)
            continue
        if calendar.is_workday(d):
            counted += 1
    return Deadline(d, "running", allowed, start)


def working_days_left(due: date, today: date, calendar: WorkCalendar) -> int:
    """Working days from today to the due date (negative when overdue)."""
    if due >= today:
        return calendar.working_days_between(today, due)
    return -calendar.working_days_between(due, today)
