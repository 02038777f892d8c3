"""The customer list's search (T9): names are folded like name_normalized, emails match the
latest open trial's admin, and the database narrows the list."""

from portal.trials.status import customer_rows


def names(rows):
    return sorted(r.customer.name for r in rows)


def test_t9_search_folds_case_width_and_spaces(make_partner, make_customer):
    partner, _ = make_partner()
    make_customer(partner, "Åkerlund  &  Rausing AB")
    make_customer(partner, "Балкан Телеком ЕООД")
    make_customer(partner, "Acme Holding")
    assert names(customer_rows(partner.id, query="ÅKERLUND & R")) == ["Åkerlund  &  Rausing AB"]
    assert names(customer_rows(partner.id, query="телеком")) == ["Балкан Телеком ЕООД"]
    assert names(customer_rows(partner.id, query="ａｃｍｅ")) == ["Acme Holding"]
    assert names(customer_rows(partner.id, query="%")) == []
    assert len(list(customer_rows(partner.id, query="  "))) == 3


def test_t9_search_finds_a_pending_trial_by_its_admin_email(make_partner, make_trial):
    partner, admin = make_partner()
    make_trial(partner, admin, company="Nortwind Rentals", admin_email="it@rentals.example")
    make_trial(partner, admin, company="Other Co")
    assert names(customer_rows(partner.id, query="IT@Rentals")) == ["Nortwind Rentals"]


def test_t9_search_stays_within_the_partners_customers(make_partner, make_customer):
    partner, _ = make_partner()
    other, _ = make_partner()
    make_customer(other, "Acme Holding")
    assert list(customer_rows(partner.id, query="acme")) == []
