"""organizations and subscriptions: covering indexes for rules M2 and M3 at scale

Revision ID: 0011
Revises: 0010

Issue 11. When the admin email is on a public mail provider's domain, M2 starts from the
organizations whose names start alike (tens of thousands for "Acme " or "Nordi" at 1,000,000
organizations): (name_prefix, setup_pending, created_at) answers the prefix, the pending flag
and the rank's last key from the index alone, without reading each organization's row. The rank
and M3 count each candidate's active subscriptions: (organization_id, status) counts them from
the index. Both replace the single-column indexes they start with.
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_organizations_name_prefix_pending_created", ["name_prefix", "setup_pending", "created_at"]
        )
        batch_op.drop_index("ix_organizations_name_prefix")
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.create_index("ix_subscriptions_organization_id_status", ["organization_id", "status"])
        batch_op.drop_index("ix_subscriptions_organization_id")


def downgrade() -> None:
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.create_index("ix_subscriptions_organization_id", ["organization_id"])
        batch_op.drop_index("ix_subscriptions_organization_id_status")
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.create_index("ix_organizations_name_prefix", ["name_prefix"])
        batch_op.drop_index("ix_organizations_name_prefix_pending_created")
