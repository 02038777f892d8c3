"""Factories: the few rows a rule test needs, built without the demo data (and its hashing).

Each returns committed objects; names and emails are unique per call so that a test can make
as many as it needs. The conftest exposes them as fixtures: make_partner, make_customer,
make_order, make_trial.
"""

from datetime import date, timedelta
from itertools import count

from portal.infra import clock
from portal.infra.db import db
from portal.models import AdminRole, Organization, PartnerCustomer, User
from portal.orders import rules as orders
from portal.trials import lifecycle

PASSWORD = "portal-demo-2026"
_serial = count(1)


def _user(org: Organization, email: str, role: str | None, language: str | None) -> User:
    user = User(
        email=email,
        organization_id=org.id,
        language=language,
        created_at=clock.now(),
        display_name=email.split("@")[0].replace(".", " ").title(),
    )
    user.set_password(PASSWORD)
    db.add(user)
    db.flush()
    if role:
        db.add(AdminRole(user_id=user.id, organization_id=org.id, role=role, granted_at=clock.now()))
    return user


def make_partner(
    name: str | None = None,
    *,
    certified: bool = True,
    tier: int = 1,
    country: str = "NL",
    admin_role: str = "full_admin",
    language: str = "en",
) -> tuple[Organization, User]:
    """A partner organization and its admin (a certified partner's full admin by default)."""
    n = next(_serial)
    org = Organization(
        name=name or f"Partner {n} B.V.",
        kind="partner",
        partner_tier=tier,
        certified=certified,
        country=country,
        data_region="EU",
        created_at=clock.now() - timedelta(days=400),
    )
    db.add(org)
    db.flush()
    admin = _user(org, f"admin{n}@partner{n}.example", admin_role, language)
    db.commit()
    return org, admin


def make_customer(
    partner: Organization | None = None,
    name: str | None = None,
    *,
    access: str = "full_admin",
    country: str = "NL",
    users: int = 0,
    language: str = "en",
) -> tuple[Organization, User]:
    """A customer organization with its full admin (and ``users`` plain users on its domain),
    managed by ``partner`` at the given access level when one is named."""
    n = next(_serial)
    org = Organization(
        name=name or f"Customer {n} Ltd",
        kind="customer",
        country=country,
        data_region="EU",
        created_at=clock.now() - timedelta(days=300),
        managing_partner_id=partner.id if partner else None,
    )
    db.add(org)
    db.flush()
    domain = f"customer{n}.example"
    admin = _user(org, f"admin@{domain}", "full_admin", language)
    for k in range(users):
        _user(org, f"user{k}@{domain}", None, None)
    if partner is not None:
        db.add(
            PartnerCustomer(partner_id=partner.id, customer_id=org.id, access_level=access, created_at=org.created_at)
        )
    db.commit()
    return org, admin


def make_order(
    partner: Organization,
    placed_by: User,
    *,
    offer: str = "A-WX",
    licenses: int = 30,
    start: date | None = None,
    contact: str = "it@example.net",
    language: str = "en",
):
    """An order placed through its rule (O1), awaiting provisioning."""
    order, _ = orders.place_order(
        partner=partner,
        placed_by=placed_by,
        offer=offer,
        requested_start=start or clock.today(),
        contact=contact,
        setup_language=language,
        licenses=licenses,
        submission_key=f"factory-{next(_serial)}",
    )
    db.commit()
    return order


def make_trial(
    partner: Organization,
    actor: User,
    *,
    admin_email: str | None = None,
    services=("messaging",),
    days: int = 30,
    licenses: int = 25,
    **options,
):
    """A trial started through its rule (T1-T8) for a new customer, or for ``admin_email``'s."""
    n = next(_serial)
    trial = lifecycle.start_trial(
        partner=partner,
        actor=actor,
        company=options.pop("company", f"Trial {n} Ltd"),
        admin_email=admin_email or f"admin@trial{n}.example",
        industry="retail",
        country=options.pop("country", "NL"),
        services=list(services),
        license_count=licenses,
        duration_days=days,
        supported_location=True,
        existing_confirmed=True,
        **options,
    )
    db.commit()
    return trial
