"""The partner's access level to a customer, enforced on every page and in the rules (W2, T6, T8):
``none`` shows the order only; ``provisioning_admin`` provisions the trial and nothing else;
``full_admin`` manages users, licenses and trials. A refused request changes nothing."""

import pytest
from sqlalchemy import select

from portal.models import AuditEvent, PartnerCustomer, Trial
from portal.trials import lifecycle as trials
from portal.trials.lifecycle import TrialRuleError
from tests.conftest import sign_in
from tests.test_trials import emails_to, org, start, user

CONTOSO = "Contoso Manufacturing"
BALKAN = "Балкан Телеком ЕООД"


def set_access(db, partner, customer, level):
    link = db.scalar(
        select(PartnerCustomer).where(
            PartnerCustomer.partner_id == org(db, partner).id, PartnerCustomer.customer_id == org(db, customer).id
        )
    )
    link.access_level = level
    db.commit()


def provisioning_trial(db):
    """rule T8: Sofia Comm asks Balkan Telecom for provisioning access only; the admin accepts."""
    trial = start(
        db,
        actor="ivan.petrov@sofiacomm.example",
        admin_email="georgi.ivanov@balkantel.example",
        company=BALKAN,
        country="BG",
        services=["devices"],
    )
    assert trial.status == "pending_consent"  # provisioning access does not start trials without consent
    trials.answer_consent(trial, user=user(db, "georgi.ivanov@balkantel.example"), accept=True)
    db.commit()
    return trial


# --- none (W2: the customer will set up) --------------------------------------------------------


def test_w2_access_none_has_no_customer_page_and_no_link_in_the_list(client, db, demo):
    set_access(db, "Northwind Solutions B.V.", CONTOSO, "none")
    sign_in(client, "anna.dekker@northwind.example")
    customer_id = org(db, CONTOSO).id
    assert client.get(f"/en/customers/{customer_id}").status_code == 403
    listing = client.get("/en/customers/?q=Contoso%20Manu").get_data(as_text=True)
    assert CONTOSO in listing and f'/en/customers/{customer_id}"' not in listing
    assert client.get(f"/en/customers/{customer_id}/people/").status_code == 403


def test_w2_access_none_asks_the_customer_before_a_trial_starts(db, demo):
    set_access(db, "Northwind Solutions B.V.", CONTOSO, "none")
    trial = start(
        db,
        admin_email="admin@contoso.example",
        company=CONTOSO,
        country="US",
        services=["devices"],
        full_admin_access=True,
    )
    assert trial.status == "pending_consent"  # not "active" without consent
    assert emails_to(db, "admin@contoso.example", "trial_consent")
    trials.answer_consent(trial, user=user(db, "admin@contoso.example"), accept=True)
    db.commit()
    link = db.scalar(
        select(PartnerCustomer).where(
            PartnerCustomer.customer_id == org(db, CONTOSO).id, PartnerCustomer.partner_id == trial.partner_id
        )
    )
    assert link.access_level == "full_admin"  # consent raises the access that was asked for


def test_t8_consent_never_lowers_access(db, demo):
    trial = start(
        db,
        actor="ivan.petrov@sofiacomm.example",
        admin_email="georgi.ivanov@balkantel.example",
        company=BALKAN,
        country="BG",
        services=["devices"],
        full_admin_access=True,
    )
    trials.answer_consent(trial, user=user(db, "georgi.ivanov@balkantel.example"), accept=True)
    db.commit()
    assert (
        db.scalar(select(PartnerCustomer.access_level).where(PartnerCustomer.customer_id == org(db, BALKAN).id))
        == "full_admin"
    )


# --- provisioning_admin (T8 without full admin access) ----------------------------------------


def test_t8_a_provisioning_admin_provisions_but_changes_nothing_else(db, demo):
    trial = provisioning_trial(db)
    ivan = user(db, "ivan.petrov@sofiacomm.example")
    for action in (
        lambda: trials.extend(trial, days=60, actor=ivan),
        lambda: trials.change(trial, services=["devices"], license_count=99, actor=ivan),
        lambda: trials.cancel(trial, actor=ivan),
    ):
        with pytest.raises(TrialRuleError, match="provisioning access"):
            action()
        db.rollback()
    trials.provision(trial, actor=ivan)
    db.commit()
    assert trial.status == "active"
    with pytest.raises(TrialRuleError):
        trials.convert(
            trial,
            actor=ivan,
            admin_email=trial.admin_email,
            offer="A-SPK",
            contact=ivan.email,
            language="en",
            submission_key="k1",
        )


