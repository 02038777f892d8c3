"""Accounts (issue 8): invitations, password resets, throttled sign-in, sessions that end, L3.

Every test names the behaviour it checks. Emails are read from the outbox (what would be sent);
links are taken from the email as a recipient would.
"""

import re
import statistics
import time
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from portal import create_app
from portal.models import AuditEvent, LoginSession, OutgoingEmail, User
from tests.conftest import LANGUAGES, PASSWORD, sign_in, translate
from tests.test_wizard import wizard
from tests.wizard_driver import place_order

NEW_PASSWORD = "fresh-Password-2027"


def outbox(db, to: str, kind: str | None = None) -> list[OutgoingEmail]:
    db.rollback()
    query = select(OutgoingEmail).where(OutgoingEmail.to_address == to).order_by(OutgoingEmail.id)
    if kind:
        query = query.where(OutgoingEmail.kind == kind)
    return list(db.scalars(query))


def link_in(email: OutgoingEmail) -> str:
    """The password link of an email, as a path the test client can open."""
    match = re.search(r"http://portal\.test(/\w\w/password/\w+/[\w.\-]+)", email.body_text)
    assert match, email.body_text
    return match.group(1)


def choose(client, path: str, password: str = NEW_PASSWORD):
    return client.post(path, data={"password": password, "confirm": password})


def add_user(db, email="new.admin@contoso.example", *, role="full_admin", language=None, page_language="sv"):
    from portal.models import AdminRole, Organization

    org = db.scalar(select(Organization).where(Organization.name == "Contoso Manufacturing"))
    from portal.infra import clock

    user = User(
        email=email, organization_id=org.id, language=language, page_language=page_language, created_at=clock.now()
    )
    db.add(user)
    db.flush()
    if role:
        db.add(AdminRole(user_id=user.id, organization_id=org.id, role=role, granted_at=clock.now()))
    db.commit()
    return SimpleNamespace(id=user.id, email=user.email)


def invite(app, db, user_id: int):
    from portal.auth import invitations

    with app.test_request_context():
        invitations.invite(db.get(User, user_id))
        db.commit()


# --- invitations --------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "sl"])
def test_w7_a_new_customer_admin_is_invited_in_the_page_language_and_signs_in(client, app, db, demo, lang):
    _order_id, token = place_order(app)
    w = wizard(client, token, lang)
    w.through(admin_email="it@fabrikam.example", company="Fabrikam Ltd")
    w.post("organization", {"organization": "new"})
    assert w.post("confirm").status_code == 302
    [email] = outbox(db, "it@fabrikam.example", "invitation")
    assert email.language == lang  # rule L3: no preference yet, so the wizard page's language
    assert translate(app, lang, "Choose your password") in email.body_text
    user = db.scalar(select(User).where(User.email == "it@fabrikam.example"))
    assert user.language is None and user.password_hash is None

    other = app.test_client()
    path = link_in(email)
    assert translate(app, lang, "Choose your password") in other.get(path).get_data(as_text=True)
    weak = choose(other, path, "short")
    assert translate(app, lang, "Use at least 12 characters.") in weak.get_data(as_text=True)
    assert choose(other, path).status_code == 302
    assert other.get(f"/{lang}/organization/").status_code == 200  # signed in
    db.rollback()
    assert db.get(User, user.id).language == lang  # rule L3: the first sign-in's page language


def test_invitation_link_works_once(client, app, db, demo):
    user = add_user(db)
    invite(app, db, user.id)
    path = link_in(outbox(db, user.email, "invitation")[0])
    assert choose(client, path).status_code == 302
    again = app.test_client().get(path)
    assert again.status_code == 410
    assert translate(app, "sv", "This link has already been used") in again.get_data(
        as_text=True
    )  # the link's language
    assert choose(app.test_client(), path, "another-Password-99").status_code == 410
    db.rollback()
    assert db.get(User, user.id).check_password(NEW_PASSWORD)


def test_a_tampered_invitation_link_is_refused(client, app, db, demo):
    user = add_user(db)
    invite(app, db, user.id)
    path = link_in(outbox(db, user.email, "invitation")[0])
    tampered = path[:-3] + ("aaa" if not path.endswith("aaa") else "bbb")
    assert client.get(tampered).status_code == 404
    assert choose(client, tampered).status_code == 404
    db.rollback()
    assert db.get(User, user.id).password_hash is None


