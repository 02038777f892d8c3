"""The partner's customers and trials (rules T1-T19).

Routes (under /<lang>/customers):
  /                           customers list, htmx search and filter (T9, T16)
  /export.csv                 the same list as CSV
  /trials/new                 start a trial (T1-T8, T10)
  /<customer_id>              a customer and its trials, with the actions below
  /trials/<id>/resend         resend consent (T9)
  /trials/<id>/cancel         cancel, with confirmation (T9, T15)
  /trials/<id>/provision      first-time set-up done (T6)
  /trials/<id>/extend         extend (T11); /extend/preview shows the end date (htmx)
  /trials/<id>/edit           services and licenses (T3, T12)
  /trials/<id>/convert        convert to a paid order (T13, T14)
  /shipments/<id>/serials     serial numbers shipped; /shipments/<id>/return returned (T19)
"""

import secrets

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, stream_with_context, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.domain import matching, rule_errors, submissions
from portal.domain.catalog import OFFERS
from portal.domain.matching import facts
from portal.domain.permissions import allowed, may_act, requires
from portal.domain.residency import country_choices
from portal.i18n import current_language, spreadsheet
from portal.i18n.collation import sorted_for
from portal.i18n.labels import OFFER_LABELS, SERVICE_LABELS
from portal.i18n.text_policy import searchable
from portal.i18n.timezones import select_choices as zone_choices
from portal.infra.db import db
from portal.infra.url_converters import parse_id, parse_page
from portal.models import DeviceShipment, Organization, Trial
from portal.trials import duplicate_guard as trial_guard
from portal.trials import lifecycle
from portal.trials.forms import ConfirmForm, ConvertForm, EditTrialForm, ExtendForm, SerialsForm, StartTrialForm
from portal.trials.lifecycle import TrialRuleError
from portal.trials.status import (
    FILTERS,
    STATUS_LABELS,
    customer_page,
    customer_rows,
    did_you_mean,
    expiring_counts,
)
from portal.trials.vocabulary import DEVICE_LABELS, DURATIONS, INDUSTRIES, TRIAL_SERVICES

bp = Blueprint("trials", __name__, url_prefix="/<lang:lang>/customers")


def _own_trial(trial_id: int, action: str | None = None) -> Trial:
    """The partner's own trial (else 404), if its access to the customer allows ``action`` (else 403)."""
    trial = db.get(Trial, trial_id)
    if trial is None or trial.partner_id != current_user.organization_id:
        abort(404)
    if action is not None and not may_act(current_user, action, customer_id=trial.customer_id, trial=trial):
        abort(403)
    return trial


def _duration_choices():
    from flask_babel import ngettext

    return [(days, ngettext("%(num)d day", "%(num)d days", days)) for days in DURATIONS]


# --- the list -------------------------------------------------------------------------------


def _filters() -> dict:
    return dict(query=searchable(request.args.get("q")), status=request.args.get("status", ""), lang=current_language())


@bp.route("/")
@requires("view_customers")
def index():
    """The partner's customers, a page at a time (rules T9, T16), searched and filtered in the
    database; a fixed number of queries whatever the number of customers."""
    filters = _filters()
    page = customer_page(current_user.organization_id, **filters, page=parse_page(request.args.get("page")))
    q, status = filters["query"], filters["status"]
    context = dict(
        rows=page.rows,
        page=page,
        labels=STATUS_LABELS,
        filters=FILTERS,
        q=q,
        status=status,
        page_url=lambda number: url_for("trials.index", q=q or None, status=status or None, page=number),
        chart=expiring_counts(current_user.organization_id),
        did_you_mean=did_you_mean(current_user.organization_id, q) if q and page.total == 0 else [],
    )
    target = request.headers.get("HX-Target") if request.headers.get("HX-Request") else None
    if target == "customer-rows":
        return render_template("trials/_rows.html", **context), 200, {"Vary": "HX-Request"}
    if target == "customer-list":
        return render_template("trials/_list.html", **context), 200, {"Vary": "HX-Request"}
    return render_template("trials/index.html", **context), 200, {"Vary": "HX-Request"}


