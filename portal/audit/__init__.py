"""Recording audit events inside the caller's transaction."""

from portal.infra import clock
from portal.infra.db import db
from portal.models import AuditEvent


def record(action: str, *, actor=None, organization_id=None, order_id=None, **details) -> AuditEvent:
    event = AuditEvent(
        at=clock.now(),
        action=action,
        actor_id=getattr(actor, "id", actor),
        organization_id=organization_id,
        order_id=order_id,
        details=details,
    )
    db.add(event)
    return event
