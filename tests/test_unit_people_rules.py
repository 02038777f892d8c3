"""Unit tests of portal.people.rules: adding users (W4, L3), roles by kind of organization, the
last full admin, removing users (sessions end), and the audit with the partner's name (T6)."""

from datetime import timedelta

import pytest
from flask import g
from sqlalchemy import func, select

from portal.audit import record
from portal.models import AdminRole, AuditEvent, LoginSession, OutgoingEmail, User
from portal.people import rules
from portal.people.rules import PeopleRuleError
from tests.conftest import START


def member(db, org, email, role=None, *, display_name="", language=None):
    user = User(email=email, organization_id=org.id, created_at=START, display_name=display_name, language=language)
    db.add(user)
    db.flush()
    if role:
        db.add(AdminRole(user_id=user.id, organization_id=org.id, role=role, granted_at=START))
    db.commit()
    return user


def events(db, action=None):
    query = select(AuditEvent).order_by(AuditEvent.id)
    if action:
        query = query.where(AuditEvent.action == action)
    return db.scalars(query).all()


def invitations_to(db, email):
    return db.scalars(
        select(OutgoingEmail).where(OutgoingEmail.kind == "invitation", OutgoingEmail.to_address == email)
    ).all()


def add(org, actor, email, **fields):
    return rules.add_user(
        org,
        email=email,
        display_name=fields.get("display_name", ""),
        language=fields.get("language"),
        role=fields.get("role"),
        actor=actor,
    )


@pytest.fixture
def customer(make_customer):
    return make_customer()


# --- adding a user ----------------------------------------------------------------------------


def test_w4_a_new_user_is_stored_normalized_invited_and_audited(db, customer, clock):
    org, admin = customer
    user = add(org, admin, "  Nieuw.Lid@Contoso.EXAMPLE ", display_name="  Nieuw Lid ", language="nl", role=None)
    db.commit()
    assert (user.email, user.display_name, user.language, user.organization_id) == (
        "nieuw.lid@contoso.example",
        "Nieuw Lid",
        "nl",
        org.id,
    )
    assert user.role is None and user.active and user.password_hash is None and user.created_at == START
    [invitation] = invitations_to(db, user.email)
    assert invitation.language == "nl"
    assert admin.display_name in invitation.body_text  # the inviter is named
    [event] = events(db, "user_added")
    assert event.actor_id == admin.id and event.organization_id == org.id
    assert event.details == {
        "user": user.email,
        "organization": org.name,
        "actor_name": admin.display_name,
        "role": None,
    }


def test_l3_a_user_added_without_a_language_has_no_preference_and_remembers_the_page(app, db, customer):
    org, admin = customer
    assert add(org, admin, "outside@c.example").page_language is None
    with app.test_request_context("/sv/people/"):
        g.lang = "sv"
        user = add(org, admin, "inside@c.example", language="")
        assert (user.language, user.page_language) == (None, "sv")
        db.commit()


@pytest.mark.parametrize("role", ["full_admin", "read_only_admin"])
def test_a_customer_user_gets_a_customer_role(db, customer, role):
    org, admin = customer
    user = add(org, admin, "new@c.example", role=role)
    assert user.role == role
    assert db.scalar(select(AdminRole.organization_id).where(AdminRole.user_id == user.id)) == org.id
    assert events(db, "user_added")[0].details["role"] == role


@pytest.mark.parametrize("role", ["sales_admin", "sales_full_admin", "provisioning_admin", "owner"])
def test_a_customer_organization_refuses_partner_roles_and_stores_nothing(db, customer, role):
    org, admin = customer
    with pytest.raises(PeopleRuleError) as refused:
        add(org, admin, "new@c.example", role=role)
    assert refused.value.field == "role"
    db.rollback()
    assert db.scalar(select(User).where(User.email == "new@c.example")) is None


@pytest.mark.parametrize("role", ["full_admin", "sales_full_admin", "sales_admin", "read_only_admin"])
def test_a_partner_organization_has_four_roles(db, make_partner, role):
    org, admin = make_partner()
    assert add(org, admin, "new@p.example", role=role).role == role


def test_a_partner_organization_refuses_the_provisioning_admin_role(db, make_partner):
    org, admin = make_partner()
    with pytest.raises(PeopleRuleError) as refused:
        add(org, admin, "new@p.example", role="provisioning_admin")
    assert refused.value.field == "role"


@pytest.mark.parametrize("email", ["not an email", "@c.example", ""])
def test_an_invalid_email_is_refused_on_its_field(db, customer, email):
    org, admin = customer
    with pytest.raises(PeopleRuleError) as refused:
        add(org, admin, email)
    assert refused.value.field == "email"


def test_w4_an_email_of_another_organization_is_refused(db, customer, make_customer):
    org, admin = customer
    _, elsewhere = make_customer()
    with pytest.raises(PeopleRuleError) as refused:
        add(org, admin, elsewhere.email.upper())
    assert refused.value.field == "email" and "another organization" in str(refused.value)
    assert db.get(User, elsewhere.id).organization_id != org.id


