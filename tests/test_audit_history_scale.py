"""Audit histories at scale: the People page's and an order's history are paged by the database
(newest first, the id breaking ties), with the same number of queries for 10 events as for 1,000
(a query budget, not a timing)."""

import pytest

from portal.audit.history import PAGE_SIZE
from portal.people import rules
from tests import bulk
from tests.conftest import sign_in
from tests.test_customer_list_scale import queries_for


@pytest.fixture
def partner(db, make_partner):
    org, admin = make_partner()
    return org, admin


@pytest.fixture
def order(db, partner, make_order):
    return make_order(*partner)


def _order_path(order_id: int, page: int = 1) -> str:
    return f"/en/orders/{order_id}?history={page}"


@pytest.mark.parametrize("page", [1, 2, 99])
def test_the_people_history_has_a_query_budget_whatever_its_length(app, db, client, partner, page):
    org, admin = partner
    org_id = org.id
    bulk.add_audit_events(db, admin, 10, organization_id=org_id)
    sign_in(client, admin.email)
    with_ten = queries_for(app, client, f"/en/people/?history={page}")
    bulk.add_audit_events(db, db.merge(admin), 990, organization_id=org_id, start=10)
    with_a_thousand = queries_for(app, client, f"/en/people/?history={page}")
    assert with_a_thousand == with_ten
    assert with_ten <= 16


@pytest.mark.parametrize("page", [1, 2, 99])
def test_an_orders_history_has_a_query_budget_whatever_its_length(app, db, client, partner, order, page):
    org, admin = partner
    order_id = order.id
    bulk.add_audit_events(db, admin, 10, order_id=order_id)
    sign_in(client, admin.email)
    with_ten = queries_for(app, client, _order_path(order_id, page))
    bulk.add_audit_events(db, db.merge(admin), 990, order_id=order_id, start=10)
    with_a_thousand = queries_for(app, client, _order_path(order_id, page))
    assert with_a_thousand == with_ten
    assert with_ten <= 16


def test_the_people_history_pages_newest_first_with_the_id_breaking_ties(app, db, partner):
    org, admin = partner
    bulk.add_audit_events(db, admin, 45, organization_id=org.id)  # two events a minute
    seen = []
    for number in (1, 2, 3):
        shown = rules.history(org.id, page=number)
        assert (shown.total, shown.page, shown.pages) == (45, number, 3)
        seen += [event.details["n"] for event in shown.events]
    assert seen == list(range(44, -1, -1))
    assert len(rules.history(org.id, page=1).events) == PAGE_SIZE
    assert rules.history(org.id, page=99).page == 3 and rules.history(org.id, page=0).page == 1


def test_the_history_pager_works_without_javascript_and_keeps_the_users_page(app, db, client, partner):
    org, admin = partner
    bulk.add_audit_events(db, admin, 2 * PAGE_SIZE + 1, organization_id=org.id)
    sign_in(client, admin.email)
    first = client.get("/en/people/?q=a").get_data(as_text=True).replace("<wbr>", "")
    assert 'aria-label="Pages of the history"' in first and "Page 1 of 3" in first
    assert "history=2" in first and "#history" in first and "user40@bulk.example" in first
    last = client.get("/en/people/?q=a&history=3").get_data(as_text=True).replace("<wbr>", "")
    assert "Page 3 of 3" in last and "user0@bulk.example" in last and "user40@bulk.example" not in last


def test_an_orders_history_pages_newest_first(app, db, client, partner, order):
    org, admin = partner
    order_id, email = order.id, admin.email
    bulk.add_audit_events(db, admin, 2 * PAGE_SIZE, order_id=order_id)
    sign_in(client, email)
    first = client.get(_order_path(order_id)).get_data(as_text=True)
    assert "it39@bulk.example" in first and "it5@bulk.example" not in first and "Page 1 of 3" in first
    # the events the order's placing recorded are the oldest: on the last page, with their actor
    last = client.get(_order_path(order_id, 3)).get_data(as_text=True)
    assert f"{email} placed the order" in last and "it39@bulk.example" not in last
