"""Signing in and out, choosing and resetting passwords, and the user's own account page.

Routes (under /<lang>):
  /sign-in, /sign-out                   throttled sign-in; sign-out ends this browser's session
  /forgot-password                      a reset link by email, the same answer for every address
  /password/<purpose>/<token>           choose a password from an invitation or a reset link
  /password/<purpose>/renew             a new link in place of an expired one
  /account, /account/password           preferences; a new password ends the other sessions
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask import session as browser_session
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from portal.audit import record
from portal.auth import invitations, login_sessions, throttle, tokens
from portal.auth.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    PasswordForm,
    PreferencesForm,
    RenewLinkForm,
    SignInForm,
)
from portal.auth.tokens import TokenProblem
from portal.domain.normalize import email_key
from portal.i18n import current_language, languages, native_name, timezones
from portal.infra import passwords
from portal.infra.db import db
from portal.infra.errors import render_error
from portal.infra.urls import safe_next
from portal.models import User

bp = Blueprint("auth", __name__, url_prefix="/<lang:lang>")


def _client() -> str:
    return request.remote_addr or "unknown"


def _signed_in(user: User) -> None:
    """A new session: the old cookie's contents (and CSRF token) go, a session row begins."""
    browser_session.clear()
    login_user(user)
    login_sessions.start(user)
    if user.language is None:  # rule L3: the first sign-in's page language becomes the preference
        user.language = current_language()


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = SignInForm()
    if form.validate_on_submit():
        key = email_key(form.email.data)
        checks = ((throttle.SIGN_IN_ACCOUNT, key), (throttle.SIGN_IN_CLIENT, _client()))
        throttle.check(*checks)
        user = db.scalar(select(User).where(User.email == key))
        usable = user is not None and user.active and user.role is not None and bool(user.password_hash)
        # The same work whether the address exists or not: the timing tells nothing either.
        password_ok = passwords.check_password(
            user.password_hash if usable else passwords.dummy_hash(), form.password.data
        )
        if usable and password_ok:
            throttle.clear(throttle.SIGN_IN_ACCOUNT, key)
            _signed_in(user)
            record("signed_in", actor=user, organization_id=user.organization_id)
            db.commit()
            return redirect(safe_next(request.args.get("next")) or url_for("core.home"))
        throttle.hit(*checks)
        # One message whatever was wrong, so that sign-in does not reveal which emails exist.
        flash(_("The email address or password is incorrect."), "error")
    return render_template("auth/sign_in.html", form=form)


@bp.route("/sign-out", methods=["POST"])
def sign_out():
    if current_user.is_authenticated:
        login_sessions.end_current("signed_out")
        record("signed_out", actor=current_user.id, organization_id=current_user.organization_id)
        db.commit()
    logout_user()
    browser_session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.sign_in"))


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        key = email_key(form.email.data)
        checks = ((throttle.EMAIL_ACCOUNT, key), (throttle.EMAIL_CLIENT, _client()))
        throttle.check(*checks)
        throttle.hit(*checks)
        invitations.send_link_for(key)
        db.commit()
        return render_template("auth/link_sent.html", email=key)
    return render_template("auth/forgot_password.html", form=form)


def _purpose(purpose: str) -> str:
    if purpose not in tokens.PURPOSES:
        abort(404)
    return purpose


@bp.route("/password/<purpose>/<token>", methods=["GET", "POST"])
def choose_password(purpose: str, token: str):
    purpose = _purpose(purpose)
    found = tokens.check(token, purpose)
    if found.problem is not None:
        return _link_problem(purpose, token, found.problem)
    user = found.user
    form = PasswordForm(email=user.email)
    if form.validate_on_submit():
        # Re-read and lock the user: of two tabs posting the same link, the second finds it used.
        locked = db.scalar(select(User).where(User.id == user.id).with_for_update())
        again = tokens.check(token, purpose)
        if again.problem is not None or locked is None:
            db.rollback()
            return _link_problem(purpose, token, again.problem or TokenProblem.INVALID)
        locked.set_password(form.password.data)
        ended = login_sessions.end_all(locked.id, "password_" + purpose)
        if locked.role is not None:
            _signed_in(locked)
        record(
            "password_chosen" if purpose == "invitation" else "password_reset",
            actor=locked,
            organization_id=locked.organization_id,
            sessions_ended=ended,
        )
        db.commit()
        if locked.role is None:
            flash(_("Your password is saved."), "success")
            return redirect(url_for("auth.sign_in"))
        flash(_("Your password is saved and you are signed in."), "success")
        return redirect(url_for("core.home"))
    return render_template("auth/choose_password.html", form=form, purpose=purpose, email=user.email)