def test_an_active_user_cannot_be_added_twice(db, customer):
    org, admin = customer
    add(org, admin, "twice@c.example")
    db.commit()
    with pytest.raises(PeopleRuleError) as refused:
        add(org, admin, "Twice@c.example")
    assert refused.value.field == "email" and "twice@c.example" in str(refused.value)


def test_a_removed_user_comes_back_with_a_new_invitation(db, customer, clock):
    org, admin = customer
    user = member(db, org, "back@c.example", display_name="Old Name", language="sv")
    user.set_password("old-password-123")
    user.active = False
    db.commit()
    clock.advance(days=1)
    again = add(org, admin, "back@c.example", display_name=" ", language=None, role="read_only_admin")
    db.commit()
    assert again.id == user.id and again.active and again.password_hash is None
    assert (again.display_name, again.language, again.role) == ("Old Name", "sv", "read_only_admin")
    again.active = False
    db.commit()
    clock.advance(days=1)
    again = add(org, admin, "back@c.example", display_name="New Name", language="bg")
    assert (again.display_name, again.language) == ("New Name", "bg")
    assert [e.action for e in events(db)] == ["user_restored", "user_restored"]
    assert [e.language for e in invitations_to(db, "back@c.example")] == ["sv", "bg"]


def test_t6_a_partner_adding_on_the_customers_behalf_is_named_in_the_audit(db, make_partner, make_customer):
    partner, partner_admin = make_partner()
    org, _ = make_customer(partner)
    add(org, partner_admin, "new@c.example")
    [event] = events(db, "user_added")
    assert event.details["on_behalf_partner"] == partner.name
    assert event.details["actor_name"] == partner_admin.display_name
    assert event.organization_id == org.id and event.actor_id == partner_admin.id


def test_the_audit_names_an_actor_without_a_display_name_by_email(db, customer):
    org, _ = customer
    nameless = member(db, org, "nameless@c.example", "full_admin")
    add(org, nameless, "new@c.example")
    [event] = events(db, "user_added")
    assert event.details["actor_name"] == "nameless@c.example"
    assert "on_behalf_partner" not in event.details


# --- roles ------------------------------------------------------------------------------------


def test_granting_changing_and_revoking_a_role_is_audited_with_the_previous_role(db, customer, clock):
    org, admin = customer
    user = member(db, org, "u@c.example")
    clock.advance(days=2)
    assert rules.set_role(org, user, "read_only_admin", actor=admin) is True
    assert user.role == "read_only_admin"
    assert db.scalar(select(AdminRole.granted_at).where(AdminRole.user_id == user.id)) == START + timedelta(days=2)
    assert rules.set_role(org, user, "full_admin", actor=admin) is True
    assert user.role == "full_admin"
    assert rules.set_role(org, user, None, actor=admin) is True
    assert user.role is None
    assert db.scalar(select(func.count()).select_from(AdminRole).where(AdminRole.user_id == user.id)) == 0
    changes = [(e.details["previous"], e.details["role"], e.actor_id) for e in events(db, "role_changed")]
    assert changes == [
        (None, "read_only_admin", admin.id),
        ("read_only_admin", "full_admin", admin.id),
        ("full_admin", None, admin.id),
    ]
    assert events(db, "role_changed")[0].details["user"] == "u@c.example"


def test_setting_the_same_role_again_changes_nothing(db, customer):
    org, admin = customer
    user = member(db, org, "u@c.example", "read_only_admin")
    assert rules.set_role(org, user, "read_only_admin", actor=admin) is False
    assert rules.set_role(org, member(db, org, "plain@c.example"), None, actor=admin) is False
    assert events(db) == []


def test_a_role_of_the_wrong_kind_is_refused(db, customer):
    org, admin = customer
    user = member(db, org, "u@c.example", "read_only_admin")
    with pytest.raises(PeopleRuleError) as refused:
        rules.set_role(org, user, "sales_admin", actor=admin)
    assert refused.value.field == "role"
    db.rollback()
    assert db.get(User, user.id).role == "read_only_admin"


def test_only_an_active_user_of_the_organization_gets_a_role(db, customer, make_customer):
    org, admin = customer
    _, elsewhere = make_customer()
    removed = member(db, org, "removed@c.example")
    removed.active = False
    db.commit()
    for user in (elsewhere, removed):
        with pytest.raises(PeopleRuleError, match="not an active user"):
            rules.set_role(org, user, "read_only_admin", actor=admin)
    db.rollback()
    assert db.get(User, removed.id).role is None


def test_the_last_full_admin_cannot_be_demoted(db, customer):
    org, admin = customer
    for role in ("read_only_admin", None):
        with pytest.raises(PeopleRuleError) as refused:
            rules.set_role(org, admin, role, actor=admin)
        assert refused.value.field == "role"
        assert admin.email in str(refused.value) and org.name in str(refused.value)
    db.rollback()
    assert db.get(User, admin.id).role == "full_admin"


