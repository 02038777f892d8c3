"""An admin's own organization: its users, admins, subscriptions and trials."""
