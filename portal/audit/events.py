"""Audit events described in the reader's language for timelines."""

from flask_babel import gettext as _
from flask_babel import ngettext

from portal.i18n import native_name


def describe_event(event) -> str:
    d = event.details or {}
    actor = event.actor.email if event.actor else None
    match event.action:
        case "order_placed":
            return _(
                "%(actor)s placed the order; provisioning contact %(contact)s.", actor=actor, contact=d.get("contact")
            )
        case "contact_changed":
            return _(
                "%(actor)s changed the provisioning contact from %(previous)s to %(contact)s (%(language)s).",
                actor=actor,
                previous=d.get("previous"),
                contact=d.get("contact"),
                language=native_name(d.get("language", "en")),
            )
        case "order_mapped":
            reason = {
                "m1_email_match": _("the admin email belongs to an admin of this organization"),
                "m2_candidate": _("chosen from the organizations that matched the company name and email domain"),
                "new_organization": _("a new organization was created"),
                "duplicate_guard": _("chosen from the possible duplicates of the company name entered"),
            }.get(d.get("reason"), d.get("reason"))
            return _(
                "The order was mapped to %(organization)s: %(reason)s.",
                organization=d.get("organization"),
                reason=reason,
            )
        case "duplicate_guard_declined":
            return _(
                "A new organization, %(organization)s, was created after confirming that it is none of the possible duplicates shown: %(suggested)s.",
                organization=d.get("organization"),
                suggested=", ".join(item.get("name", "") for item in d.get("suggested", [])),
            )
        case "trial_converted":
            return _(
                "%(actor)s converted the trial of %(customer)s into this order; its usage data is kept.",
                actor=actor,
                customer=d.get("customer", ""),
            )
        case "billing_started":
            return _("The subscription was provisioned and billing started.")
        case "calling_settings_saved" | "meeting_settings_saved" | "subdomain_saved":
            return _("Service settings were saved in the set-up wizard.")
        case "partner_admin_password_set":
            return _("The new partner admin created a password.")
        case "setup_email_queued":
            return _(
                "The set-up email was sent to %(to)s in %(language)s.",
                to=d.get("to"),
                language=native_name(d.get("language", "en")),
            )
        case "setup_started":
            return _("The provisioning contact opened the set-up link.")
        case "account_rep_alerted":
            return _(
                "Set-up had not started one day after the requested start date; the account representative was alerted."
            )
        case "order_lines_closed":
            return ngettext(
                "%(num)d order line closed unprovisioned.",
                "%(num)d order lines closed unprovisioned.",
                d.get("lines", 0),
            )
        case _:
            return event.action