@bp.route("/export.csv")
@requires("view_customers")
def export():
    """The customer list as CSV in the page's language (portal.i18n.spreadsheet: separator,
    byte-order mark, formulas neutralized)."""
    header = [_("Customer"), _("Status"), _("Trial services"), _("Days left"), _("Managing partner")]
    # The labels in the page's language now: the rows are written after the view has returned.
    statuses = {code: str(label) for code, label in STATUS_LABELS.items()}
    services = {code: str(label) for code, label in SERVICE_LABELS.items()}
    rows = (
        [
            row.customer.name,
            statuses[row.status],
            ", ".join(services[s] for s in row.services),
            "" if row.days_left is None else row.days_left,
            row.customer.managing_partner.name if row.customer.managing_partner else "",
        ]
        for row in customer_rows(current_user.organization_id, **_filters())
    )
    return Response(
        stream_with_context(spreadsheet.lines(header, rows, current_language())),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=customers.csv"},
    )


# --- starting -------------------------------------------------------------------------------


@bp.route("/trials/new", methods=["GET", "POST"])
@requires("manage_trials")
def new():
    form = StartTrialForm()
    lang = current_language()
    form.industry.choices = [("", _("Choose a vertical"))] + sorted_for(
        lang, [(k, str(v)) for k, v in INDUSTRIES.items()], key=lambda c: c[1]
    )
    form.country.choices = [("", _("Choose a country"))] + country_choices(lang)
    form.duration.choices = _duration_choices()
    form.time_zone.choices = zone_choices(lang, ("", _("Choose a time zone")))
    existing = matching.user_organization(form.admin_email.data) if form.admin_email.data else None
    customer_id = parse_id(request.args.get("customer")) if request.method == "GET" else None
    if customer_id is not None:  # a customer to prefill from; a malformed one is ignored
        customer = db.get(Organization, customer_id)
        if customer is not None and lifecycle.relationship(current_user.organization_id, customer.id):
            admins = lifecycle.full_admins(customer)
            form.company.data, form.country.data = customer.name, customer.country
            form.admin_email.data = admins[0].email if admins else ""
            form.supported_location.data = True
            existing = customer
    guard = None if existing else trial_guard.for_form(form)  # issue 12: possible duplicates (T2)
    available = lifecycle.available_services(existing) if existing else list(TRIAL_SERVICES)
    form.services.choices = [(s, str(SERVICE_LABELS[s])) for s in available]
    try:
        if form.is_submitted():
            submissions.check(form.submission_key.data, current_user.id)
    except submissions.Repeated as repeated:
        return submissions.show_first_result(repeated, url_for("trials.index"))
    valid = form.validate_on_submit()
    if valid and trial_guard.refused(guard, form):  # issue 12: checked after the fields
        valid = False
    if valid:
        devices = {
            "phone": form.phones.data or 0,
            "desk_device": form.desk_devices.data or 0,
            "board": form.boards.data or 0,
        }
        try:
            submission = submissions.claim(form.submission_key.data, current_user.id)
            trial = lifecycle.start_trial(
                partner=current_user.organization,
                actor=current_user,
                company=form.company.data,
                admin_email=form.admin_email.data,
                industry=form.industry.data,
                country=existing.country if existing else form.country.data,
                services=form.services.data,
                license_count=form.license_count.data,
                duration_days=form.duration.data,
                site=form.site.data,
                time_zone=form.time_zone.data,
                devices=devices,
                supported_location=form.supported_location.data or existing is not None,
                full_admin_access=form.full_admin_access.data,
                language=lang,
                existing_confirmed=bool(form.confirm_existing.data),
            )
            trial_guard.audit(guard, trial, actor=current_user)
            if request.form.get("action") == "setup" and trial.status == "awaiting_provisioning":
                lifecycle.provision(trial, actor=current_user)  # rule T6: set up now
            result_url = url_for("trials.customer", customer_id=trial.customer_id)
            submissions.answered(submission, result_url)
            db.commit()
        except TrialRuleError as error:
            rule_errors.show(error, form)
        except submissions.Repeated as repeated:
            return submissions.show_first_result(repeated, url_for("trials.index"))
        else:
            flash(_("The trial for %(customer)s is saved.", customer=trial.customer.name), "success")
            return redirect(result_url)
    return render_template(
        "trials/new.html",
        form=form,
        existing=facts(existing) if existing else None,
        device_labels=DEVICE_LABELS,
        guard=guard,
        own_customers=trial_guard.own_customers(guard, current_user.organization_id),
    ), 422 if form.errors else 200


@bp.route("/trials/region")
@requires("manage_trials")
def region():
    """rule T2: the data residency region the chosen country decides (htmx)."""
    return render_template("trials/_region.html", country=request.args.get("country", "")), 200, {"Vary": "HX-Request"}


# --- one customer ---------------------------------------------------------------------------


