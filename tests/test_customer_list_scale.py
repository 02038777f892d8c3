"""The customers list at scale (rules T9, T16, L4): searched, filtered, sorted and paged by the
database, with the same number of queries for 10 customers as for 1,000 (a query budget, not a
timing)."""

import pytest
from sqlalchemy import event

from portal.trials.status import PAGE_SIZE, customer_page, expiring_counts
from tests import bulk
from tests.conftest import sign_in


def add_customers(db, partner, count: int, *, trials: bool = False, start: int = 0):
    """``count`` customers of the partner, given as (its id, an admin's id), each with an active
    trial when ``trials`` (tests/bulk.py)."""
    bulk.add_customers(db, *partner, count, start=start, trial_statuses=("active",) if trials else ())


def queries_for(app, client, path) -> int:
    engine = app.extensions["portal.engine"]
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


@pytest.mark.parametrize("path", ["/en/customers/", "/sv/customers/?q=a&status=active", "/bg/customers/?page=2"])
def test_the_customers_page_has_a_query_budget_whatever_the_number_of_customers(app, db, client, make_partner, path):
    partner, admin = make_partner()
    ids = (partner.id, admin.id)
    add_customers(db, ids, 10, trials=True)
    email = admin.email
    sign_in(client, email)
    with_ten = queries_for(app, client, path)
    add_customers(db, ids, 990, trials=True, start=10)
    with_a_thousand = queries_for(app, client, path)
    assert with_a_thousand == with_ten
    assert with_ten <= 15


def test_t9_pages_keep_the_languages_alphabet_across_pages(app, db, make_partner):
    partner, admin = make_partner()
    ids = (partner.id, admin.id)
    add_customers(db, ids, 130)
    names = []
    for number in (1, 2, 3):
        page = customer_page(ids[0], lang="sv", page=number)
        assert page.total == 130 and page.pages == 3
        names += [row.customer.name for row in page.rows]
    assert len(names) == 130 == len(set(names))
    firsts = [name.split()[0] for name in names]
    # Swedish: A, C (Cirkus, Čebela), Z, Å, then Cyrillic
    assert firsts.index("Zeta") < firsts.index("Åkerlund") < firsts.index("Балкан")
    assert len(customer_page(ids[0], lang="sv", page=1).rows) == PAGE_SIZE


def test_a_page_past_the_end_is_the_last_one(app, db, make_partner):
    partner, admin = make_partner()
    ids = (partner.id, admin.id)
    add_customers(db, ids, 60)
    assert customer_page(ids[0], page=99).page == 2
    assert customer_page(ids[0], page=0).page == 1


def test_t16_the_chart_counts_running_trials_by_their_end_in_the_database(app, db, make_partner):
    partner, admin = make_partner()
    ids = (partner.id, admin.id)
    add_customers(db, ids, 90, trials=True)  # ending in 1 .. 90 days, one each
    assert expiring_counts(ids[0]) == {7: 7, 30: 30, 90: 90}


def test_the_pager_links_work_without_javascript(app, db, client, make_partner):
    partner, admin = make_partner()
    ids = (partner.id, admin.id)
    add_customers(db, ids, 120)
    email = admin.email
    sign_in(client, email)
    first = client.get("/en/customers/").get_data(as_text=True)
    assert "Page 1 of 3" in first and 'rel="next"' in first and "page=2" in first
    last = client.get("/en/customers/?page=3").get_data(as_text=True)
    assert "Page 3 of 3" in last and 'rel="prev"' in last and 'rel="next"' not in last


def test_the_orders_list_pages_in_the_database_with_a_query_budget(app, db, client, make_partner, make_order):
    from portal.orders.views import PAGE_SIZE as ORDERS_PAGE

    partner, admin = make_partner()
    email = admin.email
    for _ in range(3):
        make_order(partner, admin)
    sign_in(client, email)
    few = queries_for(app, client, "/en/orders/")
    for _ in range(ORDERS_PAGE + 5):
        make_order(db.merge(partner), db.merge(admin))
    many = queries_for(app, client, "/en/orders/")
    assert many == few
    last = client.get("/en/orders/?page=2").get_data(as_text=True)
    assert "Page 2 of 2" in last and f"{ORDERS_PAGE + 8} orders" in last


def test_t16_the_chart_counts_only_each_customers_latest_trial_with_the_partner(app, db, make_partner, make_trial):
    from datetime import timedelta

    from sqlalchemy import select

    from portal.infra import clock as portal_clock
    from portal.models import Trial

    partner, admin = make_partner()
    ids = (partner.id, admin.id)
    add_customers(db, ids, 6, trials=True)  # ending in 1 .. 6 days
    first, second = db.scalars(select(Trial).order_by(Trial.id).limit(2)).all()
    # the first customer's running trial is replaced by a later, ended one; the second's is not
    db.add(
        Trial(
            customer_id=first.customer_id,
            partner_id=partner.id,
            started_by_id=admin.id,
            status="ended",
            license_count=5,
            starts_on=portal_clock.today(),
            ends_on=portal_clock.today() + timedelta(days=3),
            created_at=first.created_at + timedelta(minutes=1),
            admin_email="x@example.com",
            full_admin_access_requested=False,
            ended_at=first.created_at + timedelta(minutes=2),
        )
    )
    second.ends_on = portal_clock.today() + timedelta(days=120)  # beyond the chart
    db.commit()
    assert expiring_counts(partner.id) == {7: 4, 30: 4, 90: 4}
