"""The organization step (W6) at scale: M2's candidates ranked and capped with a note when there
are more, M3's facts in a fixed number of queries whatever the number of candidates (a query
budget, not a timing), the W4 holder always offered, and public mail domains named as such."""

from datetime import timedelta

import pytest
from sqlalchemy import event, select

from portal.domain.matching import CANDIDATES_SHOWN
from portal.models import AdminRole, Organization, Subscription, User
from tests.conftest import START
from tests.wizard_driver import Wizard, place_order


def add_candidates(db, count: int, *, stem="Fabrikam", domain="fabrikam-scale.example", start=0) -> list[int]:
    """``count`` organizations that satisfy M2 for ``stem`` and ``domain``: organization n has
    n + 1 users (the first its full admin) and n % 3 active subscriptions; ids in creation order."""
    ids = []
    for n in range(start, start + count):
        org = Organization(
            name=f"{stem} Unit {n:02d}",
            kind="customer",
            country="NL",
            data_region="EU",
            created_at=START - timedelta(days=n),
        )
        db.add(org)
        db.flush()
        for k in range(n % 7 + 1):
            user = User(email=f"u{n}.{k}@{domain}", organization_id=org.id, created_at=START, display_name="")
            db.add(user)
            db.flush()
            if k == 0:
                db.add(AdminRole(user_id=user.id, organization_id=org.id, role="full_admin", granted_at=START))
        for _ in range(n % 3):
            db.add(
                Subscription(
                    organization_id=org.id, offer="A-WX", status="active", created_at=START, billing_started_at=START
                )
            )
        ids.append(org.id)
    db.commit()
    return ids


@pytest.fixture
def wizard(app, demo, client):
    _, token = place_order(app)
    return Wizard(client, token)


def queries_for(app, wizard, step: str) -> tuple[int, str]:
    engine = app.extensions["portal.engine"]
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        response = wizard.get(step)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(statements), response.get_data(as_text=True)


def test_m2_m3_the_organization_step_runs_as_many_queries_for_30_candidates_as_for_3(app, db, wizard):
    add_candidates(db, 3)
    wizard.through(admin_email="new.person@fabrikam-scale.example", company="Fabrikam Logistics")
    with_three, page = queries_for(app, wizard, "organization")
    assert page.count('class="candidate"') == 3 + 1  # and "Create a new organization"
    add_candidates(db, 27, start=3)
    with_thirty, page = queries_for(app, wizard, "organization")
    assert page.count('class="candidate"') == CANDIDATES_SHOWN + 1
    assert with_thirty == with_three
    assert with_three <= 12


def test_m2_more_candidates_than_shown_says_how_many_and_lists_the_most_active(app, db, wizard):
    ids = add_candidates(db, CANDIDATES_SHOWN + 2)
    wizard.through(admin_email="new.person@fabrikam-scale.example", company="Fabrikam Logistics")
    page = wizard.text("organization")
    assert (
        "We found 12 existing organizations that may be Fabrikam Logistics. Only the 10 most active are listed: "
        "most users first, then most active subscriptions, then the oldest."
    ) in page
    # organization n has n % 7 + 1 users: the two with a single user (0 and 7) are not listed
    listed = [i for i in ids if f'value="{i}"' in page]
    assert set(ids) - set(listed) == {ids[0], ids[7]}
    # 7, 6, 5 and 5 users; 11 and 4 tie on users, 11 has two active subscriptions and 4 one
    order = [page.index(f'value="{i}"') for i in (ids[6], ids[5], ids[11], ids[4])]
    assert order == sorted(order)
    assert "(M2)" not in page


def test_m2_with_all_candidates_shown_there_is_no_note(app, db, wizard):
    add_candidates(db, CANDIDATES_SHOWN)
    wizard.through(admin_email="new.person@fabrikam-scale.example", company="Fabrikam Logistics")
    page = wizard.text("organization")
    assert "most active are listed" not in page
    assert "We found 10 existing organizations that may be Fabrikam Logistics. Choose one" in page


def test_m2_a_chosen_organization_is_checked_against_the_rule_not_the_list_shown(app, db, wizard):
    ids = add_candidates(db, CANDIDATES_SHOWN + 2)
    (elsewhere,) = add_candidates(db, 1, domain="elsewhere.example", start=40)
    wizard.through(admin_email="new.person@fabrikam-scale.example", company="Fabrikam Logistics")
    assert f'value="{ids[0]}"' not in wizard.text("organization")
    refused = wizard.post("organization", {"organization": str(elsewhere)})  # no user on the domain
    assert refused.status_code == 200 and wizard.get("confirm").status_code == 302
    assert wizard.post("organization", {"organization": "999999"}).status_code == 200
    # one that satisfies M2 but ranks below those shown may still be chosen (the rank moves)
    assert wizard.post("organization", {"organization": str(ids[0])}).status_code == 302
    assert "Fabrikam Unit 00" in wizard.text("confirm")


def test_w4_the_emails_organization_is_offered_however_many_candidates_rank_above_it(app, db, wizard):
    add_candidates(db, CANDIDATES_SHOWN + 2)
    holder = db.scalar(select(Organization).where(Organization.name == "Fabrikam Unit 00"))
    wizard.through(admin_email="u0.0@fabrikam-scale.example", company="Fabrikam Logistics")  # its full admin: M1
    assert wizard.text("organization").count('class="candidate"') == 1
    db.add(User(email="plain@fabrikam-scale.example", organization_id=holder.id, created_at=START, display_name=""))
    db.commit()
    wizard.through(admin_email="plain@fabrikam-scale.example", company="Fabrikam Logistics")
    page = wizard.text("organization")
    assert "plain@fabrikam-scale.example is a user of Fabrikam Unit 00 but not one of its admins." in page
    assert f'value="{holder.id}"' in page and 'value="new"' not in page
    assert page.count('class="candidate"') == CANDIDATES_SHOWN + 1  # the holder and the ten ranked


@pytest.mark.parametrize("domain", ["gmail.com", "abv.bg", "siol.net"])
def test_m2_on_a_public_mail_domain_the_page_says_the_domain_tells_nothing(app, db, wizard, domain):
    add_candidates(db, 2, domain=domain)
    wizard.through(admin_email=f"someone.new@{domain}", company="Fabrikam Logistics")
    page = wizard.text("organization")
    assert (
        f"{domain} belongs to a public email provider: anyone can have an address there. That an organization has "
        "users on it says nothing about whether it is this customer’s, so check the names and full admins below "
        "with the customer before you choose one."
    ) in page
    assert "Fabrikam Unit 00" in page and "Fabrikam Unit 01" in page


def test_m2_a_company_domain_gets_no_public_domain_note(app, db, wizard):
    add_candidates(db, 2)
    wizard.through(admin_email="someone.new@fabrikam-scale.example", company="Fabrikam Logistics")
    assert "public email provider" not in wizard.text("organization")
