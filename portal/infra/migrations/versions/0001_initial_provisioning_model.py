"""initial provisioning model

Revision ID: 0001
Revises:
Create Date: 2026-11-21 03:48:48.890470
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "organizations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_normalized", sa.String(length=200), nullable=False),
        sa.Column("name_prefix", sa.String(length=5), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("partner_tier", sa.Integer(), nullable=True),
        sa.Column("certified", sa.Boolean(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("data_region", sa.String(length=2), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("managing_partner_id", sa.Integer(), nullable=True),
        sa.Column("account_rep_email", sa.String(length=254), nullable=True),
        sa.Column("account_rep_language", sa.String(length=5), nullable=True),
        sa.CheckConstraint(
            "(kind = 'partner' AND COALESCE(partner_tier, 0) IN (1, 2)) OR (kind = 'customer' AND partner_tier IS NULL AND certified = false)",
            name=op.f("ck_organizations_partner_tier"),
        ),
        sa.CheckConstraint(
            "data_region IN ('US', 'EU', 'UK', 'CA', 'JP', 'AU', 'SG', 'SA', 'AE')",
            name=op.f("ck_organizations_data_region"),
        ),
        sa.CheckConstraint("kind IN ('customer', 'partner')", name=op.f("ck_organizations_kind")),
        sa.CheckConstraint("length(country) = 2", name=op.f("ck_organizations_country_iso2")),
        sa.CheckConstraint(
            "managing_partner_id IS NULL OR managing_partner_id <> id", name=op.f("ck_organizations_not_own_partner")
        ),
        sa.ForeignKeyConstraint(
            ["managing_partner_id"],
            ["organizations.id"],
            name=op.f("fk_organizations_managing_partner_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizations")),
    )
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organizations_managing_partner_id"), ["managing_partner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_organizations_name_prefix"), ["name_prefix"], unique=False)

    op.create_table(
        "outgoing_emails",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("(status = 'sent') = (sent_at IS NOT NULL)", name=op.f("ck_outgoing_emails_sent_has_date")),
        sa.CheckConstraint("status IN ('queued', 'sending', 'sent')", name=op.f("ck_outgoing_emails_status")),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_outgoing_emails_attempts")),
        sa.CheckConstraint("length(language) BETWEEN 2 AND 5", name=op.f("ck_outgoing_emails_language")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outgoing_emails")),
        sa.UniqueConstraint("dedupe_key", name="uq_outgoing_emails_dedupe_key"),
    )
    with op.batch_alter_table("outgoing_emails", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outgoing_emails_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_outgoing_emails_status"), ["status"], unique=False)

    op.create_table(
        "partner_customers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("access_level", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "access_level IN ('full_admin', 'provisioning_admin', 'none')",
            name=op.f("ck_partner_customers_access_level"),
        ),
        sa.CheckConstraint("partner_id <> customer_id", name=op.f("ck_partner_customers_distinct_orgs")),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["organizations.id"], name=op.f("fk_partner_customers_customer_id_organizations")
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["organizations.id"], name=op.f("fk_partner_customers_partner_id_organizations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_customers")),
        sa.UniqueConstraint("partner_id", "customer_id", name="uq_partner_customers_pair"),
    )
    with op.batch_alter_table("partner_customers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_partner_customers_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_partner_customers_partner_id"), ["partner_id"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("email_domain", sa.String(length=254), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("email LIKE '%_@_%'", name=op.f("ck_users_email_shape")),
        sa.CheckConstraint("length(language) BETWEEN 2 AND 5", name=op.f("ck_users_language")),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_users_organization_id_organizations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name="uq_users_email"),
        sa.UniqueConstraint("id", "organization_id", name="uq_users_id_org"),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_email_domain"), ["email_domain"], unique=False)
        batch_op.create_index(batch_op.f("ix_users_organization_id"), ["organization_id"], unique=False)

    op.create_table(
        "admin_roles",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=30), nullable=False),
        sa.Column("granted_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "role IN ('full_admin', 'sales_full_admin', 'sales_admin', 'read_only_admin', 'provisioning_admin')",
            name=op.f("ck_admin_roles_role"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_admin_roles_organization_id_organizations")
        ),
        sa.ForeignKeyConstraint(
            ["user_id", "organization_id"],
            ["users.id", "users.organization_id"],
            name="fk_admin_roles_user_org",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_admin_roles")),
    )
    with op.batch_alter_table("admin_roles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_admin_roles_organization_id"), ["organization_id"], unique=False)

    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("placed_by_id", sa.Integer(), nullable=False),
        sa.Column("offer", sa.String(length=20), nullable=False),
        sa.Column("requested_start", sa.Date(), nullable=False),
        sa.Column("provisioning_contact", sa.String(length=254), nullable=False),
        sa.Column("setup_language", sa.String(length=5), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("submission_key", sa.String(length=64), nullable=False),
        sa.Column("link_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("setup_email_sent_at", sa.DateTime(), nullable=True),
        sa.Column("setup_started_at", sa.DateTime(), nullable=True),
        sa.Column("rep_alerted_at", sa.DateTime(), nullable=True),
        sa.Column("mapped_at", sa.DateTime(), nullable=True),
        sa.Column("mapped_organization_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("(status = 'closed') = (closed_at IS NOT NULL)", name=op.f("ck_orders_closed_has_date")),
        sa.CheckConstraint("offer IN ('A-WX', 'A-SPK', 'A-FLEX', 'A-FLEX-CC')", name=op.f("ck_orders_offer")),
        sa.CheckConstraint("provisioning_contact LIKE '%_@_%'", name=op.f("ck_orders_contact_shape")),
        sa.CheckConstraint(
            "status <> 'awaiting_provisioning' OR mapped_organization_id IS NULL",
            name=op.f("ck_orders_awaiting_unmapped"),
        ),
        sa.CheckConstraint(
            "status IN ('awaiting_provisioning', 'mapped', 'provisioned', 'closed')", name=op.f("ck_orders_status")
        ),
        sa.CheckConstraint(
            "status NOT IN ('mapped', 'provisioned') OR mapped_organization_id IS NOT NULL",
            name=op.f("ck_orders_mapped_has_org"),
        ),
        sa.CheckConstraint("length(setup_language) BETWEEN 2 AND 5", name=op.f("ck_orders_setup_language")),
        sa.CheckConstraint("link_version >= 1", name=op.f("ck_orders_link_version")),
        sa.ForeignKeyConstraint(
            ["mapped_organization_id"],
            ["organizations.id"],
            name=op.f("fk_orders_mapped_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(["partner_id"], ["organizations.id"], name=op.f("fk_orders_partner_id_organizations")),
        sa.ForeignKeyConstraint(["placed_by_id"], ["users.id"], name=op.f("fk_orders_placed_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("submission_key", name="uq_orders_submission_key"),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_orders_partner_id"), ["partner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_orders_requested_start"), ["requested_start"], unique=False)
        batch_op.create_index(batch_op.f("ix_orders_status"), ["status"], unique=False)

    op.create_table(
        "trials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("started_by_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("license_count", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("industry", sa.String(length=60), nullable=True),
        sa.Column("meetings_site_url", sa.String(length=200), nullable=True),
        sa.Column("meetings_time_zone", sa.String(length=64), nullable=True),
        sa.Column("full_admin_access_requested", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending_consent', 'awaiting_provisioning', 'active', 'expired', 'converted', 'cancelled', 'ended')",
            name=op.f("ck_trials_status"),
        ),
        sa.CheckConstraint("customer_id <> partner_id", name=op.f("ck_trials_distinct_orgs")),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_trials_ends_after_start")),
        sa.CheckConstraint("license_count > 0", name=op.f("ck_trials_license_count")),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["organizations.id"], name=op.f("fk_trials_customer_id_organizations")
        ),
        sa.ForeignKeyConstraint(["partner_id"], ["organizations.id"], name=op.f("fk_trials_partner_id_organizations")),
        sa.ForeignKeyConstraint(["started_by_id"], ["users.id"], name=op.f("fk_trials_started_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trials")),
    )
    with op.batch_alter_table("trials", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trials_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_trials_ends_on"), ["ends_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_trials_partner_id"), ["partner_id"], unique=False)

    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_audit_events_actor_id_users")),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_audit_events_order_id_orders")),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_audit_events_organization_id_organizations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_events_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_events_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_events_organization_id"), ["organization_id"], unique=False)

    op.create_table(
        "consent_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trial_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("answer", sa.String(length=20), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "answer IS NULL OR answer IN ('accepted', 'declined', 'timed_out')", name=op.f("ck_consent_requests_answer")
        ),
        sa.CheckConstraint(
            "(answer IS NULL) = (answered_at IS NULL)", name=op.f("ck_consent_requests_answered_has_date")
        ),
        sa.ForeignKeyConstraint(
            ["answered_by_id"], ["users.id"], name=op.f("fk_consent_requests_answered_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["trial_id"], ["trials.id"], name=op.f("fk_consent_requests_trial_id_trials"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_requests")),
        sa.UniqueConstraint("trial_id", name="uq_consent_requests_trial_id"),
    )
    op.create_table(
        "device_shipments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trial_id", sa.Integer(), nullable=False),
        sa.Column("device_type", sa.String(length=20), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("shipped_at", sa.DateTime(), nullable=True),
        sa.Column("return_due_on", sa.Date(), nullable=True),
        sa.CheckConstraint("device_type <> 'board' OR quantity <= 5", name=op.f("ck_device_shipments_board_limit")),
        sa.CheckConstraint(
            "device_type IN ('phone', 'desk_device', 'board')", name=op.f("ck_device_shipments_device_type")
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_device_shipments_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["trial_id"], ["trials.id"], name=op.f("fk_device_shipments_trial_id_trials"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device_shipments")),
        sa.UniqueConstraint("trial_id", "device_type", name="uq_device_shipments_type"),
    )
    with op.batch_alter_table("device_shipments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_device_shipments_trial_id"), ["trial_id"], unique=False)

    op.create_table(
        "order_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("service", sa.String(length=30), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "(status = 'closed') = (closed_at IS NOT NULL)", name=op.f("ck_order_lines_closed_has_date")
        ),
        sa.CheckConstraint(
            "service IN ('messaging', 'meetings', 'enterprise_meetings', 'calling', 'contact_center', 'devices')",
            name=op.f("ck_order_lines_service"),
        ),
        sa.CheckConstraint(
            "status IN ('awaiting_provisioning', 'provisioned', 'closed')", name=op.f("ck_order_lines_status")
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_order_lines_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_order_lines_order_id_orders"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_lines")),
        sa.UniqueConstraint("order_id", "service", name="uq_order_lines_service"),
    )
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_lines_order_id"), ["order_id"], unique=False)

    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("offer", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("billing_started_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("offer IN ('A-WX', 'A-SPK', 'A-FLEX', 'A-FLEX-CC')", name=op.f("ck_subscriptions_offer")),
        sa.CheckConstraint(
            "status <> 'active' OR billing_started_at IS NOT NULL", name=op.f("ck_subscriptions_active_bills")
        ),
        sa.CheckConstraint("status IN ('pending', 'active', 'cancelled')", name=op.f("ck_subscriptions_status")),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_subscriptions_order_id_orders")),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_subscriptions_organization_id_organizations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
        sa.UniqueConstraint("order_id", name="uq_subscriptions_order_id"),
    )
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_subscriptions_organization_id"), ["organization_id"], unique=False)

    op.create_table(
        "trial_services",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trial_id", sa.Integer(), nullable=False),
        sa.Column("service", sa.String(length=30), nullable=False),
        sa.CheckConstraint(
            "service IN ('messaging', 'meetings', 'enterprise_meetings', 'calling', 'contact_center', 'devices')",
            name=op.f("ck_trial_services_service"),
        ),
        sa.ForeignKeyConstraint(
            ["trial_id"], ["trials.id"], name=op.f("fk_trial_services_trial_id_trials"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trial_services")),
        sa.UniqueConstraint("trial_id", "service", name="uq_trial_services_service"),
    )
    with op.batch_alter_table("trial_services", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trial_services_trial_id"), ["trial_id"], unique=False)

    op.create_table(
        "subscription_services",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("service", sa.String(length=30), nullable=False),
        sa.Column("license_count", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "service IN ('messaging', 'meetings', 'enterprise_meetings', 'calling', 'contact_center', 'devices')",
            name=op.f("ck_subscription_services_service"),
        ),
        sa.CheckConstraint("license_count >= 0", name=op.f("ck_subscription_services_license_count")),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscriptions.id"],
            name=op.f("fk_subscription_services_subscription_id_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscription_services")),
        sa.UniqueConstraint("subscription_id", "service", name="uq_subscription_services_service"),
    )
    with op.batch_alter_table("subscription_services", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_subscription_services_subscription_id"), ["subscription_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("subscription_services", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subscription_services_subscription_id"))

    op.drop_table("subscription_services")
    with op.batch_alter_table("trial_services", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trial_services_trial_id"))

    op.drop_table("trial_services")
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subscriptions_organization_id"))

    op.drop_table("subscriptions")
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_lines_order_id"))

    op.drop_table("order_lines")
    with op.batch_alter_table("device_shipments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_device_shipments_trial_id"))

    op.drop_table("device_shipments")
    op.drop_table("consent_requests")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_organization_id"))
        batch_op.drop_index(batch_op.f("ix_audit_events_order_id"))
        batch_op.drop_index(batch_op.f("ix_audit_events_at"))

    op.drop_table("audit_events")
    with op.batch_alter_table("trials", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trials_partner_id"))
        batch_op.drop_index(batch_op.f("ix_trials_ends_on"))
        batch_op.drop_index(batch_op.f("ix_trials_customer_id"))

    op.drop_table("trials")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_orders_status"))
        batch_op.drop_index(batch_op.f("ix_orders_requested_start"))
        batch_op.drop_index(batch_op.f("ix_orders_partner_id"))

    op.drop_table("orders")
    with op.batch_alter_table("admin_roles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_admin_roles_organization_id"))

    op.drop_table("admin_roles")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_organization_id"))
        batch_op.drop_index(batch_op.f("ix_users_email_domain"))

    op.drop_table("users")
    with op.batch_alter_table("partner_customers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_customers_partner_id"))
        batch_op.drop_index(batch_op.f("ix_partner_customers_customer_id"))

    op.drop_table("partner_customers")
    with op.batch_alter_table("outgoing_emails", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outgoing_emails_status"))
        batch_op.drop_index(batch_op.f("ix_outgoing_emails_order_id"))

    op.drop_table("outgoing_emails")
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organizations_name_prefix"))
        batch_op.drop_index(batch_op.f("ix_organizations_managing_partner_id"))

    op.drop_table("organizations")
