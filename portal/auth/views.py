from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from portal.audit import record
from portal.auth.forms import PreferencesForm, SignInForm
from portal.db import session
from portal.i18n import current_language, languages, native_name
from portal.timezones import choices as time_zone_choices
from portal.models import User
from portal.normalize import email_key
from portal.urls import safe_next

bp = Blueprint("auth", __name__, url_prefix="/<lang:lang>")


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = SignInForm()
    if form.validate_on_submit():
        user = session.scalar(select(User).where(User.email == email_key(form.email.data)))
        if user and user.active and user.role and user.check_password(form.password.data):
            login_user(user)
            record("signed_in", actor=user, organization_id=user.organization_id)
            session.commit()
            return redirect(safe_next(request.args.get("next")) or url_for("core.home"))
        # One message whatever was wrong, so that sign-in does not reveal which emails exist.
        flash(_("The email address or password is incorrect."), "error")
    return render_template("auth/sign_in.html", form=form)


@bp.route("/sign-out", methods=["POST"])
def sign_out():
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.sign_in"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = PreferencesForm(language=current_user.language, time_zone=current_user.time_zone or "UTC")
    form.language.choices = [(code, native_name(code)) for code in languages()]
    form.time_zone.choices = [("UTC", "UTC")] + list(time_zone_choices(current_language()))
    if form.validate_on_submit():
        user = session.get(User, current_user.id)
        user.language = form.language.data
        user.time_zone = None if form.time_zone.data == "UTC" else form.time_zone.data
        record("preferences_changed", actor=user, organization_id=user.organization_id,
               language=form.language.data, time_zone=form.time_zone.data)
        session.commit()
        flash(_("Your preferences are saved."), "success")
        return redirect(url_for("auth.account", lang=form.language.data))
    return render_template("auth/account.html", form=form)
