"""one free consumer organization

Revision ID: 0005
Revises: 0004

Rule T17: a partial unique index keeps the free consumer organization one, also when two
schedulers end grace periods at the same moment.
Create Date: 2026-11-21 05:31:31.088693
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.create_index(
            "uq_organizations_one_free_consumer",
            ["free_consumer"],
            unique=True,
            sqlite_where=sa.text("free_consumer"),
            postgresql_where=sa.text("free_consumer"),
        )


def downgrade() -> None:
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_organizations_one_free_consumer",
            sqlite_where=sa.text("free_consumer"),
            postgresql_where=sa.text("free_consumer"),
        )
