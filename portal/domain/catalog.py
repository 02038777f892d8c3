"""The product's fixed vocabularies: offers, services, roles, regions (SPEC "Vocabulary").

Codes are stored in the database (and checked there); the words people read come from
``portal.i18n.labels``, which translates them.
"""

# Offers and the services each one provisions.
OFFERS = {
    "A-WX": ("messaging", "meetings", "enterprise_meetings", "calling"),
    "A-SPK": ("messaging", "meetings"),
    "A-FLEX": ("messaging", "meetings", "calling"),
    "A-FLEX-CC": ("contact_center",),
}
FLEX_OFFERS = frozenset({"A-FLEX", "A-FLEX-CC"})

SERVICES = ("messaging", "meetings", "enterprise_meetings", "calling", "contact_center", "devices")
DEVICE_TYPES = ("phone", "desk_device", "board")

ORG_KINDS = ("customer", "partner")
PARTNER_TIERS = (1, 2)

# Admin roles (issue 2); trial rights are rule T1, order rights follow the same split.
ADMIN_ROLES = ("full_admin", "sales_full_admin", "sales_admin", "read_only_admin", "provisioning_admin")
ORDERING_ROLES = frozenset({"full_admin", "sales_full_admin", "sales_admin"})
TRIAL_ROLES = frozenset({"full_admin", "sales_full_admin", "sales_admin"})  # rule T1

# Partner access to a customer organization (rules W2, T8).
ACCESS_LEVELS = ("full_admin", "provisioning_admin", "none")

DATA_REGIONS = ("US", "EU", "UK", "CA", "JP", "AU", "SG", "SA", "AE")

ORDER_STATUSES = ("awaiting_provisioning", "mapped", "provisioned", "closed")
LINE_STATUSES = ("awaiting_provisioning", "provisioned", "closed")

SUBSCRIPTION_STATUSES = ("pending", "active", "cancelled")
TRIAL_STATUSES = (
    "pending_consent",
    "awaiting_provisioning",
    "active",
    "expired",
    "converted",
    "cancelled",
    "ended",
)
CONSENT_ANSWERS = ("accepted", "declined", "timed_out")
# An email waits (queued), is being handed to the SMTP server (sending), and ends sent, failed (it
# cannot be built, the server refused it, or it ran out of attempts) or discarded by an operator.
EMAIL_STATUSES = ("queued", "sending", "sent", "failed", "discarded")


def sql_in(values) -> str:
    """A SQL list literal for CHECK constraints built from the tuples above."""
    return "(" + ", ".join(repr(v) if isinstance(v, str) else str(v) for v in values) + ")"


# Languages are configuration (portal.config.LANGUAGES), so that adding one needs no migration;
# the database only checks the shape of the code.
LANGUAGE_SHAPE = "length({column}) BETWEEN 2 AND 5"
