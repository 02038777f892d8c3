"""Who may see and change what, route by route (rules W2, T1, T6, T8, M4).

The matrix names every route of the application: a new route without an entry here fails
``test_every_route_has_an_entry``. Each entry says which principals may use it; every other
principal is refused (sign-in for the anonymous, 400/403/404/410 for the others) and a refused
request changes nothing in the database.
"""

from dataclasses import dataclass, field

import pytest
from sqlalchemy import select, update

from portal.infra import clock
from portal.infra.db import Base
from portal.models import AdminRole, Order, Organization, PartnerCustomer, Trial, User
from tests.conftest import PASSWORD

# Who asks: (sign-in email or None). Northwind is certified, has full access to Contoso and Helios;
# Ljubljana Connect is another (uncertified) partner; София Комюникейшънс has provisioning access
# to Балкан Телеком only; Contoso and Helios are customers (Helios runs a Northwind trial).
PRINCIPALS = {
    "anonymous": None,
    "partner_full_admin": "anna.dekker@northwind.example",
    "partner_sales_admin": "sven.holm@northwind.example",
    "partner_read_only": "lars.berg@northwind.example",
    "other_partner": "maja.novak@ljconnect.example",
    "provisioning_partner": "ivan.petrov@sofiacomm.example",
    "partner_sales_full_admin": "alex.northwind0@northwind.example",  # given the role below
    "customer_full_admin": "admin@contoso.example",
    "customer_read_only": "alex.contoso_mfg0@contoso.example",  # given the role below
    "trial_customer": "trial.admin@helios.example",
    "trial_customer_read_only": "alex.helios0@helios.example",  # given the role below
}
EXTRA_ROLES = {
    "partner_sales_full_admin": "sales_full_admin",
    "customer_read_only": "read_only_admin",
    "trial_customer_read_only": "read_only_admin",
}
SIGNED_IN = frozenset(PRINCIPALS) - {"anonymous"}
PARTNERS = frozenset(
    {
        "partner_full_admin",
        "partner_sales_full_admin",
        "partner_sales_admin",
        "partner_read_only",
        "other_partner",
        "provisioning_partner",
    }
)
ORDERING = PARTNERS - {"partner_read_only"}
NORTHWIND = frozenset({"partner_full_admin", "partner_sales_full_admin", "partner_sales_admin", "partner_read_only"})
NORTHWIND_TRIALS = frozenset({"partner_full_admin", "partner_sales_full_admin", "partner_sales_admin"})
ON_BEHALF = frozenset({"partner_full_admin", "partner_sales_full_admin"})  # T6, with full admin access
FULL_ADMINS = frozenset(
    {"partner_full_admin", "other_partner", "provisioning_partner", "customer_full_admin", "trial_customer"}
)
EVERYONE = frozenset(PRINCIPALS)
NOBODY = frozenset()


@dataclass(frozen=True)
class Entry:
    rule: str
    method: str
    path: str  # with {placeholders} filled from the demo's objects
    allowed: frozenset
    data: dict = field(default_factory=dict)
    unchanged: bool = False  # let in, and the rule behind the door refuses: nothing may change either


