"""Rule M4's way out: the wizard stops, and the would-be admin asks the organization's full admin
to add them; once added (with an admin role), the "Set up now" link maps the order by rule M1.

The request is one email to the first full admin, in that admin's language (rule L3), linking to
the People page with the email address and the full admin role filled in. Asking again for the
same order, organization and email queues nothing more (the outbox's dedupe key).
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from portal.audit import record
from portal.domain import matching
from portal.domain.normalize import email_key
from portal.infra.urls import external_url
from portal.mail.outbox import queue
from portal.models import Order, Organization, User
from portal.people.rules import PeopleRuleError

BLOCKED = (matching.Outcome.BLOCKED_CUSTOMER, matching.Outcome.BLOCKED_OWN_USE)


@dataclass(frozen=True)
class Asked:
    admin: User
    outcome: matching.Outcome  # which of M4's stops it answers
    new: bool  # False: the same request was already on its way


def ask_to_be_added(order: Order, organization: Organization, answers: dict) -> Asked:
    """Queue the request in the caller's transaction; the caller commits and delivers."""
    email = email_key(answers.get("admin_email") or "")
    if order.status != "awaiting_provisioning" or not email or not answers.get("role"):
        raise PeopleRuleError(_l("This order can no longer be set up with this link."))
    outcome = matching.outcome(answers["role"], organization, email, order.partner_id)
    if outcome not in BLOCKED:
        raise PeopleRuleError(
            _l(
                "You can already set up this order in %(organization)s; start again from the beginning.",
                organization=organization.name,
            )
        )
    admin = matching.first_full_admin(organization)
    if admin is None:
        raise PeopleRuleError(
            _l(
                "%(organization)s has no full admin who could add you. Contact your account representative.",
                organization=organization.name,
            )
        )
    language = admin.mail_language
    link = external_url("people.index", lang=language, email=email, role="full_admin")
    sent = queue(
        "add_me_request",
        to=admin.email,
        language=language,
        dedupe_key=f"m4:{order.id}:{organization.id}:{email}",
        order_id=order.id,
        organization_name=organization.name,
        email=email,
        reference=order.reference,
        partner_name=order.partner.name,
        link=link,
    )
    if sent is not None:
        record(
            "add_me_requested", organization_id=organization.id, order_id=order.id, user=email, full_admin=admin.email
        )
    return Asked(admin, outcome, sent is not None)
