"""The demo's own state: how far its clock runs ahead of real time (`flask portal demo-clock`)."""

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, Integer
from sqlalchemy.orm import Mapped, mapped_column

from portal.infra.db import Base


class DemoClockOffset(Base):
    """One row, in a demo database only: the demo app, its scheduler and `flask portal tick` add
    ``offset_seconds`` to real time, so that moving the demo ahead moves all of them together. A
    production database never has the row (the command refuses a database without the demo's
    data) and a production app never reads it."""

    __tablename__ = "demo_clock"
    __table_args__ = (
        CheckConstraint("id = 1", name="one_row"),
        CheckConstraint("offset_seconds >= 0", name="ahead_only"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    offset_seconds: Mapped[int] = mapped_column(Integer)
    changed_at: Mapped[datetime] = mapped_column(DateTime)  # real time, naive UTC
