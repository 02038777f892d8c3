"""Unit tests of portal.domain.matching (rules M1-M4, W4-W6) on rows built by the factories."""

from datetime import timedelta

import pytest

from portal.domain import matching
from portal.domain.matching import Outcome, Situation
from portal.infra import clock
from portal.models import AdminRole, Organization, Subscription, Trial, User
from tests.conftest import START


def add_user(db, org, email, role=None, *, active=True):
    user = User(email=email, organization_id=org.id, created_at=START, display_name="", active=active)
    db.add(user)
    db.flush()
    if role:
        db.add(AdminRole(user_id=user.id, organization_id=org.id, role=role, granted_at=START))
    db.commit()
    return user


def add_org(db, name, *, kind="customer", age_days=10, setup_pending=False):
    org = Organization(
        name=name,
        kind=kind,
        partner_tier=1 if kind == "partner" else None,
        country="NL",
        data_region="EU",
        created_at=START - timedelta(days=age_days),
        setup_pending=setup_pending,
    )
    db.add(org)
    db.commit()
    return org


def add_subscriptions(db, org, *statuses):
    for status in statuses:
        db.add(
            Subscription(
                organization_id=org.id,
                offer="A-WX",
                status=status,
                created_at=START,
                billing_started_at=START if status == "active" else None,
            )
        )
    db.commit()


def add_trial(db, customer, partner, starter, *, status="active", ends_in=30, admin_email=None, created=START):
    trial = Trial(
        customer_id=customer.id,
        partner_id=partner.id,
        started_by_id=starter.id,
        status=status,
        license_count=10,
        starts_on=START.date() - timedelta(days=60),
        ends_on=START.date() + timedelta(days=ends_in),
        admin_email=admin_email,
        created_at=created,
        cancelled_at=START if status == "cancelled" else None,
        ended_at=START if status == "ended" else None,
    )
    db.add(trial)
    db.commit()
    return trial


# --- M1: who is this email ----------------------------------------------------------------------


def test_m1_admin_email_matches_case_insensitively_and_after_unicode_folding(db, make_customer):
    customer, admin = make_customer()
    assert matching.admin_organization(admin.email.upper()).id == customer.id
    fullwidth = "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in admin.email)
    assert matching.admin_organization(f"  {fullwidth} ").id == customer.id


def test_m1_a_plain_user_is_no_admin_and_an_unknown_email_is_nowhere(db, make_customer):
    customer, _ = make_customer()
    add_user(db, customer, "Plain.User@Example.org")
    assert matching.admin_organization("plain.user@example.org") is None
    assert matching.user_organization("PLAIN.USER@example.ORG").id == customer.id
    assert matching.user_organization("nobody@example.org") is None
    assert matching.admin_organization("nobody@example.org") is None


# --- M3: the facts shown beside a candidate ---------------------------------------------------


def test_m3_the_full_admin_named_is_the_earliest_active_full_admin(db, make_customer):
    customer, first = make_customer()
    add_user(db, customer, "second@x.example", "full_admin")
    assert matching.first_full_admin(customer).id == first.id
    first.active = False
    db.commit()
    assert matching.first_full_admin(customer).email == "second@x.example"
    assert matching.facts(customer).full_admin == "second@x.example"


def test_m3_a_read_only_admin_or_a_removed_full_admin_is_not_named(db):
    org = add_org(db, "Lonely Org")
    add_user(db, org, "reader@lonely.example", "read_only_admin")
    add_user(db, org, "gone@lonely.example", "full_admin", active=False)
    assert matching.first_full_admin(org) is None
    assert matching.facts(org).full_admin is None


def test_m3_facts_count_users_and_active_subscriptions_only(db, make_customer):
    customer, _ = make_customer(users=3)
    other, _ = make_customer(users=5)
    add_subscriptions(db, customer, "active", "active", "pending", "cancelled")
    add_subscriptions(db, other, "active")
    facts = matching.facts(customer)
    assert facts.organization.id == customer.id
    assert (facts.users, facts.active_subscriptions) == (4, 2)
    assert facts.full_admin == customer.users[0].email


