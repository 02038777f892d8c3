"""Wizard steps W1-W7: answers stay in the browser session until the confirmation (rule O6)."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from portal.auth import throttle
from portal.domain import matching
from portal.domain.mail_domains import is_public_address
from portal.domain.normalize import email_domain
from portal.domain.residency import country_choices, is_unsupported, region_for
from portal.i18n import current_language, languages, native_name
from portal.infra.db import db
from portal.infra.url_converters import parse_id
from portal.orders.rules import OrderRuleError, change_contact, closing_date, record_setup_started
from portal.people.add_me import ask_to_be_added as ask_full_admin
from portal.people.rules import PeopleRuleError
from portal.wizard import duplicate_guard, forms, state
from portal.wizard.blueprint import bp, htmx_event, order_for, render_step, stop
from portal.wizard.mapping import (
    AlreadyMapped,
    MappingRefused,
    allowed_organization,
    choosable_organization,
    map_order,
    offer,
)


def _go(token: str, step: str):
    return redirect(url_for(f"wizard.{step}", token=token))


def _open(token: str, step: str):
    """The order, its answers, and a redirect if this step cannot be shown yet."""
    order = order_for(token)
    if order.status != "awaiting_provisioning":
        return order, None, _go(token, "entry")
    answers = state.answers(order.id)
    if step != "role" and not answers.get("role"):
        return order, answers, _go(token, "role")
    if step not in state.steps(answers):
        return order, answers, _go(token, state.first_unanswered(answers))
    wanted = state.first_unanswered(answers)
    names = state.steps(answers)
    if names.index(step) > names.index(wanted):
        return order, answers, _go(token, wanted)
    return order, answers, None


def _page(step: str, order, answers, token, form, **context):
    number, total = state.progress(answers, step)
    back = state.previous(answers, step)
    return render_step(
        f"wizard/steps/_{step}.html",
        order=order,
        answers=answers,
        token=token,
        form=form,
        step=step,
        step_number=number,
        step_total=total,
        back_url=url_for(f"wizard.{back}", token=token) if back else url_for("wizard.entry", token=token),
        **context,
    )


# --- entry ----------------------------------------------------------------------------------


@bp.route("/<token>")
def entry(token: str):
    """Opening the link changes nothing stored: a mail scanner that fetches it does not count as
    the start of set-up (rule O3 counts the first answer)."""
    order = order_for(token)
    state.forget(order.id)  # rule O6: the link starts the wizard again from the beginning
    return render_template("wizard/entry.html", order=order, token=token, closes_on=closing_date(order))


# --- W1 role --------------------------------------------------------------------------------


@bp.route("/<token>/role", methods=["GET", "POST"])
def role(token: str):
    order, answers, redirect_to = _open(token, "role")
    if redirect_to:
        return redirect_to
    form = forms.RoleForm(data={"role": answers.get("role")})
    if form.validate_on_submit():
        if record_setup_started(order):  # rule O3: the first answer starts the set-up
            db.commit()
        if form.role.data != answers.get("role"):
            state.forget(order.id)
        state.save(order.id, role=form.role.data)
        return _go(token, "who" if form.role.data == "partner" else "admin")
    return _page("role", order, answers, token, form)


# --- W2 who sets up -------------------------------------------------------------------------


@bp.route("/<token>/who", methods=["GET", "POST"])
def who(token: str):
    order, answers, redirect_to = _open(token, "who")
    if redirect_to:
        return redirect_to
    form = forms.WhoForm(data={"who": answers.get("who"), "language": current_language()})
    form.language.choices = [(code, native_name(code)) for code in languages()]
    if form.validate_on_submit():
        if form.who.data == "self":
            state.save(order.id, who="self")
            return _go(token, "partner")
        # Another person, or the customer: they receive the link and finish (rule W2).
        try:
            order.customer_sets_up = form.who.data == "customer"
            change_contact(order, contact=form.email.data, setup_language=form.language.data, actor=None, send_now=True)
        except OrderRuleError as error:
            db.rollback()
            flash(str(error.message), "error")
            return _go(token, "entry")
        db.commit()
        state.forget(order.id)
        return stop(
            "handed_over", order, token, email=form.email.data.strip().lower(), customer=form.who.data == "customer"
        )
    return _page("who", order, answers, token, form)


# --- W3 partner organization ----------------------------------------------------------------


@bp.route("/<token>/partner", methods=["GET", "POST"])
def partner(token: str):
    order, answers, redirect_to = _open(token, "partner")
    if redirect_to:
        return redirect_to
    if order.partner.setup_pending:  # the partner's first order: create its organization
        form = forms.PartnerCreateForm(
            data={
                "company": answers.get("partner_company", order.partner.name),
                "admin_email": answers.get("partner_admin_email"),
            }
        )
        if form.validate_on_submit():
            holder = matching.user_organization(form.admin_email.data)
            if holder is not None:  # rule W4
                form.admin_email.errors.append(
                    _(
                        "This email address already belongs to an organization. A user can belong to only one organization at a time."
                    )
                )
            else:
                state.save(
                    order.id,
                    partner_company=form.company.data.strip(),
                    partner_admin_email=form.admin_email.data.strip().lower(),
                    partner_confirmed=True,
                )
                return _go(token, "admin")
        return _page("partner", order, answers, token, form, creating=True)
    form = forms.PartnerReviewForm()
    if form.validate_on_submit():
        if form.answer.data == "unknown":  # rule W3: stop, contact the account representative
            state.forget(order.id, "partner_confirmed")
            return stop("partner_unknown", order, token)
        state.save(order.id, partner_confirmed=True)
        return _go(token, "admin")
    return _page("partner", order, answers, token, form, creating=False, partner_facts=matching.facts(order.partner))


# --- W4 customer admin email ----------------------------------------------------------------


@bp.route("/<token>/admin", methods=["GET", "POST"])
def admin(token: str):
    order, answers, redirect_to = _open(token, "admin")
    if redirect_to:
        return redirect_to
    form = forms.AdminForm(data={"admin_email": answers.get("admin_email")})
    if request.method == "POST" and request.headers.get("HX-Request") and request.form.get("inline"):
        form.validate()  # inline validation (htmx): only the field's wrapper comes back
        headers = {"Vary": "HX-Request"}
        if form.admin_email.errors:  # said politely; focus stays where the person went on to
            headers["HX-Trigger-After-Settle"] = htmx_event(
                "portal:announce", " ".join(map(str, form.admin_email.errors))
            )
        return render_template("wizard/steps/_admin_field.html", form=form), 200, headers
    if form.validate_on_submit():
        email = form.admin_email.data.strip().lower()
        if email != answers.get("admin_email"):
            state.forget(order.id, "organization")  # the match depends on the email
        state.save(order.id, admin_email=email)
        return _go(token, "company")
    return _page("admin", order, answers, token, form)


# --- W5 company and country -----------------------------------------------------------------


@bp.route("/<token>/company", methods=["GET", "POST"])
def company(token: str):
    order, answers, redirect_to = _open(token, "company")
    if redirect_to:
        return redirect_to
    form = forms.CompanyForm(data={"company": answers.get("company"), "country": answers.get("country")})
    form.country.choices = [("", _("Choose a country"))] + country_choices(current_language())
    if form.validate_on_submit():
        if is_unsupported(form.country.data):
            form.country.errors.append(
                _(
                    "The service is not available in this country or region, so no organization can be created for it. Contact your account representative."
                )
            )
        elif region_for(form.country.data) is None:
            form.country.errors.append(_("Choose a country from the list."))
        else:
            if (form.company.data.strip(), form.country.data) != (answers.get("company"), answers.get("country")):
                state.forget(order.id, "organization")
            state.save(order.id, company=form.company.data.strip(), country=form.country.data)
            return _go(token, "organization")
    return _page("company", order, answers, token, form)


# --- W6 organization (M1-M4) ----------------------------------------------------------------


@bp.route("/<token>/organization", methods=["GET", "POST"])
def organization(token: str):
    order, answers, redirect_to = _open(token, "organization")
    if redirect_to:
        return redirect_to
    email = answers["admin_email"]
    found = offer(answers)  # rules M1, W4, M2, M3: ranked, capped, in a fixed number of queries
    m1 = found.m1
    if m1 is not None:  # rule M1: the admin email decides
        form = forms.MatchReviewForm()
        if form.validate_on_submit():
            if form.answer.data == "unknown":
                return stop("organization_unknown", order, token)
            problem = matching.trial_conversion_problem(order.offer, m1, email)
            if problem == "trial_expired":
                return stop("trial_expired", order, token)
            if problem == "trial_email":  # rule W5: converting a trial takes the trial's admin email
                form.answer.errors = list(form.answer.errors) + [str(matching.TRIAL_EMAIL_MESSAGE)]
            else:
                state.save(order.id, organization=str(m1.id), reason="m1_email_match")
                return _go(token, "confirm")
        return _page(
            "organization", order, answers, token, form, m1=found.candidates[0], region=region_for(answers["country"])
        )

    offered = {f.organization.id: f.organization for f in found.candidates}
    guard = duplicate_guard.for_answers(answers, offered)  # issue 12: possible duplicates beside M2
    choosable = {**offered, **guard.choosable}
    form = forms.OrganizationForm(data={"organization": answers.get("organization")})
    posted = parse_id(request.form.get("organization", "")) if request.method == "POST" else None
    if posted is not None and posted not in choosable:
        # Any organization that satisfies M2 may be chosen, shown or not (the rank changes as
        # organizations grow); the rule is recomputed here, never taken from the form.
        allowed = allowed_organization(answers, posted)
        if allowed is not None:
            choosable[allowed.id] = allowed
    choices = [(str(org_id), org.name) for org_id, org in choosable.items()]
    if found.holder is None:
        choices.append(("new", _("Create a new organization")))
    form.organization.choices = choices
    problems = matching.trial_conversion_problems(order.offer, list(choosable.values()), email)
    if form.validate_on_submit():
        choice = form.organization.data
        refused = choice == "new" and duplicate_guard.refuse_new(guard, form.confirm_new.data)  # issue 12
        if refused:
            form.confirm_new.errors = [str(refused)]
        elif choice == "new":
            state.save(order.id, organization="new", reason="new_organization", duplicates_declined=guard.declined())
            return _go(token, "confirm")
        elif problems[int(choice)] == "trial_expired":
            return stop("trial_expired", order, token)
        elif problems[int(choice)] == "trial_email":
            form.organization.errors.append(str(matching.TRIAL_EMAIL_MESSAGE))
        else:
            chosen = choosable[int(choice)]
            outcome = matching.outcome(answers["role"], chosen, email, order.partner_id)
            if outcome in BLOCKED_REASONS:
                return _blocked(order, token, chosen, outcome, email)
            reason = "duplicate_guard" if chosen.id in guard.choosable and chosen.id not in offered else "m2_candidate"
            state.save(order.id, organization=str(chosen.id), reason=reason)
            return _go(token, "confirm")
    return _page(
        "organization",
        order,
        answers,
        token,
        form,
        m1=None,
        candidates=found.candidates,
        holder=found.holder,
        total=found.total,
        more=found.more,
        public_domain=email_domain(email) if is_public_address(email) else None,
        shown=matching.CANDIDATES_SHOWN,
        problems=problems,
        region=region_for(answers["country"]),
        guard=guard,
    )


BLOCKED_REASONS = {
    matching.Outcome.BLOCKED_CUSTOMER: "blocked_customer",
    matching.Outcome.BLOCKED_OWN_USE: "blocked_own_use",
}


def _blocked(order, token, organization, outcome, email: str, asked: str | None = None):
    """Rule M4's stop, with the way out: ask the full admin to add the admin email."""
    form = forms.AskToBeAddedForm(data={"organization": str(organization.id)})
    return stop(
        BLOCKED_REASONS[outcome],
        order,
        token,
        facts=matching.facts(organization),
        ask_form=form,
        asked=asked,
        answers_email=email,
    )


