"""Subscriptions of organizations, and the services and license counts they hold (rule W9)."""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.domain.catalog import OFFERS, SERVICES, SUBSCRIPTION_STATUSES, sql_in
from portal.infra.db import Base

if TYPE_CHECKING:
    from portal.models.organizations import Organization


class Subscription(Base):
    __tablename__ = "subscriptions"
    __table_args__ = (
        CheckConstraint(f"offer IN {sql_in(OFFERS)}", name="offer"),
        CheckConstraint(f"status IN {sql_in(SUBSCRIPTION_STATUSES)}", name="status"),
        # rule W9: an active subscription bills, and billing starts once.
        CheckConstraint("status <> 'active' OR billing_started_at IS NOT NULL", name="active_bills"),
        # One order provisions one subscription (rule W7).
        UniqueConstraint("order_id", name="uq_subscriptions_order_id"),
        # rules M2, M3: an organization's active subscriptions counted from the index.
        Index("ix_subscriptions_organization_id_status", "organization_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    offer: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    billing_started_at: Mapped[datetime | None] = mapped_column(DateTime)
    # rule W9: service settings chosen in the set-up wizard.
    calling_location: Mapped[str | None] = mapped_column(String(100))
    calling_country: Mapped[str | None] = mapped_column(String(2))
    meetings_site: Mapped[str | None] = mapped_column(String(63), unique=True)
    meetings_time_zone: Mapped[str | None] = mapped_column(String(64))

    organization: Mapped["Organization"] = relationship()
    services: Mapped[list["SubscriptionService"]] = relationship(
        back_populates="subscription", order_by="SubscriptionService.id", cascade="all, delete-orphan"
    )


class SubscriptionService(Base):
    __tablename__ = "subscription_services"
    __table_args__ = (
        CheckConstraint(f"service IN {sql_in(SERVICES)}", name="service"),
        CheckConstraint("license_count >= 0", name="license_count"),
        UniqueConstraint("subscription_id", "service", name="uq_subscription_services_service"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscriptions.id", ondelete="CASCADE"), index=True)
    service: Mapped[str] = mapped_column(String(30))
    license_count: Mapped[int] = mapped_column(Integer)

    subscription: Mapped[Subscription] = relationship(back_populates="services")
