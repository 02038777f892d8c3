"""What a trial offers: services, durations, industry verticals, devices (rules T2-T5, T11)."""

from flask_babel import lazy_gettext as _l

TRIAL_SERVICES = ("messaging", "meetings", "enterprise_meetings", "calling", "devices")
DURATIONS = (30, 45, 60, 90)  # days; rule T3: one duration for all services
MAX_LICENSES = 10_000
MAX_DEVICE_DAYS = 120  # rule T11
MAX_BOARD_LICENSES = 5  # rule T5
CONSENT_DAYS = 30  # rules T8, T9
GRACE_DAYS = 30  # rule T17
NUMBERS_KEPT_DAYS = 15  # rule T18
WARNING_DAYS = 7  # rule T16
USERS_EMAIL_AFTER_DAYS = 30  # rule T16
RETURN_WITHIN_DAYS = 14  # rule T19

# rule T2: the industry vertical (the nearest match).
INDUSTRIES = {
    "education": _l("Education"),
    "finance": _l("Financial services"),
    "government": _l("Government"),
    "healthcare": _l("Healthcare"),
    "manufacturing": _l("Manufacturing"),
    "retail": _l("Retail"),
    "technology": _l("Technology"),
    "other": _l("Other"),
}

DEVICE_LABELS = {
    "phone": _l("Phones"),
    "desk_device": _l("Desk devices"),
    "board": _l("Board licenses (no hardware)"),
}
