"""outbox: failed and discarded emails

Revision ID: 0009
Revises: 0008

An email that cannot be built, that the SMTP server refuses for good, or that runs out of
attempts ends ``failed`` (``failed_at``, the reason in ``last_error``) instead of blocking the
outbox; an operator can put it back in the queue or mark it ``discarded`` (``discarded_at``) with
`flask portal outbox`.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

STATUSES = "('queued', 'sending', 'sent', 'failed', 'discarded')"
OLD_STATUSES = "('queued', 'sending', 'sent')"


def upgrade() -> None:
    with op.batch_alter_table("outgoing_emails", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("discarded_at", sa.DateTime(), nullable=True))
        batch_op.drop_constraint(batch_op.f("ck_outgoing_emails_status"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_outgoing_emails_status"), f"status IN {STATUSES}")
        batch_op.create_check_constraint(
            batch_op.f("ck_outgoing_emails_failed_has_date"), "(status = 'failed') = (failed_at IS NOT NULL)"
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_outgoing_emails_discarded_has_date"), "(status = 'discarded') = (discarded_at IS NOT NULL)"
        )


def downgrade() -> None:
    # The old schema has no word for either: a failed email goes back to the queue (what the old
    # code did with every error); a discarded one is kept as done, so that it is never sent.
    op.execute("UPDATE outgoing_emails SET status = 'queued', failed_at = NULL WHERE status = 'failed'")
    op.execute(
        "UPDATE outgoing_emails SET status = 'sent', sent_at = discarded_at, discarded_at = NULL, "
        "last_error = 'discarded by an operator' WHERE status = 'discarded'"
    )
    with op.batch_alter_table("outgoing_emails", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_outgoing_emails_discarded_has_date"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_outgoing_emails_failed_has_date"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_outgoing_emails_status"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_outgoing_emails_status"), f"status IN {OLD_STATUSES}")
        batch_op.drop_column("discarded_at")
        batch_op.drop_column("failed_at")
