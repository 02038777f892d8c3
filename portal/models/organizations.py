"""Organizations (customer or partner) and the partner-customer relationship."""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    delete,
    event,
    insert,
    text,
)
from sqlalchemy.orm import Mapped, Session, attributes, mapped_column, relationship

from portal.domain.catalog import ACCESS_LEVELS, DATA_REGIONS, ORG_KINDS, sql_in
from portal.domain.normalize import name_key, name_prefix
from portal.domain.similar_names import blocking_keys, normalize
from portal.infra.db import Base

if TYPE_CHECKING:
    from portal.models.users import User


class Organization(Base):
    __tablename__ = "organizations"
    __table_args__ = (
        CheckConstraint(f"kind IN {sql_in(ORG_KINDS)}", name="kind"),
        CheckConstraint(f"data_region IN {sql_in(DATA_REGIONS)}", name="data_region"),
        # A partner has a tier (1 or 2); a customer has none and is never certified.
        CheckConstraint(
            "(kind = 'partner' AND COALESCE(partner_tier, 0) IN (1, 2)) OR "
            "(kind = 'customer' AND partner_tier IS NULL AND certified = false)",
            name="partner_tier",
        ),
        CheckConstraint("length(country) = 2", name="country_iso2"),
        CheckConstraint("managing_partner_id IS NULL OR managing_partner_id <> id", name="not_own_partner"),
        CheckConstraint("setup_pending = false OR kind = 'partner'", name="pending_is_partner"),
        # rule M2 from the name prefix (a public mail domain's candidates), without reading rows.
        Index("ix_organizations_name_prefix_pending_created", "name_prefix", "setup_pending", "created_at"),
        # rule T17: there is one free consumer organization.
        Index(
            "uq_organizations_one_free_consumer",
            "free_consumer",
            unique=True,
            sqlite_where=text("free_consumer"),
            postgresql_where=text("free_consumer"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # rule M2 looks organizations up by the first five characters of the normalized name.
    name_normalized: Mapped[str] = mapped_column(String(200))
    name_prefix: Mapped[str] = mapped_column(String(5))
    kind: Mapped[str] = mapped_column(String(10))
    partner_tier: Mapped[int | None] = mapped_column(Integer)
    certified: Mapped[bool] = mapped_column(Boolean, default=False)
    country: Mapped[str] = mapped_column(String(2))
    data_region: Mapped[str] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    managing_partner_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    # rule W3: a partner organization known only from an order, until its first order's wizard
    # creates it (admin email, company name). Pending organizations are never matched (M2).
    setup_pending: Mapped[bool] = mapped_column(Boolean, default=False)
    # rule T17: the free consumer organization that users of an ended trial move to.
    free_consumer: Mapped[bool] = mapped_column(Boolean, default=False)
    # rule W9: the enterprise settings' subdomain, unique across organizations.
    subdomain: Mapped[str | None] = mapped_column(String(63), unique=True)
    # rule O3: the vendor's account representative for a partner.
    account_rep_email: Mapped[str | None] = mapped_column(String(254))
    account_rep_language: Mapped[str | None] = mapped_column(String(5))

    managing_partner: Mapped["Organization | None"] = relationship(remote_side=[id])
    users: Mapped[list["User"]] = relationship(back_populates="organization", order_by="User.id")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.rename(kwargs.get("name", ""))

    def rename(self, name: str) -> None:
        self.name = name
        self.name_normalized = name_key(name)
        self.name_prefix = name_prefix(name)

    @property
    def is_partner(self) -> bool:
        return self.kind == "partner"


class PartnerCustomer(Base):
    """A partner's relationship with a customer organization and the access it grants."""

    __tablename__ = "partner_customers"
    __table_args__ = (
        UniqueConstraint("partner_id", "customer_id", name="uq_partner_customers_pair"),
        CheckConstraint(f"access_level IN {sql_in(ACCESS_LEVELS)}", name="access_level"),
        CheckConstraint("partner_id <> customer_id", name="distinct_orgs"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    access_level: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime)

    partner: Mapped[Organization] = relationship(foreign_keys=[partner_id])
    customer: Mapped[Organization] = relationship(foreign_keys=[customer_id])


class OrganizationNameToken(Base):
    """The duplicate guard's blocking index (issue 12): the keys of each organization's
    normalized name (portal.domain.similar_names.blocking_keys), looked up by key."""

    __tablename__ = "organization_name_tokens"

    token: Mapped[str] = mapped_column(String(16), primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True, index=True
    )


def name_token_rows(organization_id: int, name: str) -> list[dict]:
    return [{"token": key, "organization_id": organization_id} for key in sorted(blocking_keys(normalize(name)))]


@event.listens_for(Session, "after_flush")
def _keep_name_tokens_current(session, _context):
    """New and renamed organizations get their index rows in the flush that writes them, so
    the index never lags behind the names (same transaction)."""
    changed = [
        org
        for org in (*session.new, *session.dirty)
        if isinstance(org, Organization) and (org in session.new or attributes.get_history(org, "name").has_changes())
    ]
    if not changed:
        return
    table = OrganizationNameToken.__table__
    connection = session.connection()
    renamed = [org.id for org in changed if org not in session.new]
    if renamed:
        connection.execute(delete(table).where(table.c.organization_id.in_(renamed)))
    rows = [row for org in changed for row in name_token_rows(org.id, org.name)]
    if rows:
        connection.execute(insert(table), rows)
