"""`flask portal demo-clock`: the demo moves ahead as a whole, its portal, its scheduler and `tick`
on its database alike, so that the links the scheduler signs work where they are opened (issue
13); production never reads it, and `tick --at` no longer signs links in the future."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from portal import cli, create_app
from portal.infra import clock as portal_clock
from portal.models import Order, Organization
from portal.orders.links import read_setup_token, setup_token
from tests.conftest import START


def run(app, *args):
    return app.test_cli_runner().invoke(args=["portal", *args])


@pytest.fixture
def demo_app(app, demo, tmp_path):
    demo_app = cli.demo_app(app.config, port=5000, smtp_port=1, mailbox=str(tmp_path / "mailbox"))
    yield demo_app
    demo_app.extensions["portal.engine"].dispose()


def demo_now(demo_app):
    with demo_app.app_context():
        return portal_clock.now()


def test_the_demo_clock_exists_only_in_a_demo_database(app):
    result = run(app, "demo-clock", "+2d")
    assert result.exit_code != 0
    assert "holds no demo data" in result.output
    assert run(app, "demo-clock").exit_code != 0


def test_it_moves_the_demo_ahead_only_and_resets_to_real_time(app, demo_app):
    assert "(real time)" in run(app, "demo-clock").output
    moved = run(app, "demo-clock", "+2d")
    assert moved.exit_code == 0, moved.output
    assert "2026-11-22 09:00 UTC (2 d 0 h 0 min ahead of real time)" in moved.output
    assert "2026-11-22 21:00" in run(app, "demo-clock", "+12h").output  # cumulative
    assert "2026-11-22 21:30" in run(app, "demo-clock", "+30m").output
    assert demo_now(demo_app) == START + timedelta(days=2, hours=12, minutes=30)
    assert "2026-12-01 09:00" in run(app, "demo-clock", "2026-12-01T09:00").output  # to a time
    back = run(app, "demo-clock", "2026-11-25T09:00")
    assert back.exit_code != 0 and "only moves ahead" in back.output
    assert run(app, "demo-clock", "+2x").exit_code != 0
    assert run(app, "demo-clock", "+1d", "--reset").exit_code != 0
    reset = run(app, "demo-clock", "--reset")
    assert reset.exit_code == 0 and "2026-11-20 09:00 UTC (real time)" in reset.output
    assert demo_now(demo_app) == START


def test_the_portal_and_the_scheduler_read_the_same_clock_and_production_ignores_it(app, db, demo_app):
    assert run(app, "demo-clock", "+2d").exit_code == 0
    assert demo_now(demo_app) == START + timedelta(days=2)
    # The same database in an app that is not the demo (real time, no CLOCK): the offset is not read.
    other = create_app({**app.config, "CLOCK": None})
    try:
        with other.app_context():
            assert abs(portal_clock.now() - datetime.now(UTC).replace(tzinfo=None)) < timedelta(minutes=1)
    finally:
        other.extensions["portal.engine"].dispose()
    # `flask portal tick` on the demo's database runs on the demo's time: the order due two days
    # after loading (Adriatic Networks, rule W3) goes out, and its link works in the demo's portal.
    ticked = run(app, "tick")
    assert ticked.exit_code == 0 and "setup_emails: 1," in ticked.output, ticked.output
    adriatic = db.scalar(
        select(Order)
        .join(Organization, Order.partner_id == Organization.id)
        .where(Organization.name == "Adriatic Networks")
    )
    assert adriatic.setup_email_sent_at == START + timedelta(days=2)
    with demo_app.test_request_context():
        token = setup_token(adriatic)
    assert demo_app.test_client().get(f"/sl/setup/{token}").status_code == 200
    with demo_app.app_context():
        assert read_setup_token(token)[2] is None


def test_reading_the_clock_never_flushes_or_begins_the_callers_transaction(app, demo_app):
    from portal.infra.db import db

    assert run(app, "demo-clock", "+1d").exit_code == 0
    with demo_app.app_context():
        org = Organization(name="Pending", kind="customer", country="NL", data_region="EU", created_at=START)
        db.add(org)
        assert portal_clock.now() == START + timedelta(days=1)
        assert org in db.new and org.id is None  # nothing was flushed by reading the clock
        db.rollback()


def test_tick_at_refuses_a_time_later_than_the_portals(app, demo):
    later = run(app, "tick", "--at", (START + timedelta(days=2)).isoformat())
    assert later.exit_code != 0
    assert "links it sent would not work before then" in later.output
    assert "demo-clock" in later.output
    earlier = run(app, "tick", "--at", (START - timedelta(hours=1)).isoformat())
    assert earlier.exit_code == 0, earlier.output


def test_a_worker_on_the_demo_database_follows_the_demo_clock(app, demo):
    once = run(app, "worker", "--once", "--interval", "0.1")
    assert once.exit_code == 0 and "setup_emails: 0," in once.output, once.output  # due two days later
    assert run(app, "demo-clock", "+2d").exit_code == 0
    moved = run(app, "worker", "--once", "--interval", "0.1")
    assert moved.exit_code == 0 and "setup_emails: 1," in moved.output, moved.output
