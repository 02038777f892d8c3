"""W6 with the duplicate guard (issue 12): "Possible duplicates" beside M2's list.

M1-M4 decide what they decided before; the guard adds existing organizations whose name is close
to the company entered (portal.domain.duplicates), each with why it matched, and the admin
email's domain notes. A suggestion can be chosen like an M2 candidate (M4 still applies);
creating a new organization beside a strong suggestion needs the confirmation box, checked by
the server (the page works without JavaScript), and the choice is audited when the order is
mapped (portal.wizard.mapping).
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from portal.domain import duplicates, email_checks, matching
from portal.domain.duplicates import Suggestion
from portal.domain.email_checks import DomainNotes
from portal.domain.matching import Facts

CONFIRM_NEW_MESSAGE = _l(
    "An existing organization looks like the same company. Choose it, or confirm that this is a different organization."
)


@dataclass
class Guard:
    suggestions: list[Suggestion]
    facts: dict[int, Facts]
    notes: DomainNotes | None

    @property
    def organizations(self) -> dict:
        return {s.organization.id: s.organization for s in self.suggestions}

    @property
    def strong(self) -> list[Suggestion]:
        return [s for s in self.suggestions if s.strong]

    def declined(self) -> list[dict]:
        """What the audit records when a new organization is created beside strong suggestions."""
        return [{"id": s.organization.id, "name": s.organization.name, "score": s.score} for s in self.strong]


def similar(answers: dict, shown) -> list[Suggestion]:
    return duplicates.suggestions(
        answers.get("company", ""), answers.get("admin_email", ""), answers.get("country", ""), exclude=set(shown)
    )


def for_answers(answers: dict, shown) -> Guard:
    """The guard for these wizard answers; ``shown``: the organizations M2 already lists."""
    found = similar(answers, shown)
    notes = email_checks.notes(answers.get("admin_email", ""), organization_ids={s.organization.id for s in found})
    return Guard(found, {s.organization.id: matching.facts(s.organization) for s in found}, notes)


def refuse_new(guard: Guard, confirmed: bool):
    """The error that stops "Create a new organization" beside a strong suggestion, unless confirmed."""
    return CONFIRM_NEW_MESSAGE if guard.strong and not confirmed else None
