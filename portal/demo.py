"""Demo data (`flask portal demo`): partners, customers, admins, users and subscriptions; and the
demo's clock (`flask portal demo-clock`).

Several organizations share the first five characters of their names and an email domain,
so that rule M2 has candidates to find (Contoso…, Acme…, Балкан…).
"""

from datetime import UTC, datetime, timedelta

from flask import current_app, g
from sqlalchemy import func, select

from portal.domain.catalog import OFFERS
from portal.infra import clock
from portal.infra.db import db
from portal.models import (
    AdminRole,
    DemoClockOffset,
    Order,
    OrderLine,
    Organization,
    PartnerCustomer,
    Subscription,
    SubscriptionService,
    Trial,
    TrialService,
    User,
)

DEMO_PASSWORD = "portal-demo-2026"

# (email, language, role, organization key) of everyone who can sign in.
SIGN_INS = [
    ("anna.dekker@northwind.example", "nl", "full_admin", "northwind"),
    ("sven.holm@northwind.example", "sv", "sales_admin", "northwind"),
    ("lars.berg@northwind.example", "en", "read_only_admin", "northwind"),
    ("maja.novak@ljconnect.example", "sl", "full_admin", "ljconnect"),
    ("ivan.petrov@sofiacomm.example", "bg", "full_admin", "sofiacomm"),
    ("admin@contoso.example", "en", "full_admin", "contoso_mfg"),
    ("ingrid.lund@akerlund.example", "sv", "full_admin", "akerlund"),
    ("petra.kos@zdravje.example", "sl", "full_admin", "zdravje"),
    ("georgi.ivanov@balkantel.example", "bg", "full_admin", "balkan_tel"),
    ("trial.admin@helios.example", "nl", "full_admin", "helios"),
    ("trial.admin@vega.example", "nl", "full_admin", "vega"),
]

ORGANIZATIONS = {
    # key: (name, kind, tier, certified, country, region, age in days, domain, users)
    "northwind": ("Northwind Solutions B.V.", "partner", 1, True, "NL", "EU", 2900, "northwind.example", 6),
    "ljconnect": ("Ljubljana Connect d.o.o.", "partner", 2, False, "SI", "EU", 1500, "ljconnect.example", 3),
    "sofiacomm": ("София Комюникейшънс ООД", "partner", 2, True, "BG", "EU", 1200, "sofiacomm.example", 3),
    "contoso_mfg": ("Contoso Manufacturing", "customer", None, False, "US", "US", 2400, "contoso.example", 42),
    "contoso_med": ("Contoso Medical Group", "customer", None, False, "US", "US", 400, "contoso-medical.example", 12),
    "contoso_old": ("Contoso Online Trial", "customer", None, False, "US", "US", 3100, "contoso.example", 2),
    "acme_rockets": ("Acme Rockets", "customer", None, False, "GB", "UK", 900, "acme.example", 25),
    "acme_robotics": ("Acme Robotics", "customer", None, False, "GB", "UK", 120, "acme.example", 4),
    "akerlund": ("Åkerlund & Rausing AB", "customer", None, False, "SE", "EU", 700, "akerlund.example", 18),
    "zdravje": ("Zdravje d.o.o.", "customer", None, False, "SI", "EU", 1000, "zdravje.example", 9),
    "balkan_tel": ("Балкан Телеком ЕООД", "customer", None, False, "BG", "EU", 1800, "balkantel.example", 30),
    "balkan_soft": ("Балкан Софт АД", "customer", None, False, "BG", "EU", 300, "balkantel.example", 5),
    # Contact-centre trial tenants (rule W5): one running, one expired.
    "helios": ("Helios Contact Services", "customer", None, False, "NL", "EU", 40, "helios.example", 6),
    "vega": ("Vega Callcenter B.V.", "customer", None, False, "NL", "EU", 200, "vega.example", 4),
    # A partner known only from its first order: the wizard creates its organization (rule W3).
    "adriatic": ("Adriatic Networks", "partner", 2, False, "HR", "EU", 0, "adriatic.example", 0),
}

PENDING_PARTNERS = {"adriatic"}

TRIALS = [  # (customer, trial admin email, days since start, length in days, status)
    ("helios", "trial.admin@helios.example", 20, 90, "active"),
    ("vega", "trial.admin@vega.example", 100, 90, "expired"),  # in its grace period (rule T17)
]

