"""A customer admin's side of trials: the pending request (T8), interest in purchasing (T13),
cancelling (T15). Routes under /<lang>/organization/trials/<id>: accept, decline, interested, cancel."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.domain.permissions import requires
from portal.infra.db import db
from portal.models import Trial
from portal.trials import lifecycle
from portal.trials.forms import ConfirmForm
from portal.trials.lifecycle import TrialRuleError

bp = Blueprint("customer_trials", __name__, url_prefix="/<lang:lang>/organization/trials")


def _own(trial_id: int) -> Trial:
    trial = db.get(Trial, trial_id)
    if trial is None or trial.customer_id != current_user.organization_id:
        abort(404)
    return trial


def _done(message: str):
    db.commit()
    flash(message, "success")
    return redirect(url_for("organization.overview"))


def _refused(error: TrialRuleError):
    db.rollback()
    flash(str(error.message), "error")
    return redirect(url_for("organization.overview"))


@bp.route("/<int:trial_id>/<any(accept, decline):answer>", methods=["POST"])
@requires("answer_trials")
def respond(trial_id: int, answer: str):
    trial = _own(trial_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        lifecycle.answer_consent(trial, user=current_user, accept=answer == "accept")
    except TrialRuleError as error:
        return _refused(error)
    return _done(_("You accepted the trial request.") if answer == "accept" else _("You declined the trial request."))


@bp.route("/<int:trial_id>/interested", methods=["POST"])
@requires("view_organization")
def interested(trial_id: int):
    trial = _own(trial_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        lifecycle.interested(trial, user=current_user)
    except TrialRuleError as error:
        return _refused(error)
    return _done(_("Your partner has been told that you are interested in purchasing."))


@bp.route("/<int:trial_id>/cancel", methods=["GET", "POST"])
@requires("answer_trials")  # a read-only admin only reads; lifecycle.cancel checks again
def cancel(trial_id: int):
    trial = _own(trial_id)
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            lifecycle.cancel(trial, actor=current_user)
        except TrialRuleError as error:
            return _refused(error)
        return _done(_("The trial is cancelled."))
    return render_template("trials/cancel.html", trial=trial, form=form, customer_side=True)
