"""Orders placed by partners, and their lines (rules O1-O5)."""

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, Date, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.domain.catalog import LANGUAGE_SHAPE, LINE_STATUSES, OFFERS, ORDER_STATUSES, SERVICES, sql_in
from portal.infra.db import Base

if TYPE_CHECKING:
    from portal.models.organizations import Organization
    from portal.models.users import User


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint(f"offer IN {sql_in(OFFERS)}", name="offer"),
        CheckConstraint(f"status IN {sql_in(ORDER_STATUSES)}", name="status"),
        CheckConstraint(LANGUAGE_SHAPE.format(column="setup_language"), name="setup_language"),
        CheckConstraint("provisioning_contact LIKE '%_@_%'", name="contact_shape"),
        # rule O4: mapping is the point of no return; a mapped order names its organization.
        CheckConstraint(
            "status NOT IN ('mapped', 'provisioned') OR mapped_organization_id IS NOT NULL",
            name="mapped_has_org",
        ),
        CheckConstraint(
            "status <> 'awaiting_provisioning' OR mapped_organization_id IS NULL",
            name="awaiting_unmapped",
        ),
        CheckConstraint("(status = 'closed') = (closed_at IS NOT NULL)", name="closed_has_date"),
        CheckConstraint("link_version >= 1", name="link_version"),
        UniqueConstraint("submission_key", name="uq_orders_submission_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    # None for an order that came from the ordering tool rather than the portal.
    placed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    offer: Mapped[str] = mapped_column(String(20))
    requested_start: Mapped[date] = mapped_column(Date, index=True)
    provisioning_contact: Mapped[str] = mapped_column(String(254))
    setup_language: Mapped[str] = mapped_column(String(5))
    status: Mapped[str] = mapped_column(String(30), default="awaiting_provisioning", index=True)
    # A form's one-time key: a double-clicked "Place order" stores one order.
    submission_key: Mapped[str] = mapped_column(String(64))
    # Raised when the provisioning contact changes, so links sent to the old contact stop working.
    link_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    setup_email_sent_at: Mapped[datetime | None] = mapped_column(DateTime)  # rule O2
    setup_started_at: Mapped[datetime | None] = mapped_column(DateTime)  # rule O3
    rep_alerted_at: Mapped[datetime | None] = mapped_column(DateTime)  # rule O3
    mapped_at: Mapped[datetime | None] = mapped_column(DateTime)  # rule O4
    mapped_organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)  # rule O5
    # rule W2: "The customer will set up" - the partner then gets no access to the customer.
    customer_sets_up: Mapped[bool] = mapped_column(Boolean, default=False)

    partner: Mapped["Organization"] = relationship(foreign_keys=[partner_id])
    placed_by: Mapped["User | None"] = relationship(foreign_keys=[placed_by_id])
    mapped_organization: Mapped["Organization | None"] = relationship(foreign_keys=[mapped_organization_id])
    lines: Mapped[list["OrderLine"]] = relationship(
        back_populates="order", order_by="OrderLine.id", cascade="all, delete-orphan"
    )

    @property
    def reference(self) -> str:
        return f"ORD-{self.id:06d}"

    @property
    def is_mapped(self) -> bool:
        return self.mapped_organization_id is not None


class OrderLine(Base):
    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint(f"service IN {sql_in(SERVICES)}", name="service"),
        CheckConstraint(f"status IN {sql_in(LINE_STATUSES)}", name="status"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("(status = 'closed') = (closed_at IS NOT NULL)", name="closed_has_date"),
        UniqueConstraint("order_id", "service", name="uq_order_lines_service"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    service: Mapped[str] = mapped_column(String(30))
    quantity: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(30), default="awaiting_provisioning")
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)

    order: Mapped[Order] = relationship(back_populates="lines")