@pytest.mark.parametrize(
    "path, data",
    [
        ("extend", {"extend{id}-days": "60"}),
        ("edit", {"edit{id}-services": "devices", "edit{id}-license_count": "99"}),
        ("convert", {"convert{id}-admin_email": "georgi.ivanov@balkantel.example", "convert{id}-offer": "A-SPK"}),
        ("cancel", {}),
    ],
)
def test_t8_a_provisioning_admin_is_refused_and_nothing_changes(client, db, demo, path, data):
    trial = provisioning_trial(db)
    trial_id = trial.id
    before = (trial.ends_on, trial.license_count, trial.status)
    sign_in(client, "ivan.petrov@sofiacomm.example")
    events = len(db.scalars(select(AuditEvent)).all())
    form = {key.format(id=trial_id): value for key, value in data.items()}
    assert client.post(f"/en/customers/trials/{trial_id}/{path}", data=form).status_code == 403
    trial = db.get(Trial, trial_id)
    assert (trial.ends_on, trial.license_count, trial.status) == before
    assert len(db.scalars(select(AuditEvent)).all()) == events


def test_t8_a_provisioning_admin_sees_only_the_provisioning_action(client, db, demo):
    trial = provisioning_trial(db)
    trial_id, customer_id = trial.id, trial.customer_id
    sign_in(client, "ivan.petrov@sofiacomm.example")
    page = client.get(f"/en/customers/{customer_id}").get_data(as_text=True)
    assert "provisioning access to this customer only" in page
    assert f"/trials/{trial_id}/provision" in page
    for action in ("extend", "edit", "convert", "cancel"):
        assert f"/trials/{trial_id}/{action}" not in page
    assert f"/customers/{customer_id}/people/" not in page
    assert client.post(f"/en/customers/trials/{trial_id}/provision").status_code == 302
    assert db.get(Trial, trial_id).status == "active"


def test_t8_a_provisioning_admin_has_no_people_access(client, db, demo):
    sign_in(client, "ivan.petrov@sofiacomm.example")
    customer_id = org(db, BALKAN).id
    assert client.get(f"/en/customers/{customer_id}/people/").status_code == 403
    assert (
        client.post(f"/en/customers/{customer_id}/people/add", data={"add-email": "x@balkantel.example"}).status_code
        == 403
    )


# --- full_admin (T6: on the customer's behalf) -------------------------------------------------


def test_t6_full_admin_access_manages_the_customers_people_marked_and_audited_with_both_names(client, db, demo):
    sign_in(client, "anna.dekker@northwind.example")
    customer_id = org(db, CONTOSO).id
    assert f"/en/customers/{customer_id}/people/" in client.get(f"/en/customers/{customer_id}").get_data(as_text=True)
    page = client.get(f"/en/customers/{customer_id}/people/").get_data(as_text=True)
    assert "Viewing Contoso Manufacturing as partner Northwind Solutions B.V." in page
    response = client.post(
        f"/en/customers/{customer_id}/people/add",
        data={"add-email": "new.admin@contoso.example", "add-display_name": "New Admin", "add-role": "full_admin"},
    )
    assert response.status_code == 302
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "user_added"))
    assert event.organization_id == customer_id
    assert event.details["actor_name"] and event.details["on_behalf_partner"] == "Northwind Solutions B.V."
    assert event.details["organization"] == CONTOSO
    history = client.get(f"/en/customers/{customer_id}/people/").get_data(as_text=True).replace("<wbr>", "")
    assert "partner Northwind Solutions B.V." in history and "Added new.admin@contoso.example" in history


def test_t6_a_sales_admin_of_the_partner_cannot_manage_the_customers_people(client, db, demo):
    sign_in(client, "sven.holm@northwind.example")
    assert client.get(f"/en/customers/{org(db, CONTOSO).id}/people/").status_code == 403


def test_another_partners_customer_is_not_found(client, db, demo):
    sign_in(client, "ivan.petrov@sofiacomm.example")
    customer_id = org(db, CONTOSO).id
    assert client.get(f"/en/customers/{customer_id}").status_code == 404
    assert client.get(f"/en/customers/{customer_id}/people/").status_code == 404
