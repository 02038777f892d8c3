"""The People page: an organization's users and admin roles, for its full admin, and for a
partner with full admin access on the customer's behalf (rule T6).

Routes (the same pages twice: the user's own organization, and a customer of the partner):
  /<lang>/people/                          /<lang>/customers/<id>/people/
  /<lang>/people/add                       /<lang>/customers/<id>/people/add
  /<lang>/people/<user_id>/role            /<lang>/customers/<id>/people/<user_id>/role
  /<lang>/people/<user_id>/remove          /<lang>/customers/<id>/people/<user_id>/remove
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from portal.domain import rule_errors, submissions
from portal.domain.permissions import access_level, allowed, may_manage_people
from portal.i18n import languages, native_name
from portal.i18n.labels import ROLE_LABELS
from portal.i18n.text_policy import searchable
from portal.infra import paging
from portal.infra.db import db
from portal.infra.url_converters import parse_page
from portal.models import Organization, User
from portal.people import rules
from portal.people.forms import AddUserForm, RemoveForm, RoleForm
from portal.people.rules import PeopleRuleError

bp = Blueprint("people", __name__, url_prefix="/<lang:lang>")
PAGE_SIZE = 25
OWN = {"customer_id": None}


def _routes(rule: str, **options):
    """Register a view for the own organization and for a customer on its behalf."""

    def decorator(view):
        bp.add_url_rule(f"/people{rule}", view_func=view, defaults=OWN, **options)
        bp.add_url_rule(f"/customers/<int:customer_id>/people{rule}", view_func=view, **options)
        return view

    return decorator


def _organization(customer_id: int | None) -> Organization:
    """The organization whose people the signed-in user manages here, or 403/404."""
    if customer_id is None:
        if not allowed(current_user, "manage_people"):
            abort(403)
        return current_user.organization
    org = db.get(Organization, customer_id)
    if (
        org is None
        or org.kind != "customer"
        or current_user.organization.kind != "partner"
        or access_level(current_user.organization_id, customer_id) is None
    ):
        abort(404)
    if not may_manage_people(current_user, customer_id):
        abort(403)  # rules W2, T8: the partner's access level does not include the customer's people
    return org


def _member(org: Organization, user_id: int) -> User:
    user = db.get(User, user_id)
    if user is None or user.organization_id != org.id:
        abort(404)
    return user


def _role_choices(org: Organization):
    return [("", _("No admin role"))] + [(role, str(ROLE_LABELS[role])) for role in rules.ROLES_BY_KIND[org.kind]]


def _add_form(org: Organization, formdata=None) -> AddUserForm:
    form = AddUserForm(formdata=formdata, prefix="add")
    form.language.choices = [("", _("No preference"))] + [(code, native_name(code)) for code in languages()]
    form.role.choices = _role_choices(org)
    return form


def _role_form(org: Organization, user: User, formdata=None) -> RoleForm:
    form = RoleForm(formdata=formdata, prefix=f"role{user.id}", role=user.role or "")
    form.role.choices = _role_choices(org)
    return form


def _index_url(org: Organization, customer_id: int | None, **args):
    return url_for("people.index", customer_id=customer_id, **args)


def _page(org: Organization, customer_id: int | None, add_form=None, status: int = 200):
    q = searchable(request.args.get("q"))
    query = select(User).where(User.organization_id == org.id)
    if q:
        needle = "%" + q.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(User.email.like(needle, escape="\\"), func.lower(User.display_name).like(needle, escape="\\"))
        )
    total = db.scalar(select(func.count()).select_from(query.subquery()))
    shown = paging.window(total, parse_page(request.args.get("page")), PAGE_SIZE)
    users = db.scalars(
        query.options(selectinload(User.admin_role))
        .order_by(User.active.desc(), User.email)
        .limit(shown.size)
        .offset(shown.offset)
    ).all()
    if add_form is None:
        add_form = _add_form(org)
        if request.method == "GET":  # rule M4: the "Ask to be added" email links here, prefilled
            add_form.email.data = request.args.get("email", "")[:254]
            add_form.display_name.data = request.args.get("name", "")[:200]
            if request.args.get("role") in rules.ROLES_BY_KIND[org.kind]:
                add_form.role.data = request.args["role"]
    partner = current_user.organization if customer_id is not None else None
    context = dict(
        org=org,
        customer_id=customer_id,
        partner=partner,
        users=users,
        total=total,
        q=q,
        page=shown.page,
        pages=shown.pages,
        page_url=lambda number: _index_url(org, customer_id, q=q or None, page=number),
        add_form=add_form,
        role_forms={u.id: _role_form(org, u) for u in users},
        remove=RemoveForm(),
        history=rules.history(org.id, page=parse_page(request.args.get("history"))),
        history_url=lambda number: _index_url(
            org, customer_id, q=q or None, page=shown.page, history=number, _anchor="history"
        ),
        role_labels=ROLE_LABELS,
        full_admins=rules.full_admin_count(org.id),
        index_url=lambda **a: _index_url(org, customer_id, **a),
    )
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "people-rows":
        return render_template("people/_rows.html", **context), status, {"Vary": "HX-Request"}
    return render_template("people/index.html", **context), status, {"Vary": "HX-Request"}


def _refused(error: PeopleRuleError, org, customer_id):
    db.rollback()
    flash(str(error.message), "error")
    return redirect(_index_url(org, customer_id))


@_routes("/")
@login_required
def index(customer_id: int | None):
    return _page(_organization(customer_id), customer_id)


@_routes("/add", methods=["POST"])
@login_required
def add(customer_id: int | None):
    org = _organization(customer_id)
    form = _add_form(org, request.form)
    try:
        if form.is_submitted():
            submissions.check(form.submission_key.data, current_user.id)
    except submissions.Repeated as repeated:
        return submissions.show_first_result(repeated, _index_url(org, customer_id))
    if form.validate_on_submit():
        try:
            submission = submissions.claim(form.submission_key.data, current_user.id)
            user = rules.add_user(
                org,
                email=form.email.data,
                display_name=form.display_name.data or "",
                language=form.language.data or None,
                role=form.role.data or None,
                actor=current_user,
            )
            submissions.answered(submission, _index_url(org, customer_id))
            db.commit()
        except PeopleRuleError as error:
            rule_errors.show(error, form)
        except submissions.Repeated as repeated:
            return submissions.show_first_result(repeated, _index_url(org, customer_id))
        else:
            flash(
                _("%(email)s is added; an invitation to choose a password is on its way.", email=user.email), "success"
            )
            return redirect(_index_url(org, customer_id))
    return _page(org, customer_id, add_form=form, status=422)


@_routes("/<int:user_id>/role", methods=["POST"])
@login_required
def role(customer_id: int | None, user_id: int):
    org = _organization(customer_id)
    user = _member(org, user_id)
    form = _role_form(org, user, request.form)
    if not form.validate_on_submit():
        abort(400)
    try:
        changed = rules.set_role(org, user, form.role.data or None, actor=current_user)
        db.commit()
    except PeopleRuleError as error:
        return _refused(error, org, customer_id)
    if changed:
        flash(_("The admin role of %(email)s is saved.", email=user.email), "success")
    return redirect(_index_url(org, customer_id))


@_routes("/<int:user_id>/remove", methods=["GET", "POST"])
@login_required
def remove(customer_id: int | None, user_id: int):
    org = _organization(customer_id)
    user = _member(org, user_id)
    form = RemoveForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            rules.remove_user(org, user, actor=current_user)
            db.commit()
        except PeopleRuleError as error:
            return _refused(error, org, customer_id)
        flash(_("%(email)s is removed and can no longer sign in.", email=user.email), "success")
        return redirect(_index_url(org, customer_id))
    return render_template(
        "people/remove.html",
        org=org,
        user=user,
        form=form,
        customer_id=customer_id,
        partner=current_user.organization if customer_id is not None else None,
        role_labels=ROLE_LABELS,
    )
