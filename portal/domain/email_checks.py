"""What the duplicate guard says about an admin email's domain (issue 12).

- a domain one or two edits from a domain that existing organizations' users have (acrne.nl
  beside acme.nl) is pointed out: probably a typo, and the organization probably exists;
- a public mail provider's domain (portal.domain.mail_domains) is named as such: it says nothing
  about the organization;
- a disposable domain (the ``disposable-email-domains`` list) is refused for an organization's
  admin: the address would be gone before the invitation is used.
"""

from dataclasses import dataclass

from disposable_email_domains import blocklist
from flask_babel import lazy_gettext as _l
from rapidfuzz.distance import OSA
from sqlalchemy import func, select

from portal.domain.mail_domains import is_public_domain
from portal.domain.normalize import email_domain
from portal.infra.db import db
from portal.models import User

NEAR_EDITS = 2
NEIGHBOURS = 2000  # distinct domains compared at most
MIN_LENGTH = 5  # shorter domains are too close to everything ("ab.se", "ac.se")

DISPOSABLE_MESSAGE = _l(
    "This is a disposable email address. An organization’s admin needs a lasting address: enter another one."
)


def is_disposable(domain: str) -> bool:
    parts = (domain or "").strip().casefold().rstrip(".").split(".")
    return any(".".join(parts[i:]) in blocklist for i in range(len(parts) - 1))


def disposable_refusal(email: str):
    """The message refusing this address for an organization's admin, or None."""
    return DISPOSABLE_MESSAGE if is_disposable(email_domain(email)) else None


@dataclass(frozen=True)
class NearDomain:
    domain: str  # the existing domain the typed one is close to
    organizations: int  # how many organizations have users on it


@dataclass(frozen=True)
class DomainNotes:
    domain: str
    public: bool
    disposable: bool
    near: tuple[NearDomain, ...]


def _neighbours(domain: str, extra: set[str]) -> set[str]:
    """Domains that existing users have and that start like this one (an index range on
    users (email_domain, organization_id)), and those of the organizations suggested."""
    start = domain[:2]
    end = start[:-1] + chr(ord(start[-1]) + 1)
    query = (
        select(User.email_domain)
        .where(User.email_domain >= start, User.email_domain < end)
        .distinct()
        .limit(NEIGHBOURS)
    )
    return set(db.scalars(query)) | extra


def notes(admin_email: str, *, organization_ids: set[int] = frozenset()) -> DomainNotes | None:
    """What to say about the admin email's domain; ``organization_ids`` (the suggestions) add
    their users' domains to those compared."""
    domain = email_domain(admin_email or "")
    if "@" not in (admin_email or "") or "." not in domain:
        return None
    public, disposable = is_public_domain(domain), is_disposable(domain)
    near: list[NearDomain] = []
    if not public and not disposable and len(domain) >= MIN_LENGTH:
        extra = set()
        if organization_ids:
            extra = set(
                db.scalars(select(User.email_domain).where(User.organization_id.in_(organization_ids)).distinct())
            )
        close = sorted(
            other
            for other in _neighbours(domain, extra)
            if other != domain
            and not is_public_domain(other)
            and 0 < OSA.distance(domain, other, score_cutoff=NEAR_EDITS) <= NEAR_EDITS
        )
        if close:
            counts = dict(
                db.execute(
                    select(User.email_domain, func.count(func.distinct(User.organization_id)))
                    .where(User.email_domain.in_(close))
                    .group_by(User.email_domain)
                ).all()
            )
            near = [NearDomain(other, counts.get(other, 0)) for other in close]
    if not (public or disposable or near):
        return None
    return DomainNotes(domain, public, disposable, tuple(near))
