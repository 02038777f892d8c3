"""PostgreSQL is supported: a real server, started here, runs the migrations and the order flow."""

import os
from datetime import date

import pytest
from sqlalchemy import create_engine, func, select, text

from tests.concurrency import ticks_at_once
from tests.conftest import START, free_port, sign_in
from tests.postgres_server import running_postgres, server_binaries

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def postgres_url():
    if server_binaries() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL server binaries are missing; CI installs the postgresql package.")
        pytest.skip("PostgreSQL server binaries are not installed (Debian package postgresql).")
    with running_postgres() as url:
        yield url


@pytest.fixture(scope="module")
def pg_app(postgres_url):
    from portal import create_app
    from portal.infra.clock import FixedClock
    from portal.infra.migrate import upgrade
    from tests.conftest import START

    upgrade(postgres_url)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "pg-test",
            "DATABASE_URL": postgres_url,
            "CLOCK": FixedClock(START),
            "WTF_CSRF_ENABLED": False,
            "SMTP_URL": f"smtp://127.0.0.1:{free_port()}",
            "BASE_URL": "http://portal.test",
        }
    )
    with app.app_context():
        from portal import demo

        demo.load()
    yield app
    app.extensions["portal.engine"].dispose()


def test_migrations_on_postgres_match_the_models(postgres_url, pg_app):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from portal.models import Base

    engine = create_engine(postgres_url)
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    engine.dispose()


def test_constraints_hold_on_postgres(pg_app):
    from sqlalchemy.exc import IntegrityError

    from portal.infra.db import db
    from portal.models import Organization, User
    from tests.conftest import START

    with pg_app.app_context():
        org = db.scalar(select(Organization).where(Organization.name == "Acme Rockets"))
        db.add(User(email="ADMIN@contoso.example", organization_id=org.id, created_at=START))
        with pytest.raises(IntegrityError):  # rule W4
            db.flush()
        db.rollback()
        with pytest.raises(IntegrityError):
            db.add(
                Organization(
                    name="X", kind="customer", partner_tier=1, country="NL", data_region="EU", created_at=START
                )
            )
            db.flush()
        db.rollback()


def test_order_flow_on_postgres(pg_app):
    from portal.infra.db import db
    from portal.models import Order, OutgoingEmail

    client = pg_app.test_client()
    sign_in(client, "anna.dekker@northwind.example", lang="sl")
    response = client.post(
        "/sl/orders/new",
        data={
            "offer": "A-FLEX",
            "licenses": "15",
            "requested_start": date(2026, 11, 20).isoformat(),
            "provisioning_contact": "it@zdravje.example",
            "setup_language": "sl",
            "submission_key": "pg-order-key-00001",
        },
    )
    assert response.status_code == 302
    assert client.get(response.headers["Location"]).status_code == 200

    assert ticks_at_once(pg_app, runs=4) == []  # four schedulers at once
    with pg_app.app_context():
        order_id = db.scalar(select(Order.id).where(Order.submission_key == "pg-order-key-00001"))
        assert (
            db.scalar(
                select(func.count(OutgoingEmail.id)).where(
                    OutgoingEmail.order_id == order_id, OutgoingEmail.kind == "setup_now"
                )
            )
            == 1
        )
        assert db.get(Order, order_id).setup_email_sent_at is not None


def test_w7_concurrent_confirmations_map_once_on_postgres(pg_app):
    from portal.infra.db import db
    from portal.models import Organization, Subscription
    from tests.wizard_driver import place_order, race_confirmations

    order_id, token = place_order(pg_app, key="pg-wizard-race-00001")
    assert race_confirmations(pg_app, token, "PG Racer") == [302] * 4
    with pg_app.app_context():
        assert db.scalar(select(func.count(Organization.id)).where(Organization.name.like("PG Racer %"))) == 1
        assert db.scalar(select(func.count(Subscription.id)).where(Subscription.order_id == order_id)) == 1


@pytest.mark.parametrize("tabs", [False, True], ids=["double-click", "twenty-tabs"])
def test_twenty_simultaneous_trial_starts_give_one_trial_on_postgres(pg_app, tabs):
    """Under READ COMMITTED both requests see no trial; the form key and the one-open-trial
    invariant (T7) still let only one through."""
    from portal.infra.db import db
    from portal.models import Organization, OutgoingEmail, Trial
    from tests.test_exactly_once import RACERS, contoso_form, race

    with pg_app.app_context():
        contoso = db.scalar(select(Organization.id).where(Organization.name == "Contoso Manufacturing"))
        db.execute(
            Trial.__table__.update().where(Trial.customer_id == contoso).values(status="cancelled", cancelled_at=START)
        )
        db.execute(
            text("UPDATE trial_services SET open_customer_id = NULL WHERE open_customer_id = :c"), {"c": contoso}
        )
        db.commit()
        before = db.scalar(select(func.count(OutgoingEmail.id)).where(OutgoingEmail.kind == "trial_consent"))
    forms = [
        contoso_form(f"pg-tab-{n:02d}-{tabs}-xxxxxxxxxx" if tabs else f"pg-click-{tabs}-xxxxxxxxxxxx")
        for n in range(RACERS)
    ]
    statuses = race(pg_app, forms)
    with pg_app.app_context():
        open_trials = db.scalar(
            select(func.count(Trial.id)).where(Trial.customer_id == contoso, Trial.status == "pending_consent")
        )
        emails = db.scalar(select(func.count(OutgoingEmail.id)).where(OutgoingEmail.kind == "trial_consent"))
    assert open_trials == 1
    assert emails - before == 1
    assert 500 not in statuses


