"""An audit history as a page shows it (an order's events, an organization's people changes):
newest first, the id breaking ties between events of the same moment, a page at a time, counted
and paged by the database (portal/infra/paging.py)."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal.infra import paging
from portal.infra.db import db
from portal.models import AuditEvent

PAGE_SIZE = 20


@dataclass(frozen=True)
class History:
    events: list[AuditEvent]
    total: int
    page: int
    pages: int


def page_of(*where, page: int = 1, size: int = PAGE_SIZE) -> History:
    """The events matching ``where`` on the requested page (clamped to those that exist), with
    their actors loaded: two queries and one for the actors, whatever the number of events."""
    total = db.scalar(select(func.count(AuditEvent.id)).where(*where))
    shown = paging.window(total, page, size)
    events = db.scalars(
        select(AuditEvent)
        .where(*where)
        .options(selectinload(AuditEvent.actor))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(shown.size)
        .offset(shown.offset)
    ).all()
    return History(list(events), total, shown.page, shown.pages)
