"""Configuration read from the environment, with defaults for a laptop."""

import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent
INSTANCE = ROOT / "instance"
# The demo's, the tests' and a laptop's database. A production portal (not DEBUG, TESTING or the
# demo) never falls back to it: it refuses to start without an explicit DATABASE_URL.
DEVELOPMENT_DATABASE_URL = f"sqlite:///{INSTANCE / 'portal.sqlite3'}"

# rule L1: English is the source; these four are complete translations. Adding a language takes
# its catalog under translations/ and its code here (or in the LANGUAGES environment variable).
LANGUAGES = tuple(code.strip() for code in os.environ.get("LANGUAGES", "en,nl,sv,sl,bg").split(",") if code.strip())
DEFAULT_LANGUAGE = "en"


def _secret_key() -> str | None:
    """SECRET_KEY from the environment, else the demo's instance/secret_key (made by `make run`)."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = INSTANCE / "secret_key"
    return path.read_text().strip() if path.exists() else None


def _translations_dir() -> str:
    """The compiled catalogs: inside the package when installed from a wheel (the build compiles
    them into portal/translations), else the source tree's translations/ (`make catalogs`)."""
    packaged = PACKAGE / "translations"
    return str(packaged if packaged.is_dir() else ROOT / "translations")


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


class Config:
    SECRET_KEY = _secret_key()
    # None when unset: create_app then uses DEVELOPMENT_DATABASE_URL, outside production only.
    DATABASE_URL = os.environ.get("DATABASE_URL") or None
    SMTP_URL = os.environ.get("SMTP_URL", "smtp://127.0.0.1:8025")
    MAIL_FROM = os.environ.get("MAIL_FROM", "Provisioning Portal <no-reply@portal.example>")
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")
    # Where the demo's own SMTP server files what it receives; the mailbox page reads it.
    DEMO_MAILBOX = os.environ.get("DEMO_MAILBOX")
    # Only `flask portal serve-demo` (and tests that say so) create the app with DEMO: it adds the
    # demo mailbox. Never read from the environment, so that no deployment turns it on by accident.
    DEMO = False
    # Werkzeug refuses larger bodies with 413 (the portal has no uploads; its forms are small).
    MAX_CONTENT_LENGTH = 1024 * 1024
    LANGUAGES = LANGUAGES
    BABEL_DEFAULT_LOCALE = DEFAULT_LANGUAGE
    BABEL_DEFAULT_TIMEZONE = "UTC"
    # Two domains from one folder: the portal's own strings, and WTForms' generic messages in
    # catalogs of our own (WTForms ships none for Slovenian and an incomplete Bulgarian one).
    TRANSLATIONS_DIR = _translations_dir()
    BABEL_DOMAIN = "messages;wtforms"
    # "Set up now" links stay valid as long as an order can still be set up (rule O5: 30 days).
    SETUP_LINK_MAX_AGE = 60 * 60 * 24 * 45
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    # Links to choose a password: an invitation for a week, a reset for an hour (issue 8).
    INVITATION_MAX_AGE = 60 * 60 * 24 * 7
    RESET_MAX_AGE = 60 * 60
    # A signed-in session ends after this long without a request, and this long after sign-in.
    SESSION_IDLE_MINUTES = _int("SESSION_IDLE_MINUTES", 120)
    SESSION_ABSOLUTE_HOURS = _int("SESSION_ABSOLUTE_HOURS", 12)
    # Where sign-in throttling counts: memory:// for one process; redis://… or memcached://…
    # shared by several instances.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = os.environ.get("RATELIMIT_ENABLED", "1") != "0"
    # How many reverse proxies (load balancer, nginx) stand in front of the portal and set
    # X-Forwarded-For and X-Forwarded-Proto: with 1, the client address the sign-in throttle counts
    # is the one the proxy saw. 0 (the default) trusts no such header.
    TRUSTED_PROXIES = _int("TRUSTED_PROXIES", 0)
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_HTTPONLY = True
    # A clock function returning naive UTC datetimes; tests and the demo replace it.
    CLOCK = None
