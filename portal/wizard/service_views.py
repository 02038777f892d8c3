"""After mapping: the success page (W7), the new partner admin's password (W8) and the
service set-up steps (W9)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from portal.audit import record
from portal.domain import rule_errors
from portal.domain.matching import facts
from portal.domain.residency import country_choices
from portal.i18n import current_language
from portal.i18n.timezones import for_country
from portal.i18n.timezones import select_choices as time_zone_choices
from portal.infra.db import db
from portal.models import User
from portal.wizard import forms, service_setup, state
from portal.wizard.blueprint import TITLES, bp, order_for, render_step


def _mapped_order(token: str):
    order = order_for(token)
    if order.status not in ("mapped", "provisioned"):
        abort(404)
    return order


def _new_partner_admin(order) -> User | None:
    """The partner admin this browser created at W7 and who has no password yet (rule W8)."""
    user_id = state.done(order.id).get("partner_admin_id")
    user = db.get(User, user_id) if user_id else None
    return user if user is not None and user.password_hash is None else None


@bp.route("/<token>/done")
def done(token: str):
    """W7's success page, with the organization's facts, for the browser that confirmed; anyone
    else holding the link is told only that the order is set up."""
    order = _mapped_order(token)
    if not state.confirmed_here(order.id):
        return redirect(url_for("wizard.entry", token=token))
    return render_step(
        "wizard/steps/_done.html",
        order=order,
        token=token,
        organization=facts(order.mapped_organization),
        needs_password=_new_partner_admin(order) is not None,
        step_number=None,
    )


@bp.route("/<token>/password", methods=["GET", "POST"])
def password(token: str):
    order = _mapped_order(token)
    user = _new_partner_admin(order)
    if user is None:
        return redirect(url_for("wizard.service", token=token, step="details"))
    form = forms.PasswordForm(email=user.email)
    if form.validate_on_submit():
        user = db.get(User, user.id)
        if user.password_hash is None:  # a second click finds the password already set
            user.set_password(form.password.data)
            record("partner_admin_password_set", actor=user, organization_id=user.organization_id, order_id=order.id)
            db.commit()
        flash(_("Your password is saved. You can now sign in to the partner organization."), "success")
        return redirect(url_for("wizard.service", token=token, step="details"))
    return render_step("wizard/steps/_password.html", order=order, token=token, form=form, email=user.email)


def _service_page(order, token, step, **context):
    names = service_setup.steps(order)
    index = names.index(step)
    return render_step(
        f"wizard/services/_{step}.html",
        order=order,
        token=token,
        step=step,
        service_number=index + 1,
        service_total=len(names),
        subscription=service_setup.subscription_of(order),
        back_url=url_for("wizard.service", token=token, step=names[index - 1]) if index else None,
        titles=TITLES,
        **context,
    )


def _save_unique(order, field, value, problem_of, apply, action: str, **details) -> bool:
    """Save a name that must be unique (a meetings site, a subdomain): checked first, and the
    database's unique key catches a concurrent taker. False, with the reason on the field, if not."""
    problem = problem_of(value)
    if problem is None:
        apply()
        try:
            record(action, organization_id=order.partner_id, order_id=order.id, **details)
            db.commit()
            return True
        except IntegrityError:
            db.rollback()
            problem = problem_of(value)
            if problem is None:
                raise
    field.errors.append(str(problem))
    return False


def _next(order, token, step):
    names = service_setup.steps(order)
    return redirect(url_for("wizard.service", token=token, step=names[names.index(step) + 1]))


@bp.route("/<token>/services/<step>", methods=["GET", "POST"])
def service(token: str, step: str):
    order = _mapped_order(token)
    if step not in service_setup.steps(order):
        abort(404)
    if order.status == "provisioned" and step != "provision":
        return redirect(url_for("wizard.service", token=token, step="provision"))
    subscription = service_setup.subscription_of(order)
    lang = current_language()

    if step == "details":
        if request.method == "POST":
            return _next(order, token, step)
        return _service_page(order, token, step, form=forms.ProvisionForm())

    if step == "calling":
        form = forms.CallingForm(
            data={
                "location": subscription.calling_location,
                "country": subscription.calling_country or order.mapped_organization.country,
            }
        )
        form.country.choices = country_choices(lang)
        if form.validate_on_submit():
            subscription.calling_location, subscription.calling_country = form.location.data.strip(), form.country.data
            record("calling_settings_saved", organization_id=order.partner_id, order_id=order.id)
            db.commit()
            return _next(order, token, step)
        return _service_page(order, token, step, form=form)

    if step == "meetings":
        form = forms.MeetingsForm(
            data={"site": subscription.meetings_site, "time_zone": subscription.meetings_time_zone}
        )
        form.time_zone.choices = time_zone_choices(lang, ("", _("Choose a time zone")))
        if not form.time_zone.data:  # suggest the organization's country's zone
            form.time_zone.data = for_country(subscription.organization.country)
        if form.validate_on_submit():
            site = form.site.data.strip().lower()

            def apply():
                subscription.meetings_site, subscription.meetings_time_zone = site, form.time_zone.data

            if _save_unique(
                order,
                form.site,
                site,
                lambda v: service_setup.site_problem(v, subscription.id),
                apply,
                "meeting_settings_saved",
                site=site,
            ):
                return _next(order, token, step)
        return _service_page(order, token, step, form=form)

    if step == "enterprise":
        organization = order.mapped_organization
        form = forms.EnterpriseForm(data={"subdomain": organization.subdomain})
        if form.validate_on_submit():
            value = form.subdomain.data.strip().lower()
            problem = service_setup.subdomain_problem(value, organization.id)
            if request.form.get("action") == "check":  # "Check availability" without JavaScript
                return _service_page(order, token, step, form=form, check=problem, checked=value)
            if _save_unique(
                order,
                form.subdomain,
                value,
                lambda v: service_setup.subdomain_problem(v, organization.id),
                lambda: setattr(organization, "subdomain", value),
                "subdomain_saved",
                subdomain=value,
            ):
                return _next(order, token, step)
        return _service_page(order, token, step, form=form)

    # provision
    form = forms.ProvisionForm()
    missing = service_setup.missing_steps(order) if order.status == "mapped" else []
    if form.validate_on_submit() and order.status == "mapped":
        try:
            if service_setup.provision(order):
                flash(_("The subscription is active and billing has started for every purchased service."), "success")
        except service_setup.SetupIncomplete as error:
            rule_errors.show(error)
            body, _status, headers = _service_page(
                order, token, step, form=form, organization=order.mapped_organization, missing=missing
            )
            return body, 422, headers
        db.commit()
        return redirect(url_for("wizard.service", token=token, step="provision"))
    return _service_page(order, token, step, form=form, organization=order.mapped_organization, missing=missing)


@bp.route("/<token>/check-subdomain", methods=["GET", "POST"])
def check_subdomain(token: str):
    """rule W9: "Check availability", answered inline through htmx. The URL is never pushed, but
    an address bar may still hold it (a page from before that was fixed): a GET goes back to the
    step it belongs to, never to a 405."""
    order = _mapped_order(token)
    if request.method == "GET":
        names = service_setup.steps(order)
        step = "enterprise" if "enterprise" in names else names[0]
        return redirect(url_for("wizard.service", token=token, step=step))
    value = (request.form.get("subdomain") or "").strip().lower()
    problem = service_setup.subdomain_problem(value, order.mapped_organization_id)
    return (
        render_template("wizard/services/_subdomain_check.html", check=problem, checked=value),
        200,
        {"Vary": "HX-Request"},
    )
