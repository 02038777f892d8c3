"""users: one index on (email_domain, organization_id) for rules M2 and M3 at scale

Revision ID: 0010
Revises: 0009

Issue 11. M2 asks "does this organization have users on the admin email's domain?" for every
organization whose name starts like the company's. With an index on the domain alone the
database reads every user of a large domain; with (email_domain, organization_id) the answer is
one index probe per candidate. The composite index serves lookups by domain alone too, so it
replaces ``ix_users_email_domain``.
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index("ix_users_email_domain_organization_id", ["email_domain", "organization_id"])
        batch_op.drop_index("ix_users_email_domain")


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index("ix_users_email_domain", ["email_domain"])
        batch_op.drop_index("ix_users_email_domain_organization_id")
