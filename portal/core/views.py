"""The root redirect (rule L2) and each language's home page."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from portal.domain.permissions import allowed
from portal.i18n import choose_language

bp = Blueprint("core", __name__)


@bp.route("/")
def root():
    # rule L2: only the un-prefixed root chooses; prefixed URLs are never redirected to another language.
    response = redirect(url_for("core.home", lang=choose_language()))
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")
    return response


@bp.route("/<lang:lang>/")
def home():
    if current_user.is_authenticated:
        if allowed(current_user, "view_orders"):
            return redirect(url_for("orders.index"))
        if allowed(current_user, "view_organization"):
            return redirect(url_for("organization.overview"))
    return render_template("home.html")


@bp.route("/healthz")
def healthz():
    return {"status": "ok"}
