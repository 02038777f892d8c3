"""The duplicate guard's lookup (issue 12): existing organizations whose name is close to the one
typed, with why, in four queries whatever the number of organizations.

1. Blocking, served by the database: the typed name's keys (similar_names.blocking_keys) are
   looked up in ``organization_name_tokens``, at most PER_KEY rows a key (a common word such as
   "solutions" cannot flood the set), and the organizations sharing the most keys are kept
   (CANDIDATES). Organizations with users on the admin email's domain join them (M2's index,
   users (email_domain, organization_id)), unless it is a public mail provider's domain.
2. Re-ranking in Python: rapidfuzz compares the bounded set (similar_names.compare, judge).

Rules M1-M4 are not changed by any of this; the suggestions are shown beside M2's list.
"""

from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz
from sqlalchemy import func, select, text, union_all

from portal.domain import email_checks, matching
from portal.domain.email_checks import DomainNotes
from portal.domain.mail_domains import is_public_domain
from portal.domain.normalize import email_domain
from portal.domain.similar_names import MAX_SUGGESTIONS, Name, Reason, blocking_keys, compare, judge, normalize
from portal.infra.db import db
from portal.models import Organization, OrganizationNameToken, User

PER_KEY = 100  # rows read for one key at most
CANDIDATES = 40  # organizations re-ranked at most (the best-weighted)
DOMAIN_CANDIDATES = 50  # organizations with users on the admin email's domain, at most
SCREEN = 70  # rapidfuzz token-set ratio below which a name is not compared at all


@dataclass(frozen=True)
class Suggestion:
    organization: Organization
    score: int
    strong: bool  # creating a new organization beside it asks for a confirmation
    reasons: tuple[Reason, ...]
    # It has users on the admin email's (non-public) domain: the evidence rule M2 asks for. Only
    # such a suggestion shows its M3 facts and may be chosen; one found by its name alone shows
    # its name and why it matched, so that guessing a company's name reveals nothing more.
    same_domain: bool = False


@lru_cache(maxsize=50_000)
def _normalized(name: str) -> Name:
    return normalize(name)


@lru_cache(maxsize=64)
def _blocking_sql(keys: int):
    """The blocking query for this many keys, as SQL text built once. Every key's rows (at most
    PER_KEY) weigh 1 / how many rows the key has, so a rare key (a distinctive word's start, two
    words together) outweighs a common one ("solu", "ions"), whose capped list is an arbitrary
    sample; the organizations with the most weight first, CANDIDATES of them."""
    parts = " UNION ALL ".join(
        f"SELECT organization_id, 1.0 / count(*) OVER () AS weight FROM (SELECT organization_id"
        f" FROM organization_name_tokens WHERE token = :k{i} LIMIT {PER_KEY}) AS k{i}"
        for i in range(keys)
    )
    return text(
        f"SELECT organization_id FROM ({parts}) AS hits GROUP BY organization_id"
        f" ORDER BY sum(weight) DESC, organization_id LIMIT {CANDIDATES}"
    )


def blocked_ids(name: Name, within=None) -> list[int]:
    """Step 1: the organizations sharing the most blocking keys with the name (one query);
    ``within``: a select of the organization ids to look among (a partner's customers)."""
    keys = sorted(blocking_keys(name))
    if not keys:
        return []
    if within is None:
        return list(db.scalars(_blocking_sql(len(keys)), {f"k{i}": key for i, key in enumerate(keys)}))
    table = OrganizationNameToken.__table__
    parts = [
        select(table.c.organization_id)
        .where(table.c.token == key, table.c.organization_id.in_(within))
        .limit(PER_KEY)
        .subquery(f"k{i}")
        for i, key in enumerate(keys)
    ]
    hits = union_all(*(select(part.c.organization_id) for part in parts)).subquery("hits")
    query = (
        select(hits.c.organization_id)
        .group_by(hits.c.organization_id)
        .order_by(func.count().desc(), hits.c.organization_id)
        .limit(CANDIDATES)
    )
    return list(db.scalars(query))


def domain_ids(domain: str) -> set[int]:
    """Organizations with users on this domain (none for a public mail provider's)."""
    if not domain or is_public_domain(domain):
        return set()
    query = select(User.organization_id).where(User.email_domain == domain).distinct().limit(DOMAIN_CANDIDATES)
    return set(db.scalars(query))


def suggestions(
    company: str,
    admin_email: str = "",
    country: str = "",
    *,
    exclude: frozenset[int] | set[int] = frozenset(),
    limit: int = MAX_SUGGESTIONS,
    within=None,
) -> list[Suggestion]:
    """Possible duplicates of a new organization called ``company``, best first; ``within``
    (a select of organization ids) narrows them, as the customer search does."""
    typed = normalize(company or "")
    if not typed.tokens:
        return []
    by_email = admin_email and "@" in admin_email and within is None  # within: never beyond it
    on_domain = domain_ids(email_domain(admin_email)) if by_email else set()
    ids = (set(blocked_ids(typed, within)) | on_domain) - set(exclude)
    if not ids:
        return []
    # Step 2: re-rank. Names and countries only; a C-speed token-set screen first, then the
    # guard's own comparison on what passes; ORM rows for the few suggestions alone.
    rows = db.execute(
        select(Organization.id, Organization.name, Organization.country).where(
            Organization.id.in_(ids), Organization.setup_pending.is_(False), Organization.free_consumer.is_(False)
        )
    ).all()
    screen = typed.key
    scored = []
    for org_id, name, org_country in rows:
        existing = _normalized(name)
        if org_id not in on_domain and fuzz.token_set_ratio(screen, existing.key) < SCREEN:
            continue
        verdict = judge(
            compare(typed, existing),
            same_domain=org_id in on_domain,
            same_country=bool(country) and org_country == country,
        )
        if verdict is not None:
            scored.append((verdict, name, org_id))
    scored.sort(key=lambda item: (-item[0].score, not item[0].strong, item[1], item[2]))
    scored = scored[:limit]
    if not scored:
        return []
    loaded = {
        org.id: org for org in db.scalars(select(Organization).where(Organization.id.in_([i for *_, i in scored])))
    }
    return [
        Suggestion(loaded[org_id], v.score, v.strong, v.reasons, same_domain=org_id in on_domain)
        for v, _, org_id in scored
    ]


@dataclass
class Guard:
    """What a page shows for a new organization's name and admin email: the suggestions with
    their M3 facts, and the notes on the email's domain."""

    suggestions: list[Suggestion]
    facts: dict[int, matching.Facts]
    notes: DomainNotes | None

    @property
    def organizations(self) -> dict[int, Organization]:
        return {s.organization.id: s.organization for s in self.suggestions}

    @property
    def choosable(self) -> dict[int, Organization]:
        """The suggestions that may be chosen: those with users on the admin email's domain."""
        return {s.organization.id: s.organization for s in self.suggestions if s.same_domain}

    @property
    def strong(self) -> list[Suggestion]:
        return [s for s in self.suggestions if s.strong]

    def declined(self) -> list[dict]:
        """What the audit records when a new organization is created beside strong suggestions."""
        return [{"id": s.organization.id, "name": s.organization.name, "score": s.score} for s in self.strong]


def guard(company: str, admin_email: str = "", country: str = "", *, exclude=frozenset()) -> Guard:
    found = suggestions(company, admin_email, country, exclude=exclude)
    notes = email_checks.notes(admin_email, organization_ids={s.organization.id for s in found})
    evidenced = [s.organization for s in found if s.same_domain]
    facts = {f.organization.id: f for f in matching.facts_for(evidenced)} if evidenced else {}
    return Guard(found, facts, notes)
