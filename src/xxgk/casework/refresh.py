"""Keep stored dates true when what they were computed from changes: after the holiday table is extended or
corrected, or an agency's rules change, the open cases' due dates and the catalogue's Art. 26 status are
recomputed (so the queues, the overdue count and the reminders are right without waiting for a next step).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy.orm import Session

from xxgk.casework.catalogue import recheck_art26
from xxgk.casework.db import load_calendar
from xxgk.casework.workflow import recompute_open_cases

__all__ = ["Refreshed", "refresh_dates"]


@dataclass(frozen=True, slots=True)
class Refreshed:
    cases: int  # open cases whose stored dates changed
    items: int  # catalogue items whose Art. 26 status changed


def refresh_dates(session: Session, agency_ids: Collection[int] | None = None) -> Refreshed:
    """Recompute with the holiday table as the session sees it now (pending changes flushed first)."""
    session.flush()
    calendar = load_calendar(session)
    return Refreshed(recompute_open_cases(session, calendar, agency_ids), recheck_art26(session, calendar, agency_ids))
