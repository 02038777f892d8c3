"""demo_clock: how far the demo runs ahead of real time

Revision ID: 0013
Revises: 0012

Issue 13. `flask portal demo-clock +2d` moves the demo ahead for the running demo, its scheduler
and `flask portal tick` alike, so that a link the scheduler signs "two days later" is valid in
the portal that opens it. One row, in a demo database only; production never writes or reads it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "demo_clock",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("offset_seconds", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_demo_clock_one_row")),
        sa.CheckConstraint("offset_seconds >= 0", name=op.f("ck_demo_clock_ahead_only")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_demo_clock")),
    )


def downgrade() -> None:
    op.drop_table("demo_clock")
