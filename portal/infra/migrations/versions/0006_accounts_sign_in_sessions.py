"""accounts: login sessions, no language preference until chosen

Revision ID: 0006
Revises: 0005

Issue 8. ``login_sessions`` holds one row per signed-in browser, so that signing out, a new
password or a removed user ends sessions at once (a replayed cookie is refused). Rule L3: a
user's ``language`` is NULL until they choose one; ``page_language`` keeps the language of the
page where the portal first heard of them. Existing users keep the language they have.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("ended_reason", sa.String(length=30), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_login_sessions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_login_sessions_token_hash")),
    )
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_sessions_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("page_language", sa.String(length=5), nullable=True))
        batch_op.alter_column("language", existing_type=sa.String(length=5), nullable=True)
        batch_op.drop_constraint(batch_op.f("ck_users_language"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_users_language"), "language IS NULL OR length(language) BETWEEN 2 AND 5"
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_users_page_language"), "page_language IS NULL OR length(page_language) BETWEEN 2 AND 5"
        )
    op.execute("UPDATE users SET page_language = language")


def downgrade() -> None:
    op.execute("UPDATE users SET language = COALESCE(language, page_language, 'en')")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_users_page_language"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_users_language"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_users_language"), "length(language) BETWEEN 2 AND 5")
        batch_op.alter_column("language", existing_type=sa.String(length=5), nullable=False)
        batch_op.drop_column("page_language")
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_sessions_user_id"))
    op.drop_table("login_sessions")
