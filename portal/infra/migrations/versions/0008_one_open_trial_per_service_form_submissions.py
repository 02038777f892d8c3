"""one open trial per customer and service; form submission keys

Revision ID: 0008
Revises: 0007

Rule T7 as a database invariant: trial_services keeps the customer's id while the trial is
open, unique with the service. Form submissions keep the idempotency keys of state-changing
forms, so that a double click acts once.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

OPEN = ("pending_consent", "awaiting_provisioning", "active", "expired")


def upgrade() -> None:
    op.create_table(
        "form_submissions",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("result_url", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_form_submissions_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_form_submissions")),
    )
    with op.batch_alter_table("form_submissions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_form_submissions_created_at"), ["created_at"], unique=False)

    with op.batch_alter_table("trial_services", schema=None) as batch_op:
        batch_op.add_column(sa.Column("open_customer_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_trial_services_open_customer_id_organizations"),
            "organizations",
            ["open_customer_id"],
            ["id"],
        )
    statuses = ", ".join(f"'{status}'" for status in OPEN)
    op.execute(
        "UPDATE trial_services SET open_customer_id = (SELECT trials.customer_id FROM trials "
        f"WHERE trials.id = trial_services.trial_id AND trials.status IN ({statuses}))"
    )
    with op.batch_alter_table("trial_services", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_trial_services_open", ["open_customer_id", "service"])


def downgrade() -> None:
    with op.batch_alter_table("trial_services", schema=None) as batch_op:
        batch_op.drop_constraint("uq_trial_services_open", type_="unique")
        batch_op.drop_constraint(batch_op.f("fk_trial_services_open_customer_id_organizations"), type_="foreignkey")
        batch_op.drop_column("open_customer_id")
    with op.batch_alter_table("form_submissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_form_submissions_created_at"))
    op.drop_table("form_submissions")
