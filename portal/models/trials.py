"""Enterprise trials, their services, device shipments and consent requests (rules T1-T19).

The tables exist from the first migration; the lifecycle that drives them is in portal.trials.
"""

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.domain.catalog import CONSENT_ANSWERS, DEVICE_TYPES, SERVICES, TRIAL_STATUSES, sql_in
from portal.infra.db import Base

if TYPE_CHECKING:
    from portal.models.organizations import Organization


class Trial(Base):
    __tablename__ = "trials"
    __table_args__ = (
        CheckConstraint(f"status IN {sql_in(TRIAL_STATUSES)}", name="status"),
        CheckConstraint("license_count > 0", name="license_count"),  # rule T3
        CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        CheckConstraint("customer_id <> partner_id", name="distinct_orgs"),
        # Each ending state carries its date.
        CheckConstraint("status <> 'cancelled' OR cancelled_at IS NOT NULL", name="cancelled_has_date"),
        CheckConstraint("status <> 'converted' OR converted_at IS NOT NULL", name="converted_has_date"),
        CheckConstraint("status <> 'ended' OR ended_at IS NOT NULL", name="ended_has_date"),
        # Each customer's latest trial with a partner (the customers list, T9/T16) from the index
        # alone; it starts with customer_id, so it serves lookups by customer too (migration 0014).
        Index("ix_trials_customer_id_partner_id_created_at_id", "customer_id", "partner_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    partner_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    started_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(30))
    license_count: Mapped[int] = mapped_column(Integer)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date, index=True)
    # rule T2 / W5: the trial's admin email; converting the trial needs exactly this email.
    admin_email: Mapped[str | None] = mapped_column(String(254))
    industry: Mapped[str | None] = mapped_column(String(60))
    meetings_site_url: Mapped[str | None] = mapped_column(String(200))  # rule T4
    meetings_time_zone: Mapped[str | None] = mapped_column(String(64))
    full_admin_access_requested: Mapped[bool] = mapped_column(Boolean, default=False)  # rule T8
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # rule T11: device trials last at most 120 days and are extended only on request.
    devices_end_on: Mapped[date | None] = mapped_column(Date)
    provisioned_at: Mapped[datetime | None] = mapped_column(DateTime)  # rule T6
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime)  # rules T9, T15
    converted_at: Mapped[datetime | None] = mapped_column(DateTime)  # rule T13
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)  # rule T17: grace period over
    numbers_released_at: Mapped[datetime | None] = mapped_column(DateTime)  # rule T18

    customer: Mapped["Organization"] = relationship(foreign_keys=[customer_id])
    partner: Mapped["Organization"] = relationship(foreign_keys=[partner_id])
    services: Mapped[list["TrialService"]] = relationship(back_populates="trial", cascade="all, delete-orphan")


class TrialService(Base):
    __tablename__ = "trial_services"
    __table_args__ = (
        CheckConstraint(f"service IN {sql_in(SERVICES)}", name="service"),
        UniqueConstraint("trial_id", "service", name="uq_trial_services_service"),
        # One open trial per customer and service, whichever partner runs it (rule T7): the
        # customer's id is kept here while the trial is open and cleared when it closes, so
        # two tabs or two partners starting the same trial at once cannot both succeed.
        UniqueConstraint("open_customer_id", "service", name="uq_trial_services_open"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id", ondelete="CASCADE"), index=True)
    service: Mapped[str] = mapped_column(String(30))
    open_customer_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))

    trial: Mapped[Trial] = relationship(back_populates="services")


class DeviceShipment(Base):
    __tablename__ = "device_shipments"
    __table_args__ = (
        CheckConstraint(f"device_type IN {sql_in(DEVICE_TYPES)}", name="device_type"),
        # rule T5: one shipment per device type, ever, per trial.
        UniqueConstraint("trial_id", "device_type", name="uq_device_shipments_type"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        # rule T5: boards are license-only, at most 5 per trial.
        CheckConstraint("device_type <> 'board' OR quantity <= 5", name="board_limit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id", ondelete="CASCADE"), index=True)
    device_type: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[int] = mapped_column(Integer)
    shipped_at: Mapped[datetime | None] = mapped_column(DateTime)
    # rule T19: serial numbers shipped and returned, one per line.
    serials: Mapped[str | None] = mapped_column(Text)
    returned_serials: Mapped[str | None] = mapped_column(Text)
    returned_at: Mapped[datetime | None] = mapped_column(DateTime)


class ConsentRequest(Base):
    __tablename__ = "consent_requests"
    __table_args__ = (
        CheckConstraint(f"answer IS NULL OR answer IN {sql_in(CONSENT_ANSWERS)}", name="answer"),
        CheckConstraint("(answer IS NULL) = (answered_at IS NULL)", name="answered_has_date"),
        UniqueConstraint("trial_id", name="uq_consent_requests_trial_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id", ondelete="CASCADE"))
    requested_at: Mapped[datetime] = mapped_column(DateTime)
    answer: Mapped[str | None] = mapped_column(String(20))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    last_sent_at: Mapped[datetime | None] = mapped_column(DateTime)