def test_an_expired_invitation_offers_a_new_one(client, app, db, demo, clock):
    user = add_user(db)
    invite(app, db, user.id)
    path = link_in(outbox(db, user.email, "invitation")[0])
    clock.advance(days=7, minutes=1)
    page = client.get("/nl" + path[3:])
    assert page.status_code == 410
    assert translate(app, "nl", "This link has expired") in page.get_data(as_text=True)
    token = path.rsplit("/", 1)[1]
    sent = client.post("/nl/password/invitation/renew", data={"token": token})
    assert sent.status_code == 200
    emails = outbox(db, user.email, "invitation")
    assert len(emails) == 2 and emails[1].language == "nl"  # rule L3: the page where it was asked for
    assert choose(client, link_in(emails[1])).status_code == 302


def test_a_forged_renewal_sends_nothing(client, db, demo):
    response = client.post("/en/password/invitation/renew", data={"token": "not-a-token"})
    assert response.status_code == 404
    db.rollback()
    assert db.scalar(select(func.count()).select_from(OutgoingEmail).where(OutgoingEmail.kind == "invitation")) == 0


def test_t6_the_welcome_email_carries_the_invitation(app, db, demo):
    from portal.models import Organization
    from portal.trials import lifecycle

    with app.test_request_context("/bg/"):
        from flask import g

        g.lang = "bg"
        partner = db.scalar(select(Organization).where(Organization.name == "Northwind Solutions B.V."))
        actor = db.scalar(select(User).where(User.email == "anna.dekker@northwind.example"))
        trial = lifecycle.start_trial(
            partner=partner,
            actor=actor,
            company="Novi Trial d.o.o.",
            admin_email="it@novi.example",
            industry="manufacturing",
            country="SI",
            services=["messaging"],
            license_count=10,
            duration_days=30,
            supported_location=True,
            language="bg",
        )
        lifecycle.provision(trial, actor=actor)
        db.commit()
    [welcome] = outbox(db, "it@novi.example", "trial_welcome")
    assert welcome.language == "bg"
    client = app.test_client()
    assert choose(client, link_in(welcome)).status_code == 302
    assert client.get("/bg/organization/").status_code == 200


# --- forgot your password -----------------------------------------------------------------------


def test_forgot_password_answers_the_same_whether_or_not_the_email_exists(client, app, db, demo):
    def answer(email):
        page = client.post("/sv/forgot-password", data={"email": email}).get_data(as_text=True)
        return page.replace(email, "EMAIL")

    assert answer("admin@contoso.example") == answer("nobody@contoso.example")
    assert len(outbox(db, "admin@contoso.example", "password_reset")) == 1
    assert outbox(db, "nobody@contoso.example") == []


def test_reset_link_lasts_an_hour_and_ends_every_other_session(client, app, db, demo, clock):
    elsewhere = app.test_client()
    sign_in(elsewhere, "admin@contoso.example")
    assert elsewhere.get("/en/organization/").status_code == 200
    client.post("/en/forgot-password", data={"email": "admin@contoso.example"})
    [email] = outbox(db, "admin@contoso.example", "password_reset")
    assert email.language == "en"
    path = link_in(email)
    clock.advance(minutes=59)
    assert choose(client, path).status_code == 302
    assert client.get("/en/organization/").status_code == 200
    assert elsewhere.get("/en/organization/").status_code == 302  # ended by the new password
    assert choose(app.test_client(), path, "another-Password-99").status_code == 410  # single use
    reset_again = app.test_client()
    reset_again.post("/en/forgot-password", data={"email": "admin@contoso.example"})
    late = link_in(outbox(db, "admin@contoso.example", "password_reset")[-1])
    clock.advance(minutes=61)
    assert reset_again.get(late).status_code == 410


def test_a_user_without_a_password_who_forgot_gets_an_invitation(client, app, db, demo):
    user = add_user(db, language="nl")
    client.post("/en/forgot-password", data={"email": user.email})
    [email] = outbox(db, user.email, "invitation")
    assert email.language == "nl"  # the user's own preference wins over the page (rule L3)


# --- throttling and timing ----------------------------------------------------------------------