@bp.route("/<int:customer_id>")
@requires("view_customers")
def customer(customer_id: int):
    org = db.get(Organization, customer_id)
    partner_id = current_user.organization_id
    trial_list = db.scalars(
        select(Trial)
        .where(Trial.customer_id == customer_id, Trial.partner_id == partner_id)
        .order_by(Trial.created_at.desc())
    ).all()
    link = lifecycle.relationship(partner_id, customer_id)
    if org is None or (link is None and not trial_list):
        abort(404)
    # rule W2: a customer that sets up itself ("none") shows the partner only its own trials.
    if not trial_list and not may_act(current_user, "view_customer", customer_id=customer_id):
        abort(403)
    shipments = {
        t.id: db.scalars(select(DeviceShipment).where(DeviceShipment.trial_id == t.id)).all() for t in trial_list
    }
    admins = lifecycle.full_admins(org)
    return render_template(
        "trials/customer.html",
        org=org,
        info=facts(org),
        trials=trial_list,
        shipments=shipments,
        purchased=sorted(lifecycle.purchased_services(org)),
        labels=STATUS_LABELS,
        forms={t.id: _trial_forms(t, admins) for t in trial_list},
        shipment_forms={s.id: _shipment_forms(s.id) for ships in shipments.values() for s in ships},
        confirm=ConfirmForm(nonce=secrets.token_urlsafe(16)),
        can_manage=allowed(current_user, "manage_trials"),
        device_labels=DEVICE_LABELS,
        access=link.access_level if link else None,
        return_due=lifecycle.return_due,
        available=lifecycle.available_services(org),
    )


# Every trial on the page has its own forms: a prefix keeps their field ids (and labels) apart.
def _extend_form(trial_id: int) -> ExtendForm:
    form = ExtendForm(prefix=f"extend{trial_id}")
    form.days.choices = _duration_choices()
    return form


def _convert_form(trial_id: int, contacts: list[str]) -> ConvertForm:
    form = ConvertForm(prefix=f"convert{trial_id}")
    if not form.submission_key.data:
        form.submission_key.data = secrets.token_urlsafe(16)
    form.offer.choices = [(code, str(OFFER_LABELS[code])) for code in OFFERS]
    form.contact.choices = [(email, email) for email in contacts]
    return form


def _extend_default(trial) -> int:
    """The extend selector starts at the shortest duration its own preview accepts: the first
    whose new end (counted from today, T11) is after the current end; else the longest."""
    later = [days for days in DURATIONS if lifecycle.extension_end(days) > trial.ends_on]
    return later[0] if later else max(DURATIONS)


def _trial_forms(trial, admins) -> dict:
    extend = _extend_form(trial.id)
    if extend.days.data is None:
        extend.days.data = _extend_default(trial)
    return {
        "extend": extend,
        "edit": _edit_form(trial),
        "convert": _convert_form(trial.id, [current_user.email] + [a.email for a in admins]),
    }


def _shipment_forms(shipment_id: int) -> dict:
    return {
        "serials": SerialsForm(prefix=f"shipped{shipment_id}"),
        "returned": SerialsForm(prefix=f"returned{shipment_id}"),
    }


def _edit_form(trial, formdata=None):
    form = EditTrialForm(
        formdata=formdata,
        prefix=f"edit{trial.id}",
        services=[s.service for s in trial.services],
        license_count=trial.license_count,
    )
    current = [s.service for s in trial.services]
    choices = [s for s in TRIAL_SERVICES if s in current or s in lifecycle.available_services(trial.customer)]
    form.services.choices = [(s, str(SERVICE_LABELS[s])) for s in choices]
    return form


def _back(trial):
    return redirect(url_for("trials.customer", customer_id=trial.customer_id))


@bp.route("/trials/<int:trial_id>/resend", methods=["POST"])
@requires("manage_trials")
def resend(trial_id: int):
    trial = _own_trial(trial_id)
    form = ConfirmForm()
    try:
        lifecycle.resend_consent(trial, actor=current_user, nonce=form.nonce.data or secrets.token_urlsafe(8))
        db.commit()
        flash(_("The consent email was sent again."), "success")
    except TrialRuleError as error:
        rule_errors.show(error)
    return _back(trial)


@bp.route("/trials/<int:trial_id>/cancel", methods=["GET", "POST"])
@requires("manage_trials")
def cancel(trial_id: int):
    trial = _own_trial(trial_id, "cancel_trial")
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            lifecycle.cancel(trial, actor=current_user)
            db.commit()
            flash(_("The trial is cancelled."), "success")
        except TrialRuleError as error:
            rule_errors.show(error)
        if lifecycle.relationship(trial.partner_id, trial.customer_id) is None:
            return redirect(url_for("trials.index"))
        return _back(trial)
    return render_template("trials/cancel.html", trial=trial, form=form)