def test_0009_outbox_statuses_migrate_both_ways_on_postgres(postgres_url):
    from alembic import command
    from sqlalchemy import insert, text
    from sqlalchemy.exc import IntegrityError

    from portal.infra.migrate import alembic_config, upgrade
    from portal.models import OutgoingEmail
    from tests.conftest import START
    from tests.test_migrations import _email_row

    admin = create_engine(postgres_url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql("CREATE DATABASE portal_outbox")
    admin.dispose()
    url = postgres_url.rsplit("/", 1)[0] + "/portal_outbox"
    upgrade(url)
    engine = create_engine(url)
    table = OutgoingEmail.__table__
    with engine.begin() as connection:
        connection.execute(insert(table).values(_email_row("failed", failed_at=START)))
        connection.execute(insert(table).values(_email_row("discarded", discarded_at=START)))
    for status, dates in (("failed", {}), ("queued", {"discarded_at": START}), ("lost", {})):
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(insert(table).values({**_email_row(status, **dates), "dedupe_key": "refused"}))
    command.downgrade(alembic_config(url), "0008")
    with engine.connect() as connection:
        rows = dict(connection.execute(text("SELECT dedupe_key, status FROM outgoing_emails")).all())
    assert rows == {"migration:failed": "queued", "migration:discarded": "sent"}
    upgrade(url)
    engine.dispose()


def test_l4_the_customers_list_sorts_and_pages_with_icu_collations_on_postgres(pg_app):
    from portal.i18n.collation import sorted_for
    from portal.infra.db import db
    from portal.models import Organization
    from portal.trials.status import customer_page

    with pg_app.app_context():
        northwind = db.scalar(select(Organization.id).where(Organization.name == "Northwind Solutions B.V."))
        for lang in ("sv", "sl", "bg", "en"):
            names = [row.customer.name for row in customer_page(northwind, lang=lang).rows]
            assert len(names) >= 5 and names == sorted_for(lang, names), lang
        swedish = [row.customer.name for row in customer_page(northwind, lang="sv").rows]
        english = [row.customer.name for row in customer_page(northwind, lang="en").rows]
        assert swedish != english  # Åkerlund moves after Z in Swedish


def test_t16_two_schedulers_share_the_expiry_day_and_expire_each_trial_once_on_postgres(pg_app, postgres_url):
    """Three batches' worth of trials due at once, two schedulers at the same moment: SKIP LOCKED
    gives them different batches; every trial is expired, announced and recorded once."""
    from portal.infra.db import db
    from portal.models import AuditEvent, OutgoingEmail, Trial
    from portal.trials import schedule
    from tests.bulk import due_trials
    from tests.concurrency import at_once

    engine = create_engine(postgres_url)
    partner = due_trials(engine, 2 * schedule.BATCH + 50, ends_on=START.date(), now=START)
    engine.dispose()

    def expirations():
        with pg_app.app_context():
            return schedule.expirations()

    counts = at_once([expirations, expirations])
    with pg_app.app_context():
        ours = set(db.scalars(select(Trial.id).where(Trial.partner_id == partner, Trial.status == "expired")))
        still = db.scalar(select(func.count(Trial.id)).where(Trial.partner_id == partner, Trial.status == "active"))
        keys = db.scalars(select(OutgoingEmail.dedupe_key).where(OutgoingEmail.kind == "trial_expired")).all()
        audited = [
            details["trial"]
            for details in db.scalars(select(AuditEvent.details).where(AuditEvent.action == "trial_expired"))
            if details["trial"] in ours
        ]
    assert (len(ours), still) == (2 * schedule.BATCH + 50, 0)
    assert sum(counts) >= len(ours)
    emailed = [int(key.split(":")[1]) for key in keys if int(key.split(":")[1]) in ours]
    assert sorted(emailed) == sorted(audited) == sorted(ours)  # one email (the customer's admin) and one entry each


def test_the_duplicate_guard_on_postgres(pg_app):
    """issue 12: the blocking query (weighted keys), the index kept current by the flush, the
    customer search's 'did you mean' narrowed to a partner's customers, on PostgreSQL."""
    from portal.domain import duplicates
    from portal.infra.db import db
    from portal.models import Organization
    from portal.trials.status import did_you_mean

    with pg_app.app_context():
        (first, *_) = duplicates.suggestions("Balkan Telekom EOOD", country="BG")
        assert first.organization.name == "Балкан Телеком ЕООД" and first.strong
        assert "Acme Rockets" in [s.organization.name for s in duplicates.suggestions("Acme", "x@acme.example")]
        org = db.scalar(select(Organization).where(Organization.name == "Zdravje d.o.o."))
        org.rename("Zdravje Plus d.o.o.")
        db.commit()
        assert duplicates.suggestions("Zdravje Plus")[0].organization.id == org.id
        northwind = db.scalar(select(Organization).where(Organization.name == "Northwind Solutions B.V."))
        assert [s.organization.name for s in did_you_mean(northwind.id, "Akerlund and Rausing")] == [
            "Åkerlund & Rausing AB"
        ]
        org.rename("Zdravje d.o.o.")
        db.commit()
