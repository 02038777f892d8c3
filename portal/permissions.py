"""Who may see and change what. Every view states its requirement with one decorator."""
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from portal.catalog import ADMIN_ROLES, ORDERING_ROLES, TRIAL_ROLES

# What each permission asks of the signed-in user: the kind of organization and the roles.
PERMISSIONS = {
    "view_orders": ("partner", frozenset(ADMIN_ROLES)),
    "place_orders": ("partner", ORDERING_ROLES),
    "view_organization": (None, frozenset(ADMIN_ROLES)),
    "view_customers": ("partner", frozenset(ADMIN_ROLES)),
    "manage_trials": ("partner", TRIAL_ROLES),  # rule T1, with the certification checked below
}


def allowed(user, permission: str) -> bool:
    kind, roles = PERMISSIONS[permission]
    if not user.is_authenticated or user.role not in roles:
        return False
    if permission == "manage_trials" and not user.organization.certified:  # rule T1
        return False
    return kind is None or user.organization.kind == kind


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