BAD_TOKEN = "not-a-valid-token"
MATRIX = [
    # public pages
    Entry("/", "GET", "/", EVERYONE),
    Entry("/healthz", "GET", "/healthz", EVERYONE),
    Entry("/favicon.ico", "GET", "/favicon.ico", EVERYONE),
    Entry("/<lang:lang>/", "GET", "/en/", EVERYONE),
    Entry("/<lang:lang>/sign-in", "GET", "/en/sign-in", EVERYONE),
    Entry("/<lang:lang>/sign-in", "POST", "/en/sign-in", EVERYONE, {"email": "x@example.net", "password": "x"}),
    Entry("/<lang:lang>/forgot-password", "GET", "/en/forgot-password", EVERYONE),
    Entry("/<lang:lang>/forgot-password", "POST", "/en/forgot-password", EVERYONE, {"email": ""}),
    # links are the credential: a forged one opens nothing, whoever holds it
    Entry("/<lang:lang>/password/<purpose>/<token>", "GET", f"/en/password/invitation/{BAD_TOKEN}", NOBODY),
    Entry(
        "/<lang:lang>/password/<purpose>/<token>",
        "POST",
        f"/en/password/reset/{BAD_TOKEN}",
        NOBODY,
        {"password": "a-long-enough-password-2026", "confirm": "a-long-enough-password-2026"},
    ),
    Entry(
        "/<lang:lang>/password/<purpose>/renew", "POST", "/en/password/invitation/renew", NOBODY, {"token": BAD_TOKEN}
    ),
    *[
        Entry(f"/<lang:lang>/setup/<token>{suffix}", method, f"/en/setup/{BAD_TOKEN}{suffix}", NOBODY)
        for suffix, methods in [
            ("", "G"),
            ("/role", "GP"),
            ("/who", "GP"),
            ("/partner", "GP"),
            ("/admin", "GP"),
            ("/company", "GP"),
            ("/organization", "GP"),
            ("/confirm", "GP"),
            ("/done", "G"),
            ("/password", "GP"),
            ("/ask-to-be-added", "GP"),
            ("/check-subdomain", "GP"),
        ]
        for method in [{"G": "GET", "P": "POST"}[m] for m in methods]
    ],
    Entry("/<lang:lang>/setup/<token>/services/<step>", "GET", f"/en/setup/{BAD_TOKEN}/services/details", NOBODY),
    Entry("/<lang:lang>/setup/<token>/services/<step>", "POST", f"/en/setup/{BAD_TOKEN}/services/provision", NOBODY),
    # (the demo mailbox is no route here: it exists only in the demo's app, tests/test_demo_mailbox.py)
    # every signed-in admin
    Entry("/<lang:lang>/account", "GET", "/en/account", SIGNED_IN),
    Entry("/<lang:lang>/account", "POST", "/en/account", SIGNED_IN, {"language": "xx"}),
    Entry("/<lang:lang>/account/password", "POST", "/en/account/password", SIGNED_IN, {"current": "wrong"}),
    Entry("/<lang:lang>/organization/", "GET", "/en/organization/", SIGNED_IN),
    Entry("/<lang:lang>/translations/", "GET", "/en/translations/", SIGNED_IN),
    # orders: a partner's admins see their own; the ordering roles place and change them
    Entry("/<lang:lang>/orders/", "GET", "/en/orders/", PARTNERS),
    Entry("/<lang:lang>/orders/new", "GET", "/en/orders/new", ORDERING),
    Entry("/<lang:lang>/orders/new", "POST", "/en/orders/new", ORDERING, {"offer": ""}),
    Entry("/<lang:lang>/orders/<int:order_id>", "GET", "/en/orders/{order}", NORTHWIND),
    Entry(
        "/<lang:lang>/orders/<int:order_id>/contact",
        "POST",
        "/en/orders/{order}/contact",
        NORTHWIND_TRIALS,
        {"contact": "not an email"},
    ),
    Entry("/<lang:lang>/orders/<int:order_id>/resend", "POST", "/en/orders/{order}/resend", NOBODY),  # no key
    # customers and trials (T1 certified partner's trial roles; W2/T8 access levels)
    Entry("/<lang:lang>/customers/", "GET", "/en/customers/", PARTNERS),
    Entry("/<lang:lang>/customers/export.csv", "GET", "/en/customers/export.csv", PARTNERS),
    Entry("/<lang:lang>/customers/<int:customer_id>", "GET", "/en/customers/{contoso}", NORTHWIND),
    Entry(
        "/<lang:lang>/customers/<int:customer_id>", "GET", "/en/customers/{balkan}", frozenset({"provisioning_partner"})
    ),
    Entry("/<lang:lang>/customers/<int:customer_id>", "GET", "/en/customers/{akerlund}", NOBODY),  # access none
    Entry("/<lang:lang>/customers/<int:customer_id>", "GET", "/en/customers/{zdravje}", frozenset({"other_partner"})),
    Entry(
        "/<lang:lang>/customers/trials/new",
        "GET",
        "/en/customers/trials/new",
        NORTHWIND_TRIALS | {"provisioning_partner"},
    ),
    Entry(
        "/<lang:lang>/customers/trials/new",
        "POST",
        "/en/customers/trials/new",
        NORTHWIND_TRIALS | {"provisioning_partner"},
        {"company": ""},
    ),
    Entry(
        "/<lang:lang>/customers/trials/region",
        "GET",
        "/en/customers/trials/region?country=NL",
        NORTHWIND_TRIALS | {"provisioning_partner"},
    ),
    Entry(
        "/<lang:lang>/customers/trials/<int:trial_id>/extend/preview",
        "GET",
        "/en/customers/trials/{helios_trial}/extend/preview",
        NORTHWIND_TRIALS,
    ),
    *[
        Entry(
            f"/<lang:lang>/customers/trials/<int:trial_id>/{action}",
            "POST",
            f"/en/customers/trials/{{helios_trial}}/{action}",
            NORTHWIND_TRIALS,
        )
        for action in ("edit", "extend", "convert", "provision", "resend")
    ],
    Entry(
        "/<lang:lang>/customers/trials/<int:trial_id>/cancel",
        "GET",
        "/en/customers/trials/{helios_trial}/cancel",
        NORTHWIND_TRIALS,
    ),
    Entry(
        "/<lang:lang>/customers/trials/<int:trial_id>/cancel",
        "POST",
        "/en/customers/trials/{helios_trial}/cancel",
        NORTHWIND_TRIALS,
        {"nonce": ""},
    ),
    Entry(
        "/<lang:lang>/customers/shipments/<int:shipment_id>/serials",
        "POST",
        "/en/customers/shipments/999999/serials",
        NOBODY,
    ),
    Entry(
        "/<lang:lang>/customers/shipments/<int:shipment_id>/return",
        "POST",
        "/en/customers/shipments/999999/return",
        NOBODY,
    ),
    # the customer's side of its own trials
    Entry(
        "/<lang:lang>/organization/trials/<int:trial_id>/<any(accept, decline):answer>",
        "POST",
        "/en/organization/trials/{helios_trial}/accept",
        frozenset({"trial_customer"}),
    ),
    Entry(
        "/<lang:lang>/organization/trials/<int:trial_id>/interested",
        "POST",
        "/en/organization/trials/{helios_trial}/interested",
        frozenset({"trial_customer", "trial_customer_read_only"}),
        {"nonce": ""},
    ),
    Entry(
        "/<lang:lang>/organization/trials/<int:trial_id>/cancel",
        "GET",
        "/en/organization/trials/{helios_trial}/cancel",
        frozenset({"trial_customer"}),
    ),
    Entry(
        "/<lang:lang>/organization/trials/<int:trial_id>/cancel",
        "POST",
        "/en/organization/trials/{helios_trial}/cancel",
        frozenset({"trial_customer"}),
        {"nonce": ""},
    ),
    # People: the full admin of the own organization; a partner's full admin on a full-access customer's behalf
    Entry("/<lang:lang>/people/", "GET", "/en/people/", FULL_ADMINS),
    Entry("/<lang:lang>/people/add", "POST", "/en/people/add", FULL_ADMINS, {"add-email": "not an email"}),
    Entry(
        "/<lang:lang>/people/add",
        "POST",
        "/en/people/add",
        FULL_ADMINS,
        {"add-email": "lars.berg@northwind.example"},
        unchanged=True,
    ),  # W4, or already a user
    Entry(
        "/<lang:lang>/people/<int:user_id>/role",
        "POST",
        "/en/people/{northwind_user}/role",
        frozenset({"partner_full_admin"}),
        {"role{northwind_user}-role": "no_such_role"},
    ),
    Entry(
        "/<lang:lang>/people/<int:user_id>/remove",
        "GET",
        "/en/people/{northwind_user}/remove",
        frozenset({"partner_full_admin"}),
    ),
    Entry(
        "/<lang:lang>/people/<int:user_id>/remove",
        "POST",
        "/en/people/{anna}/remove",
        frozenset({"partner_full_admin"}),
        unchanged=True,
    ),  # the last full admin: refused by the rule
    Entry("/<lang:lang>/customers/<int:customer_id>/people/", "GET", "/en/customers/{contoso}/people/", ON_BEHALF),
    Entry("/<lang:lang>/customers/<int:customer_id>/people/", "GET", "/en/customers/{balkan}/people/", NOBODY),
    Entry("/<lang:lang>/customers/<int:customer_id>/people/", "GET", "/en/customers/{akerlund}/people/", NOBODY),
    Entry(
        "/<lang:lang>/customers/<int:customer_id>/people/",
        "GET",
        "/en/customers/{zdravje}/people/",
        frozenset({"other_partner"}),
    ),  # Ljubljana Connect's customer, nobody else's
    Entry(
        "/<lang:lang>/customers/<int:customer_id>/people/add",
        "POST",
        "/en/customers/{contoso}/people/add",
        ON_BEHALF,
        {"add-email": "not an email"},
    ),
    Entry(
        "/<lang:lang>/customers/<int:customer_id>/people/add",
        "POST",
        "/en/customers/{balkan}/people/add",
        NOBODY,
        {"add-email": "someone@balkantel.example"},
    ),
    Entry(
        "/<lang:lang>/customers/<int:customer_id>/people/<int:user_id>/role",
        "POST",
        "/en/customers/{contoso}/people/{contoso_user}/role",
        ON_BEHALF,
        {"role{contoso_user}-role": "no_such_role"},
    ),
    Entry(
        "/<lang:lang>/customers/<int:customer_id>/people/<int:user_id>/role",
        "POST",
        "/en/customers/{contoso}/people/{northwind_user}/role",
        NOBODY,
        {"role{northwind_user}-role": "full_admin"},
    ),
    Entry(
        "/<lang:lang>/customers/<int:customer_id>/people/<int:user_id>/remove",
        "GET",
        "/en/customers/{contoso}/people/{contoso_user}/remove",
        ON_BEHALF,
    ),
    Entry(
        "/<lang:lang>/customers/<int:customer_id>/people/<int:user_id>/remove",
        "POST",
        "/en/customers/{contoso}/people/{contoso_admin}/remove",
        ON_BEHALF,
        unchanged=True,
    ),  # the last one
    # signing out last: it ends the session the other entries need
    Entry("/<lang:lang>/sign-out", "POST", "/en/sign-out", EVERYONE),
]