def test_m3_no_active_subscription_and_created_over_a_year_ago_suggests_abandoned(db):
    old = add_org(db, "Old Org", age_days=366)
    year = add_org(db, "Year Org", age_days=365)
    assert matching.facts(old).hints == ["abandoned"]
    assert matching.facts(year).hints == []
    add_subscriptions(db, old, "active")
    assert matching.facts(old).hints == []


def test_m3_the_clock_decides_the_age_of_an_organization(db):
    org = add_org(db, "Aging Org", age_days=300)
    assert matching.facts(org).hints == []
    assert matching.facts(org, now=START + timedelta(days=70)).hints == ["abandoned"]


def test_m3_ten_users_mean_in_use_and_with_an_active_subscription_confirm_with_the_admin(db):
    org = add_org(db, "Busy Org")
    for k in range(9):
        add_user(db, org, f"u{k}@busy.example")
    assert matching.facts(org).hints == []
    add_user(db, org, "u9@busy.example")
    assert matching.facts(org).hints == ["many_users"]
    add_subscriptions(db, org, "active")
    assert matching.facts(org).hints == ["many_users", "confirm_with_admin"]


def test_m3_an_active_subscription_alone_does_not_ask_to_confirm(db):
    org = add_org(db, "Paying Org")
    add_user(db, org, "one@paying.example")
    add_subscriptions(db, org, "active")
    assert matching.facts(org).hints == []


# --- M2: candidates -----------------------------------------------------------------------------


def test_m2_candidates_share_the_first_five_characters_and_a_user_on_the_email_domain(db):
    second = add_org(db, "FABRI Works", age_days=20)
    first = add_org(db, "Fabrikam Holding", age_days=50)
    other_domain = add_org(db, "Fabrikam Elsewhere")
    other_name = add_org(db, "Fabulous Ltd")
    pending = add_org(db, "Fabrikam Partner", kind="partner", setup_pending=True)
    add_user(db, first, "a@fabrikam.example")
    add_user(db, second, "b@Fabrikam.Example")
    add_user(db, other_domain, "c@elsewhere.example")
    add_user(db, other_name, "d@fabrikam.example")
    add_user(db, pending, "e@fabrikam.example")
    found = matching.candidates("fabri-anything", "NEW@FABRIKAM.EXAMPLE")
    assert [org.id for org in found] == [first.id, second.id]  # oldest first
    assert [org.id for org in matching.candidates("Fabrikam", "x@fabrikam.example", exclude={first.id})] == [second.id]


@pytest.mark.parametrize("company, email", [("  ", "a@fabrikam.example"), ("Fabrikam", "")])
def test_m2_no_company_name_or_no_email_domain_gives_no_candidates(db, company, email):
    named = add_org(db, "Fabrikam")
    unnamed = add_org(db, "")
    add_user(db, named, "a@fabrikam.example")
    add_user(db, unnamed, "b@fabrikam.example")
    assert matching.candidates(company, email) == []


# --- M4: situations and outcomes ----------------------------------------------------------------


def test_m4_situation_follows_the_role_and_the_chosen_organization(db, make_partner, make_customer):
    partner, _ = make_partner()
    other_partner, _ = make_partner()
    customer, _ = make_customer(partner)
    assert matching.situation("customer", customer, partner.id) is Situation.CUSTOMER_FOR_ITSELF
    assert matching.situation("partner", customer, partner.id) is Situation.PARTNER_FOR_CUSTOMER
    assert matching.situation("partner", partner, partner.id) is Situation.PARTNER_FOR_OWN_USE
    # another partner organization is a partner's own use too, never a customer
    assert matching.situation("partner", other_partner, partner.id) is Situation.PARTNER_FOR_OWN_USE


def test_m4_an_admin_of_the_chosen_organization_continues(db, make_partner, make_customer):
    partner, partner_admin = make_partner()
    customer, admin = make_customer(partner)
    assert matching.outcome("customer", customer, admin.email.upper(), partner.id) is Outcome.CONTINUE
    assert matching.outcome("partner", partner, partner_admin.email, partner.id) is Outcome.CONTINUE


