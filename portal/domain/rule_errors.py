"""The one kind of error a domain rule raises, and the one way a view shows it.

A rule that refuses a change raises ``RuleError(message, field)``: ``message`` is a lazy string
for the person who asked, ``field`` the form field it belongs to (or None). The view rolls back
and calls ``show``: the message goes on its field when the form has one, else into a flash.
Each domain names its own subclass (``OrderRuleError``, ``TrialRuleError``, ...) so that a
view catches only the rules it called.
"""

from flask import flash


class RuleError(ValueError):
    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message, self.field = message, field


def show(error: RuleError, form=None) -> None:
    """Roll back what the refused change began, then tell the user where it belongs."""
    from portal.infra.db import db

    db.rollback()
    field = getattr(form, error.field, None) if form is not None and error.field else None
    if field is not None:
        field.errors = list(field.errors) + [str(error.message)]
    else:
        flash(str(error.message), "error")
