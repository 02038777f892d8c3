"""The People rules, as plain functions working in the caller's transaction (views commit).

- An admin adds a user (email, display name, language, optional admin role); an invitation
  goes out in the new user's language. A user belongs to exactly one organization (rule W4).
- Roles: a customer organization has full admins and read-only admins; a partner organization
  full admins, sales full admins, sales admins and read-only admins.
- The last full admin cannot be removed or demoted: the organization row is locked while the
  full admins are counted, so that two admins demoting each other at once leave one.
- Removing a user makes the account inactive, takes its role and ends its sessions at once.
- Every change is audited with the actor's name and, on a customer's behalf, the partner's (T6).
"""

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from portal.audit import history as audit_history
from portal.audit import record
from portal.auth import invitations, login_sessions
from portal.domain.normalize import email_key
from portal.domain.rule_errors import RuleError
from portal.i18n import page_language
from portal.infra import clock
from portal.infra.db import db
from portal.models import AdminRole, AuditEvent, Organization, User

ROLES_BY_KIND = {
    "customer": ("full_admin", "read_only_admin"),
    "partner": ("full_admin", "sales_full_admin", "sales_admin", "read_only_admin"),
}
ACTIONS = ("user_added", "role_changed", "user_removed", "user_restored")


class PeopleRuleError(RuleError):
    """A People rule (W4, the last full admin, roles by kind) refused the change."""


def _lock(org: Organization) -> None:
    """Serialize changes to one organization's admins (PostgreSQL: a row lock; SQLite already
    serializes writing requests with BEGIN IMMEDIATE)."""
    db.execute(select(Organization.id).where(Organization.id == org.id).with_for_update())


def full_admin_count(org_id: int) -> int:
    return db.scalar(
        select(func.count())
        .select_from(AdminRole)
        .join(User, User.id == AdminRole.user_id)
        .where(AdminRole.organization_id == org_id, AdminRole.role == "full_admin", User.active.is_(True))
    )


def _audit(action: str, org: Organization, actor: User, user: User, **details) -> None:
    names = {"actor_name": actor.display_name or actor.email}
    if actor.organization_id != org.id:  # rule T6: a partner on the customer's behalf
        names["on_behalf_partner"] = actor.organization.name
    record(action, actor=actor, organization_id=org.id, user=user.email, organization=org.name, **names, **details)


def _check_role(org: Organization, role: str | None) -> None:
    if role is not None and role not in ROLES_BY_KIND[org.kind]:
        raise PeopleRuleError(_l("Choose one of the roles in the list."), "role")


def _guard_last_full_admin(org: Organization, user: User) -> None:
    if user.role == "full_admin" and user.active and full_admin_count(org.id) <= 1:
        raise PeopleRuleError(
            _l(
                "%(email)s is the last full admin of %(organization)s. Make another user a full admin first.",
                email=user.email,
                organization=org.name,
            ),
            "role",
        )


def add_user(
    org: Organization, *, email: str, display_name: str, language: str | None, role: str | None, actor: User
) -> User:
    """A new user of the organization, invited to choose a password (rule W4: one organization)."""
    _lock(org)
    _check_role(org, role)
    try:
        email = validate_email(email.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        raise PeopleRuleError(_l("Enter a valid email address."), "email") from None
    now = clock.now()
    user = db.scalar(select(User).where(User.email == email_key(email)))
    if user is not None and user.organization_id != org.id:
        raise PeopleRuleError(
            _l(
                "This email address belongs to a user of another organization. A user belongs to "
                "exactly one organization."
            ),
            "email",
        )
    if user is not None and user.active:
        raise PeopleRuleError(_l("%(email)s is already a user of this organization.", email=user.email), "email")
    if user is not None:  # a removed user of this organization comes back, with a new password
        user.active, user.password_hash = True, None
        user.display_name = display_name.strip() or user.display_name
        user.language = language or user.language
        action = "user_restored"
    else:
        user = User(
            email=email,
            display_name=display_name.strip(),
            organization_id=org.id,
            language=language or None,
            page_language=page_language(),
            created_at=now,
        )  # rule L3: no preference unless chosen
        db.add(user)
        action = "user_added"
    db.flush()
    if role is not None:
        db.add(AdminRole(user_id=user.id, organization_id=org.id, role=role, granted_at=now))
        db.flush()
        db.refresh(user)
    invitations.invite(user, invited_by=actor)
    _audit(action, org, actor, user, role=role)
    return user


def set_role(org: Organization, user: User, role: str | None, *, actor: User) -> bool:
    """Grant, change or revoke the user's admin role; False when nothing changes (a repeat)."""
    _lock(org)
    if user.organization_id != org.id or not user.active:
        raise PeopleRuleError(_l("This user is not an active user of the organization."))
    _check_role(org, role)
    previous = user.role
    if previous == role:
        return False
    _guard_last_full_admin(org, user)  # refuses only a change away from full admin: the same role returned above
    if user.admin_role is not None:
        db.delete(user.admin_role)
        db.flush()
    if role is not None:
        db.add(AdminRole(user_id=user.id, organization_id=org.id, role=role, granted_at=clock.now()))
    db.flush()
    db.expire(user, ["admin_role"])
    _audit("role_changed", org, actor, user, previous=previous, role=role)
    return True


def remove_user(org: Organization, user: User, *, actor: User) -> bool:
    """The user can no longer sign in: inactive, without a role, every session ended."""
    _lock(org)
    if user.organization_id != org.id:
        raise PeopleRuleError(_l("This user is not an active user of the organization."))
    if not user.active:
        return False  # already removed: a repeat changes nothing
    _guard_last_full_admin(org, user)
    previous = user.role
    db.execute(delete(AdminRole).where(AdminRole.user_id == user.id))
    user.active = False
    db.expire(user, ["admin_role"])
    login_sessions.end_all(user.id, "removed")
    _audit("user_removed", org, actor, user, previous=previous)
    return True


def history(org_id: int, *, page: int = 1, size: int = audit_history.PAGE_SIZE) -> audit_history.History:
    """The organization's people changes, newest first, a page at a time."""
    where = (AuditEvent.organization_id == org_id, AuditEvent.action.in_(ACTIONS))
    return audit_history.page_of(*where, page=page, size=size)
