"""Rule W7: confirming the wizard maps the order, in one transaction, exactly once.

Double submission, two tabs or a second contact finishing the same order never produce a
second organization, mapping or subscription: the order row is locked (PostgreSQL) or the
write lock taken at BEGIN (SQLite), its status checked, and the database's unique keys
(admin email, one subscription per order) stop anything that slips past.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.audit import record
from portal.auth import invitations
from portal.domain import matching
from portal.domain.normalize import email_key
from portal.domain.residency import region_for
from portal.domain.rule_errors import RuleError
from portal.infra import clock
from portal.infra.db import db
from portal.models import AdminRole, Order, Organization, PartnerCustomer, Subscription, SubscriptionService, User


class AlreadyMapped(Exception):
    """The order was mapped by another request; nothing was stored by this one."""


class MappingRefused(RuleError):
    """W6/W7 or M4 refused the mapping; nothing was stored."""


@dataclass
class Mapped:
    organization: Organization
    reason: str  # m1_email_match, m2_candidate, duplicate_guard, new_organization
    partner_admin: User | None  # created for a new partner organization (rule W8)


def allowed_organizations(order: Order, state: dict) -> dict[int, Organization]:
    """The organizations W6 may offer for these answers, recomputed (never taken from the session)."""
    email = state["admin_email"]
    m1 = matching.admin_organization(email)
    if m1 is not None:
        return {m1.id: m1}
    offered = {org.id: org for org in matching.candidates(state["company"], email)}
    holder = matching.user_organization(email)
    if holder is not None:
        offered[holder.id] = holder
    return offered


def similar_organizations(state: dict, shown) -> dict[int, Organization]:
    """The duplicate guard's suggestions beside M2's list (issue 12); they can be chosen too."""
    from portal.wizard.duplicate_guard import similar

    return {s.organization.id: s.organization for s in similar(state, shown)}


def choosable_organizations(order: Order, state: dict) -> dict[int, Organization]:
    """What W6 lets the user choose: M1/M2's organizations and, without an M1 match, the
    possible duplicates (recomputed, never taken from the session)."""
    offered = allowed_organizations(order, state)
    if matching.admin_organization(state["admin_email"]) is not None:
        return offered
    return {**offered, **similar_organizations(state, offered)}


def _new_admin(email: str, organization: Organization, language: str, now) -> User:
    if matching.user_organization(email) is not None:  # rule W4
        raise MappingRefused(
            _l(
                "%(email)s already belongs to another organization. A user can belong to only one organization at a time.",
                email=email_key(email),
            )
        )
    # rule L3: no language preference yet; the wizard's page language is remembered for emails.
    user = User(
        email=email,
        organization_id=organization.id,
        language=None,
        page_language=language,
        created_at=now,
        display_name="",
    )
    db.add(user)
    db.flush()
    db.add(AdminRole(user_id=user.id, organization_id=organization.id, role="full_admin", granted_at=now))
    return user


def map_order(order_id: int, state: dict, *, language: str, actor_email: str | None = None) -> Mapped:
    now = clock.now()
    order = db.scalar(select(Order).where(Order.id == order_id).with_for_update())
    if order is None or order.status != "awaiting_provisioning":
        raise AlreadyMapped()
    partner = order.partner
    partner_admin = None
    if partner.setup_pending:  # rule W3: the partner's first order creates its organization
        partner.rename(state["partner_company"])
        partner.setup_pending = False
        partner_admin = _new_admin(state["partner_admin_email"], partner, language, now)

    choice = state["organization"]
    if choice == "new":
        region = region_for(state["country"])
        if region is None:
            raise MappingRefused(_l("The service is not available in the country you chose."))
        organization = Organization(
            name=state["company"],
            kind="customer",
            country=state["country"],
            data_region=region,
            created_at=now,
            managing_partner_id=None if order.customer_sets_up else partner.id,
        )
        db.add(organization)
        db.flush()
        admin = _new_admin(state["admin_email"], organization, language, now)
        invitations.invite(admin)  # the new customer admin chooses a password from the email
        reason = "new_organization"
        if state.get("duplicates_declined"):  # issue 12: created beside strong suggestions, confirmed
            record(
                "duplicate_guard_declined",
                organization_id=partner.id,
                order_id=order.id,
                organization=organization.name,
                organization_id_created=organization.id,
                suggested=state["duplicates_declined"],
                by=actor_email,
            )
    else:
        offered = allowed_organizations(order, state)
        organization = offered.get(int(choice))
        suggested = organization is None and matching.admin_organization(state["admin_email"]) is None
        if suggested:  # issue 12: one of the possible duplicates
            organization = similar_organizations(state, offered).get(int(choice))
        if organization is None:
            raise MappingRefused(_l("That organization can no longer be chosen. Go back and choose again."))
        problem = matching.trial_conversion_problem(order.offer, organization, state["admin_email"])
        if problem == "trial_expired":  # rules W5, W6, re-checked in the transaction that maps
            raise MappingRefused(matching.TRIAL_EXPIRED_MESSAGE)
        if problem == "trial_email":
            raise MappingRefused(matching.TRIAL_EMAIL_MESSAGE)
        outcome = matching.outcome(state["role"], organization, state["admin_email"], partner.id)
        if outcome in (matching.Outcome.BLOCKED_CUSTOMER, matching.Outcome.BLOCKED_OWN_USE):
            raise MappingRefused(_l("An existing admin of this organization must add you as an admin first."))
        reason = "m1_email_match" if outcome is matching.Outcome.CONTINUE else "m2_candidate"
        if suggested and outcome is not matching.Outcome.CONTINUE:
            reason = "duplicate_guard"

    subscription = Subscription(
        organization_id=organization.id, order_id=order.id, offer=order.offer, status="pending", created_at=now
    )
    subscription.services = [
        SubscriptionService(service=line.service, license_count=line.quantity) for line in order.lines
    ]
    db.add(subscription)

    if organization.kind == "customer":
        access = "none" if order.customer_sets_up else "full_admin"  # rule W2
        link = db.scalar(
            select(PartnerCustomer).where(
                PartnerCustomer.partner_id == partner.id, PartnerCustomer.customer_id == organization.id
            )
        )
        if link is None:
            db.add(
                PartnerCustomer(partner_id=partner.id, customer_id=organization.id, access_level=access, created_at=now)
            )
        elif order.customer_sets_up:
            link.access_level = "none"

    order.status, order.mapped_at, order.mapped_organization_id = "mapped", now, organization.id
    db.flush()
    record(
        "order_mapped",
        organization_id=partner.id,
        order_id=order.id,
        reason=reason,
        organization=organization.name,
        organization_id_mapped=organization.id,
        admin_email=email_key(state["admin_email"]),
        by=actor_email,
        role=state.get("role"),
    )
    return Mapped(organization, reason, partner_admin)
