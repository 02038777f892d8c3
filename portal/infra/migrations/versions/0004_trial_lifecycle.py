"""trial lifecycle

Revision ID: 0004
Revises: 0003

What the trial lifecycle (rules T6-T19) records: its milestones, device serials, the free
consumer organization, and when consent was last asked for.
Create Date: 2026-11-21 04:52:58.549840
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("consent_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_sent_at", sa.DateTime(), nullable=True))

    with op.batch_alter_table("device_shipments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("serials", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("returned_serials", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("returned_at", sa.DateTime(), nullable=True))

    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("free_consumer", sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table("trials", schema=None) as batch_op:
        batch_op.add_column(sa.Column("devices_end_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("provisioned_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("cancelled_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("converted_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("ended_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("numbers_released_at", sa.DateTime(), nullable=True))
        batch_op.create_check_constraint("cancelled_has_date", "status <> 'cancelled' OR cancelled_at IS NOT NULL")
        batch_op.create_check_constraint("converted_has_date", "status <> 'converted' OR converted_at IS NOT NULL")
        batch_op.create_check_constraint("ended_has_date", "status <> 'ended' OR ended_at IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("trials", schema=None) as batch_op:
        batch_op.drop_constraint("ck_trials_ended_has_date", type_="check")
        batch_op.drop_constraint("ck_trials_converted_has_date", type_="check")
        batch_op.drop_constraint("ck_trials_cancelled_has_date", type_="check")
        batch_op.drop_column("numbers_released_at")
        batch_op.drop_column("ended_at")
        batch_op.drop_column("converted_at")
        batch_op.drop_column("cancelled_at")
        batch_op.drop_column("provisioned_at")
        batch_op.drop_column("devices_end_on")

    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.drop_column("free_consumer")

    with op.batch_alter_table("device_shipments", schema=None) as batch_op:
        batch_op.drop_column("returned_at")
        batch_op.drop_column("returned_serials")
        batch_op.drop_column("serials")

    with op.batch_alter_table("consent_requests", schema=None) as batch_op:
        batch_op.drop_column("last_sent_at")
