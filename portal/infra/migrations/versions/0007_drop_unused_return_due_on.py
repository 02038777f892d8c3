"""device shipments: drop the unused return_due_on column

Revision ID: 0007
Revises: 0006

Issue 9. Rule T19's return date is computed from the trial (``lifecycle.return_due``); the
column was never written or read.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("device_shipments", schema=None) as batch_op:
        batch_op.drop_column("return_due_on")


def downgrade() -> None:
    with op.batch_alter_table("device_shipments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("return_due_on", sa.Date(), nullable=True))