def test_a_full_admin_may_be_demoted_while_another_active_one_remains(db, customer):
    org, admin = customer
    second = member(db, org, "second@c.example", "full_admin")
    assert rules.full_admin_count(org.id) == 2
    assert rules.set_role(org, admin, "read_only_admin", actor=second)
    assert rules.full_admin_count(org.id) == 1
    with pytest.raises(PeopleRuleError):
        rules.set_role(org, second, None, actor=second)


def test_an_inactive_full_admin_does_not_count_as_the_other_one(db, customer, make_customer):
    org, admin = customer
    gone = member(db, org, "gone@c.example", "full_admin")
    gone.active = False
    other_org, _ = make_customer()
    db.commit()
    assert rules.full_admin_count(org.id) == 1
    assert rules.full_admin_count(other_org.id) == 1
    with pytest.raises(PeopleRuleError):
        rules.set_role(org, admin, "read_only_admin", actor=admin)


# --- removing a user --------------------------------------------------------------------------


def session_of(db, user, token):
    row = LoginSession(token_hash=token, user_id=user.id, created_at=START, last_seen_at=START)
    db.add(row)
    db.commit()
    return row


def test_removing_a_user_takes_the_role_ends_every_session_and_is_audited(db, customer, clock):
    org, admin = customer
    user = member(db, org, "leaver@c.example", "read_only_admin")
    first, second = session_of(db, user, "a" * 64), session_of(db, user, "b" * 64)
    admins_session = session_of(db, admin, "c" * 64)
    clock.advance(hours=1)
    assert rules.remove_user(org, user, actor=admin) is True
    db.commit()
    db.expire_all()
    assert not user.active and user.role is None
    assert db.scalar(select(func.count()).select_from(AdminRole).where(AdminRole.user_id == user.id)) == 0
    for row in (first, second):
        assert (row.ended_at, row.ended_reason) == (START + timedelta(hours=1), "removed")
    assert admins_session.ended_at is None
    [event] = events(db, "user_removed")
    assert event.details["previous"] == "read_only_admin" and event.details["user"] == "leaver@c.example"
    assert event.actor_id == admin.id and event.organization_id == org.id


def test_removing_a_removed_user_again_changes_nothing(db, customer):
    org, admin = customer
    user = member(db, org, "leaver@c.example")
    assert rules.remove_user(org, user, actor=admin) is True
    assert rules.remove_user(org, user, actor=admin) is False
    assert len(events(db, "user_removed")) == 1


def test_a_user_of_another_organization_cannot_be_removed(db, customer, make_customer):
    org, admin = customer
    _, elsewhere = make_customer()
    with pytest.raises(PeopleRuleError):
        rules.remove_user(org, elsewhere, actor=admin)
    db.rollback()
    assert db.get(User, elsewhere.id).active


def test_the_last_full_admin_cannot_be_removed_but_another_full_admin_can(db, customer):
    org, admin = customer
    with pytest.raises(PeopleRuleError) as refused:
        rules.remove_user(org, admin, actor=admin)
    assert refused.value.field == "role"
    db.rollback()
    second = member(db, org, "second@c.example", "full_admin")
    assert rules.remove_user(org, second, actor=admin) is True
    assert events(db, "user_removed")[0].details["previous"] == "full_admin"


# --- history ----------------------------------------------------------------------------------


def test_the_history_lists_people_changes_of_the_organization_newest_first(db, customer, make_customer, clock):
    org, admin = customer
    other, _ = make_customer()
    for n, action in enumerate(["user_added", "role_changed", "order_mapped", "user_removed", "user_restored"]):
        clock.at = START + timedelta(minutes=n)
        record(action, actor=admin, organization_id=org.id, n=n)
    record("user_added", actor=admin, organization_id=other.id, n=99)
    clock.at = START + timedelta(minutes=4)
    record("role_changed", actor=admin, organization_id=org.id, n=5)  # same time: the later row first
    clock.at = START - timedelta(days=1)
    record("user_added", actor=admin, organization_id=org.id, n=-1)  # recorded last, happened first
    db.commit()
    assert [e.details["n"] for e in rules.history(org.id).events] == [5, 4, 3, 1, 0, -1]
    assert [e.details["n"] for e in rules.history(org.id, size=2).events] == [5, 4]
    assert [e.details["n"] for e in rules.history(org.id, page=3, size=2).events] == [0, -1]


def test_the_history_shows_twenty_changes_a_page_by_default(db, customer):
    org, admin = customer
    for n in range(25):
        record("role_changed", actor=admin, organization_id=org.id, n=n)
    db.commit()
    first, second = rules.history(org.id), rules.history(org.id, page=2)
    assert (len(first.events), first.total, first.pages) == (20, 25, 2)
    assert [e.details["n"] for e in second.events] == [4, 3, 2, 1, 0]