def test_m4_admin_of_the_chosen_organization_only(db, make_partner, make_customer):
    partner, partner_admin = make_partner()
    customer, _ = make_customer(partner)
    _, elsewhere = make_customer()
    assert matching.outcome("partner", customer, elsewhere.email, partner.id) is Outcome.CONTINUE_ASK_ADMIN
    assert matching.outcome("customer", customer, elsewhere.email, partner.id) is Outcome.BLOCKED_CUSTOMER
    assert matching.outcome("partner", partner, elsewhere.email, partner.id) is Outcome.BLOCKED_OWN_USE
    assert matching.outcome("partner", customer, partner_admin.email, partner.id) is Outcome.CONTINUE_ASK_ADMIN


def test_m4_a_stranger_is_blocked_in_a_partner_organization_and_asks_in_a_customer(db, make_partner, make_customer):
    partner, _ = make_partner()
    customer, _ = make_customer(partner)
    assert matching.outcome("partner", partner, "new@stranger.example", partner.id) is Outcome.BLOCKED_OWN_USE
    assert matching.outcome("partner", customer, "new@stranger.example", partner.id) is Outcome.CONTINUE_ASK_ADMIN
    assert matching.outcome("customer", customer, "new@stranger.example", partner.id) is Outcome.BLOCKED_CUSTOMER


# --- W5, W6: converting a trial tenant (contact-centre offer) -----------------------------------


@pytest.fixture
def tenant(db, make_partner, make_customer):
    partner, partner_admin = make_partner()
    customer, _ = make_customer(partner)
    return customer, partner, partner_admin


def test_w5_only_the_contact_centre_offer_checks_the_trial(db, tenant):
    customer, partner, starter = tenant
    add_trial(db, customer, partner, starter, status="expired", admin_email="trial@t.example")
    assert matching.trial_conversion_problem("A-FLEX", customer, "other@t.example") is None
    assert matching.trial_conversion_problem("A-FLEX-CC", customer, "other@t.example") == "trial_expired"


def test_w5_an_organization_without_a_trial_has_no_problem(db, tenant):
    customer, _, _ = tenant
    assert matching.latest_trial(customer) is None
    assert matching.trial_conversion_problem("A-FLEX-CC", customer, "any@t.example") is None


def test_w5_the_trials_admin_email_must_be_used_ignoring_case(db, tenant):
    customer, partner, starter = tenant
    add_trial(db, customer, partner, starter, admin_email="trial.admin@t.example")
    assert matching.trial_conversion_problem("A-FLEX-CC", customer, "Trial.Admin@T.example") is None
    assert matching.trial_conversion_problem("A-FLEX-CC", customer, "someone@t.example") == "trial_email"


def test_w5_a_trial_without_an_admin_email_accepts_any_email(db, tenant):
    customer, partner, starter = tenant
    add_trial(db, customer, partner, starter, admin_email=None)
    assert matching.trial_conversion_problem("A-FLEX-CC", customer, "someone@t.example") is None


def test_w5_w6_the_latest_trial_decides(db, tenant):
    customer, partner, starter = tenant
    add_trial(db, customer, partner, starter, status="ended", created=START - timedelta(days=200))
    latest = add_trial(db, customer, partner, starter, status="active", admin_email="new@t.example")
    assert matching.latest_trial(customer).id == latest.id
    assert matching.trial_conversion_problem("A-FLEX-CC", customer, "new@t.example") is None


@pytest.mark.parametrize("status", ["expired", "ended", "cancelled"])
def test_w6_an_expired_ended_or_cancelled_trial_tenant_stops(db, tenant, status):
    customer, partner, starter = tenant
    trial = add_trial(db, customer, partner, starter, status=status, admin_email="trial@t.example")
    assert matching.trial_expired(trial)
    assert matching.trial_conversion_problem("A-FLEX-CC", customer, "trial@t.example") == "trial_expired"