@bp.route("/<token>/ask-to-be-added", methods=["GET", "POST"])
def ask_to_be_added(token: str):
    """The request is sent as a whole page, so the address bar then holds this URL: opened again
    (GET), it goes back to the organization step instead of a 405."""
    order, answers, redirect_to = _open(token, "organization")
    if redirect_to:
        return redirect_to
    if request.method == "GET":
        return _go(token, "organization")
    form = forms.AskToBeAddedForm()
    if not form.validate_on_submit() or parse_id(form.organization.data) is None:
        return _go(token, "organization")
    organization = choosable_organization(answers, parse_id(form.organization.data))
    if organization is None:  # only an organization this wizard could have offered
        return _go(token, "organization")
    # Requests go to the organization's first full admin: counted per organization, and per client.
    checks = (
        (throttle.EMAIL_CLIENT, request.remote_addr or "unknown"),
        (throttle.EMAIL_ACCOUNT, f"add-me:{organization.id}"),
    )
    throttle.check(*checks)
    try:
        asked = ask_full_admin(order, organization, answers)
        db.commit()
    except PeopleRuleError as error:
        db.rollback()
        flash(str(error.message), "error")
        return _go(token, "organization")
    if asked.new:
        throttle.hit(*checks)
    return _blocked(order, token, organization, asked.outcome, answers["admin_email"], asked=asked.admin.email)


