"""What an operator does with the outbox (`flask portal outbox`): look, retry, discard.

Each change is one conditional update in its own transaction, so it is safe to repeat and safe
while deliveries run: retrying takes only a failed email, discarding never takes one that a
live run is sending.
"""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, func, or_, select, update

from portal.domain.catalog import EMAIL_STATUSES
from portal.infra import clock
from portal.infra.db import db
from portal.mail.delivery import STALE_CLAIM
from portal.models import OutgoingEmail

# Delivery runs every few seconds: an email still waiting after this long needs a look.
LONG_QUEUED = timedelta(minutes=15)


class OutboxError(Exception):
    """An operator's request that names no email, or one it cannot apply to."""


@dataclass(frozen=True)
class Change:
    email_id: int
    changed: bool
    status: str  # the email's status now


def counts() -> dict[str, int]:
    """Emails per status, every status included."""
    found = dict(db.execute(select(OutgoingEmail.status, func.count()).group_by(OutgoingEmail.status)).all())
    return {status: found.get(status, 0) for status in EMAIL_STATUSES}


def failed() -> list[OutgoingEmail]:
    return db.scalars(select(OutgoingEmail).where(OutgoingEmail.status == "failed").order_by(OutgoingEmail.id)).all()


def waiting_too_long() -> list[OutgoingEmail]:
    """Queued since before ``LONG_QUEUED`` ago, or claimed by a run that seems to have died."""
    now = clock.now()
    return db.scalars(
        select(OutgoingEmail)
        .where(
            or_(
                and_(OutgoingEmail.status == "queued", OutgoingEmail.created_at <= now - LONG_QUEUED),
                and_(OutgoingEmail.status == "sending", OutgoingEmail.claimed_at <= now - STALE_CLAIM),
            )
        )
        .order_by(OutgoingEmail.id)
    ).all()


def _change(email_id: int, allowed, **values) -> Change:
    result = db.execute(update(OutgoingEmail).where(OutgoingEmail.id == email_id, allowed).values(**values))
    status = db.scalar(select(OutgoingEmail.status).where(OutgoingEmail.id == email_id))
    db.commit()
    if status is None:
        raise OutboxError(f"There is no email #{email_id} in the outbox.")
    return Change(email_id, result.rowcount == 1, status)


def _requeued(now) -> dict:
    return dict(status="queued", attempts=0, next_attempt_at=now, claimed_at=None, failed_at=None)


def retry(email_id: int) -> Change:
    """A failed email goes back to the queue: attempts start again, due now."""
    return _change(email_id, OutgoingEmail.status == "failed", **_requeued(clock.now()))


def retry_all_failed() -> int:
    result = db.execute(update(OutgoingEmail).where(OutgoingEmail.status == "failed").values(**_requeued(clock.now())))
    db.commit()
    return result.rowcount


def discard(email_id: int) -> Change:
    """Never send it: a queued or failed email, or one whose run died while sending it."""
    now = clock.now()
    allowed = or_(
        OutgoingEmail.status.in_(("queued", "failed")),
        and_(OutgoingEmail.status == "sending", OutgoingEmail.claimed_at <= now - STALE_CLAIM),
    )
    return _change(email_id, allowed, status="discarded", discarded_at=now, failed_at=None, claimed_at=None)
