"""trials: (customer_id, partner_id, created_at, id) for each customer's latest trial with a partner

Revision ID: 0014
Revises: 0013

Issue 11. The customers list (rules T9, T16) finds each customer's latest trial with the partner
by a correlated subquery (customer_id = ? AND partner_id = ? ORDER BY created_at DESC, id DESC
LIMIT 1). With one index on customer_id and another on partner_id, SQLite without statistics
picked either: with the partner's one it scanned every trial of the partner for every customer
(10,000 x 10,000 rows, minutes for one page). This index answers both equalities and the order
from the index alone; it starts with customer_id, so it replaces ix_trials_customer_id.
"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("trials", schema=None) as batch_op:
        batch_op.create_index(
            "ix_trials_customer_id_partner_id_created_at_id", ["customer_id", "partner_id", "created_at", "id"]
        )
        batch_op.drop_index("ix_trials_customer_id")


def downgrade() -> None:
    with op.batch_alter_table("trials", schema=None) as batch_op:
        batch_op.create_index("ix_trials_customer_id", ["customer_id"])
        batch_op.drop_index("ix_trials_customer_id_partner_id_created_at_id")