# --- W7 confirm -----------------------------------------------------------------------------


def _summary(order, answers):
    choice = answers.get("organization")
    existing = None
    if choice and choice != "new":
        existing = choosable_organization(answers, int(choice))
    return {
        "existing": existing,
        "region": region_for(answers.get("country", "")),
        "ask_admin": existing is not None
        and matching.outcome(answers["role"], existing, answers["admin_email"], order.partner_id)
        is matching.Outcome.CONTINUE_ASK_ADMIN,
    }


@bp.route("/<token>/confirm", methods=["GET", "POST"])
def confirm(token: str):
    order = order_for(token)
    if order.status != "awaiting_provisioning":
        return _go(token, "done")  # a second click, another tab or another contact got there first
    order, answers, redirect_to = _open(token, "confirm")
    if redirect_to:
        return redirect_to
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        try:
            result = map_order(order.id, answers, language=current_language())
            db.commit()
        except AlreadyMapped:
            db.rollback()
            return _go(token, "done")
        except IntegrityError:
            db.rollback()  # a concurrent confirmation won the race on a unique key
            return _go(token, "done")
        except MappingRefused as error:
            db.rollback()
            flash(str(error.message), "error")
            return _go(token, "confirm")
        state.forget(order.id)
        state.mark_done(order.id, partner_admin_id=result.partner_admin.id if result.partner_admin else None)
        return _go(token, "done")
    return _page("confirm", order, answers, token, form, **_summary(order, answers))
