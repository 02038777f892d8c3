"""Issue 13: each admin's home page shows what needs attention, each kind with a count, its first
items and a link, an empty state that says what to do next, in a fixed number of queries."""

from datetime import timedelta

import pytest
from sqlalchemy import insert

from portal.audit import record
from portal.infra import clock
from portal.models import AuditEvent, Order, Trial
from tests.conftest import sign_in, translate
from tests.test_customer_list_scale import add_customers, queries_for


def ask_to_be_added(db, organization_id: int, email: str):
    """What rule M4's "Ask … to add me" records for the organization's full admin."""
    record("add_me_requested", organization_id=organization_id, order_id=None, user=email, full_admin="x@example.net")
    db.commit()


def card(html: str, key: str) -> str:
    """The home page's card of one kind, up to the next card."""
    start = html.index(f'id="attention-{key}"')
    end = html.find('class="attention-card"', start)
    return html[start : end if end > 0 else html.index("</main>")].replace("<wbr>", "")  # emails' break points


def test_partner_home_lists_orders_awaiting_setup_with_closing_dates_and_expiring_trials(
    client, db, make_partner, make_order, make_trial
):
    partner, admin = make_partner()
    order = make_order(partner, admin, offer="A-FLEX")  # rule O5: closes 7 days after its start
    reference = order.reference
    make_trial(partner, admin, days=30, company="Soon Ending Ltd")
    make_trial(partner, admin, days=60, company="Later Ltd")
    sign_in(client, admin.email)
    response = client.get("/en/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    orders = card(html, "orders")
    closes = clock.today() + timedelta(days=7)
    assert reference in orders and f'datetime="{closes.isoformat()}"' in orders
    assert '<span class="count" translate="no">1</span>' in orders
    expiring = card(html, "expiring")
    assert "Soon Ending Ltd" in expiring and "Later Ltd" not in expiring
    assert '<span class="count" translate="no">1</span>' in expiring
    assert "No trial is waiting for a customer" in card(html, "consent")  # the empty state
    assert 'href="/en/customers/trials/new"' not in expiring  # trials exist: no "start one" advice


def test_customer_home_shows_pending_consent_running_trials_and_add_me_requests_until_granted(
    client, db, make_partner, make_customer, make_trial
):
    partner, partner_admin = make_partner(name="Helpful Partner B.V.")
    customer, admin = make_customer()
    make_trial(partner, partner_admin, admin_email=admin.email)  # an existing organization: T8 consent
    ask_to_be_added(db, customer.id, "new.person@" + admin.email.split("@")[1])
    sign_in(client, admin.email, "sl")
    html = client.get("/sl/").get_data(as_text=True)
    consent = card(html, "consent")
    assert "Helpful Partner B.V." in consent and '<span class="count" translate="no">1</span>' in consent
    assert (
        translate(client.application, "sl", "Your organization has no running trial. Ask your partner to start one.")
        in html
    )
    asked = card(html, "add_me")
    assert "new.person@" in asked and "email=new.person@" in asked and "role=full_admin" in asked
    # once the full admin adds the person, the request no longer needs attention
    response = client.post(
        "/sl/people/add",
        data={
            "add-email": "new.person@" + admin.email.split("@")[1],
            "add-display_name": "New",
            "add-role": "full_admin",
        },
    )
    assert response.status_code == 302
    assert '<span class="count zero" translate="no">0</span>' in card(
        client.get("/sl/").get_data(as_text=True), "add_me"
    )


def test_users_without_an_admin_role_and_visitors_see_the_welcome(client, demo):
    html = client.get("/en/").get_data(as_text=True)
    assert "Provision collaboration services for your customers" in html and "attention-" not in html


@pytest.mark.parametrize("lang", ["en", "bg"])
def test_partner_home_has_a_query_budget_whatever_the_numbers(app, db, client, make_partner, lang):
    partner, admin = make_partner()
    ids = (partner.id, admin.id)
    partner_id, admin_id, email = partner.id, admin.id, admin.email

    def grow(count: int, start: int):
        add_customers(db, ids, count, trials=True, start=start)  # running trials ending within 1 .. 90 days
        now = clock.now()
        db.execute(
            insert(Order),
            [
                dict(
                    partner_id=partner_id,
                    placed_by_id=admin_id,
                    offer="A-WX",
                    requested_start=clock.today(),
                    provisioning_contact=f"it{n}@example.net",
                    setup_language="en",
                    status="awaiting_provisioning",
                    submission_key=f"budget-{n}",
                    link_version=1,
                    created_at=now,
                    customer_sets_up=False,
                )
                for n in range(start, start + count)
            ],
        )
        db.execute(
            insert(AuditEvent),
            [
                dict(
                    at=now,
                    action="add_me_requested",
                    organization_id=partner_id,
                    details={"user": f"p{n}@partner.example"},
                )
                for n in range(start, start + count)
            ],
        )
        db.execute(Trial.__table__.update().where(Trial.id % 3 == 0).values(status="pending_consent"))
        db.commit()

    grow(10, 0)
    sign_in(client, email, lang)
    with_ten = queries_for(app, client, f"/{lang}/")
    grow(990, 10)
    with_a_thousand = queries_for(app, client, f"/{lang}/")
    assert with_a_thousand == with_ten
    assert with_ten <= 20
    html = client.get(f"/{lang}/").get_data(as_text=True)
    thousand = {"en": "1,000", "bg": "1\xa0000"}[lang]  # CLDR: the language's grouping
    assert f'<span class="count" translate="no">{thousand}</span>' in card(html, "orders")
    assert f'<span class="count" translate="no">{thousand}</span>' in card(html, "add_me")


def test_customer_home_has_a_query_budget(app, db, client, make_customer):
    customer, admin = make_customer()
    customer_id, email = customer.id, admin.email

    def grow(count: int, start: int):
        db.execute(
            insert(AuditEvent),
            [
                dict(
                    at=clock.now(),
                    action="add_me_requested",
                    organization_id=customer_id,
                    details={"user": f"c{n}@customer.example"},
                )
                for n in range(start, start + count)
            ],
        )
        db.commit()

    grow(10, 0)
    sign_in(client, email)
    with_ten = queries_for(app, client, "/en/")
    grow(990, 10)
    assert queries_for(app, client, "/en/") == with_ten <= 20
