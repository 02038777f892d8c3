"""The wizard's blueprint and what every step needs: the signed link, the order, rendering.

Routes (all under /<lang>/setup/<token>):
  ''                    entry page (O2): resets the answers (O6)
  /role /who /partner   W1, W2, W3
  /admin /company       W4, W5
  /organization         W6 (M1-M4)
  /confirm /done        W7
  /password             W8
  /services/<step>      W9 (details, calling, meetings, enterprise, provision)
  /check-subdomain      W9 "Check availability" (htmx)
"""

import json

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.infra.db import db
from portal.models import Order
from portal.orders.links import LinkProblem, read_setup_token

bp = Blueprint("wizard", __name__, url_prefix="/<lang:lang>/setup")

# The heading (and page title) of every step.
TITLES = {
    "role": _l("Your role"),
    "who": _l("Who sets up the services?"),
    "partner": _l("Partner organization"),
    "admin": _l("Customer admin"),
    "company": _l("Company and country"),
    "organization": _l("Customer organization"),
    "confirm": _l("Confirm the details"),
    "stop": _l("The set-up cannot continue"),
    "handed_over": _l("The set-up link is on its way"),
    "done": _l("Your order is set up"),
    "password": _l("Create your password"),
    "details": _l("Subscription details"),
    "calling": _l("Calling settings"),
    "meetings": _l("Meeting settings"),
    "enterprise": _l("Enterprise settings"),
    "provision": _l("Provision and start billing"),
}


class LinkRefused(Exception):
    def __init__(self, problem: LinkProblem):
        self.problem = problem


def order_for(token: str) -> Order:
    """The order a valid, current link names; anything else is refused with an explanation."""
    order_id, version, problem = read_setup_token(token)
    order = db.get(Order, order_id) if order_id else None
    if problem is None and order is None:
        problem = LinkProblem.INVALID
    if problem is None and version != order.link_version:
        problem = LinkProblem.REPLACED
    if problem is not None:
        raise LinkRefused(problem)
    return order


@bp.errorhandler(LinkRefused)
def link_refused(error: LinkRefused):
    status = 404 if error.problem is LinkProblem.INVALID else 410
    return render_template("wizard/link_problem.html", problem=error.problem.value), status


def htmx_event(name: str, detail) -> str:
    """An HX-Trigger header's value: JSON with every non-ASCII character escaped, since a header
    carries Latin-1 only and a Bulgarian title is Cyrillic; htmx's JSON.parse reads it back."""
    return json.dumps({name: detail}, ensure_ascii=True)


def announcement(context: dict) -> str:
    """What the live region says after a step swap: "Step 3 of 8: Customer admin"."""
    title = str(context["title"])
    if context.get("step_number"):
        # i18n: said by a screen reader after the wizard moves to another step; title is the step's heading.
        return _(
            "Step %(number)s of %(total)s: %(title)s",
            number=context["step_number"],
            total=context["step_total"],
            title=title,
        )
    if context.get("service_number"):
        # i18n: said by a screen reader after a service set-up step; title is the step's heading.
        return _(
            "Service set-up: step %(number)s of %(total)s: %(title)s",
            number=context["service_number"],
            total=context["service_total"],
            title=title,
        )
    return title


def render_step(template: str, **context):
    """A whole page, or for htmx only the wizard panel it swaps (style rule 12). The panel comes
    with the new document title and the step's announcement (static/js/a11y.js), and the URL to
    push is always this step's GET address: a POST answered here is the same step's URL."""
    context.setdefault("step_template", template)
    context.setdefault("title", TITLES.get(template.rsplit("/_", 1)[-1].removesuffix(".html"), ""))
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "wizard-panel":
        response = render_template("wizard/_panel.html", **context)
        page = {"title": f"{context['title']} · {_('Provisioning Portal')}", "announce": announcement(context)}
        return (
            response,
            200,
            {
                "HX-Push-Url": request.full_path.rstrip("?") if answers_get() else "false",
                "HX-Trigger-After-Settle": htmx_event("portal:page", page),
                "Vary": "HX-Request",
            },
        )
    return render_template("wizard/page.html", **context), 200, {"Vary": "HX-Request"}


def answers_get() -> bool:
    """Whether this request's URL answers GET, so that a reload of it from the address bar works."""
    return request.url_rule is not None and "GET" in request.url_rule.methods


def stop(reason: str, order: Order, token: str, **context):
    """The wizard stops here with advice; nothing has been stored."""
    title = TITLES["handed_over" if reason == "handed_over" else "stop"]
    return render_step("wizard/steps/_stop.html", reason=reason, order=order, token=token, title=title, **context)


def require(condition: bool):
    if not condition:
        abort(404)
