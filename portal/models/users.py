"""Users and their admin roles."""

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.config import DEFAULT_LANGUAGE
from portal.domain.catalog import ADMIN_ROLES, LANGUAGE_SHAPE, sql_in
from portal.domain.normalize import email_domain, email_key
from portal.infra.db import Base
from portal.infra.passwords import check_password, hash_password

if TYPE_CHECKING:
    from portal.models.organizations import Organization


class User(UserMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        # rule W4: an email address belongs to one user, and a user to exactly one organization.
        UniqueConstraint("email", name="uq_users_email"),
        UniqueConstraint("id", "organization_id", name="uq_users_id_org"),
        CheckConstraint("language IS NULL OR " + LANGUAGE_SHAPE.format(column="language"), name="language"),
        CheckConstraint(
            "page_language IS NULL OR " + LANGUAGE_SHAPE.format(column="page_language"), name="page_language"
        ),
        CheckConstraint("email LIKE '%_@_%'", name="email_shape"),
        # rules M2, M3: "users on this domain in this organization" is one index probe.
        Index("ix_users_email_domain_organization_id", "email_domain", "organization_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))  # stored normalized (portal.domain.normalize.email_key)
    # rule M2 narrows candidates to organizations with users on the admin email's domain.
    email_domain: Mapped[str] = mapped_column(String(254))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    # rule L3: the user's own choice; None until they choose one (or sign in for the first time).
    language: Mapped[str | None] = mapped_column(String(5))
    # rule L3: the language of the page where the portal first heard of this user, for emails
    # sent outside any page (the scheduler) while they have no preference.
    page_language: Mapped[str | None] = mapped_column(String(5))
    # rule L4: dates and times are shown in the user's time zone (an IANA name); None is UTC.
    time_zone: Mapped[str | None] = mapped_column(String(64))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    organization: Mapped["Organization"] = relationship(back_populates="users")
    admin_role: Mapped["AdminRole | None"] = relationship(back_populates="user", uselist=False)

    def __init__(self, **kwargs):
        email = kwargs.pop("email", "")
        super().__init__(**kwargs)
        self.set_email(email)

    def set_email(self, email: str) -> None:
        self.email = email_key(email)
        self.email_domain = email_domain(email)

    def set_password(self, password: str) -> None:
        # Werkzeug's scrypt hashing, salted per password.
        self.password_hash = hash_password(password)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password(self.password_hash, password)

    @property
    def mail_language(self) -> str:
        """rule L3: the recipient's preference; else the page where the email is triggered; else
        the page where the portal first heard of them; else English."""
        if self.language:
            return self.language
        from portal.i18n import page_language

        return page_language() or self.page_language or DEFAULT_LANGUAGE

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    @property
    def role(self) -> str | None:
        return self.admin_role.role if self.admin_role else None


class AdminRole(Base):
    """An admin role a user holds in its own organization; one role per user."""

    __tablename__ = "admin_roles"
    __table_args__ = (
        CheckConstraint(f"role IN {sql_in(ADMIN_ROLES)}", name="role"),
        # The organization must be the user's own: enforced by the composite foreign key.
        ForeignKeyConstraint(
            ["user_id", "organization_id"],
            ["users.id", "users.organization_id"],
            name="fk_admin_roles_user_org",
            ondelete="CASCADE",
        ),
    )

    user_id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    role: Mapped[str] = mapped_column(String(30))
    granted_at: Mapped[datetime] = mapped_column(DateTime)

    user: Mapped[User] = relationship(
        back_populates="admin_role", foreign_keys=[user_id], primaryjoin="AdminRole.user_id == User.id"
    )


class LoginSession(Base):
    """A signed-in browser. The cookie holds a random id; the row holds its hash and its life.

    Ending the row ends the session at once, even for a copy of the cookie replayed later:
    sign-out ends this one, a new password or removal ends all of the user's sessions.
    """

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    ended_reason: Mapped[str | None] = mapped_column(String(30))

    user: Mapped[User] = relationship()
