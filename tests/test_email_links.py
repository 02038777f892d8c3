"""Every email that asks for an action carries the way in (issue 13; rules O2, O3, T6, T8, T13,
T16, M4, L3): a signed link, or a link to the page where it is done behind sign-in, absolute on
BASE_URL, in the recipient's language, as a button in the HTML part and a plain URL in the text
part; and both parts say the same sentences.

The emails come from the rule functions themselves, with every recipient speaking the language
under test, so their context is what the portal really sends. Each email's links are followed
when it is queued (the clock moves between steps and links expire): a signed link opens its page
as it is, any other one asks for sign-in and, once the recipient has signed in, lands on the page
that offers the action.
"""

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from sqlalchemy import select, update

from portal.auth import invitations
from portal.mail.outbox import SUBJECTS
from portal.models import Order, Organization, OutgoingEmail, Trial, User
from portal.orders import rules as order_rules
from portal.people import add_me
from portal.trials import lifecycle, schedule
from tests.conftest import LANGUAGES, PASSWORD, START, translate

BASE = "http://portal.test"
NO_ACTION = {"trial_access_ended"}  # rule T16: users are told they have no access; nothing to do


class _Text(HTMLParser):
    """The words of an email's HTML as its text part writes them: a link as "label: URL", a list
    item as "- item", the rule above the footer as "--"; the head is not read."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.links, self.head, self.href = [], [], False, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "head":
            self.head = True
        elif tag == "a":
            self.href = attrs.get("href")
            self.links.append(self.href)
        elif tag == "li":
            self.parts.append(" - ")
        elif tag == "hr":
            self.parts.append(" -- ")
        elif tag == "p":
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag == "head":
            self.head = False
        elif tag == "a":
            self.parts.append(f": {self.href} ")
            self.href = None

    def handle_data(self, data):
        if not self.head:
            self.parts.append(data)


def words(text: str) -> str:
    return " ".join(text.split())


def html_as_text(html: str) -> tuple[str, list[str]]:
    parser = _Text()
    parser.feed(html)
    return words("".join(parser.parts)), parser.links


def text_links(text: str) -> list[str]:
    return re.findall(r"(?:https?://|mailto:)\S+", text)


@dataclass
class Inbox:
    """Checks each email as it is queued; remembers which kinds it has seen."""

    app: object
    db: object
    lang: str
    seen: dict = field(default_factory=dict)
    last_id: int = 0

    def signed_in(self, email: str, sign_in_url: str, target: str):
        """A browser of the recipient, signed in on the sign-in page the link led to (its form
        posts to its own URL, ``next`` included) and sent back to the link's page."""
        client = self.app.test_client()
        assert 'method="post"' in client.get(sign_in_url).get_data(as_text=True)
        response = client.post(sign_in_url, data={"email": email, "password": PASSWORD})
        assert response.status_code == 302 and response.headers["Location"] == target, email
        return client

    def check_new(self, *kinds: str) -> None:
        self.db.commit()
        emails = self.db.scalars(
            select(OutgoingEmail).where(OutgoingEmail.id > self.last_id).order_by(OutgoingEmail.id)
        ).all()
        assert {e.kind for e in emails} >= set(kinds), [e.kind for e in emails]
        rows = [(e.id, e.kind, e.to_address, e.language, e.body_text, e.body_html) for e in emails]
        for email_id, kind, to, language, text, html in rows:
            self.last_id = email_id
            self.seen.setdefault(kind, 0)
            self.seen[kind] += 1
            assert language == self.lang, (kind, to)
            self.check_email(kind, to, text, html)

    def check_email(self, kind, to, text, html):
        html_words, html_links = html_as_text(html)
        # The same sentences (and links, in the same places) in both parts.
        assert html_words == words(text), f"{kind} to {to}:\nHTML: {html_words}\ntext: {words(text)}"
        assert html_links == text_links(text), kind
        if kind in NO_ACTION:
            assert html_links == [], kind
            return
        assert html_links, f"{kind} carries no link"
        for link in html_links:
            self.check_link(kind, to, link)

    def check_link(self, kind, to, link):
        if link.startswith("mailto:"):  # rule O3: the account rep contacts the provisioning contact
            assert kind == "rep_alert"
            contact = unquote(link.removeprefix("mailto:"))
            assert self.db.scalar(select(Order.id).where(Order.provisioning_contact == contact)) is not None
            return
        parts = urlsplit(link)
        assert f"{parts.scheme}://{parts.netloc}" == BASE, link  # absolute, on BASE_URL
        assert parts.path.startswith(f"/{self.lang}/"), link  # in the recipient's language
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        response = self.app.test_client().get(target)
        if response.status_code == 302:  # behind sign-in: the sign-in page, then back here
            location = urlsplit(response.headers["Location"])
            assert location.path == f"/{self.lang}/sign-in", (kind, link, response.headers["Location"])
            assert parse_qs(location.query)["next"] == [target], (kind, link)
            response = self.signed_in(to, response.headers["Location"], target).get(target)
        assert response.status_code == 200, (kind, link, response.status_code)
        page = response.get_data(as_text=True)
        assert f'<html lang="{self.lang}' in page, (kind, link)
        for expected in self.expected_on_page(kind, to, link):
            assert expected in page, (kind, link, expected)

    def expected_on_page(self, kind, to, link):
        """What the page the link opens offers: the action the email asks for."""
        t = lambda message, **params: translate(self.app, self.lang, message, **params)  # noqa: E731
        path = urlsplit(link).path
        if kind in ("trial_expiring", "trial_expired") and path.endswith("/organization/"):
            yield t("I'm interested in purchasing")  # rule T16's link to purchase
        if kind == "trial_consent":
            yield t("Accept the trial")  # rule T8
        if kind == "add_me_request":
            yield 'value="new.person@contoso.example"'  # rule M4: the People page, prefilled
        if kind in ("invitation", "password_reset") or "/password/" in path:
            yield 'type="password"'
        if "/customers/" in path:
            yield "Helios Contact Services" if kind != "trial_interested" else "Åkerlund &amp; Rausing AB"


