"""T2 with the duplicate guard (issue 12): a trial for a new customer shows the possible
duplicates of the company name entered. A trial for one of them starts from its admin's email
(rule T7 then asks to confirm the existing organization) or, for the partner's own customers,
from the customer's page; starting it for a new customer beside a strong suggestion needs the
confirmation box, checked by the server, and is audited."""

from flask_babel import lazy_gettext as _l

from portal.audit import record
from portal.domain import duplicates
from portal.domain.duplicates import Guard
from portal.trials import lifecycle

CONFIRM_NEW_MESSAGE = _l(
    "An existing organization looks like the same company. Start the trial for it, or confirm that this is a new customer."
)


def for_form(form) -> Guard | None:
    company = (form.company.data or "").strip()
    if not company:
        return None
    return duplicates.guard(company, (form.admin_email.data or "").strip(), form.country.data or "")


def own_customers(guard: Guard | None, partner_id: int) -> set[int]:
    """The suggestions the partner already has a relationship with (their page starts a trial)."""
    if guard is None:
        return set()
    return {org_id for org_id in guard.organizations if lifecycle.relationship(partner_id, org_id)}


def refused(guard: Guard | None, form) -> bool:
    """After validation: a strong suggestion and no confirmation stops the new customer."""
    if guard is None or not guard.strong or form.confirm_new_customer.data:
        return False
    form.confirm_new_customer.errors = [str(CONFIRM_NEW_MESSAGE)]
    return True


def audit(guard: Guard | None, trial, *, actor) -> None:
    if guard is None or not guard.strong or trial.customer_id in guard.organizations:
        return
    record(
        "duplicate_guard_declined",
        actor=actor,
        organization_id=actor.organization_id,
        organization=trial.customer.name,
        organization_id_created=trial.customer_id,
        suggested=guard.declined(),
        trial_id=trial.id,
    )
