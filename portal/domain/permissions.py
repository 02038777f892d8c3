"""Who may see and change what: the one place that decides (rules W2, T1, T6, T8, M4).

Three things decide together:
- the user's **role** in its own organization and the **kind** of that organization;
- **ownership**: a partner acts only on its own orders, trials and customers;
- the partner's **access level** to a customer organization (PartnerCustomer.access_level):
  ``none`` (W2 "the customer will set up": the order and its status only), ``provisioning_admin``
  (T8 without full admin access: provision the trial services, nothing else) or ``full_admin``
  (manage users, licenses and trials).

Views state their requirement with ``requires``; the rule functions (trials, people) ask
``may_act`` again inside the transaction, so that no other caller can skip the check.
"""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import select

from portal.domain.catalog import ADMIN_ROLES, ORDERING_ROLES, TRIAL_ROLES

# What each permission asks of the signed-in user: the kind of organization and the roles.
PERMISSIONS = {
    "view_orders": ("partner", frozenset(ADMIN_ROLES)),
    "place_orders": ("partner", ORDERING_ROLES),
    "view_organization": (None, frozenset(ADMIN_ROLES)),
    "view_customers": ("partner", frozenset(ADMIN_ROLES)),
    "manage_trials": ("partner", TRIAL_ROLES),  # rule T1, with the certification checked below
    # A customer answers a partner's trial request or cancels a trial: its full admin (T8, T15).
    "answer_trials": ("customer", frozenset({"full_admin"})),
    # The People page of the user's own organization: its full admin only.
    "manage_people": (None, frozenset({"full_admin"})),
}

# What a partner may do for a customer organization, by its access level (rules W2, T6, T8).
ACCESS = {
    "view_customer": frozenset({"full_admin", "provisioning_admin"}),
    "provision_trial": frozenset({"full_admin", "provisioning_admin"}),
    "record_devices": frozenset({"full_admin", "provisioning_admin"}),
    "change_trial": frozenset({"full_admin"}),
    "extend_trial": frozenset({"full_admin"}),
    "convert_trial": frozenset({"full_admin"}),
    "cancel_trial": frozenset({"full_admin"}),
    "start_trial_without_consent": frozenset({"full_admin"}),  # rule T10
    "manage_customer_people": frozenset({"full_admin"}),  # rule T6: on the customer's behalf
}
# The partner's roles that may act on a customer's people on its behalf.
ON_BEHALF_ROLES = frozenset({"full_admin", "sales_full_admin"})


def allowed(user, permission: str) -> bool:
    kind, roles = PERMISSIONS[permission]
    if not user.is_authenticated or user.role not in roles:
        return False
    if permission == "manage_trials" and not user.organization.certified:  # rule T1
        return False
    return kind is None or user.organization.kind == kind


def may_start_trials(user) -> bool:
    """rule T1: a certified partner's full admin, sales full admin or sales admin."""
    return allowed(user, "manage_trials")


def access_level(partner_id: int, customer_id: int) -> str | None:
    """The partner's access to the customer organization; None without a relationship."""
    from portal.infra.db import db
    from portal.models import PartnerCustomer

    return db.scalar(
        select(PartnerCustomer.access_level).where(
            PartnerCustomer.partner_id == partner_id, PartnerCustomer.customer_id == customer_id
        )
    )


def has_access(partner_id: int, customer_id: int, action: str) -> bool:
    return access_level(partner_id, customer_id) in ACCESS[action]


def may_act(user, action: str, *, customer_id: int, trial=None) -> bool:
    """May this partner user do ``action`` for the customer (and on the trial, if one is named)?"""
    if not getattr(user, "is_authenticated", False) or user.organization.kind != "partner":
        return False
    if trial is not None and (trial.partner_id != user.organization_id or trial.customer_id != customer_id):
        return False  # another partner's trial
    if action == "manage_customer_people":
        return user.role in ON_BEHALF_ROLES and has_access(user.organization_id, customer_id, action)
    if action == "view_customer":
        return allowed(user, "view_customers") and has_access(user.organization_id, customer_id, action)
    if not may_start_trials(user):
        return False
    if action == "cancel_trial" and trial is not None and trial.status == "pending_consent":
        return True  # rule T9: the partner withdraws its own request, whatever its access
    return has_access(user.organization_id, customer_id, action)


def may_manage_people(user, organization_id: int) -> bool:
    """The People page of an organization: its own full admin, or a partner with full admin
    access acting on the customer's behalf (rule T6)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.organization_id == organization_id:
        return allowed(user, "manage_people")
    return may_act(user, "manage_customer_people", customer_id=organization_id)


def requires(permission: str):
    """Sign-in required, then the permission; a signed-in user without it gets 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not allowed(current_user, permission):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def init_app(app) -> None:
    app.jinja_env.globals["can"] = lambda permission: allowed(current_user, permission)
    app.jinja_env.globals["may_act"] = lambda action, **kw: may_act(current_user, action, **kw)