def _link_problem(purpose: str, token: str, problem: TokenProblem):
    renew = RenewLinkForm(token=token) if problem is TokenProblem.EXPIRED else None
    status = 404 if problem is TokenProblem.INVALID else 410
    return render_template("auth/link_problem.html", purpose=purpose, problem=problem.value, renew=renew), status


@bp.route("/password/<purpose>/renew", methods=["POST"])
def renew_link(purpose: str):
    purpose = _purpose(purpose)
    form = RenewLinkForm()
    if not form.validate_on_submit():
        abort(400)
    found = tokens.check(form.token.data, purpose)
    if found.problem is not TokenProblem.EXPIRED:
        return _link_problem(purpose, form.token.data, found.problem or TokenProblem.USED)
    checks = ((throttle.EMAIL_ACCOUNT, found.user.email), (throttle.EMAIL_CLIENT, _client()))
    throttle.check(*checks)
    throttle.hit(*checks)
    invitations.send_link_for(found.user.email)
    record("password_link_renewed", actor=found.user, organization_id=found.user.organization_id, purpose=purpose)
    db.commit()
    return render_template("auth/link_sent.html", email=None)


def _preferences_form():
    form = PreferencesForm(
        language=current_user.language or current_language(), time_zone=current_user.time_zone or "UTC"
    )
    form.language.choices = [(code, native_name(code)) for code in languages()]
    form.time_zone.choices = timezones.select_choices(current_language(), ("UTC", "UTC"))
    return form


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = _preferences_form()
    if form.validate_on_submit():
        user = db.get(User, current_user.id)
        user.language = form.language.data
        user.time_zone = None if form.time_zone.data == "UTC" else form.time_zone.data
        record(
            "preferences_changed",
            actor=user,
            organization_id=user.organization_id,
            language=form.language.data,
            time_zone=form.time_zone.data,
        )
        db.commit()
        flash(_("Your preferences are saved."), "success")
        return redirect(url_for("auth.account", lang=form.language.data))
    return render_template("auth/account.html", form=form, password_form=ChangePasswordForm(email=current_user.email))


@bp.route("/account/password", methods=["POST"])
@login_required
def change_password():
    password_form = ChangePasswordForm(email=current_user.email)
    if password_form.validate_on_submit():
        user = db.scalar(select(User).where(User.id == current_user.id).with_for_update())
        if user.check_password(password_form.current.data):
            user.set_password(password_form.password.data)
            ended = login_sessions.end_all(user.id, "password_changed", keep_current=True)
            record("password_changed", actor=user, organization_id=user.organization_id, sessions_ended=ended)
            db.commit()
            flash(_("Your password is changed. You are signed out everywhere else."), "success")
            return redirect(url_for("auth.account"))
        password_form.current.errors = list(password_form.current.errors) + [_("The current password is incorrect.")]
    return render_template("auth/account.html", form=_preferences_form(), password_form=password_form), 422


def init_views(app) -> None:
    @app.errorhandler(throttle.Refused)
    def throttled(error: throttle.Refused):
        minutes = max(1, (error.retry_after + 59) // 60)
        message = ngettext(
            "For your security, this is paused. Try again in %(num)s minute.",
            "For your security, this is paused. Try again in %(num)s minutes.",
            minutes,
        )
        return render_error(429, _("Too many attempts"), message, {"Retry-After": str(error.retry_after)})
