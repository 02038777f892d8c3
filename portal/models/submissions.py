"""Form submissions already acted on: the idempotency keys of state-changing forms."""

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.infra.db import Base


class FormSubmission(Base):
    """A form's one-time key, stored in the transaction of the change it made; a second
    submission with the key (a double click, a reload, a second tab of the same page) finds it
    and is shown the first one's result instead of acting again."""

    __tablename__ = "form_submissions"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    result_url: Mapped[str | None] = mapped_column(String(500))
