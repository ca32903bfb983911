"""Taking a workflow step from a web request, the same way on the staff pages, the portal and the JSON API:
apply it, commit it, turn a lost race with a concurrent step into :class:`ConcurrentStep`, then send the
notices it queued.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from xxgk.casework.models import Application, Event
from xxgk.casework.notify import deliver_pending
from xxgk.casework.web.deps import Ctx
from xxgk.casework.workflow import Actor, WorkflowError, apply_action, effective_rules

__all__ = ["CONFLICT_MESSAGE", "ConcurrentStep", "deliver_notices", "take_step"]

CONFLICT_MESSAGE = "该申请刚刚已由其他人办理或更新，您的操作没有保存。请核对下方的最新状态后重新操作。"


class ConcurrentStep(WorkflowError):
    """Another request changed the case between reading and saving it (the version check failed)."""

    def __init__(self, message: str = CONFLICT_MESSAGE) -> None:
        super().__init__(message)


def deliver_notices(c: Ctx) -> int:
    """Send the queued notices with the app's mail backend (failures are recorded, never raised)."""
    return deliver_pending(c.db, c.request.app.state.mail)


def take_step(c: Ctx, app: Application, action: str, actor: Actor, *, on: date,
              params: dict[str, Any] | None = None) -> Event:
    """Apply and commit one step, then deliver its notices; raises :class:`WorkflowError` (rolled back)."""
    try:
        ev = apply_action(c.db, app, action, actor, on=on, today=c.today, calendar=c.calendar(),
                          rules=effective_rules(app.agency), params=params, agency_name=app.agency.name)
        c.db.commit()
    except WorkflowError:
        c.db.rollback()
        raise
    except (StaleDataError, IntegrityError):
        # The version column (or the unique event sequence) caught a concurrent step on the same case.
        c.db.rollback()
        raise ConcurrentStep() from None
    deliver_notices(c)
    return ev