def test_failed_sign_ins_are_throttled_per_account_with_a_localized_429(client, app, demo):
    for _ in range(5):
        assert (
            client.post("/sl/sign-in", data={"email": "admin@contoso.example", "password": "wrong"}).status_code == 200
        )
    refused = client.post("/sl/sign-in", data={"email": "admin@contoso.example", "password": PASSWORD})
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert translate(app, "sl", "Too many attempts") in refused.get_data(as_text=True)
    # Another account from another client is not affected.
    other = app.test_client()
    assert (
        other.post(
            "/en/sign-in",
            data={"email": "anna.dekker@northwind.example", "password": PASSWORD},
            environ_base={"REMOTE_ADDR": "10.0.0.2"},
        ).status_code
        == 302
    )


def test_failed_sign_ins_are_throttled_per_client_address(client, app, demo):
    for n in range(30):
        client.post("/en/sign-in", data={"email": f"guess{n}@contoso.example", "password": "wrong"})
    refused = client.post("/en/sign-in", data={"email": "admin@contoso.example", "password": PASSWORD})
    assert refused.status_code == 429


def test_throttle_storage_is_configurable(app_config):
    from limits.storage import MemoryStorage

    app = create_app({**app_config, "RATELIMIT_STORAGE_URI": "memory://"})
    assert isinstance(app.extensions["portal.throttle"].storage, MemoryStorage)


def test_sign_in_does_the_same_work_for_unknown_and_known_addresses(client, app, demo, monkeypatch):
    """Deterministic: one password hash check per attempt, whether or not the address exists."""
    from portal.infra import passwords

    calls = []
    real = passwords.check_password
    monkeypatch.setattr(passwords, "check_password", lambda h, p: calls.append(h) or real(h, p))
    client.post("/en/sign-in", data={"email": "admin@contoso.example", "password": "wrong"})
    client.post("/en/sign-in", data={"email": "nobody@nowhere.example", "password": "wrong"})
    assert len(calls) == 2
    assert calls[0].split("$")[0] == calls[1].split("$")[0]  # the same method and cost


def test_sign_in_timing_does_not_tell_which_addresses_exist(app, demo):
    """Statistical: the medians of repeated attempts are close (a ratio, not a time limit), with
    the production hash method (scrypt) rather than the tests' cheap one."""
    from portal.infra.db import db
    from portal.models import User

    app.config.update(RATELIMIT_ENABLED=False, PASSWORD_HASH_METHOD="scrypt")
    with app.app_context():
        db.scalar(select(User).where(User.email == "admin@contoso.example")).set_password("portal-demo-2026")
        db.commit()
    client = app.test_client()

    def median(email):
        times = []
        for _ in range(9):
            start = time.perf_counter()
            client.post("/en/sign-in", data={"email": email, "password": "wrong-password"})
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    median("warm.up@nowhere.example")
    known, unknown = median("admin@contoso.example"), median("nobody@nowhere.example")
    assert 0.5 < known / unknown < 2.0, (known, unknown)


# --- sessions -----------------------------------------------------------------------------------


def session_cookie(client) -> str:
    return client.get_cookie("session").value


def test_sign_out_refuses_a_replayed_cookie(client, app, demo):
    sign_in(client, "admin@contoso.example")
    stolen = session_cookie(client)
    client.post("/en/sign-out")
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    assert replay.get("/en/organization/").status_code == 302


def test_changing_the_password_ends_the_other_sessions_only(client, app, db, demo):
    elsewhere = app.test_client()
    sign_in(elsewhere, "admin@contoso.example")
    sign_in(client, "admin@contoso.example")
    changed = client.post(
        "/en/account/password", data={"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert changed.status_code == 302
    assert client.get("/en/organization/").status_code == 200
    assert elsewhere.get("/en/organization/").status_code == 302
    wrong = client.post(
        "/en/account/password", data={"current": "nope", "password": "other-Pass-2027", "confirm": "other-Pass-2027"}
    )
    assert wrong.status_code == 422
    db.rollback()
    assert db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "password_changed")) == 1


