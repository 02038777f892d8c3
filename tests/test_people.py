"""The People page: adding users (W4, invitations in the user's language, L3), granting and
revoking roles, removing users (sessions end), the last full admin, paging and search, audit."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.models import AdminRole, AuditEvent, OutgoingEmail, User
from portal.people import rules
from portal.people.rules import PeopleRuleError
from tests.conftest import sign_in
from tests.test_trials import org, user

CONTOSO = "Contoso Manufacturing"


def people(client, lang="en", **args):
    return client.get(f"/{lang}/people/", query_string=args)


def add(client, lang="en", **fields):
    return client.post(f"/{lang}/people/add", data={f"add-{key}": value for key, value in fields.items()})


def counts(db):
    return (
        db.scalar(select(func.count()).select_from(User)),
        db.scalar(select(func.count()).select_from(AdminRole)),
        db.scalar(select(func.count()).select_from(OutgoingEmail)),
    )


@pytest.fixture
def contoso_admin(client, demo):
    sign_in(client, "admin@contoso.example")
    return client


def test_a_full_admin_adds_a_user_who_is_invited_in_the_chosen_language(contoso_admin, db):
    response = add(
        contoso_admin,
        email="Nieuw.Lid@Contoso.example",
        display_name="Nieuw Lid",
        language="nl",
        role="read_only_admin",
    )
    assert response.status_code == 302
    new = user(db, "nieuw.lid@contoso.example")
    assert new.organization.name == CONTOSO and new.role == "read_only_admin" and new.language == "nl"
    assert new.password_hash is None
    invitation = db.scalar(select(OutgoingEmail).where(OutgoingEmail.to_address == new.email))
    assert invitation.kind == "invitation" and invitation.language == "nl"
    page = people(contoso_admin, q="nieuw").get_data(as_text=True).replace("<wbr>", "")  # break opportunities
    assert "nieuw.lid@contoso.example" in page and "Added nieuw.lid@contoso.example" in page


def test_l3_a_user_added_without_a_language_has_no_preference_and_is_invited_in_the_page_language(contoso_admin, db):
    assert add(contoso_admin, lang="sl", email="novi@contoso.example").status_code == 302
    new = user(db, "novi@contoso.example")
    assert new.language is None and new.role is None
    assert db.scalar(select(OutgoingEmail.language).where(OutgoingEmail.to_address == new.email)) == "sl"


def test_w4_an_email_of_another_organization_is_refused_and_nothing_is_stored(contoso_admin, db):
    before = counts(db)
    response = add(contoso_admin, email="ingrid.lund@akerlund.example", role="full_admin")
    assert response.status_code == 422
    assert "belongs to a user of another organization" in response.get_data(as_text=True)
    assert counts(db) == before


def test_adding_an_existing_user_twice_is_refused_with_a_clear_message(contoso_admin, db):
    assert add(contoso_admin, email="twice@contoso.example").status_code == 302
    before = counts(db)
    response = add(contoso_admin, email="twice@contoso.example")
    assert response.status_code == 422 and "already a user of this organization" in response.get_data(as_text=True)
    assert counts(db) == before


def test_a_customer_organization_offers_only_its_own_roles(contoso_admin, db):
    page = people(contoso_admin).get_data(as_text=True)
    assert "Read-only admin" in page and "Sales admin" not in page
    before = counts(db)
    assert add(contoso_admin, email="sales@contoso.example", role="sales_admin").status_code == 422
    assert counts(db) == before


def test_granting_and_revoking_a_role_is_audited(contoso_admin, db):
    target = user(db, "alex.contoso_mfg0@contoso.example")
    target_id = target.id
    url = f"/en/people/{target_id}/role"
    assert contoso_admin.post(url, data={f"role{target_id}-role": "full_admin"}).status_code == 302
    assert db.get(User, target_id).role == "full_admin"
    assert contoso_admin.post(url, data={f"role{target_id}-role": "full_admin"}).status_code == 302  # a repeat
    assert contoso_admin.post(url, data={f"role{target_id}-role": ""}).status_code == 302
    db.expire_all()
    assert db.get(User, target_id).role is None
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "role_changed").order_by(AuditEvent.id)).all()
    assert [(e.details["previous"], e.details["role"]) for e in events] == [(None, "full_admin"), ("full_admin", None)]


def test_the_last_full_admin_can_be_neither_demoted_nor_removed(contoso_admin, db):
    admin = user(db, "admin@contoso.example")
    admin_id = admin.id
    response = contoso_admin.post(f"/en/people/{admin_id}/role", data={f"role{admin_id}-role": "read_only_admin"})
    assert response.status_code == 302
    assert "last full admin" in contoso_admin.get(response.location).get_data(as_text=True)
    contoso_admin.post(f"/en/people/{admin_id}/remove")
    db.expire_all()
    admin = db.get(User, admin_id)
    assert admin.role == "full_admin" and admin.active


def test_two_full_admins_cannot_demote_each_other_into_none(db, demo):
    contoso = org(db, CONTOSO)
    first, second = user(db, "admin@contoso.example"), user(db, "alex.contoso_mfg0@contoso.example")
    rules.set_role(contoso, second, "full_admin", actor=first)
    db.commit()
    rules.set_role(contoso, first, "read_only_admin", actor=second)
    db.commit()
    with pytest.raises(PeopleRuleError, match="last full admin"):
        rules.set_role(contoso, second, None, actor=second)
    db.rollback()
    with pytest.raises(PeopleRuleError, match="last full admin"):
        rules.remove_user(contoso, second, actor=second)


def test_removing_a_user_ends_their_sessions_at_once(app, contoso_admin, db):
    colleague = user(db, "admin@contoso.example")
    target = user(db, "alex.contoso_mfg0@contoso.example")
    target.set_password("portal-demo-2026")
    target_id = target.id
    from portal.infra import clock
    from portal.models import AdminRole as Role

    db.add(
        Role(
            user_id=target.id, organization_id=colleague.organization_id, role="read_only_admin", granted_at=clock.now()
        )
    )
    db.commit()
    other = app.test_client()
    sign_in(other, "alex.contoso_mfg0@contoso.example")
    assert other.get("/en/organization/").status_code == 200
    assert contoso_admin.get(f"/en/people/{target_id}/remove").status_code == 200
    assert contoso_admin.post(f"/en/people/{target_id}/remove").status_code == 302
    assert contoso_admin.post(f"/en/people/{target_id}/remove").status_code == 302  # a double-click
    assert other.get("/en/organization/").status_code == 302  # the replayed cookie is refused
    removed = db.get(User, target_id)
    assert not removed.active and removed.role is None
    assert len(db.scalars(select(AuditEvent).where(AuditEvent.action == "user_removed")).all()) == 1
    response = other.post("/en/sign-in", data={"email": removed.email, "password": "portal-demo-2026"})
    assert response.status_code != 302


def test_a_removed_user_added_again_gets_a_new_invitation(contoso_admin, db, clock):
    assert add(contoso_admin, email="back@contoso.example").status_code == 302
    back_id = user(db, "back@contoso.example").id
    assert contoso_admin.post(f"/en/people/{back_id}/remove").status_code == 302
    clock.at += timedelta(minutes=1)
    assert add(contoso_admin, email="back@contoso.example").status_code == 302
    db.expire_all()
    assert db.get(User, back_id).active
    assert len(db.scalars(select(OutgoingEmail).where(OutgoingEmail.to_address == "back@contoso.example")).all()) == 2


def test_the_list_pages_and_searches_in_the_database(contoso_admin, db):
    total = db.scalar(select(func.count()).select_from(User).where(User.organization_id == org(db, CONTOSO).id))
    assert total > 25
    first = people(contoso_admin).get_data(as_text=True)
    second = people(contoso_admin, page=2).get_data(as_text=True)
    assert first.count('/remove"') + first.count("The last full admin") == 25
    assert f"{total} users" in first and "Page 1 of 2" in first and "Page 2 of 2" in second
    found = people(contoso_admin, q="admin@").get_data(as_text=True)
    assert "1 user" in found and "admin@contoso.example" in found
    assert "0 users" in people(contoso_admin, q="%").get_data(as_text=True)


@pytest.mark.parametrize("email", ["lars.berg@northwind.example", "sven.holm@northwind.example"])
def test_only_full_admins_open_the_people_page(client, demo, email):
    sign_in(client, email)
    assert people(client).status_code == 403
    assert add(client, email="x@northwind.example").status_code == 403


def test_another_organizations_user_is_not_found(contoso_admin, db):
    stranger = user(db, "ingrid.lund@akerlund.example")
    assert contoso_admin.post(f"/en/people/{stranger.id}/role", data={f"role{stranger.id}-role": ""}).status_code == 404
    assert contoso_admin.get(f"/en/people/{stranger.id}/remove").status_code == 404


def test_a_partner_full_admin_manages_its_own_people_with_partner_roles(client, demo, db):
    sign_in(client, "anna.dekker@northwind.example")
    page = people(client).get_data(as_text=True)
    assert "Sales full admin" in page and "Viewing" not in page
    assert add(client, email="new.sales@northwind.example", role="sales_admin").status_code == 302
    assert user(db, "new.sales@northwind.example").role == "sales_admin"
