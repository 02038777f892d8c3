"""Access rules on data built by the factories (no demo data): W2, T1, T8 and M1 at their edges."""

import pytest

from portal.domain import matching, permissions
from portal.trials.lifecycle import TrialRuleError


def test_t1_an_uncertified_partner_cannot_start_a_trial(make_partner, make_trial):
    partner, admin = make_partner(certified=False)
    assert not permissions.may_start_trials(admin)
    with pytest.raises(TrialRuleError):
        make_trial(partner, admin)


def test_t1_a_certified_partners_sales_admin_starts_a_trial(make_partner, make_trial):
    partner, admin = make_partner(admin_role="sales_admin")
    trial = make_trial(partner, admin)
    assert trial.partner_id == partner.id and trial.status in ("awaiting_provisioning", "active")


@pytest.mark.parametrize(
    "access, view, change", [("full_admin", True, True), ("provisioning_admin", True, False), ("none", False, False)]
)
def test_w2_t8_what_a_partner_may_do_follows_its_access_level(make_partner, make_customer, access, view, change):
    partner, admin = make_partner()
    customer, _ = make_customer(partner, access=access)
    assert permissions.may_act(admin, "view_customer", customer_id=customer.id) is view
    assert permissions.may_act(admin, "change_trial", customer_id=customer.id) is change
    assert permissions.may_manage_people(admin, customer.id) is change


def test_w2_another_partner_has_no_access_at_all(make_partner, make_customer):
    partner, _ = make_partner()
    _, stranger = make_partner()
    customer, _ = make_customer(partner)
    assert not permissions.may_act(stranger, "view_customer", customer_id=customer.id)
    assert not permissions.may_manage_people(stranger, customer.id)


def test_m1_a_plain_user_is_not_an_admin_but_belongs_to_the_organization(make_customer):
    customer, admin = make_customer(users=2)
    user = admin.email.replace("admin@", "user0@")
    assert matching.admin_organization(user) is None
    assert matching.user_organization(user.upper()).id == customer.id
    assert matching.admin_organization(admin.email.upper()).id == customer.id


def test_o1_an_order_made_by_the_factory_awaits_provisioning(make_partner, make_order):
    partner, admin = make_partner()
    order = make_order(partner, admin, offer="A-SPK", licenses=12)
    assert order.status == "awaiting_provisioning" and {line.quantity for line in order.lines} == {12}