@bp.route("/trials/<int:trial_id>/provision", methods=["POST"])
@requires("manage_trials")
def provision(trial_id: int):
    trial = _own_trial(trial_id, "provision_trial")
    try:
        lifecycle.provision(trial, actor=current_user)
        db.commit()
        flash(_("The trial is provisioned; the customer admin received the welcome email."), "success")
    except TrialRuleError as error:
        rule_errors.show(error)
    return _back(trial)


@bp.route("/trials/<int:trial_id>/extend/preview")
@requires("manage_trials")
def extend_preview(trial_id: int):
    """rule T11: the resulting end date, shown before saving (htmx)."""
    trial = _own_trial(trial_id, "extend_trial")
    days = request.args.get(f"extend{trial_id}-days", type=int) or request.args.get("days", type=int)
    if days not in DURATIONS:
        abort(400)
    end = lifecycle.extension_end(days)
    return render_template("trials/_extend_preview.html", end=end, trial=trial), 200, {"Vary": "HX-Request"}


@bp.route("/trials/<int:trial_id>/extend", methods=["POST"])
@requires("manage_trials")
def extend(trial_id: int):
    trial = _own_trial(trial_id, "extend_trial")
    form = _extend_form(trial_id)
    if form.validate_on_submit():
        try:
            end = lifecycle.extend(trial, days=form.days.data, actor=current_user)
            db.commit()
            flash(_("The trial now ends on %(date)s.", date=format_date(end, "long")), "success")
        except TrialRuleError as error:
            rule_errors.show(error)
    return _back(trial)


@bp.route("/trials/<int:trial_id>/edit", methods=["POST"])
@requires("manage_trials")
def edit(trial_id: int):
    trial = _own_trial(trial_id, "change_trial")
    form = _edit_form(trial, request.form)
    if form.validate():
        try:
            lifecycle.change(
                trial, services=form.services.data, license_count=form.license_count.data, actor=current_user
            )
            db.commit()
            flash(_("The trial is saved."), "success")
        except TrialRuleError as error:
            rule_errors.show(error)
    else:
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
    return _back(trial)


@bp.route("/trials/<int:trial_id>/convert", methods=["POST"])
@requires("manage_trials")
def convert(trial_id: int):
    trial = _own_trial(trial_id, "convert_trial")
    admins = lifecycle.full_admins(trial.customer)
    form = _convert_form(trial_id, [current_user.email] + [a.email for a in admins])
    if form.validate_on_submit():
        try:
            order = lifecycle.convert(
                trial,
                actor=current_user,
                admin_email=form.admin_email.data,
                offer=form.offer.data,
                contact=form.contact.data,
                language=current_language(),
                submission_key=form.submission_key.data,
            )
            db.commit()
            flash(_("The trial is converted into order %(reference)s.", reference=order.reference), "success")
            return redirect(url_for("orders.show", order_id=order.id))
        except TrialRuleError as error:
            rule_errors.show(error)
    else:
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
    return _back(trial)


def _own_shipment(shipment_id: int) -> tuple[DeviceShipment, Trial]:
    shipment = db.get(DeviceShipment, shipment_id)
    if shipment is None:
        abort(404)
    return shipment, _own_trial(shipment.trial_id, "record_devices")


@bp.route("/shipments/<int:shipment_id>/serials", methods=["POST"])
@requires("manage_trials")
def serials(shipment_id: int):
    shipment, trial = _own_shipment(shipment_id)
    form = _shipment_forms(shipment_id)["serials"]
    if form.validate_on_submit():
        try:
            lifecycle.record_serials(shipment, form.serials.data.split(), actor=current_user)
            db.commit()
            flash(_("The serial numbers are saved."), "success")
        except TrialRuleError as error:
            rule_errors.show(error)
    return _back(trial)


@bp.route("/shipments/<int:shipment_id>/return", methods=["POST"])
@requires("manage_trials")
def returned(shipment_id: int):
    shipment, trial = _own_shipment(shipment_id)
    form = _shipment_forms(shipment_id)["returned"]
    if form.validate_on_submit():
        try:
            _unknown, missing = lifecycle.record_return(shipment, form.serials.data.split(), actor=current_user)
            db.commit()
            if missing:
                flash(_("Return recorded. Still to be returned: %(serials)s.", serials=", ".join(missing)), "info")
            else:
                flash(_("All devices of this shipment are returned."), "success")
        except TrialRuleError as error:
            rule_errors.show(error)
    return _back(trial)
