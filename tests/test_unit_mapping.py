"""Unit tests of portal.wizard.mapping.map_order (rules W2-W7, M1-M4): what one confirmation
stores, and what it refuses without storing anything."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.domain import matching
from portal.models import (
    AdminRole,
    AuditEvent,
    Order,
    Organization,
    OutgoingEmail,
    PartnerCustomer,
    Subscription,
    Trial,
    User,
)
from portal.wizard import mapping
from tests.conftest import START


def state(**overrides):
    answers = {
        "role": "partner",
        "admin_email": "IT@Fabrikam.Example",
        "company": "Fabrikam Ltd",
        "country": "GB",
        "organization": "new",
    }
    answers.update(overrides)
    return answers


def link(db, partner_id, customer_id):
    return db.scalar(
        select(PartnerCustomer).where(
            PartnerCustomer.partner_id == partner_id, PartnerCustomer.customer_id == customer_id
        )
    )


def count(db, model, *where):
    return db.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def ordered(db, make_partner, make_order, clock):
    partner, partner_admin = make_partner()
    order = make_order(partner, partner_admin, offer="A-SPK", licenses=12)
    clock.advance(hours=2)
    return partner, partner_admin, order


NOW = START + timedelta(hours=2)


def nothing_stored(db, order_id, orgs_before):
    db.rollback()
    assert db.get(Order, order_id).status == "awaiting_provisioning"
    assert count(db, Subscription, Subscription.order_id == order_id) == 0
    assert count(db, Organization) == orgs_before


# --- a new organization -------------------------------------------------------------------------


def test_w5_w7_a_new_organization_is_created_with_its_admin_subscription_and_link(db, ordered):
    partner, _, order = ordered
    mapped = mapping.map_order(order.id, state(), language="sv", actor_email="anna@partner.example")
    db.commit()
    org = mapped.organization
    assert (mapped.reason, mapped.partner_admin) == ("new_organization", None)
    assert (org.name, org.kind, org.country, org.data_region) == ("Fabrikam Ltd", "customer", "GB", "UK")
    assert (org.created_at, org.managing_partner_id) == (NOW, partner.id)
    [admin] = org.users
    assert (admin.email, admin.language, admin.page_language, admin.display_name) == (
        "it@fabrikam.example",
        None,
        "sv",
        "",
    )
    assert admin.created_at == NOW and admin.role == "full_admin"
    assert db.scalar(select(AdminRole.granted_at).where(AdminRole.user_id == admin.id)) == NOW
    invitation = db.scalar(select(OutgoingEmail).where(OutgoingEmail.kind == "invitation"))
    assert (invitation.to_address, invitation.language) == ("it@fabrikam.example", "sv")
    subscription = db.scalar(select(Subscription).where(Subscription.order_id == order.id))
    assert (subscription.organization_id, subscription.offer, subscription.status) == (org.id, "A-SPK", "pending")
    assert subscription.created_at == NOW
    assert sorted((s.service, s.license_count) for s in subscription.services) == [("meetings", 12), ("messaging", 12)]
    assert link(db, partner.id, org.id).access_level == "full_admin"
    assert link(db, partner.id, org.id).created_at == NOW
    order = db.get(Order, order.id)
    assert (order.status, order.mapped_at, order.mapped_organization_id) == ("mapped", NOW, org.id)
    [event] = db.scalars(select(AuditEvent).where(AuditEvent.action == "order_mapped")).all()
    assert (event.organization_id, event.order_id) == (partner.id, order.id)
    assert event.details == {
        "reason": "new_organization",
        "organization": "Fabrikam Ltd",
        "organization_id_mapped": org.id,
        "admin_email": "it@fabrikam.example",
        "by": "anna@partner.example",
        "role": "partner",
    }


def test_w2_when_the_customer_sets_up_the_partner_neither_manages_nor_has_access(db, ordered):
    partner, _, order = ordered
    order.customer_sets_up = True
    db.commit()
    org = mapping.map_order(order.id, state(role="customer"), language="en").organization
    db.commit()
    assert org.managing_partner_id is None
    assert link(db, partner.id, org.id).access_level == "none"


def test_w5_an_unsupported_country_stores_nothing(db, ordered):
    _, _, order = ordered
    before = count(db, Organization)
    with pytest.raises(mapping.MappingRefused, match="not available in the country"):
        mapping.map_order(order.id, state(country="RU"), language="en")
    nothing_stored(db, order.id, before)


def test_w4_the_new_admin_must_not_belong_to_another_organization(db, ordered, make_customer):
    _, _, order = ordered
    _, elsewhere = make_customer()
    before = count(db, Organization)
    with pytest.raises(mapping.MappingRefused) as refused:
        mapping.map_order(order.id, state(admin_email=elsewhere.email.upper()), language="en")
    assert elsewhere.email in str(refused.value) and "only one organization" in str(refused.value)
    nothing_stored(db, order.id, before)


# --- W3: the partner's first order ------------------------------------------------------------


def test_w3_the_first_order_sets_up_the_partner_organization_and_its_admin(db, ordered):
    partner, _, order = ordered
    partner.setup_pending = True
    db.commit()
    mapped = mapping.map_order(
        order.id,
        state(partner_company="Northwind Nieuw B.V.", partner_admin_email="Boss@Northwind-Nieuw.example"),
        language="nl",
    )
    db.commit()
    db.refresh(partner)
    assert (partner.name, partner.name_prefix, partner.setup_pending) == ("Northwind Nieuw B.V.", "north", False)
    boss = mapped.partner_admin
    assert (boss.email, boss.organization_id, boss.page_language, boss.role) == (
        "boss@northwind-nieuw.example",
        partner.id,
        "nl",
        "full_admin",
    )
    assert mapped.organization.kind == "customer"


def test_w3_an_existing_partner_organization_is_not_renamed(db, ordered):
    partner, _, order = ordered
    name = partner.name
    mapped = mapping.map_order(
        order.id, state(partner_company="Other", partner_admin_email="x@y.example"), language="en"
    )
    assert mapped.partner_admin is None
    assert partner.name == name
    assert count(db, User, User.email == "x@y.example") == 0


# --- W7: exactly once ---------------------------------------------------------------------------


def test_w7_a_second_confirmation_finds_the_order_mapped(db, ordered):
    _, _, order = ordered
    mapping.map_order(order.id, state(), language="en")
    db.commit()
    with pytest.raises(mapping.AlreadyMapped):
        mapping.map_order(order.id, state(admin_email="other@fabrikam.example"), language="en")
    db.rollback()
    assert count(db, Subscription, Subscription.order_id == order.id) == 1


def test_w7_an_unknown_order_is_not_mapped(db, ordered):
    _, _, order = ordered
    with pytest.raises(mapping.AlreadyMapped):
        mapping.map_order(order.id + 1000, state(), language="en")


# --- an existing organization ---------------------------------------------------------------


def test_m1_the_admins_organization_is_mapped_and_the_partner_link_kept(db, ordered, make_customer):
    partner, _, order = ordered
    customer, admin = make_customer(partner)
    users_before = count(db, User)
    mapped = mapping.map_order(
        order.id, state(admin_email=admin.email.upper(), organization=str(customer.id)), language="en"
    )
    db.commit()
    assert (mapped.organization.id, mapped.reason) == (customer.id, "m1_email_match")
    assert link(db, partner.id, customer.id).access_level == "full_admin"
    assert count(db, PartnerCustomer, PartnerCustomer.customer_id == customer.id) == 1
    assert count(db, User) == users_before  # nobody is added (M4)
    assert db.get(Order, order.id).mapped_organization_id == customer.id


def test_w2_an_existing_partner_link_is_downgraded_when_the_customer_sets_up(db, ordered, make_customer):
    partner, _, order = ordered
    customer, admin = make_customer(partner, access="full_admin")
    order.customer_sets_up = True
    db.commit()
    mapping.map_order(
        order.id, state(role="customer", admin_email=admin.email, organization=str(customer.id)), language="en"
    )
    db.commit()
    assert link(db, partner.id, customer.id).access_level == "none"


def test_w2_a_partner_without_a_link_gets_one_to_the_existing_customer(db, ordered, make_customer):
    partner, _, order = ordered
    customer, admin = make_customer()
    mapping.map_order(order.id, state(admin_email=admin.email, organization=str(customer.id)), language="en")
    db.commit()
    assert link(db, partner.id, customer.id).access_level == "full_admin"


def test_w2_an_existing_provisioning_link_is_kept_when_the_partner_sets_up(db, ordered, make_customer):
    partner, _, order = ordered
    customer, admin = make_customer(partner, access="provisioning_admin")
    mapping.map_order(order.id, state(admin_email=admin.email, organization=str(customer.id)), language="en")
    db.commit()
    assert link(db, partner.id, customer.id).access_level == "provisioning_admin"


def test_m2_m4_a_partner_maps_to_a_candidate_and_the_existing_admin_adds_the_user(db, ordered, make_customer):
    partner, _, order = ordered
    customer, _ = make_customer(partner, name="Fabrikam Holding")
    domain = customer.users[0].email_domain
    mapped = mapping.map_order(
        order.id, state(admin_email=f"new@{domain}", organization=str(customer.id)), language="en", actor_email=None
    )
    db.commit()
    assert (mapped.organization.id, mapped.reason) == (customer.id, "m2_candidate")
    assert count(db, User, User.email == f"new@{domain}") == 0  # M4: never added by the wizard
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "order_mapped"))
    assert event.details["reason"] == "m2_candidate" and event.details["by"] is None


def test_w4_the_organization_holding_the_email_is_offered(db, ordered, make_customer):
    partner, _, order = ordered
    holder, _ = make_customer(name="Zeta Corp")
    plain = User(email="plain@zeta.example", organization_id=holder.id, created_at=START, display_name="")
    db.add(plain)
    db.commit()
    offered = mapping.offer(state(admin_email="Plain@Zeta.example", company="Fabrikam"))
    assert (offered.m1, offered.holder, [f.organization.id for f in offered.candidates]) == (None, holder, [holder.id])
    assert (
        mapping.allowed_organization(state(admin_email="Plain@Zeta.example", company="Fabrikam"), holder.id) is holder
    )
    mapped = mapping.map_order(
        order.id, state(admin_email="plain@zeta.example", organization=str(holder.id)), language="en"
    )
    assert mapped.reason == "m2_candidate"


def test_m1_only_the_admins_organization_is_offered(db, ordered, make_customer):
    partner, _, order = ordered
    customer, admin = make_customer(name="Fabrikam One")
    candidate, _ = make_customer(name="Fabrikam Two")
    db.add(User(email=f"x@{admin.email_domain}", organization_id=candidate.id, created_at=START, display_name=""))
    db.commit()
    as_admin = state(admin_email=admin.email, company="Fabrikam")
    offered = mapping.offer(as_admin)
    assert offered.m1 is customer and [f.organization.id for f in offered.candidates] == [customer.id]
    assert mapping.allowed_organization(as_admin, customer.id) is customer
    assert mapping.allowed_organization(as_admin, candidate.id) is None  # M1 decides alone
    as_new = state(admin_email=f"new@{admin.email_domain}", company="Fabrikam")
    offered = mapping.offer(as_new)
    assert offered.m1 is None and {f.organization.id for f in offered.candidates} == {customer.id, candidate.id}
    assert (offered.total, offered.more) == (2, False)
    assert mapping.allowed_organization(as_new, candidate.id) is candidate


def test_w6_an_organization_that_cannot_be_offered_is_refused(db, ordered, make_customer):
    _, _, order = ordered
    other, _ = make_customer(name="Unrelated Inc")
    before = count(db, Organization)
    with pytest.raises(mapping.MappingRefused, match="can no longer be chosen"):
        mapping.map_order(order.id, state(organization=str(other.id)), language="en")
    nothing_stored(db, order.id, before)


def test_m4_a_customer_not_admin_of_the_chosen_organization_is_refused(db, ordered, make_customer):
    partner, _, order = ordered
    customer, _ = make_customer(partner, name="Fabrikam Holding")
    domain = customer.users[0].email_domain
    before = count(db, Organization)
    with pytest.raises(mapping.MappingRefused, match="must add you as an admin first"):
        mapping.map_order(
            order.id, state(role="customer", admin_email=f"new@{domain}", organization=str(customer.id)), language="en"
        )
    nothing_stored(db, order.id, before)


def test_m4_a_partner_for_its_own_use_not_admin_there_is_refused(db, ordered):
    partner, partner_admin, order = ordered
    domain = partner_admin.email_domain
    before = count(db, Organization)
    with pytest.raises(mapping.MappingRefused, match="must add you as an admin first"):
        mapping.map_order(
            order.id,
            state(admin_email=f"new@{domain}", company=partner.name, organization=str(partner.id)),
            language="en",
        )
    nothing_stored(db, order.id, before)


def test_m1_a_partner_admin_maps_its_own_order_to_its_own_organization_without_a_link(db, ordered):
    partner, partner_admin, order = ordered
    mapped = mapping.map_order(
        order.id, state(admin_email=partner_admin.email, organization=str(partner.id)), language="en"
    )
    db.commit()
    assert (mapped.organization.id, mapped.reason) == (partner.id, "m1_email_match")
    assert count(db, PartnerCustomer, PartnerCustomer.partner_id == partner.id) == 0


# --- W5, W6: converting a trial tenant -------------------------------------------------------


@pytest.fixture
def cc_tenant(db, make_partner, make_customer, make_order, clock):
    """A contact-centre order of a partner, and a customer running a trial of that partner."""
    partner, partner_admin = make_partner()
    order = make_order(partner, partner_admin, offer="A-FLEX-CC", licenses=5)
    customer, admin = make_customer(partner)
    trial = Trial(
        customer_id=customer.id,
        partner_id=partner.id,
        started_by_id=partner_admin.id,
        status="active",
        license_count=5,
        starts_on=START.date(),
        ends_on=START.date() + timedelta(days=30),
        admin_email=admin.email,
        created_at=START,
    )
    db.add(trial)
    db.commit()
    return order, customer, admin, trial


def test_w5_the_trials_admin_email_converts_the_trial_tenant(db, cc_tenant):
    order, customer, admin, _ = cc_tenant
    mapped = mapping.map_order(
        order.id, state(admin_email=admin.email.upper(), organization=str(customer.id)), language="en"
    )
    assert mapped.organization.id == customer.id


def test_w5_another_email_does_not_convert_the_trial_tenant(db, cc_tenant):
    order, customer, admin, _ = cc_tenant
    other = User(email=f"other@{admin.email_domain}", organization_id=customer.id, created_at=START, display_name="")
    db.add(other)
    db.commit()
    with pytest.raises(mapping.MappingRefused) as refused:
        mapping.map_order(order.id, state(admin_email=other.email, organization=str(customer.id)), language="en")
    assert str(refused.value) == str(matching.TRIAL_EMAIL_MESSAGE)


def test_w6_an_expired_trial_tenant_is_refused(db, cc_tenant):
    order, customer, admin, trial = cc_tenant
    trial.status = "expired"
    db.commit()
    with pytest.raises(mapping.MappingRefused) as refused:
        mapping.map_order(order.id, state(admin_email=admin.email, organization=str(customer.id)), language="en")
    assert str(refused.value) == str(matching.TRIAL_EXPIRED_MESSAGE)
    db.rollback()
    assert db.get(Order, order.id).status == "awaiting_provisioning"


@pytest.mark.parametrize("customer_sets_up, access", [(False, "full_admin"), (True, "none")])
def test_w2_another_partners_link_is_left_alone(db, ordered, make_partner, make_customer, customer_sets_up, access):
    partner, _, order = ordered
    other_partner, _ = make_partner()
    customer, admin = make_customer(other_partner, access="provisioning_admin")
    order.customer_sets_up = customer_sets_up
    db.commit()
    mapping.map_order(order.id, state(admin_email=admin.email, organization=str(customer.id)), language="en")
    db.commit()
    assert link(db, partner.id, customer.id).access_level == access
    assert link(db, other_partner.id, customer.id).access_level == "provisioning_admin"


@pytest.mark.parametrize("customer_sets_up, access", [(False, "full_admin"), (True, "none")])
def test_w2_the_link_is_to_the_mapped_customer_not_to_another_of_the_partners(
    db, ordered, make_customer, customer_sets_up, access
):
    partner, _, order = ordered
    earlier, _ = make_customer(partner, access="full_admin")
    customer, admin = make_customer()
    order.customer_sets_up = customer_sets_up
    db.commit()
    mapping.map_order(order.id, state(admin_email=admin.email, organization=str(customer.id)), language="en")
    db.commit()
    assert link(db, partner.id, customer.id).access_level == access
    assert link(db, partner.id, earlier.id).access_level == "full_admin"
