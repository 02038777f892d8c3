"""Partner admins place orders and follow them (rules O1, O4, O5)."""

import secrets

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from portal.audit import history as audit_history
from portal.domain import rule_errors
from portal.domain.catalog import OFFERS
from portal.domain.permissions import allowed, requires
from portal.i18n import current_language, languages, native_name
from portal.i18n.labels import OFFER_LABELS
from portal.infra import paging
from portal.infra.db import db
from portal.infra.url_converters import parse_page
from portal.models import AuditEvent, Order
from portal.orders.forms import ContactForm, OrderForm, ResendForm
from portal.orders.rules import OrderRuleError, change_contact, closing_date, place_order, resend_setup_email

bp = Blueprint("orders", __name__, url_prefix="/<lang:lang>/orders")
PAGE_SIZE = 50


def _language_choices():
    return [(code, native_name(code)) for code in languages()]


def _own_order(order_id: int) -> Order:
    """An order of the signed-in partner's organization; anything else does not exist for them."""
    order = db.get(Order, order_id)
    if order is None or order.partner_id != current_user.organization_id:
        abort(404)
    return order


def _contact_form(order: Order, formdata=None) -> ContactForm:
    form = ContactForm(
        formdata=formdata, provisioning_contact=order.provisioning_contact, setup_language=order.setup_language
    )
    form.setup_language.choices = _language_choices()
    return form


def _render_order(order: Order, contact_form=None, status=200):
    context = dict(
        order=order,
        history=audit_history.page_of(AuditEvent.order_id == order.id, page=parse_page(request.args.get("history"))),
        history_url=lambda number: url_for("orders.show", order_id=order.id, history=number, _anchor="history"),
        closes_on=closing_date(order),
        contact_form=contact_form or _contact_form(order),
        resend_form=ResendForm(nonce=secrets.token_urlsafe(16)),
        can_edit=allowed(current_user, "place_orders") and order.status == "awaiting_provisioning",
    )
    if request.headers.get("HX-Request") and request.method == "POST":
        response = render_template("orders/_contact.html", **context), status
    else:
        response = render_template("orders/show.html", **context), status
    return response


# --- list and place --------------------------------------------------------------------------


@bp.route("/")
@requires("view_orders")
def index():
    """The partner's orders, newest first, a page at a time (paged by the database)."""
    mine = Order.partner_id == current_user.organization_id
    total = db.scalar(select(func.count(Order.id)).where(mine))
    shown = paging.window(total, parse_page(request.args.get("page")), PAGE_SIZE)
    orders = db.scalars(
        select(Order)
        .where(mine)
        .order_by(Order.created_at.desc(), Order.id.desc())
        .limit(shown.size)
        .offset(shown.offset)
    ).all()
    return render_template(
        "orders/index.html",
        orders=orders,
        total=total,
        page=shown.page,
        pages=shown.pages,
        page_url=lambda number: url_for("orders.index", page=number),
    )


@bp.route("/new", methods=["GET", "POST"])
@requires("place_orders")
def new():
    form = OrderForm()
    form.offer.choices = [("", _("Choose an offer"))] + [(code, str(OFFER_LABELS[code])) for code in OFFERS]
    form.setup_language.choices = _language_choices()
    if request.method == "GET":
        form.setup_language.data = current_language()
        form.submission_key.data = secrets.token_urlsafe(24)
    if form.validate_on_submit():
        try:
            order, created = place_order(
                partner=current_user.organization,
                placed_by=current_user,
                offer=form.offer.data,
                requested_start=form.requested_start.data,
                contact=form.provisioning_contact.data,
                setup_language=form.setup_language.data,
                licenses=form.licenses.data,
                submission_key=form.submission_key.data,
            )
        except OrderRuleError as error:
            rule_errors.show(error, form)
        else:
            db.commit()
            if created:
                flash(
                    _(
                        "Order %(reference)s is placed. The set-up email goes to %(contact)s on %(date)s.",
                        reference=order.reference,
                        contact=order.provisioning_contact,
                        date=_format_date(order.requested_start),
                    ),
                    "success",
                )
            return redirect(url_for("orders.show", order_id=order.id))
    return render_template("orders/new.html", form=form), 422 if form.errors else 200


def _format_date(value):
    from flask_babel import format_date

    return format_date(value, "long")


# --- one order -------------------------------------------------------------------------------


@bp.route("/<int:order_id>")
@requires("view_orders")
def show(order_id: int):
    return _render_order(_own_order(order_id))


@bp.route("/<int:order_id>/contact", methods=["POST"])
@requires("place_orders")
def contact(order_id: int):
    """rule O4: change the provisioning contact until the order is mapped."""
    order = _own_order(order_id)
    form = _contact_form(order, request.form)
    if not form.validate():
        return _render_order(order, contact_form=form, status=422)
    try:
        queued = change_contact(
            order,
            contact=form.provisioning_contact.data,
            setup_language=form.setup_language.data,
            actor=current_user,
            send_now=form.send_now.data,
        )
    except OrderRuleError as error:
        db.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("orders.show", order_id=order_id))
    db.commit()
    if queued:
        flash(
            _(
                "The provisioning contact is saved and the set-up email is on its way to %(contact)s.",
                contact=order.provisioning_contact,
            ),
            "success",
        )
    else:
        flash(_("The provisioning contact is saved."), "success")
    if request.headers.get("HX-Request"):
        return _render_order(db.get(Order, order_id))
    return redirect(url_for("orders.show", order_id=order_id))


@bp.route("/<int:order_id>/resend", methods=["POST"])
@requires("place_orders")
def resend(order_id: int):
    """rule O4: resend the "Set up now" email until the order is mapped."""
    order = _own_order(order_id)
    form = ResendForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        resend_setup_email(order, actor=current_user, nonce=form.nonce.data)
    except OrderRuleError as error:
        db.rollback()
        flash(str(error.message), "error")
    else:
        db.commit()
        flash(_("The set-up email is on its way to %(contact)s.", contact=order.provisioning_contact), "success")
    return redirect(url_for("orders.show", order_id=order_id))
