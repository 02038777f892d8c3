"""The database holds the model's invariants, not only Python."""

from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from portal.models import AdminRole, Order, Organization, OutgoingEmail, User
from tests.conftest import START


def org(db, name="Example Corp", kind="customer", **kw):
    o = Organization(
        name=name,
        kind=kind,
        country=kw.pop("country", "NL"),
        data_region=kw.pop("data_region", "EU"),
        created_at=START,
        **kw,
    )
    db.add(o)
    db.flush()
    return o


def user(db, organization, email):
    u = User(email=email, organization_id=organization.id, created_at=START, language="en")
    db.add(u)
    db.flush()
    return u


def test_w4_email_is_unique_across_organizations_case_insensitively(db):
    first, second = org(db, "First"), org(db, "Second")
    user(db, first, "Jan@Example.com")
    with pytest.raises(IntegrityError):
        user(db, second, "jan@EXAMPLE.com")


def test_w4_user_belongs_to_exactly_one_organization(db):
    with pytest.raises(IntegrityError):
        db.add(User(email="nobody@example.com", organization_id=None, created_at=START))
        db.flush()


def test_admin_role_must_be_in_the_users_own_organization(db):
    own, other = org(db, "Own"), org(db, "Other")
    u = user(db, own, "admin@own.example")
    db.add(AdminRole(user_id=u.id, organization_id=other.id, role="full_admin", granted_at=START))
    with pytest.raises(IntegrityError):
        db.flush()


def test_admin_role_is_one_of_the_five(db):
    u = user(db, org(db), "a@example.com")
    db.add(AdminRole(user_id=u.id, organization_id=u.organization_id, role="super_admin", granted_at=START))
    with pytest.raises(IntegrityError):
        db.flush()


def test_customer_has_no_partner_tier_and_partner_needs_one(db):
    with pytest.raises(IntegrityError):
        org(db, "Customer with tier", partner_tier=1)
    db.rollback()
    with pytest.raises(IntegrityError):
        org(db, "Partner without tier", kind="partner")
    db.rollback()
    assert org(db, "Partner", kind="partner", partner_tier=2).partner_tier == 2


def test_data_region_must_be_supported(db):
    with pytest.raises(IntegrityError):
        org(db, "Nowhere", data_region="XX")


def test_m2_name_prefix_is_normalized_and_indexed(db):
    o = org(db, "  ÅKERLUND   & Rausing")
    assert o.name_prefix == "åkerl"
    assert org(db, "Ｃｏｎｔｏｓｏ Ltd").name_prefix == "conto"  # NFKC folds full-width letters
    assert org(db, "БАЛКАН Телеком").name_prefix == "балка"
    indexes = db.execute(text("PRAGMA index_list('organizations')")).all()
    assert any(row[1] == "ix_organizations_name_prefix" for row in indexes)
    user_indexes = db.execute(text("PRAGMA index_list('users')")).all()
    assert any(row[1] == "ix_users_email_domain_organization_id" for row in user_indexes)


def _order(db, partner, placed_by, **kw):
    values = dict(
        partner_id=partner.id,
        placed_by_id=placed_by.id,
        offer="A-WX",
        requested_start=date(2026, 12, 1),
        provisioning_contact="it@example.com",
        setup_language="en",
        status="awaiting_provisioning",
        submission_key=kw.pop("submission_key", "key-1"),
        link_version=1,
        created_at=START,
    )
    values.update(kw)
    order = Order(**values)
    db.add(order)
    db.flush()
    return order


def test_o4_a_mapped_order_names_its_organization(db):
    partner = org(db, "Partner", kind="partner", partner_tier=1)
    placed_by = user(db, partner, "p@partner.example")
    with pytest.raises(IntegrityError):
        _order(db, partner, placed_by, status="mapped")


def test_o4_an_awaiting_order_is_not_mapped(db):
    partner = org(db, "Partner", kind="partner", partner_tier=1)
    customer = org(db, "Customer")
    placed_by = user(db, partner, "p@partner.example")
    with pytest.raises(IntegrityError):
        _order(db, partner, placed_by, mapped_organization_id=customer.id)


def test_o1_offer_must_exist_and_submission_key_is_unique(db):
    partner = org(db, "Partner", kind="partner", partner_tier=1)
    placed_by = user(db, partner, "p@partner.example")
    with pytest.raises(IntegrityError):
        _order(db, partner, placed_by, offer="A-NOPE")
    db.rollback()
    partner = org(db, "Partner", kind="partner", partner_tier=1)
    placed_by = user(db, partner, "p@partner.example")
    _order(db, partner, placed_by, submission_key="same")
    with pytest.raises(IntegrityError):
        _order(db, partner, placed_by, submission_key="same")


def test_email_dedupe_key_is_unique(db):
    def email():
        return OutgoingEmail(
            dedupe_key="order:1:setup:start-date",
            kind="setup_now",
            to_address="a@b.c",
            language="nl",
            subject="s",
            body_text="t",
            body_html="h",
            status="queued",
            attempts=0,
            created_at=START,
            next_attempt_at=START,
        )

    db.add(email())
    db.flush()
    db.add(email())
    with pytest.raises(IntegrityError):
        db.flush()


def test_sent_email_has_a_sent_date(db):
    db.add(
        OutgoingEmail(
            dedupe_key="k",
            kind="setup_now",
            to_address="a@b.c",
            language="en",
            subject="s",
            body_text="t",
            body_html="h",
            status="sent",
            attempts=1,
            created_at=START,
            next_attempt_at=START,
        )
    )
    with pytest.raises(IntegrityError):
        db.flush()


def test_t17_there_is_one_free_consumer_organization(db):
    org(db, "Free consumer organization", free_consumer=True)
    org(db, "Ordinary", free_consumer=False)
    with pytest.raises(IntegrityError):
        org(db, "Second consumer organization", free_consumer=True)