def test_sessions_end_after_the_idle_and_the_absolute_lifetime(client, app, demo, clock):
    sign_in(client, "admin@contoso.example")
    clock.advance(minutes=app.config["SESSION_IDLE_MINUTES"] - 1)
    assert client.get("/en/organization/").status_code == 200  # a request keeps it alive
    clock.advance(minutes=app.config["SESSION_IDLE_MINUTES"] + 1)
    assert client.get("/en/organization/").status_code == 302
    sign_in(client, "admin@contoso.example")
    for _ in range(app.config["SESSION_ABSOLUTE_HOURS"]):
        clock.advance(minutes=60)
        client.get("/en/organization/")
    clock.advance(minutes=1)
    assert client.get("/en/organization/").status_code == 302


def test_a_deactivated_user_is_signed_out_at_once(client, app, db, demo):
    sign_in(client, "admin@contoso.example")
    db.rollback()
    user = db.scalar(select(User).where(User.email == "admin@contoso.example"))
    user.active = False
    db.commit()
    assert client.get("/en/organization/").status_code == 302


def test_sign_in_rotates_the_session_and_its_csrf_token(app_config, demo_free_app):
    app = demo_free_app({**app_config, "WTF_CSRF_ENABLED": True})
    client = app.test_client()
    page = client.get("/en/sign-in").get_data(as_text=True)
    before = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    with client.session_transaction() as cookie:
        raw_before = cookie["csrf_token"]
    client.post("/en/sign-in", data={"email": "admin@contoso.example", "password": PASSWORD, "csrf_token": before})
    with client.session_transaction() as cookie:
        assert "_login" in cookie and cookie.get("csrf_token") != raw_before


@pytest.fixture
def demo_free_app(tmp_path):
    apps = []

    def make(config):
        from portal import demo

        app = create_app(config)
        with app.app_context():
            demo.load()
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["portal.engine"].dispose()


def test_each_sign_in_is_a_session_row(client, db, demo):
    sign_in(client, "admin@contoso.example")
    sign_in(app_client := client.application.test_client(), "admin@contoso.example")
    assert app_client is not client
    db.rollback()
    assert db.scalar(select(func.count()).select_from(LoginSession).where(LoginSession.ended_at.is_(None))) == 2


# --- configuration ------------------------------------------------------------------------------


@pytest.mark.parametrize("key", [None, "", "short", "dev-only-secret-change-me", "a" * 40])
def test_the_app_refuses_to_start_without_a_strong_secret_key(app_config, key):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({**app_config, "TESTING": False, "SECRET_KEY": key})


def test_a_strong_secret_key_starts_the_app_and_https_makes_cookies_secure(app_config):
    import secrets

    app = create_app(
        {**app_config, "TESTING": False, "SECRET_KEY": secrets.token_hex(32), "BASE_URL": "https://portal.example"}
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    app.extensions["portal.engine"].dispose()


# --- rule L3 ------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_l3_a_user_without_preference_gets_email_in_the_page_language(app, db, demo, lang):
    user = add_user(db, page_language="sv")
    with app.test_request_context(f"/{lang}/"):
        from flask import g

        g.lang = lang
        assert db.get(User, user.id).mail_language == lang
    with app.app_context():  # the scheduler: the page the portal first heard of them
        assert db.get(User, user.id).mail_language == "sv"


def test_l3_a_chosen_language_stays_the_preference(client, app, db, demo):
    user = add_user(db, language="bg")
    invite(app, db, user.id)
    path = link_in(outbox(db, user.email, "invitation")[0])
    assert outbox(db, user.email, "invitation")[0].language == "bg"
    choose(client, "/nl" + path[3:])
    db.rollback()
    assert db.get(User, user.id).language == "bg"


def test_passwords_are_hashed_with_scrypt_outside_tests_and_cheaply_in_them():
    from flask import Flask

    from portal.infra import passwords

    production, testing = Flask("production"), Flask("testing")
    testing.config["TESTING"] = True
    passwords.init_app(production)
    passwords.init_app(testing)
    assert production.config["PASSWORD_HASH_METHOD"] == "scrypt"
    assert testing.config["PASSWORD_HASH_METHOD"] == passwords.TESTING_METHOD
    with production.app_context():
        stored = passwords.hash_password("Correct-horse-2026")
    assert stored.startswith("scrypt:") and passwords.check_password(stored, "Correct-horse-2026")
    assert not passwords.check_password(stored, "correct-horse-2026")
