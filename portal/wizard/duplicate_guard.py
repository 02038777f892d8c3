"""W6 with the duplicate guard (issue 12): "Possible duplicates" beside M2's list.

M1-M4 decide what they decided before; the guard adds existing organizations whose name is close
to the company entered (portal.domain.duplicates), each with why it matched, and the admin
email's domain notes. A suggestion can be chosen like an M2 candidate (M4 still applies);
creating a new organization beside a strong suggestion needs the confirmation box, checked by
the server (the page works without JavaScript), and the choice is audited when the order is
mapped (portal.wizard.mapping).
"""

from flask_babel import lazy_gettext as _l

from portal.domain import duplicates
from portal.domain.duplicates import Guard, Suggestion

CONFIRM_NEW_MESSAGE = _l(
    "An existing organization looks like the same company. Choose it, or confirm that this is a different organization."
)


def similar(answers: dict, shown) -> list[Suggestion]:
    return duplicates.suggestions(
        answers.get("company", ""), answers.get("admin_email", ""), answers.get("country", ""), exclude=set(shown)
    )


def for_answers(answers: dict, shown) -> Guard:
    """The guard for these wizard answers; ``shown``: the organizations M2 already lists."""
    return duplicates.guard(
        answers.get("company", ""), answers.get("admin_email", ""), answers.get("country", ""), exclude=set(shown)
    )


def refuse_new(guard: Guard, confirmed: bool):
    """The error that stops "Create a new organization" beside a strong suggestion, unless confirmed."""
    return CONFIRM_NEW_MESSAGE if guard.strong and not confirmed else None
