"""Every state-changing action, submitted twenty times at once (a double click, a held Enter key,
two tabs of one page), has the effect of one submission: the same rows, the same emails, the same
audit events as the same action submitted once in an identical portal.

Each case names who acts, the page whose form they send (the form is read from the page, with
its hidden one-time key, as a browser sends it) and the fields they change.
"""

import shutil
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import partial

import pytest
from sqlalchemy import func, select

from portal import create_app
from portal.infra.db import db
from portal.models import AuditEvent, Base, DeviceShipment, Organization, OutgoingEmail, Trial, User
from portal.trials import lifecycle
from tests.concurrency import at_once
from tests.conftest import sign_in
from tests.test_hostile_input import Forms

RACERS = 20
NORTHWIND_ADMIN = "anna.dekker@northwind.example"


def _trial(partner_name, actor_email, admin_email, company, services, provision=False, **options):
    partner = db.scalar(select(Organization).where(Organization.name == partner_name))
    actor = db.scalar(select(User).where(User.email == actor_email))
    trial = lifecycle.start_trial(
        partner=partner,
        actor=actor,
        company=company,
        admin_email=admin_email,
        industry="retail",
        country="NL",
        services=services,
        license_count=20,
        duration_days=30,
        supported_location=True,
        existing_confirmed=True,
        **options,
    )
    if provision:
        lifecycle.provision(trial, actor=actor)
    db.commit()
    return trial


def northwind_trial(**kwargs):
    return _trial(
        "Northwind Solutions B.V.", NORTHWIND_ADMIN, "admin@racers.example", "Racers B.V.", ["messaging"], **kwargs
    )


def consent_pending():
    return _trial(
        "София Комюникейшънс ООД", "ivan.petrov@sofiacomm.example", "admin@contoso.example", "Contoso", ["devices"]
    )


def device_trial():
    return _trial(
        "Northwind Solutions B.V.",
        NORTHWIND_ADMIN,
        "admin@devices.example",
        "Devices B.V.",
        ["devices"],
        provision=True,
        devices={"phone": 2},
    )


@dataclass
class Case:
    actor: str
    page: str  # the page with the form, "{trial}" / "{customer}" / "{shipment}" filled in
    action: str  # the form's action, filled in the same way
    fields: dict = field(default_factory=dict)
    setup: object = None  # returns the trial the case works on


CASES = {
    "start a trial": Case(
        "ivan.petrov@sofiacomm.example",
        "/en/customers/trials/new",
        "/en/customers/trials/new",
        {
            "company": "Contoso",
            "admin_email": "admin@contoso.example",
            "industry": "retail",
            "country": "US",
            "supported_location": "y",
            "services": "devices",
            "license_count": "20",
            "duration": "30",
            "confirm_existing": "y",
            "phones": "1",
        },
    ),
    "add a person": Case(
        NORTHWIND_ADMIN,
        "/en/people/",
        "/en/people/add",
        {"add-email": "new.colleague@northwind.example", "add-display_name": "New Colleague", "add-role": ""},
    ),
    "place an order": Case(
        NORTHWIND_ADMIN,
        "/en/orders/new",
        "/en/orders/new",
        {
            "offer": "A-WX",
            "licenses": "25",
            "provisioning_contact": "it@newco.example",
            "requested_start": "2026-11-30",
        },
    ),
    "accept a trial request": Case(
        "admin@contoso.example", "/en/organization/", "/en/organization/trials/{trial}/accept", setup=consent_pending
    ),
    "resend the consent email": Case(
        "ivan.petrov@sofiacomm.example",
        "/en/customers/{customer}",
        "/en/customers/trials/{trial}/resend",
        setup=consent_pending,
    ),
    "cancel a trial": Case(
        NORTHWIND_ADMIN,
        "/en/customers/trials/{trial}/cancel",
        "/en/customers/trials/{trial}/cancel",
        setup=lambda: northwind_trial(provision=True),
    ),
    "extend a trial": Case(
        NORTHWIND_ADMIN,
        "/en/customers/{customer}",
        "/en/customers/trials/{trial}/extend",
        {"extend{trial}-days": "60"},
        setup=lambda: northwind_trial(provision=True),
    ),
    "provision a trial": Case(
        NORTHWIND_ADMIN,
        "/en/customers/{customer}",
        "/en/customers/trials/{trial}/provision",
        setup=northwind_trial,
    ),
    "convert a trial": Case(
        NORTHWIND_ADMIN,
        "/en/customers/{customer}",
        "/en/customers/trials/{trial}/convert",
        {"convert{trial}-offer": "A-SPK"},
        setup=lambda: northwind_trial(provision=True),
    ),
    "record shipped serial numbers": Case(
        NORTHWIND_ADMIN,
        "/en/customers/{customer}",
        "/en/customers/shipments/{shipment}/serials",
        {"shipped{shipment}-serials": "SN-1\nSN-2"},
        setup=device_trial,
    ),
}


