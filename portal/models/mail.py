"""The outbox: every email is a row, rendered in its recipient's language (rule L3)."""

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.domain.catalog import EMAIL_STATUSES, LANGUAGE_SHAPE, sql_in
from portal.infra.db import Base


class OutgoingEmail(Base):
    __tablename__ = "outgoing_emails"
    __table_args__ = (
        CheckConstraint(f"status IN {sql_in(EMAIL_STATUSES)}", name="status"),
        CheckConstraint(LANGUAGE_SHAPE.format(column="language"), name="language"),
        CheckConstraint("(status = 'sent') = (sent_at IS NOT NULL)", name="sent_has_date"),
        CheckConstraint("(status = 'failed') = (failed_at IS NOT NULL)", name="failed_has_date"),
        CheckConstraint("(status = 'discarded') = (discarded_at IS NOT NULL)", name="discarded_has_date"),
        CheckConstraint("attempts >= 0", name="attempts"),
        # What makes an email once-only: a scheduler run twice, or a double click, finds it taken.
        UniqueConstraint("dedupe_key", name="uq_outgoing_emails_dedupe_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    to_address: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(5))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    # When delivery gave up (``last_error`` says why), and when an operator discarded it
    # (`flask portal outbox --discard`).
    failed_at: Mapped[datetime | None] = mapped_column(DateTime)
    discarded_at: Mapped[datetime | None] = mapped_column(DateTime)
    order_id: Mapped[int | None] = mapped_column(Integer, index=True)