@pytest.mark.parametrize("status", ["pending_consent", "awaiting_provisioning", "active"])
def test_w6_a_running_trial_tenant_before_its_end_day_can_be_converted(db, tenant, status):
    customer, partner, starter = tenant
    trial = add_trial(db, customer, partner, starter, status=status, ends_in=1)
    assert not matching.trial_expired(trial)


def test_w6_a_trial_is_expired_from_its_end_day_as_the_schedule_expires_it(db, tenant):
    """rule T16's schedule expires a trial on its end day (ends_on <= today); W6 agrees even
    when the daily tick has not run yet."""
    customer, partner, starter = tenant
    trial = add_trial(db, customer, partner, starter, status="active", ends_in=0)
    assert clock.today() == trial.ends_on
    assert matching.trial_expired(trial)
    trial.ends_on = START.date() - timedelta(days=1)
    assert matching.trial_expired(trial)


def test_m3_an_organization_without_users_shows_none(db):
    empty = add_org(db, "Empty Org")
    facts = matching.facts(empty)
    assert (facts.users, facts.active_subscriptions, facts.full_admin) == (0, 0, None)


def test_m3_the_earliest_user_is_named_whatever_the_order_of_the_grants(db):
    org = add_org(db, "Granted Org")
    earliest = add_user(db, org, "earliest@granted.example")
    add_user(db, org, "later@granted.example", "full_admin")
    db.add(AdminRole(user_id=earliest.id, organization_id=org.id, role="full_admin", granted_at=START))
    db.commit()
    assert matching.first_full_admin(org).email == "earliest@granted.example"


# --- M2 at scale: ranked, capped, counted; M3 facts for a list ----------------------------------


def ranked_ids(company, email, **options):
    ranked = matching.ranked_candidates(company, email, **options)
    return [org.id for org in ranked.shown], ranked.total


def test_m2_candidates_rank_most_users_then_most_active_subscriptions_then_oldest(db):
    few_users = add_org(db, "Rank Few", age_days=900)
    busy = add_org(db, "Rank Busy", age_days=10)
    paying_young = add_org(db, "Rank Paying Young", age_days=20)
    paying_old = add_org(db, "Rank Paying Old", age_days=30)
    for k in range(3):
        add_user(db, busy, f"busy{k}@rank.example")
    for org in (few_users, paying_young, paying_old):
        add_user(db, org, f"{org.id}a@rank.example")
        add_user(db, org, f"{org.id}b@elsewhere.example")  # users on any domain count
    add_user(db, few_users, "x@elsewhere.example", active=False)  # a removed user still counts, as in M3
    add_subscriptions(db, paying_young, "active", "cancelled", "pending")
    add_subscriptions(db, paying_old, "active")
    add_subscriptions(db, few_users, "cancelled", "pending")
    assert ranked_ids("Rank Anything", "new@rank.example") == (
        [few_users.id, busy.id, paying_old.id, paying_young.id],
        4,
    )


def test_m2_the_list_is_capped_but_counts_every_organization_that_qualifies(db):
    orgs = [add_org(db, f"Capped {n:02d}", age_days=100 + n) for n in range(matching.CANDIDATES_SHOWN + 3)]
    for org in orgs:
        add_user(db, org, f"u{org.id}@capped.example")
    shown, total = ranked_ids("Capped", "new@capped.example")
    oldest_first = [org.id for org in reversed(orgs)]  # equal users and subscriptions: the oldest first
    assert (shown, total) == (oldest_first[: matching.CANDIDATES_SHOWN], len(orgs))
    assert matching.ranked_candidates("Capped", "new@capped.example").more
    assert ranked_ids("Capped", "new@capped.example", limit=2) == (oldest_first[:2], len(orgs))
    assert not matching.ranked_candidates("Capped", "new@capped.example", limit=len(orgs)).more


