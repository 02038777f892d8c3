"""The words people read for the codes in portal.domain.catalog, in every language (rule L1)."""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

OFFER_LABELS = {
    # i18n: offer names are product codes and stay as they are; the description is translated.
    "A-WX": _l("A-WX: collaboration suite"),
    "A-SPK": _l("A-SPK: messaging and meetings"),
    "A-FLEX": _l("A-FLEX: flex plan"),
    "A-FLEX-CC": _l("A-FLEX Contact Center: contact centre under the flex plan"),
}

SERVICE_LABELS = {
    "messaging": _l("Messaging"),
    "meetings": _l("Meetings"),
    "enterprise_meetings": _l("Enterprise Edition meetings site"),
    "calling": _l("Calling"),
    "contact_center": _l("Contact centre"),
    "devices": _l("Devices"),
}

ROLE_LABELS = {
    "full_admin": _l("Full admin"),
    "sales_full_admin": _l("Sales full admin"),
    "sales_admin": _l("Sales admin"),
    "read_only_admin": _l("Read-only admin"),
    "provisioning_admin": _l("Provisioning admin"),
}

ORG_KIND_LABELS = {
    "customer": _l("Customer organization"),
    "partner": _l("Partner organization"),
}

# The duplicate guard's "why it matched" (issue 12), by the reason's value; never the code itself.
MATCH_REASON_LABELS = {
    "same_email_domain": _l("same email domain"),
    "same_name": _l("same name, written differently"),
    "typo": _l("similar name (typo)"),
    "legal_form": _l("similar name (legal form differs)"),
    "transliteration": _l("similar name (transliteration)"),
    "word_order": _l("similar name (word order)"),
    "name_contained": _l("similar name (one name contains the other)"),
    "same_country": _l("same country"),
}

# rule O5: an order line is "Awaiting provisioning details" until it is provisioned.
ORDER_STATUS_LABELS = {
    "awaiting_provisioning": _l("Awaiting provisioning details"),
    "mapped": _l("Mapped, service set-up pending"),
    "provisioned": _l("Provisioned"),
    "closed": lazy_pgettext("order status", "Closed unprovisioned"),
}

# i18n: the same states for one line of an order (in some languages a different gender).
LINE_STATUS_LABELS = {
    "awaiting_provisioning": lazy_pgettext("order line status", "Awaiting provisioning details"),
    "provisioned": lazy_pgettext("order line status", "Provisioned"),
    "closed": lazy_pgettext("order line status", "Closed unprovisioned"),
}

SUBSCRIPTION_STATUS_LABELS = {
    "pending": _l("Pending"),
    "active": lazy_pgettext("subscription status", "Active"),
    "cancelled": _l("Cancelled"),
}

REGION_LABELS = {
    "US": _l("United States"),
    "EU": _l("European Union"),
    "UK": _l("United Kingdom"),
    "CA": _l("Canada"),
    "JP": _l("Japan"),
    "AU": _l("Australia"),
    "SG": _l("Singapore"),
    "SA": _l("Saudi Arabia"),
    "AE": _l("United Arab Emirates"),
}

TIER_LABELS = {1: _l("Tier 1 partner"), 2: _l("Tier 2 partner")}