def test_every_route_has_an_entry(app):
    routes = {
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    covered = {(entry.rule, entry.method) for entry in MATRIX}
    assert routes - covered == set(), "routes without an entry in the authorization matrix"
    assert covered - routes == set(), "entries for routes that do not exist"


def _objects(db) -> dict:
    def org(name):
        return db.scalar(select(Organization.id).where(Organization.name == name))

    def user(email):
        return db.scalar(select(User.id).where(User.email == email))

    helios = org("Helios Contact Services")
    return {
        "contoso": org("Contoso Manufacturing"),
        "balkan": org("Балкан Телеком ЕООД"),
        "akerlund": org("Åkerlund & Rausing AB"),
        "zdravje": org("Zdravje d.o.o."),
        "helios_trial": db.scalar(select(Trial.id).where(Trial.customer_id == helios)),
        "order": db.scalar(select(Order.id).where(Order.submission_key == "demo-order-1")),
        "anna": user("anna.dekker@northwind.example"),
        "northwind_user": user("lars.berg@northwind.example"),
        "contoso_admin": user("admin@contoso.example"),
        "contoso_user": db.scalar(
            select(User.id)
            .where(User.organization_id == org("Contoso Manufacturing"), User.email != "admin@contoso.example")
            .order_by(User.id)
        ),
    }


def _snapshot(db) -> dict:
    """Every row of every table but the sign-in sessions (which record when they were last seen)."""
    db.rollback()
    return {
        table.name: sorted(map(repr, db.execute(table.select()).all()))
        for table in Base.metadata.sorted_tables
        if table.name != "login_sessions"
    }


def _fill(text: str, objects: dict) -> str:
    return text.format(**objects)


def _to_sign_in(response) -> bool:
    return response.status_code == 302 and "/sign-in" in response.headers.get("Location", "")


def _refused(response) -> bool:
    return response.status_code in (400, 403, 404, 405, 410) or _to_sign_in(response)


def _admitted(entry: Entry, response) -> bool:
    """Let in: whatever the answer (a form's 400/422 too), but not a closed door."""
    if entry.allowed is EVERYONE:
        return response.status_code < 403 or response.status_code == 422
    return response.status_code not in (403, 404, 405, 410) and not _to_sign_in(response) and response.status_code < 500


def _prepare(db) -> None:
    """The roles the demo lacks, and a customer that set up itself (W2: Northwind's access none)."""
    northwind = db.scalar(select(Organization.id).where(Organization.name == "Northwind Solutions B.V."))
    akerlund = db.scalar(select(Organization.id).where(Organization.name == "Åkerlund & Rausing AB"))
    db.execute(
        update(PartnerCustomer)
        .where(PartnerCustomer.partner_id == northwind, PartnerCustomer.customer_id == akerlund)
        .values(access_level="none")
    )
    for principal, role in EXTRA_ROLES.items():
        user = db.scalar(select(User).where(User.email == PRINCIPALS[principal]))
        user.set_password(PASSWORD)
        db.add(AdminRole(user_id=user.id, organization_id=user.organization_id, role=role, granted_at=clock.now()))
    db.commit()


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_each_route_admits_exactly_its_principals(app, db, demo, principal):
    _prepare(db)
    objects = _objects(db)
    client = app.test_client()
    if PRINCIPALS[principal]:
        assert (
            client.post("/en/sign-in", data={"email": PRINCIPALS[principal], "password": PASSWORD}).status_code == 302
        )
    wrong = []
    for entry in MATRIX:
        path = _fill(entry.path, objects)
        data = {_fill(key, objects): value for key, value in entry.data.items()}
        before = _snapshot(db) if principal not in entry.allowed or entry.unchanged else None
        response = client.open(path, method=entry.method, data=data)
        if principal in entry.allowed:
            if not _admitted(entry, response):
                wrong.append(f"{entry.method} {path}: refused ({response.status_code}) but should be allowed")
            elif entry.unchanged and _snapshot(db) != before:
                wrong.append(f"{entry.method} {path}: the rule should have refused, but the database changed")
        else:
            if not _refused(response):
                wrong.append(f"{entry.method} {path}: {response.status_code} but should be refused")
            elif _snapshot(db) != before:
                wrong.append(f"{entry.method} {path}: refused, but the database changed")
            if principal == "anonymous" and entry.allowed >= SIGNED_IN and entry.allowed != EVERYONE:
                if "/sign-in" not in response.headers.get("Location", ""):
                    wrong.append(f"{entry.method} {path}: anonymous is not sent to sign in")
    assert wrong == []
