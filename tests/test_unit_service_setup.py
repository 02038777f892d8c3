"""Rule W9 (portal.wizard.service_setup) as plain functions: the steps the purchased services
need, the subdomain and meetings site names, and "Provision and start billing" exactly once."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.models import AuditEvent, Order, OrderLine, Organization, Subscription
from portal.wizard import service_setup

SHAPE_63 = "Use 3 to 63 characters: lowercase letters, digits and hyphens, starting and ending with a letter or digit."
SHAPE_30 = "Use 3 to 30 characters: lowercase letters, digits and hyphens, starting and ending with a letter or digit."
RESERVED = "This subdomain is reserved. Choose another one."
SUBDOMAIN_TAKEN = "This subdomain is already used by another organization."
SITE_TAKEN = "This meetings site name is already taken. Choose another one."


def text(problem):
    return None if problem is None else str(problem)


@pytest.fixture
def mapped_order(db, make_partner, make_customer, make_order):
    """An order of ``offer`` mapped to a new customer, with its pending subscription; ``done``
    saves the settings of every step the services need."""

    def build(offer="A-WX", *, done=True):
        partner, admin = make_partner()
        customer, _ = make_customer(partner)
        order = make_order(partner, admin, offer=offer)
        order.status, order.mapped_organization_id, order.mapped_at = "mapped", customer.id, order.created_at
        subscription = Subscription(
            organization_id=customer.id, order_id=order.id, offer=offer, status="pending", created_at=order.created_at
        )
        db.add(subscription)
        db.flush()
        if done:
            subscription.calling_location, subscription.calling_country = "Amsterdam HQ", "NL"
            subscription.meetings_site, subscription.meetings_time_zone = f"site{order.id}", "Europe/Amsterdam"
            customer.subdomain = f"customer{customer.id}"
        db.commit()
        return order, subscription

    return build


def order_with(*services):
    order = Order(offer="A-WX")
    order.lines = [OrderLine(service=service, quantity=1) for service in services]
    return order


# --- the steps --------------------------------------------------------------------------------


def test_w9_enterprise_meetings_alone_need_the_meeting_settings_step():
    assert service_setup.steps(order_with("enterprise_meetings")) == ["details", "meetings", "enterprise", "provision"]


def test_w9_meetings_alone_need_no_enterprise_step():
    assert service_setup.steps(order_with("meetings")) == ["details", "meetings", "provision"]


def test_w9_messaging_alone_needs_only_the_review_and_provision():
    assert service_setup.steps(order_with("messaging")) == ["details", "provision"]


# --- subdomain --------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [None, "", "ab", "-abc", "abc-", "a_b", "ab--cd", "x" * 64])
def test_w9_a_subdomain_of_the_wrong_shape_is_refused(db, value):
    assert text(service_setup.subdomain_problem(value)) == SHAPE_63


@pytest.mark.parametrize("value", ["abc", "a-b-c", "x" * 63, "  Fabrikam  "])
def test_w9_a_free_subdomain_of_the_right_shape_is_available(db, value):
    assert service_setup.subdomain_problem(value) is None


@pytest.mark.parametrize("value", ["admin", "WWW", "portal"])
def test_w9_a_reserved_subdomain_is_refused(db, value):
    assert text(service_setup.subdomain_problem(value)) == RESERVED


def test_w9_a_subdomain_used_by_another_organization_is_taken(db, make_customer):
    first, _ = make_customer()
    other, _ = make_customer()
    first.subdomain = "fabrikam"
    db.commit()
    assert text(service_setup.subdomain_problem("Fabrikam")) == SUBDOMAIN_TAKEN
    assert text(service_setup.subdomain_problem("fabrikam", other.id)) == SUBDOMAIN_TAKEN
    assert service_setup.subdomain_problem("contoso", other.id) is None


def test_w9_an_organization_may_keep_its_own_subdomain(db, make_customer):
    org, _ = make_customer()
    org.subdomain = "fabrikam"
    db.commit()
    assert service_setup.subdomain_problem("fabrikam", org.id) is None


def test_w9_the_first_organizations_subdomain_is_taken_when_no_organization_is_named(db, make_customer):
    make_customer()
    first = db.scalar(select(Organization).order_by(Organization.id))
    first.subdomain = "fabrikam"
    db.commit()
    assert text(service_setup.subdomain_problem("fabrikam")) == SUBDOMAIN_TAKEN


# --- meetings site ----------------------------------------------------------------------------


@pytest.mark.parametrize("value", [None, "ab", "-abc", "ab--cd", "x" * 31])
def test_w9_a_site_name_of_the_wrong_shape_is_refused(db, value):
    assert text(service_setup.site_problem(value)) == SHAPE_30


def test_w9_a_site_name_taken_by_another_subscription_is_refused(db, mapped_order):
    _, first = mapped_order(done=False)
    _, second = mapped_order(done=False)
    first.meetings_site = "fabrikam"
    second.meetings_site = "contoso"
    db.commit()
    assert text(service_setup.site_problem("fabrikam")) == SITE_TAKEN
    assert text(service_setup.site_problem("fabrikam", second.id)) == SITE_TAKEN
    assert service_setup.site_problem("northwind", second.id) is None
    assert service_setup.site_problem("northwind") is None


def test_w9_a_subscription_may_keep_its_own_site_name(db, mapped_order):
    _, subscription = mapped_order(done=False)
    subscription.meetings_site = "fabrikam"
    db.commit()
    assert service_setup.site_problem("fabrikam", subscription.id) is None
    assert text(service_setup.site_problem("fabrikam")) == SITE_TAKEN


def test_w9_the_first_subscriptions_site_is_taken_when_no_subscription_is_named(db, mapped_order):
    _, subscription = mapped_order(done=False)
    assert subscription.id == 1  # a fresh database
    subscription.meetings_site = "fabrikam"
    db.commit()
    assert text(service_setup.site_problem("fabrikam")) == SITE_TAKEN


# --- provision and start billing --------------------------------------------------------------


def test_w9_provision_starts_billing_once_and_only_for_this_order(db, mapped_order, clock):
    order, subscription = mapped_order()
    other_order, other = mapped_order()
    assert service_setup.provision(order) is True
    db.commit()
    db.expire_all()
    assert subscription.status == "active" and subscription.billing_started_at == clock.at
    assert [line.status for line in order.lines] == ["provisioned"] * len(order.lines)
    assert order.status == "provisioned"
    # the other order, mapped and ready, is untouched
    assert other.status == "pending" and other.billing_started_at is None
    assert {line.status for line in other_order.lines} == {"awaiting_provisioning"}
    assert other_order.status == "mapped"

    started = subscription.billing_started_at
    clock.advance(days=1)
    assert service_setup.provision(order) is False  # a second click starts nothing
    db.commit()
    db.expire_all()
    assert subscription.billing_started_at == started
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "billing_started")).all()
    assert [(e.organization_id, e.order_id, e.details) for e in events] == [
        (order.partner_id, order.id, {"subscription_id": subscription.id})
    ]


def test_w9_provision_leaves_closed_lines_closed(db, mapped_order, clock):
    order, _ = mapped_order()
    closed = order.lines[0]
    closed.status, closed.closed_at = "closed", clock.at - timedelta(days=1)
    db.commit()
    assert service_setup.provision(order) is True
    db.commit()
    db.expire_all()
    assert [line.status for line in order.lines] == ["closed"] + ["provisioned"] * (len(order.lines) - 1)


def test_w9_provision_is_refused_until_the_steps_are_done(db, mapped_order):
    order, subscription = mapped_order(done=False)
    with pytest.raises(service_setup.SetupIncomplete) as error:
        service_setup.provision(order)
    assert error.value.missing == ["calling", "meetings", "enterprise"]
    db.rollback()
    assert db.get(Subscription, subscription.id).billing_started_at is None


@pytest.mark.parametrize(
    "location, country, site, time_zone, missing",
    [
        ("Amsterdam HQ", None, "fabrikam", "Europe/Amsterdam", ["calling"]),
        (None, "NL", "fabrikam", "Europe/Amsterdam", ["calling"]),
        ("Amsterdam HQ", "NL", "fabrikam", None, ["meetings"]),
        ("Amsterdam HQ", "NL", None, "Europe/Amsterdam", ["meetings"]),
        ("Amsterdam HQ", "NL", "fabrikam", "Europe/Amsterdam", []),
    ],
)
def test_w9_a_step_is_done_only_when_all_its_settings_are_saved(
    db, mapped_order, location, country, site, time_zone, missing
):
    order, subscription = mapped_order()
    subscription.calling_location, subscription.calling_country = location, country
    subscription.meetings_site, subscription.meetings_time_zone = site, time_zone
    db.commit()
    assert service_setup.missing_steps(order) == missing
