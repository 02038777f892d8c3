"""An admin's view of its own organization: users, admins and subscriptions."""

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import select

from portal.domain.permissions import requires
from portal.infra import clock
from portal.infra.db import db
from portal.models import Subscription, Trial, User
from portal.trials.forms import ConfirmForm
from portal.trials.status import STATUS_LABELS

bp = Blueprint("organization", __name__, url_prefix="/<lang:lang>/organization")


@bp.route("/")
@requires("view_organization")
def overview():
    org = current_user.organization
    users = db.scalars(select(User).where(User.organization_id == org.id).order_by(User.email)).all()
    subscriptions = db.scalars(
        select(Subscription).where(Subscription.organization_id == org.id).order_by(Subscription.created_at.desc())
    ).all()
    trials = db.scalars(select(Trial).where(Trial.customer_id == org.id).order_by(Trial.created_at.desc())).all()
    return render_template(
        "organization/overview.html",
        org=org,
        users=users,
        subscriptions=subscriptions,
        trials=trials,
        confirm=ConfirmForm(),
        today=clock.today(),
        trial_labels=STATUS_LABELS,
    )
