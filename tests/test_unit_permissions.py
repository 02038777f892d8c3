"""Unit tests of portal.domain.permissions: roles by kind of organization, ownership and the
partner's access level to a customer (rules W2, T1, T6, T8, T9, T10)."""

import pytest
from flask import render_template_string
from flask_login import AnonymousUserMixin, login_user
from werkzeug.exceptions import Forbidden

from portal.domain import permissions
from portal.models import AdminRole, User
from tests.conftest import START


def member(db, org, email, role):
    """A user of ``org`` with ``role`` (None: no admin role)."""
    user = User(email=email, organization_id=org.id, created_at=START, display_name="")
    db.add(user)
    db.flush()
    if role:
        db.add(AdminRole(user_id=user.id, organization_id=org.id, role=role, granted_at=START))
    db.commit()
    return user


ANONYMOUS = AnonymousUserMixin()

# permission -> (partner roles allowed, customer roles allowed)
EXPECTED = {
    "view_orders": (
        {"full_admin", "sales_full_admin", "sales_admin", "read_only_admin", "provisioning_admin"},
        set(),
    ),
    "place_orders": ({"full_admin", "sales_full_admin", "sales_admin"}, set()),
    "view_organization": (
        {"full_admin", "sales_full_admin", "sales_admin", "read_only_admin", "provisioning_admin"},
        {"full_admin", "read_only_admin", "provisioning_admin"},
    ),
    "view_customers": (
        {"full_admin", "sales_full_admin", "sales_admin", "read_only_admin", "provisioning_admin"},
        set(),
    ),
    "manage_trials": ({"full_admin", "sales_full_admin", "sales_admin"}, set()),
    "answer_trials": (set(), {"full_admin"}),
    "manage_people": ({"full_admin"}, {"full_admin"}),
}
PARTNER_ROLES = ("full_admin", "sales_full_admin", "sales_admin", "read_only_admin", "provisioning_admin", None)
CUSTOMER_ROLES = ("full_admin", "read_only_admin", "provisioning_admin", None)


@pytest.fixture
def people(db, make_partner, make_customer):
    """Users of every role in a certified partner and in a customer organization."""
    partner, _ = make_partner()
    customer, _ = make_customer()
    by_role = {}
    for role in PARTNER_ROLES:
        by_role[("partner", role)] = member(db, partner, f"{role or 'plain'}@p.example", role)
    for role in CUSTOMER_ROLES:
        by_role[("customer", role)] = member(db, customer, f"{role or 'plain'}@c.example", role)
    return by_role


@pytest.mark.parametrize("permission", sorted(EXPECTED))
def test_w2_t1_t8_each_permission_asks_for_the_kind_of_organization_and_a_role(people, permission):
    partner_roles, customer_roles = EXPECTED[permission]
    for (kind, role), user in people.items():
        expected = role in (partner_roles if kind == "partner" else customer_roles)
        assert permissions.allowed(user, permission) is expected, (kind, role)
    assert permissions.allowed(ANONYMOUS, permission) is False


def test_t1_only_a_certified_partner_manages_trials(db, make_partner):
    _, certified = make_partner()
    _, uncertified = make_partner(certified=False)
    assert permissions.may_start_trials(certified)
    assert not permissions.may_start_trials(uncertified)
    assert not permissions.allowed(uncertified, "manage_trials")
    assert permissions.allowed(uncertified, "place_orders")  # certification is for trials only


@pytest.mark.parametrize(
    "role, allowed", [("sales_full_admin", True), ("sales_admin", True), ("read_only_admin", False)]
)
def test_t1_trial_roles_of_a_certified_partner(make_partner, role, allowed):
    _, user = make_partner(admin_role=role)
    assert permissions.may_start_trials(user) is allowed


# --- access levels ---------------------------------------------------------------------------


def test_w2_the_access_level_belongs_to_one_partner_and_one_customer(make_partner, make_customer):
    partner, _ = make_partner()
    other_partner, _ = make_partner()
    managed, _ = make_customer(partner, access="provisioning_admin")
    unrelated, _ = make_customer(other_partner, access="full_admin")
    assert permissions.access_level(partner.id, managed.id) == "provisioning_admin"
    assert permissions.access_level(partner.id, unrelated.id) is None
    assert permissions.access_level(other_partner.id, managed.id) is None
    assert permissions.access_level(other_partner.id, unrelated.id) == "full_admin"


