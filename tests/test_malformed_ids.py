"""A malformed id or parameter is a 404 or a 400 (or is ignored), never a 500.

Every route with an ``<int:…>`` part is asked for an id too large for the database and for one
that names no row, by the anonymous and by a signed-in partner admin.
"""

import re

import pytest

from tests.conftest import sign_in

HUGE = 10**24
MISSING = 987654321
PART = re.compile(r"<(?:(?P<converter>[a-z]+)(?:\((?P<args>[^)]*)\))?:)?(?P<name>[a-z_]+)>")


def _path(rule: str, number: int) -> str:
    """The rule's path with every ``<int:…>`` set to ``number`` and every other part set to something valid."""

    def fill(match):
        converter, args = match["converter"], match["args"]
        if converter == "int":
            return str(number)
        if converter == "lang":
            return "en"
        if converter == "any":
            return args.split(",")[0].strip()
        return "x"

    return PART.sub(fill, rule)


def _id_rules(app):
    return sorted(
        (rule for rule in app.url_map.iter_rules() if "int:" in rule.rule), key=lambda r: (r.rule, r.endpoint)
    )


def test_the_walk_covers_the_object_routes(app):
    paths = {rule.rule for rule in _id_rules(app)}
    assert "/<lang:lang>/orders/<int:order_id>" in paths
    assert "/<lang:lang>/customers/<int:customer_id>/people/<int:user_id>/role" in paths
    assert len(paths) >= 15


@pytest.mark.parametrize("who", ["anonymous", "partner_admin"])
@pytest.mark.parametrize("number", [HUGE, MISSING], ids=["too-large", "no-such-row"])
def test_no_id_route_answers_500(app, client, demo, who, number):
    if who == "partner_admin":
        sign_in(client, "anna.dekker@northwind.example")
    answers = {}
    for rule in _id_rules(app):
        path = _path(rule.rule, number)
        for method in ("GET", "POST"):
            answers[f"{method} {path}"] = client.open(path, method=method).status_code
    assert {request: status for request, status in answers.items() if status >= 500} == {}
    if number == HUGE:  # too large for a BIGINT: no route matches it (Werkzeug checks the method first)
        pages = {f"GET {_path(rule.rule, number)}" for rule in _id_rules(app) if "GET" in rule.methods}
        assert {answers[request] for request in pages} == {404}, answers
        assert set(answers.values()) <= {404, 405}, answers
    else:
        assert set(answers.values()) <= {302, 400, 403, 404, 405, 410}, answers


@pytest.mark.parametrize(
    "query",
    ["abc", "-1", "1.5", "", str(HUGE), str(2**63), "١٢", "0x10", "9" * 5000],
)
def test_malformed_customer_to_prefill_is_ignored(partner_client, query):
    response = partner_client.get(f"/en/customers/trials/new?customer={query}")
    assert response.status_code == 200


@pytest.mark.parametrize("number", ["abc", "-3", "0", str(HUGE), str(2**63), "99", "9" * 5000, "²"])
@pytest.mark.parametrize("page", ["/en/people/", "/en/customers/"])
def test_a_page_number_out_of_range_shows_a_page_that_exists(partner_client, page, number):
    response = partner_client.get(f"{page}?page={number}")
    assert response.status_code == 200


@pytest.mark.parametrize("days", ["abc", str(HUGE), "-30", "31"])
def test_a_malformed_extension_is_a_bad_request(partner_client, db, days):
    from sqlalchemy import select

    from portal.models import Organization, Trial

    helios = db.scalar(select(Organization.id).where(Organization.name == "Helios Contact Services"))
    trial_id = db.scalar(select(Trial.id).where(Trial.customer_id == helios))
    response = partner_client.get(f"/en/customers/trials/{trial_id}/extend/preview?days={days}")
    assert response.status_code == 400


def test_the_largest_bigint_still_matches_a_route(partner_client):
    assert partner_client.get(f"/en/orders/{2**63 - 1}").status_code == 404  # a route, but no such order
    assert partner_client.get(f"/en/orders/{2**63}").status_code == 404  # no route


def test_parse_id():
    from portal.infra.url_converters import parse_id

    assert parse_id("42") == 42
    assert parse_id(str(2**63 - 1)) == 2**63 - 1
    for value in (None, "", "abc", "-1", "4 2", str(2**63), "١٢", "+1", "0" * 20 + "1", "9" * 5000):
        assert parse_id(value) is None, value


@pytest.mark.parametrize("path", ["/en/orders/１", "/en/orders/١٢", "/en/people/²/role"])
def test_ids_are_ascii_digits_so_other_scripts_digits_are_no_alias(partner_client, path):
    assert partner_client.get(path).status_code in (404, 405)


@pytest.mark.parametrize("value", ["²", "9" * 5000, "-1"])
def test_the_wizard_ask_to_be_added_refuses_a_malformed_organization(client, app, demo, value):
    from tests.wizard_driver import Wizard, place_order

    _order_id, token = place_order(app, key=f"malformed-ask-{len(value)}-{ord(value[0])}")
    wizard = Wizard(client, token)
    wizard.through(admin_email="admin@contoso.example", company="Contoso Manufacturing")
    assert wizard.post("ask-to-be-added", {"organization": value}).status_code == 302