RELATIONSHIPS = [  # (partner, customer, access level)
    ("northwind", "contoso_mfg", "full_admin"),
    ("northwind", "akerlund", "full_admin"),
    ("northwind", "acme_rockets", "full_admin"),
    ("ljconnect", "zdravje", "full_admin"),
    ("sofiacomm", "balkan_tel", "provisioning_admin"),
    ("northwind", "helios", "full_admin"),
    ("northwind", "vega", "full_admin"),
]

SUBSCRIPTIONS = [  # (customer, offer, licenses, age in days)
    ("contoso_mfg", "A-WX", 250, 700),
    ("acme_rockets", "A-SPK", 40, 300),
    ("akerlund", "A-FLEX", 60, 200),
    ("zdravje", "A-SPK", 25, 500),
    ("balkan_tel", "A-FLEX", 120, 400),
]

FIRST_NAMES = ["alex", "sam", "kim", "robin", "noor", "eva", "jonas", "mila", "luka", "nina"]


def is_empty() -> bool:
    return not db.scalar(select(func.count(Organization.id)))


def load() -> dict:
    now = clock.now()
    orgs: dict[str, Organization] = {}
    for key, (name, kind, tier, certified, country, region, age, _domain, _users) in ORGANIZATIONS.items():
        orgs[key] = Organization(
            name=name,
            kind=kind,
            partner_tier=tier,
            certified=certified,
            country=country,
            data_region=region,
            created_at=now - timedelta(days=age),
        )
        orgs[key].setup_pending = key in PENDING_PARTNERS
        if kind == "partner":
            orgs[key].account_rep_email = f"account.rep+{key}@vendor.example"
            orgs[key].account_rep_language = {"NL": "nl", "SI": "sl", "BG": "bg"}.get(country, "en")
        db.add(orgs[key])
    db.flush()

    for partner, customer, access in RELATIONSHIPS:
        orgs[customer].managing_partner_id = orgs[partner].id
        db.add(
            PartnerCustomer(
                partner_id=orgs[partner].id,
                customer_id=orgs[customer].id,
                access_level=access,
                created_at=orgs[customer].created_at,
            )
        )

    zones = {
        "NL": "Europe/Amsterdam",
        "SE": "Europe/Stockholm",
        "SI": "Europe/Ljubljana",
        "BG": "Europe/Sofia",
        "US": "America/New_York",
        "GB": "Europe/London",
        "HR": "Europe/Zagreb",
    }
    for email, language, role, key in SIGN_INS:
        user = User(
            email=email,
            language=language,
            organization_id=orgs[key].id,
            created_at=orgs[key].created_at,
            time_zone=zones.get(orgs[key].country),
            display_name=email.split("@")[0].replace(".", " ").title(),
        )
        user.set_password(DEMO_PASSWORD)
        db.add(user)
        db.flush()
        db.add(AdminRole(user_id=user.id, organization_id=orgs[key].id, role=role, granted_at=user.created_at))

    for key, (_name, _kind, _tier, _certified, _country, _region, _age, domain, count) in ORGANIZATIONS.items():
        for n in range(count):
            db.add(
                User(
                    email=f"{FIRST_NAMES[n % len(FIRST_NAMES)]}.{key}{n}@{domain}",
                    language="en",
                    organization_id=orgs[key].id,
                    created_at=orgs[key].created_at + timedelta(days=n),
                )
            )
    # A Contoso Manufacturing colleague who moved to Contoso Medical keeps the contoso.example address.
    db.add(
        User(
            email="j.smith@contoso.example",
            organization_id=orgs["contoso_med"].id,
            created_at=now - timedelta(days=200),
        )
    )

    for key, offer, licenses, age in SUBSCRIPTIONS:
        started = now - timedelta(days=age)
        subscription = Subscription(
            organization_id=orgs[key].id, offer=offer, status="active", created_at=started, billing_started_at=started
        )
        subscription.services = [SubscriptionService(service=s, license_count=licenses) for s in OFFERS[offer]]
        db.add(subscription)

    anna = db.scalar(select(User).where(User.email == "anna.dekker@northwind.example"))
    order = Order(
        partner_id=orgs["northwind"].id,
        placed_by_id=anna.id,
        offer="A-SPK",
        requested_start=(now + timedelta(days=3)).date(),
        provisioning_contact="it@akerlund.example",
        setup_language="sv",
        status="awaiting_provisioning",
        submission_key="demo-order-1",
        link_version=1,
        created_at=now - timedelta(days=1),
    )
    order.lines = [OrderLine(service=s, quantity=30, status="awaiting_provisioning") for s in OFFERS["A-SPK"]]
    db.add(order)

    # The first order of a partner that has no organization yet (from the ordering tool).
    first = Order(
        partner_id=orgs["adriatic"].id,
        placed_by_id=None,
        offer="A-WX",
        requested_start=(now + timedelta(days=2)).date(),
        provisioning_contact="setup@adriatic.example",
        setup_language="sl",
        status="awaiting_provisioning",
        submission_key="demo-order-2",
        link_version=1,
        created_at=now,
    )
    first.lines = [OrderLine(service=s, quantity=20, status="awaiting_provisioning") for s in OFFERS["A-WX"]]
    db.add(first)

    for key, admin_email, days_ago, length, status in TRIALS:
        starts = (now - timedelta(days=days_ago)).date()
        trial = Trial(
            customer_id=orgs[key].id,
            partner_id=orgs["northwind"].id,
            started_by_id=anna.id,
            status=status,
            license_count=25,
            starts_on=starts,
            ends_on=starts + timedelta(days=length),
            admin_email=admin_email,
            created_at=now - timedelta(days=days_ago),
        )
        trial.services = [TrialService(service="contact_center")]
        db.add(trial)
    db.commit()
    return {"organizations": len(orgs), "sign_ins": len(SIGN_INS)}


