"""The wizard's entry page, opened from the "Set up now" email."""
from flask import Blueprint, render_template
from sqlalchemy import update

from portal import clock
from portal.audit import record
from portal.db import session, writes
from portal.models import Order
from portal.orders.rules import closing_date
from portal.wizard.links import LinkProblem, read_setup_token

bp = Blueprint("wizard", __name__, url_prefix="/<lang:lang>/setup")


@bp.route("/<token>")
def entry(token: str):
    writes()  # opening the link records the start of set-up
    order_id, version, problem = read_setup_token(token)
    order = session.get(Order, order_id) if order_id else None
    if problem is None and order is None:
        problem = LinkProblem.INVALID
    if problem is None and version != order.link_version:
        problem = LinkProblem.REPLACED
    if problem is not None:
        return render_template("wizard/link_problem.html", problem=problem.value), 410 if problem in (
            LinkProblem.EXPIRED, LinkProblem.REPLACED) else 404
    if order.status == "awaiting_provisioning":
        # rule O3: opening the link is the start of set-up; only the first opening counts.
        started = session.execute(update(Order).where(
            Order.id == order.id, Order.setup_started_at.is_(None)).values(setup_started_at=clock.now()))
        if started.rowcount:
            record("setup_started", organization_id=order.partner_id, order_id=order.id)
        session.commit()
    return render_template("wizard/entry.html", order=order, closes_on=closing_date(order))
