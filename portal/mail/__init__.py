"""Outgoing email: the outbox, SMTP delivery, and the demo's mailbox."""
