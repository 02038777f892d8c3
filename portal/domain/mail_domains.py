"""What an email address's domain says about the organization behind it.

Rule M2 narrows candidates to organizations with users on the admin email's domain. On a public
mail provider's domain (gmail.com, abv.bg, siol.net, ...) that tells nothing: anyone can have such
an address, so a match on it is no evidence, and the pages say so. The list is a data file,
``portal/data/public_mail_domains.txt``, that an operator can extend.
"""

from functools import cache
from pathlib import Path

from portal.domain.normalize import email_domain

PUBLIC_DOMAINS_FILE = Path(__file__).resolve().parents[1] / "data" / "public_mail_domains.txt"


@cache
def public_domains() -> frozenset[str]:
    lines = PUBLIC_DOMAINS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().casefold() for line in lines if line.strip() and not line.startswith("#"))


def is_public_domain(domain: str) -> bool:
    """True for a public mail provider's domain, or a subdomain of one (mail.yahoo.com)."""
    domain = (domain or "").strip().casefold().rstrip(".")
    known = public_domains()
    parts = domain.split(".")
    return any(".".join(parts[i:]) in known for i in range(len(parts) - 1))


def is_public_address(email: str) -> bool:
    return is_public_domain(email_domain(email))