def user(db, email) -> User:
    return db.scalar(select(User).where(User.email == email))


def org(db, name) -> Organization:
    return db.scalar(select(Organization).where(Organization.name == name))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_email_that_asks_for_an_action_carries_the_way_in(app, db, demo, clock, lang):
    db.execute(update(User).values(language=lang))
    db.execute(update(Organization).where(Organization.kind == "partner").values(account_rep_language=lang))
    db.commit()
    inbox = Inbox(app, db, lang)
    northwind_id = org(db, "Northwind Solutions B.V.").id

    # rule O2: "Set up now" on the requested start date; rule O3: the account rep a day later.
    order, _ = order_rules.place_order(
        partner=db.get(Organization, northwind_id),
        placed_by=user(db, "anna.dekker@northwind.example"),
        offer="A-WX",
        requested_start=date(2026, 11, 20),
        contact="it@fabrikam.example",
        setup_language=lang,
        licenses=10,
        submission_key=f"email-links-{lang}",
    )
    db.commit()
    order_id = order.id
    order_rules.send_due_setup_emails()
    inbox.check_new("setup_now")
    # rule M4: asking the full admin of an existing organization to be added.
    add_me.ask_to_be_added(
        db.get(Order, order_id),
        org(db, "Contoso Manufacturing"),
        {"admin_email": "new.person@contoso.example", "role": "customer"},
    )
    inbox.check_new("add_me_request")
    # Invitations and password resets.
    invitations.send_reset(user(db, "lars.berg@northwind.example"))
    newcomer = User(
        email="new.colleague@northwind.example", language=lang, organization_id=northwind_id, created_at=START
    )
    db.add(newcomer)
    db.flush()
    invitations.invite(newcomer, invited_by=user(db, "anna.dekker@northwind.example"))
    inbox.check_new("password_reset", "invitation")

    # rule T8: a trial for an existing organization waits for its full admin's consent; once
    # accepted and provisioned (T6), its admin, who has a password, is welcomed with sign-in.
    ivan = user(db, "ivan.petrov@sofiacomm.example")
    pending = lifecycle.start_trial(
        partner=ivan.organization,
        actor=ivan,
        company="Contoso Manufacturing",
        admin_email="admin@contoso.example",
        industry="manufacturing",
        country="US",
        services=["devices"],  # Contoso bought every other service
        license_count=10,
        duration_days=90,
        supported_location=True,
        existing_confirmed=True,
    )
    pending_id = pending.id
    inbox.check_new("trial_consent")
    lifecycle.answer_consent(db.get(Trial, pending_id), user=user(db, "admin@contoso.example"), accept=True)
    lifecycle.provision(db.get(Trial, pending_id), actor=user(db, "ivan.petrov@sofiacomm.example"))
    inbox.check_new("trial_welcome")
    # rule T6: a new customer's admin, who has no password yet, is welcomed with the invitation.
    anna = user(db, "anna.dekker@northwind.example")
    fresh = lifecycle.start_trial(
        partner=anna.organization,
        actor=anna,
        company="Fabrikam Ltd",
        admin_email="it@fabrikam-trial.example",
        industry="manufacturing",
        country="NL",
        services=["messaging"],
        license_count=10,
        duration_days=90,
        supported_location=True,
        language=lang,
    )
    lifecycle.provision(fresh, actor=anna)
    inbox.check_new("trial_welcome")
    # rule T10: a paying customer's trial starts at once; T13: its admin is interested.
    anna = user(db, "anna.dekker@northwind.example")
    paying = lifecycle.start_trial(
        partner=anna.organization,
        actor=anna,
        company="Åkerlund & Rausing AB",
        admin_email="ingrid.lund@akerlund.example",
        industry="manufacturing",
        country="SE",
        services=["enterprise_meetings"],
        site="akerlund.meetings.example",
        time_zone="Europe/Stockholm",
        license_count=10,
        duration_days=90,
        supported_location=True,
        existing_confirmed=True,
    )
    paying_id = paying.id
    inbox.check_new("trial_started")
    lifecycle.interested(db.get(Trial, paying_id), user=user(db, "ingrid.lund@akerlund.example"))
    inbox.check_new("trial_interested")

    # rule O3, a day after the requested start date without set-up.
    clock.at = START + timedelta(days=1, hours=1)
    order_rules.alert_account_reps()
    inbox.check_new("rep_alert")
    # rule T16: Helios's trial (70 days left) warns 7 days before and expires; Vega's grace ends.
    clock.at = START + timedelta(days=63)
    schedule.expiry_warnings()
    inbox.check_new("trial_expiring")
    clock.at = START + timedelta(days=70)
    schedule.expirations()
    inbox.check_new("trial_expired")
    schedule.grace_period_ends()
    inbox.check_new("trial_access_ended")

    assert set(inbox.seen) == set(SUBJECTS)  # every kind of email the portal sends
