"""Unit tests of portal.people.add_me: rule M4's way out. A would-be admin stopped by M4 asks the
chosen organization's first full admin, in that admin's language (L3), to add them; once."""

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from portal.domain import matching
from portal.models import AdminRole, AuditEvent, OutgoingEmail, User
from portal.people import add_me
from portal.people.add_me import PeopleRuleError
from tests.conftest import START


def requests(db):
    return db.scalars(select(OutgoingEmail).where(OutgoingEmail.kind == "add_me_request")).all()


def audits(db):
    return db.scalars(select(AuditEvent).where(AuditEvent.action == "add_me_requested")).all()


@pytest.fixture
def setting(db, make_partner, make_customer, make_order):
    """A partner's order and a customer organization whose only full admin reads Swedish."""
    partner, partner_admin = make_partner()
    customer, admin = make_customer(partner, name="Åkerlund & Rausing AB", language="sv")
    order = make_order(partner, partner_admin)
    return order, customer, admin, partner


def test_m4_a_blocked_customer_asks_the_full_admin_in_the_admins_language(db, setting):
    order, customer, admin, partner = setting
    asked = add_me.ask_to_be_added(order, customer, {"admin_email": "  New.Person@Example.ORG ", "role": "customer"})
    assert asked == add_me.Asked(admin, matching.Outcome.BLOCKED_CUSTOMER, True)
    [email] = requests(db)
    assert (email.to_address, email.language, email.order_id) == (admin.email, "sv", order.id)
    assert email.dedupe_key == f"m4:{order.id}:{customer.id}:new.person@example.org"
    for text in (order.reference, partner.name, customer.name, "new.person@example.org"):
        assert text in email.body_text
    link = urlsplit(next(word for word in email.body_text.split() if "/people/" in word))
    assert link.path == "/sv/people/"
    assert parse_qs(link.query) == {"email": ["new.person@example.org"], "role": ["full_admin"]}
    [event] = audits(db)
    assert (event.organization_id, event.order_id) == (customer.id, order.id)
    assert event.details == {"user": "new.person@example.org", "full_admin": admin.email}


def test_m4_asking_again_queues_nothing_more(db, setting):
    order, customer, admin, _ = setting
    answers = {"admin_email": "new@example.org", "role": "customer"}
    assert add_me.ask_to_be_added(order, customer, answers).new is True
    again = add_me.ask_to_be_added(order, customer, {"admin_email": "NEW@example.org", "role": "customer"})
    assert again == add_me.Asked(admin, matching.Outcome.BLOCKED_CUSTOMER, False)
    assert len(requests(db)) == 1 and len(audits(db)) == 1


def test_m4_a_partner_for_its_own_use_asks_its_own_full_admin(db, setting):
    order, _, _, partner = setting
    own_admin = partner.users[0]
    asked = add_me.ask_to_be_added(order, partner, {"admin_email": "new@partner.example", "role": "partner"})
    assert asked.outcome is matching.Outcome.BLOCKED_OWN_USE and asked.admin.id == own_admin.id
    assert requests(db)[0].to_address == own_admin.email


def test_m4_the_first_active_full_admin_is_asked(db, setting):
    order, customer, admin, _ = setting
    admin.active = False
    second = User(email="second@c.example", organization_id=customer.id, created_at=START, language="bg")
    db.add(second)
    db.flush()
    db.add(AdminRole(user_id=second.id, organization_id=customer.id, role="full_admin", granted_at=START))
    db.commit()
    asked = add_me.ask_to_be_added(order, customer, {"admin_email": "new@example.org", "role": "customer"})
    assert asked.admin.id == second.id
    [email] = requests(db)
    assert (email.to_address, email.language) == ("second@c.example", "bg")


@pytest.mark.parametrize(
    "answers",
    [
        {"role": "customer"},
        {"admin_email": None, "role": "customer"},
        {"admin_email": "  ", "role": "customer"},
        {"admin_email": "new@example.org"},
        {"admin_email": "new@example.org", "role": ""},
    ],
)
def test_m4_without_an_email_and_a_role_nothing_is_asked(db, setting, answers):
    order, customer, _, _ = setting
    with pytest.raises(PeopleRuleError, match="can no longer be set up"):
        add_me.ask_to_be_added(order, customer, answers)
    assert requests(db) == [] and audits(db) == []


@pytest.mark.parametrize("status", ["mapped", "closed"])
def test_m4_an_order_no_longer_awaiting_provisioning_asks_nothing(db, setting, status):
    order, customer, _, _ = setting
    customer_id = customer.id
    order.status = status
    order.mapped_organization_id = customer_id if status == "mapped" else None
    order.closed_at = START if status == "closed" else None
    with pytest.raises(PeopleRuleError, match="can no longer be set up"):
        add_me.ask_to_be_added(order, customer, {"admin_email": "new@example.org", "role": "customer"})
    assert requests(db) == []


def test_m4_an_admin_of_the_organization_or_a_partner_for_a_customer_need_not_ask(db, setting):
    order, customer, admin, _ = setting
    for answers in (
        {"admin_email": admin.email.upper(), "role": "customer"},  # M1: already an admin there
        {"admin_email": "new@example.org", "role": "partner"},  # M4: the partner may continue
    ):
        with pytest.raises(PeopleRuleError) as refused:
            add_me.ask_to_be_added(order, customer, answers)
        assert "You can already set up this order" in str(refused.value) and customer.name in str(refused.value)
    assert requests(db) == [] and audits(db) == []


def test_m4_an_organization_without_a_full_admin_cannot_be_asked(db, setting):
    order, customer, admin, _ = setting
    db.delete(admin.admin_role)
    db.commit()
    with pytest.raises(PeopleRuleError) as refused:
        add_me.ask_to_be_added(order, customer, {"admin_email": "new@example.org", "role": "customer"})
    assert "has no full admin" in str(refused.value) and customer.name in str(refused.value)
    assert requests(db) == []
