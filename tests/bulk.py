"""Bulk builders for benchmarks and scale tests: rows written with the driver directly, many
thousand at a time, bypassing the ORM (and so its flush hooks: what those hooks maintain is
written here too)."""

import random
from collections.abc import Iterator
from datetime import datetime

# --- Organization names at scale (bench/similar.py) -----------------------------------------------
#
# Names like the seed countries' companies: a distinctive word (from a pool of pseudo-words, so
# that a million names are not a million copies of twenty), often a common trade word or a city,
# and a legal form; one in eight in Cyrillic. Deterministic for a seed.

_CONSONANTS = "bcdfghjklmnprstvz"
_VOWELS = "aeiou"
_TRADES = (
    "Solutions Consulting Group Systems Services Transport Logistiek Logistik Bouw Bygg Gradnje Data Tech "
    "Medical Dental Foods Energie Energi Installatie Elektro Software Media Partners Holding Trade Invest "
    "Advocaten Bakkerij Pekarna Mlekarna Fastigheter Vårdcentral Avtoservis Telekom Connect Capital"
).split()
_CITIES = "Amsterdam Rotterdam Utrecht Stockholm Göteborg Malmö Ljubljana Maribor Celje Sofia Plovdiv Varna London Leeds".split()
_FORMS = {
    "NL": ("B.V.", "N.V.", "V.O.F."),
    "SE": ("AB", "HB"),
    "SI": ("d.o.o.", "s.p.", "d.d."),
    "BG": ("ООД", "ЕООД", "АД"),
    "GB": ("Ltd", "plc"),
}
_TO_CYRILLIC = str.maketrans("abcdefghijklmnoprstuvz", "абцдефгхийклмнопрстувз")


def pseudo_words(count: int, rng: random.Random) -> list[str]:
    words = set()
    while len(words) < count:
        syllables = rng.choice((2, 2, 3, 3, 4))
        words.add("".join(rng.choice(_CONSONANTS) + rng.choice(_VOWELS) for _ in range(syllables)).capitalize())
    return sorted(words)


def organization_names(count: int, seed: int = 12, vocabulary: int = 300_000) -> Iterator[tuple[str, str]]:
    """(name, country) pairs."""
    rng = random.Random(seed)
    words = pseudo_words(vocabulary, rng)
    countries = list(_FORMS)
    for _ in range(count):
        country = rng.choice(countries)
        parts = [rng.choice(words)]
        if rng.random() < 0.3:
            parts.append(rng.choice(words))
        if rng.random() < 0.6:
            parts.append(rng.choice(_TRADES))
        if rng.random() < 0.2:
            parts.append(rng.choice(_CITIES))
        if country == "BG" and rng.random() < 0.9:
            parts = [p.casefold().translate(_TO_CYRILLIC).capitalize() for p in parts]
        if rng.random() < 0.7:
            parts.append(rng.choice(_FORMS[country]))
        yield " ".join(parts), country


def organization_rows(first_id: int, names, created_at: datetime, keys: list | None = None):
    """Rows of organizations (customers) and of their name index, for ``names`` [(name, country)];
    ``keys`` collects each name's normalized form (similar_names.Name.key) when given."""
    from portal.domain.normalize import name_key, name_prefix
    from portal.domain.similar_names import blocking_keys, normalize

    orgs, tokens = [], []
    for offset, (name, country) in enumerate(names):
        org_id = first_id + offset
        normalized = normalize(name)
        orgs.append((org_id, name, name_key(name), name_prefix(name), country, created_at))
        tokens.extend((key, org_id) for key in sorted(blocking_keys(normalized)))
        if keys is not None:
            keys.append(normalized.key)
    return orgs, tokens


_ORG_COLUMNS = "id, name, name_normalized, name_prefix, country, created_at, kind, data_region, certified, setup_pending, free_consumer"


def insert_organizations(connection, orgs, tokens) -> None:
    """Write organization and name index rows on SQLite (executemany) or PostgreSQL (COPY)."""
    if connection.dialect.name == "postgresql":
        raw = connection.connection.driver_connection
        with raw.cursor() as cursor:
            with cursor.copy(f"COPY organizations ({_ORG_COLUMNS}) FROM STDIN") as copy:
                for row in orgs:
                    copy.write_row((*row, "customer", "EU", False, False, False))
            with cursor.copy("COPY organization_name_tokens (token, organization_id) FROM STDIN") as copy:
                for row in tokens:
                    copy.write_row(row)
        return
    connection.exec_driver_sql(
        f"INSERT INTO organizations ({_ORG_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, 'customer', 'EU', 0, 0, 0)",
        [(*row[:5], row[5].isoformat(sep=" ")) for row in orgs],
    )
    connection.exec_driver_sql("INSERT INTO organization_name_tokens (token, organization_id) VALUES (?, ?)", tokens)


def insert_domain_users(connection, first_id: int, organization_ids, created_at: datetime) -> None:
    """One user per organization, on the organization's own domain (org<id>.example)."""
    rows = [
        (first_id + n, f"it@org{org_id}.example", f"org{org_id}.example", org_id)
        for n, org_id in enumerate(organization_ids)
    ]
    if connection.dialect.name == "postgresql":
        raw = connection.connection.driver_connection
        with raw.cursor() as cursor:
            with cursor.copy(
                "COPY users (id, email, email_domain, organization_id, display_name, active, created_at) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row((*row, "", True, created_at))
        return
    connection.exec_driver_sql(
        "INSERT INTO users (id, email, email_domain, organization_id, display_name, active, created_at) VALUES (?, ?, ?, ?, '', 1, ?)",
        [(*row, created_at.isoformat(sep=" ")) for row in rows],
    )


def reset_sequences(connection) -> None:
    """After explicit ids on PostgreSQL, the next ORM insert continues after them."""
    if connection.dialect.name == "postgresql":
        for table in ("organizations", "users"):
            connection.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