# --- the demo's clock -------------------------------------------------------------------------
#
# Journeys such as W3 happen days after the demo is loaded. Moving only the scheduler there
# (`flask portal tick --at`) signs links at a time the running portal has not reached, which it
# then refuses. The demo clock moves everything at once: the demo app's requests, its scheduler
# and `flask portal tick` on the demo's database all read real time plus the stored offset.

DEMO_MARKER = "demo-order-1"  # the submission key of the order only the demo data holds


def is_demo_database() -> bool:
    return db.scalar(select(Order.id).where(Order.submission_key == DEMO_MARKER)) is not None


def require_demo_database() -> None:
    if not is_demo_database():
        raise ValueError("This database holds no demo data (`flask portal demo`): the demo clock exists only there.")


def _real_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def read_offset() -> timedelta | None:
    """The stored offset; None where the demo clock was never moved (every production database).

    Read on a connection of its own, outside the request's transaction: reading the clock never
    flushes, begins or locks anything of the caller's.
    """
    connection = current_app.extensions["portal.engine"].raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT offset_seconds FROM demo_clock WHERE id = 1")
        row = cursor.fetchone()
        cursor.close()
        connection.rollback()
    finally:
        connection.close()
    return None if row is None else timedelta(seconds=row[0])


class DemoClock:
    """The demo app's clock (``CLOCK``): real time, or ``base`` in tests, plus the demo's offset,
    read once per application context (one request, one scheduler run, one CLI command)."""

    def __init__(self, base=None):
        self.base = base or _real_now

    def offset(self) -> timedelta:
        if "_demo_clock_offset" not in g:
            g._demo_clock_offset = read_offset() or timedelta(0)
        return g._demo_clock_offset

    def __call__(self) -> datetime:
        return self.base() + self.offset()


def move_clock(*, ahead: timedelta | None = None, to: datetime | None = None, reset: bool = False) -> datetime:
    """Move the demo clock ``ahead`` by a duration, ``to`` a time, or back to real time
    (``reset``); returns the demo's time now. It only moves ahead: what the demo did at its time
    stays dated then. Refused outside a demo database."""
    require_demo_database()
    base = current_app.config.get("CLOCK")
    base = base.base if isinstance(base, DemoClock) else (base or _real_now)
    row = db.get(DemoClockOffset, 1)
    current = timedelta(seconds=row.offset_seconds) if row else timedelta(0)
    if reset:
        offset = timedelta(0)
    elif to is not None:
        offset = to - base()
    else:
        offset = current + ahead
    if not reset and offset < current:
        raise ValueError(
            f"{base() + offset:%Y-%m-%d %H:%M} is before the demo's time ({base() + current:%Y-%m-%d %H:%M} UTC): "
            "the demo clock only moves ahead; `--reset` goes back to real time."
        )
    if row is None:
        row = DemoClockOffset(id=1, offset_seconds=0, changed_at=_real_now())
        db.add(row)
    row.offset_seconds, row.changed_at = int(offset.total_seconds()), _real_now()
    db.commit()
    g.pop("_demo_clock_offset", None)
    return base() + offset