def test_m2_ranking_changes_what_is_shown_never_who_qualifies(db, monkeypatch):
    """The same organizations, whichever side the database starts from (the domain's users or
    the name prefix), and the same as the unranked rule."""
    qualifying = []
    for n, (name, email) in enumerate(
        [("Samex One", "a@samex.example"), ("SAMEX Two", "b@Samex.example"), ("Samex Three", "c@other.example")]
    ):
        org = add_org(db, name, age_days=10 + n)
        add_user(db, org, email)
        if "samex" in email.lower():
            qualifying.append(org.id)
    pending = add_org(db, "Samex Pending", kind="partner", setup_pending=True)
    add_user(db, pending, "p@samex.example")
    elsewhere = add_org(db, "Other Name")
    add_user(db, elsewhere, "o@samex.example")
    unranked = {org.id for org in matching.candidates("Samex Anything", "new@samex.example")}
    assert unranked == set(qualifying)
    on_domain = matching._domain_organizations_if_fewer("samex", "samex.example")  # 4 on each side
    assert sorted(on_domain) == sorted([*qualifying, pending.id, elsewhere.id])
    assert matching._domain_organizations_if_fewer("samex", "nobody.example") == []
    assert matching._domain_organizations_if_fewer("other", "samex.example") is None  # 1 named so
    by_domain = ranked_ids("Samex Anything", "new@samex.example")
    monkeypatch.setattr(matching, "_domain_organizations_if_fewer", lambda *_: None)  # the prefix leads
    by_prefix = ranked_ids("Samex Anything", "new@samex.example")
    assert by_domain == by_prefix and set(by_domain[0]) == unranked and by_domain[1] == 2
    assert ranked_ids("  ", "new@samex.example") == ([], 0) and ranked_ids("Samex", "") == ([], 0)


def test_m2_one_organization_is_checked_against_the_rule_recomputed(db):
    org = add_org(db, "Checked Org")
    add_user(db, org, "a@checked.example")
    pending = add_org(db, "Checked Partner", kind="partner", setup_pending=True)
    add_user(db, pending, "b@checked.example")
    assert matching.is_candidate(org.id, "CHECKED anything", "new@checked.example").id == org.id
    assert matching.is_candidate(org.id, "Chuck Checked", "new@checked.example") is None  # another prefix
    assert matching.is_candidate(org.id, "Checked", "new@elsewhere.example") is None  # no user on the domain
    assert matching.is_candidate(pending.id, "Checked", "new@checked.example") is None
    assert matching.is_candidate(org.id, "", "new@checked.example") is None


def test_m3_facts_for_a_list_are_each_organizations_facts_in_the_same_order(db, make_customer):
    busy = add_org(db, "Facts Busy")
    for k in range(10):
        add_user(db, busy, f"u{k}@facts.example", "full_admin" if k in (3, 7) else None)
    add_subscriptions(db, busy, "active", "pending")
    old = add_org(db, "Facts Old", age_days=400)
    add_user(db, old, "gone@old.example", "full_admin", active=False)
    add_user(db, old, "reader@old.example", "read_only_admin")
    customer, admin = make_customer(users=2)
    orgs = [old, customer, busy]
    listed = matching.facts_for(orgs)
    one_by_one = [matching.facts(org) for org in orgs]
    assert [(f.organization.id, f.users, f.active_subscriptions, f.full_admin, f.hints) for f in listed] == [
        (f.organization.id, f.users, f.active_subscriptions, f.full_admin, f.hints) for f in one_by_one
    ]
    assert [(f.users, f.active_subscriptions, f.full_admin, f.hints) for f in listed] == [
        (2, 0, None, ["abandoned"]),
        (3, 0, admin.email, []),
        (10, 1, "u3@facts.example", ["many_users", "confirm_with_admin"]),
    ]
    assert matching.facts_for([]) == []


def test_w4_m1_one_query_tells_the_emails_organization_and_whether_it_is_an_admin_there(db, make_customer):
    customer, admin = make_customer()
    add_user(db, customer, "plain@w4.example")
    assert matching.email_organization(admin.email.upper()) == (customer, True)
    assert matching.email_organization("Plain@W4.example") == (customer, False)
    assert matching.email_organization("nobody@w4.example") == (None, False)