ACTIONS = {
    # action -> access levels that allow it
    "view_customer": {"full_admin", "provisioning_admin"},
    "provision_trial": {"full_admin", "provisioning_admin"},
    "record_devices": {"full_admin", "provisioning_admin"},
    "change_trial": {"full_admin"},
    "extend_trial": {"full_admin"},
    "convert_trial": {"full_admin"},
    "cancel_trial": {"full_admin"},
    "start_trial_without_consent": {"full_admin"},
    "manage_customer_people": {"full_admin"},
}


@pytest.mark.parametrize("access", ["full_admin", "provisioning_admin", "none", None])
def test_w2_t8_what_a_partners_full_admin_may_do_follows_the_access_level(make_partner, make_customer, access):
    partner, admin = make_partner()
    customer, _ = make_customer(partner if access else None, access=access or "none")
    for action, levels in ACTIONS.items():
        assert permissions.has_access(partner.id, customer.id, action) is (access in levels), action
        assert permissions.may_act(admin, action, customer_id=customer.id) is (access in levels), action


def test_t8_a_customer_user_never_acts_as_a_partner(db, make_partner, make_customer):
    partner, _ = make_partner()
    customer, customer_admin = make_customer(partner)
    for action in ACTIONS:
        assert not permissions.may_act(customer_admin, action, customer_id=customer.id)
        assert not permissions.may_act(ANONYMOUS, action, customer_id=customer.id)


def test_t1_trial_actions_need_a_trial_role_of_a_certified_partner(db, make_partner, make_customer):
    partner, _ = make_partner()
    uncertified, uncertified_admin = make_partner(certified=False)
    customer, _ = make_customer(partner)
    read_only = member(db, partner, "reader@p.example", "read_only_admin")
    sales = member(db, partner, "sales@p.example", "sales_admin")
    # the uncertified partner with full access to its own customer
    own, _ = make_customer(uncertified)
    assert not permissions.may_act(uncertified_admin, "provision_trial", customer_id=own.id)
    assert permissions.may_act(uncertified_admin, "view_customer", customer_id=own.id)
    assert not permissions.may_act(read_only, "change_trial", customer_id=customer.id)
    assert permissions.may_act(read_only, "view_customer", customer_id=customer.id)
    assert permissions.may_act(sales, "change_trial", customer_id=customer.id)


def test_t6_people_on_the_customers_behalf_need_a_full_admin_role_at_the_partner(db, make_partner, make_customer):
    partner, admin = make_partner()
    customer, _ = make_customer(partner)
    sales_full = member(db, partner, "salesfull@p.example", "sales_full_admin")
    sales = member(db, partner, "sales@p.example", "sales_admin")
    plain = member(db, partner, "plain@p.example", None)
    assert permissions.may_act(admin, "manage_customer_people", customer_id=customer.id)
    assert permissions.may_act(sales_full, "manage_customer_people", customer_id=customer.id)
    assert not permissions.may_act(sales, "manage_customer_people", customer_id=customer.id)
    assert not permissions.may_act(plain, "manage_customer_people", customer_id=customer.id)
    assert not permissions.may_act(plain, "view_customer", customer_id=customer.id)


class FakeTrial:
    def __init__(self, partner_id, customer_id, status="active"):
        self.partner_id, self.customer_id, self.status = partner_id, customer_id, status


def test_t9_a_trial_of_another_partner_or_another_customer_is_refused(make_partner, make_customer):
    partner, admin = make_partner()
    other_partner, _ = make_partner()
    customer, _ = make_customer(partner)
    second, _ = make_customer(partner)
    own = FakeTrial(partner.id, customer.id)
    assert permissions.may_act(admin, "change_trial", customer_id=customer.id, trial=own)
    assert not permissions.may_act(
        admin, "change_trial", customer_id=customer.id, trial=FakeTrial(other_partner.id, customer.id)
    )
    assert not permissions.may_act(
        admin, "change_trial", customer_id=customer.id, trial=FakeTrial(partner.id, second.id)
    )
    assert not permissions.may_act(
        admin,
        "cancel_trial",
        customer_id=customer.id,
        trial=FakeTrial(other_partner.id, customer.id, "pending_consent"),
    )


