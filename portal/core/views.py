"""The root redirect (rule L2), each language's home page, and the load balancer's health check."""

import os

from flask import Blueprint, Response, current_app, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from portal.core import attention
from portal.domain.permissions import allowed
from portal.i18n import choose_language
from portal.infra.extensions import csrf

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
    """Signed in, an admin's home page shows what needs attention (issue 13); else the welcome."""
    if current_user.is_authenticated and allowed(current_user, "view_organization"):
        organization = current_user.organization
        if organization.is_partner:
            kinds = attention.for_partner(organization.id)
        else:
            kinds = attention.for_customer(organization.id)
        return render_template(
            "home_admin.html",
            organization=organization,
            kinds={kind.key: kind for kind in kinds},
            expiring_within=attention.EXPIRING_WITHIN,
        )
    return render_template("home.html")


@bp.route("/favicon.ico")
@csrf.exempt
def favicon():
    """The icon browsers ask for at the root (the pages name the SVG one too); cached for a day."""
    icon = current_app.extensions.get("portal.favicon")
    if icon is None:  # 4 kB, read once per process: no open file is handed to the response
        with open(os.path.join(current_app.static_folder, "favicon.ico"), "rb") as file:
            icon = current_app.extensions["portal.favicon"] = file.read()
    return Response(icon, mimetype="image/vnd.microsoft.icon", headers={"Cache-Control": "public, max-age=86400"})


@bp.route("/healthz")
@csrf.exempt
def healthz():
    """200 when this instance can reach its database (``SELECT 1`` on a connection of the app's
    engine), else 503: a load balancer then sends no request here. No session, user or language."""
    try:
        with current_app.extensions["portal.engine"].connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        current_app.logger.exception("Health check: the database cannot be reached")
        status, body = 503, {"status": "unavailable"}
    else:
        status, body = 200, {"status": "ok"}
    return body, status, {"Cache-Control": "no-store"}