def effects(app) -> tuple:
    with app.app_context():
        tables = {t.name: db.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}
        for signed_in in ("login_sessions", "audit_events"):  # each racer signed in once; audit below
            tables.pop(signed_in, None)
        emails = Counter(db.execute(select(OutgoingEmail.kind, OutgoingEmail.to_address)).all())
        audit = Counter(db.scalars(select(AuditEvent.action).where(AuditEvent.action != "signed_in")))
        trials = sorted(db.execute(select(Trial.id, Trial.status, Trial.ends_on)).all())
        db.rollback()
    return tables, emails, audit, trials


def prepared(app, case: Case) -> dict:
    from portal import demo

    with app.app_context():
        demo.load()
        names = {}
        if case.setup is not None:
            trial = case.setup()
            names = {"trial": trial.id, "customer": trial.customer_id}
            shipment = db.scalar(select(DeviceShipment.id).where(DeviceShipment.trial_id == trial.id))
            if shipment:
                names["shipment"] = shipment
        db.rollback()
    return names


def the_form(client, case: Case, names: dict) -> tuple[str, dict]:
    page = client.get(case.page.format(**names))
    assert page.status_code == 200, case.page
    parser = Forms()
    parser.feed(page.get_data(as_text=True))
    action = case.action.format(**names)
    for target, fields, choices in parser.forms:
        if (target.split("?")[0] or case.page.format(**names)) == action:
            data = {}
            for name, values in fields.items():
                options = [c for c in choices.get(name, []) if c]
                data[name] = values[0] if values and values[0] else (options[0] if options else "")
            data.update({name.format(**names): value for name, value in case.fields.items()})
            return action, data
    raise AssertionError(f"no form for {action} on {case.page}")


def submit(app, case: Case, names: dict, times: int) -> list[int]:
    clients = []
    for _ in range(times):
        client = app.test_client()
        sign_in(client, case.actor)
        clients.append(client)
    action, data = the_form(clients[0], case, names)  # one page: every racer sends its key
    return at_once([partial(lambda client: client.post(action, data=data).status_code, client) for client in clients])


@pytest.fixture
def twin(app_config, migrated_template, tmp_path):
    """A second portal, identical to ``app``, to submit the same action once."""
    path = tmp_path / "twin.sqlite3"
    shutil.copyfile(migrated_template, path)
    twin = create_app({**app_config, "DATABASE_URL": f"sqlite:///{path}"})
    yield twin
    twin.extensions["portal.engine"].dispose()


@pytest.mark.parametrize("name", CASES)
def test_twenty_simultaneous_submissions_have_the_effect_of_one(app, twin, clock, name):
    case = CASES[name]
    clock.at = clock.at.replace(year=2026, month=11, day=20) if clock.at.date() < date(2026, 11, 20) else clock.at
    names = prepared(app, case)
    assert prepared(twin, case) == names
    once = submit(twin, case, names, 1)
    assert once[0] in (200, 302), (name, once)
    raced = submit(app, case, names, RACERS)
    assert 500 not in raced, (name, raced)
    assert effects(app) == effects(twin), name