@pytest.mark.parametrize("access", ["provisioning_admin", "none"])
def test_t9_the_partner_withdraws_its_own_pending_request_whatever_its_access(make_partner, make_customer, access):
    partner, admin = make_partner()
    customer, _ = make_customer(partner, access=access)
    pending = FakeTrial(partner.id, customer.id, "pending_consent")
    assert permissions.may_act(admin, "cancel_trial", customer_id=customer.id, trial=pending)
    assert not permissions.may_act(admin, "cancel_trial", customer_id=customer.id)
    assert not permissions.may_act(
        admin, "cancel_trial", customer_id=customer.id, trial=FakeTrial(partner.id, customer.id)
    )
    # only cancelling is exempt
    assert not permissions.may_act(admin, "change_trial", customer_id=customer.id, trial=pending)


def test_t9_withdrawing_a_pending_request_still_needs_a_trial_role(db, make_partner, make_customer):
    partner, _ = make_partner()
    customer, _ = make_customer(partner)
    reader = member(db, partner, "reader@p.example", "read_only_admin")
    pending = FakeTrial(partner.id, customer.id, "pending_consent")
    assert not permissions.may_act(reader, "cancel_trial", customer_id=customer.id, trial=pending)


# --- the People page --------------------------------------------------------------------------


def test_t6_the_people_page_is_for_the_own_full_admin_or_a_partner_with_full_access(db, make_partner, make_customer):
    partner, partner_admin = make_partner()
    managed, managed_admin = make_customer(partner)
    limited, _ = make_customer(partner, access="provisioning_admin")
    _, stranger_admin = make_customer()
    reader = member(db, managed, "reader@m.example", "read_only_admin")
    assert permissions.may_manage_people(managed_admin, managed.id)
    assert not permissions.may_manage_people(reader, managed.id)
    assert permissions.may_manage_people(partner_admin, partner.id)
    assert permissions.may_manage_people(partner_admin, managed.id)
    assert not permissions.may_manage_people(partner_admin, limited.id)
    assert not permissions.may_manage_people(stranger_admin, managed.id)
    assert not permissions.may_manage_people(managed_admin, partner.id)
    assert not permissions.may_manage_people(ANONYMOUS, managed.id)


# --- views and templates ----------------------------------------------------------------------


def test_a_view_requiring_a_permission_refuses_a_signed_in_user_without_it(app, db, make_partner, make_customer):
    partner_admin_id, customer_admin_id = make_partner()[1].id, make_customer()[1].id
    view = permissions.requires("view_orders")(lambda: "the orders")
    with app.test_request_context("/en/orders/"):
        login_user(db.get(User, partner_admin_id))
        assert view() == "the orders"
    with app.test_request_context("/en/orders/"):
        login_user(db.get(User, customer_admin_id))
        with pytest.raises(Forbidden):
            view()
    with app.test_request_context("/en/orders/"):
        response = view()  # nobody signed in: sent to sign in, the view does not run
        assert response.status_code == 302 and "sign-in" in response.location


def test_templates_ask_the_same_rules(app, db, make_partner, make_customer):
    partner, partner_admin = make_partner()
    customer, _ = make_customer(partner, access="provisioning_admin")
    template = (
        "{{ can('view_orders') }} {{ can('answer_trials') }} "
        "{{ may_act('view_customer', customer_id=cid) }} {{ may_act('change_trial', customer_id=cid) }}"
    )
    with app.test_request_context("/en/"):
        login_user(partner_admin)
        assert render_template_string(template, cid=customer.id) == "True False True False"


def test_t8_no_actor_at_all_may_do_nothing(make_partner, make_customer):
    """The trial rules ask may_act again for whoever acts; a missing actor (None) is refused."""
    partner, _ = make_partner()
    customer, _ = make_customer(partner)
    assert not permissions.may_act(None, "view_customer", customer_id=customer.id)
    assert not permissions.may_manage_people(None, customer.id)
