"""Slovenian plurals proven at run time, with two translation domains loaded (issue 5).

Flask-Babel merges the domains' catalogs into one and keeps one plural rule; a catalog with a
wrong or missing Plural-Forms would silently give Slovenian the English rule. The app loads the
portal's own domain and WTForms' (both in translations/), so these pages prove the merge right.
"""

import pytest
from sqlalchemy import select

from portal.models import OrderLine
from tests.conftest import sign_in, translate
from tests.wizard_driver import place_order

# Slovenian: one (n%100 == 1), two (n%100 == 2), few (n%100 in 3, 4), other.
SLOVENIAN_LICENCE = {
    1: "licenca",
    2: "licenci",
    3: "licence",
    4: "licence",
    5: "licenc",
    101: "licenca",
    102: "licenci",
    103: "licence",
}


def test_both_domains_are_loaded(app):
    assert app.config["BABEL_DOMAIN"] == "messages;wtforms"
    assert translate(app, "sl", "Not a valid choice.") != "Not a valid choice."
    assert translate(app, "sl", "Provisioning Portal") != "Provisioning Portal"


@pytest.mark.parametrize("n", sorted(SLOVENIAN_LICENCE))
def test_l1_slovenian_plural_forms_in_a_rendered_page(app, db, client, demo, n):
    order_id, token = place_order(app, offer="A-SPK", key=f"plural-order-{n:05d}")
    for line in db.scalars(select(OrderLine).where(OrderLine.order_id == order_id)):
        line.quantity = n
    db.commit()
    html = client.get(f"/sl/setup/{token}").get_data(as_text=True)
    assert f"{translate(app, 'sl', 'Messaging')}: {n} {SLOVENIAN_LICENCE[n]}</li>" in html


@pytest.mark.parametrize("lang", ["nl", "sv", "sl", "bg"])
def test_wtforms_own_messages_are_in_every_language(client, app, demo, lang):
    sign_in(client, "lars.berg@northwind.example")
    html = client.post(f"/{lang}/account", data={"language": "xx"}).get_data(as_text=True)
    message = translate(app, lang, "Not a valid choice.")
    assert message != "Not a valid choice." and message in html
