"""wizard: pending partners, subdomains, service settings

Revision ID: 0002
Revises: 0001

Adds what the order set-up wizard (rules W3, W9) and the contact-centre variant (W5) store.
Create Date: 2026-11-21 04:07:06.972099
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("customer_sets_up", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.alter_column("placed_by_id", existing_type=sa.Integer(), nullable=True)

    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("setup_pending", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("subdomain", sa.String(length=63), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_organizations_subdomain"), ["subdomain"])
        batch_op.create_check_constraint("pending_is_partner", "setup_pending = false OR kind = 'partner'")

    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("calling_location", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("calling_country", sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column("meetings_site", sa.String(length=63), nullable=True))
        batch_op.add_column(sa.Column("meetings_time_zone", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_subscriptions_meetings_site"), ["meetings_site"])

    with op.batch_alter_table("trials", schema=None) as batch_op:
        batch_op.add_column(sa.Column("admin_email", sa.String(length=254), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("trials", schema=None) as batch_op:
        batch_op.drop_column("admin_email")

    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_subscriptions_meetings_site"), type_="unique")
        batch_op.drop_column("meetings_time_zone")
        batch_op.drop_column("meetings_site")
        batch_op.drop_column("calling_country")
        batch_op.drop_column("calling_location")

    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_organizations_subdomain"), type_="unique")
        batch_op.drop_constraint(batch_op.f("ck_organizations_pending_is_partner"), type_="check")
        batch_op.drop_column("subdomain")
        batch_op.drop_column("setup_pending")

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.alter_column("placed_by_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("customer_sets_up")
