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


# --- issue 12: "did you mean" when nothing matches ---------------------------------------------


def test_search_did_you_mean_offers_close_names_among_the_partners_customers(make_partner, make_customer):
    from portal.trials.status import did_you_mean

    partner, _ = make_partner()
    other, _ = make_partner()
    make_customer(partner, "Åkerlund & Rausing AB")
    make_customer(partner, "Балкан Телеком ЕООД")
    make_customer(other, "Akerlund Rausing Holding")  # another partner's customer: never shown
    assert [s.organization.name for s in did_you_mean(partner.id, "Akerlund and Rausing")] == ["Åkerlund & Rausing AB"]
    assert [s.organization.name for s in did_you_mean(partner.id, "Balkan Telekom")] == ["Балкан Телеком ЕООД"]
    assert did_you_mean(partner.id, "ak") == []


def test_search_page_says_did_you_mean_with_a_link(partner_client, app):
    from markupsafe import escape

    from tests.conftest import translate

    for lang in ("en", "sv"):
        html = partner_client.get(f"/{lang}/customers/?q=Akerlund+and+Rausing").get_data(as_text=True)
        expected = translate(app, lang, "No customer matches “%(query)s”. Did you mean:", query="Akerlund and Rausing")
        assert str(escape(expected)) in html
        assert "?q=%C3%85kerlund+%26+Rausing+AB" in html
    htmx = partner_client.get(
        "/en/customers/?q=Contoso+Manufactoring", headers={"HX-Request": "true", "HX-Target": "customer-list"}
    ).get_data(as_text=True)
    assert "Contoso Manufacturing" in htmx and "similar name (typo)" in htmx
