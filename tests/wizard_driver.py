"""Driving the set-up wizard through the Flask test client, as a browser without JavaScript would."""

from datetime import date
from functools import partial

from sqlalchemy import select

from portal.models import Order, Organization, User
from portal.orders import rules
from portal.orders.links import setup_token
from tests.browser import beside_the_portal
from tests.concurrency import at_once


def place_order(
    app, *, offer="A-WX", partner="Northwind Solutions B.V.", language="en", key=None, contact="it@example.net"
) -> tuple[int, str]:
    """An order whose "Set up now" email went out today; returns (order id, link token)."""
    from portal.infra.db import db

    with beside_the_portal(app):
        partner_org = db.scalar(select(Organization).where(Organization.name == partner))
        anna = db.scalar(select(User).where(User.email == "anna.dekker@northwind.example"))
        order, _ = rules.place_order(
            partner=partner_org,
            placed_by=anna,
            offer=offer,
            requested_start=date(2026, 11, 20),
            contact=contact,
            setup_language=language,
            licenses=30,
            submission_key=key or f"wizard-{offer}-{partner[:5]}-{language}-0001",
        )
        db.commit()
        rules.send_due_setup_emails()
        order = db.get(Order, order.id)
        return order.id, setup_token(order)


def demo_order(app, key: str) -> tuple[int, str]:
    from portal.infra.db import db

    with app.app_context():
        order = db.scalar(select(Order).where(Order.submission_key == key))
        return order.id, setup_token(order)


class Wizard:
    def __init__(self, client, token: str, lang: str = "en"):
        self.client, self.token, self.lang = client, token, lang
        self.base = f"/{lang}/setup/{token}"

    def get(self, step: str = "", **kwargs):
        return self.client.get(f"{self.base}/{step}".rstrip("/"), **kwargs)

    def post(self, step: str, data: dict | None = None, **kwargs):
        return self.client.post(f"{self.base}/{step}", data=data or {}, **kwargs)

    def text(self, step: str = "") -> str:
        return self.get(step).get_data(as_text=True)

    def through(self, *, role="partner", who="self", partner="yes", admin_email, company, country="NL"):
        """Answer W1-W5 and land on W6."""
        self.get()  # the link starts from the beginning
        assert self.post("role", {"role": role}).status_code == 302
        if role == "partner":
            assert self.post("who", {"who": who}).status_code == 302
            assert self.post("partner", {"answer": partner}).status_code == 302
        assert self.post("admin", {"admin_email": admin_email}).status_code == 302
        response = self.post("company", {"company": company, "country": country})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response


def race_confirmations(app, token: str, prefix: str, racers: int = 4) -> list[int]:
    """Several browsers confirm the same order at the same moment (rule W7); their statuses."""
    wizards = []
    for n in range(racers):
        w = Wizard(app.test_client(), token)
        w.through(admin_email=f"admin@{prefix.lower().replace(' ', '')}{n}.example", company=f"{prefix} {n}")
        w.post("organization", {"organization": "new"})
        wizards.append(w)
    return at_once([partial(lambda w: w.post("confirm").status_code, w) for w in wizards])
