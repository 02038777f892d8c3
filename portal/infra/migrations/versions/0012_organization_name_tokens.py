"""organization_name_tokens: the duplicate guard's blocking index, filled for existing rows

Revision ID: 0012
Revises: 0011

Issue 12. Each organization's normalized name gives a handful of keys (each word's first and
last four letters, pairs of words' first three, the joined name's start; see
portal/domain/similar_names.blocking_keys); the guard looks candidates up by key and re-ranks a
bounded set with rapidfuzz. New and renamed organizations keep their rows current in the same
flush (portal/models/organizations.py); this migration fills them for the rows that exist.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

BATCH = 5000


def upgrade() -> None:
    op.create_table(
        "organization_name_tokens",
        sa.Column("token", sa.String(length=16), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_organization_name_tokens_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token", "organization_id", name=op.f("pk_organization_name_tokens")),
    )
    with op.batch_alter_table("organization_name_tokens", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_organization_name_tokens_organization_id"), ["organization_id"], unique=False
        )

    # Fill for existing organizations with the same rule the application uses.
    from portal.domain.similar_names import blocking_keys, normalize

    connection = op.get_bind()
    tokens = sa.table("organization_name_tokens", sa.column("token"), sa.column("organization_id"))
    rows = []
    for org_id, name in connection.execute(sa.text("SELECT id, name FROM organizations ORDER BY id")):
        rows.extend({"token": key, "organization_id": org_id} for key in sorted(blocking_keys(normalize(name))))
        if len(rows) >= BATCH:
            connection.execute(sa.insert(tokens), rows)
            rows = []
    if rows:
        connection.execute(sa.insert(tokens), rows)


def downgrade() -> None:
    with op.batch_alter_table("organization_name_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organization_name_tokens_organization_id"))
    op.drop_table("organization_name_tokens")
