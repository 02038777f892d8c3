"""Data in bulk for the benchmarks (bench/) and the tests that check behaviour at scale.

Rows go in thousands at a time (SQLAlchemy Core, or straight through the driver: executemany on
SQLite, COPY on PostgreSQL), without the ORM's per-object work. The builders write every column
themselves (the models' Python-side defaults do not run), keep the stored forms the models keep
(``fold``-ed names, prefixes, emails and domains) and leave the id sequences past the rows they
wrote, so that the portal can go on inserting afterwards.
"""

import random
import time
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, insert

from portal.domain.normalize import fold, name_key, name_prefix
from portal.infra import clock
from portal.models import AdminRole, AuditEvent, Organization, PartnerCustomer, Trial, TrialService, User

# --- A partner's customers at scale (bench/customers_page.py, list tests) ---------------------

# Names that sort differently per language (rule L4): Swedish puts Å after Z, Slovenian Č after C,
# Bulgarian's Cyrillic comes last in the Latin languages and first in its own.
CUSTOMER_NAMES = ("Åkerlund", "Zeta", "Čebela", "Cirkus", "Балкан", "Alfa", "Northwind", "Helios")
BATCH = 5000


def add_customers(
    db,
    partner_id: int,
    user_id: int,
    count: int,
    *,
    start: int = 0,
    trial_statuses: tuple[str, ...] = (),
) -> None:
    """Customers number ``start`` .. ``start + count - 1`` of the partner (full admin access),
    named "<name> <number>", e.g. "Čebela 000002". With ``trial_statuses``, customer ``n`` has one
    trial with the partner, started by ``user_id``, in status ``trial_statuses[n % len(...)]``,
    ending in ``n % 90 + 1`` days (so 90 customers end on 90 different days)."""
    now, today = clock.now(), clock.today()
    for begin in range(start, start + count, BATCH):
        numbers = range(begin, min(begin + BATCH, start + count))
        names = [CUSTOMER_NAMES[n % len(CUSTOMER_NAMES)] for n in numbers]
        ids = [
            row.id
            for row in db.execute(
                insert(Organization).returning(Organization.id, sort_by_parameter_order=True),
                [
                    dict(
                        name=f"{name} {n:06d}",
                        name_normalized=name_key(f"{name} {n:06d}"),
                        name_prefix=name_prefix(name),
                        kind="customer",
                        country="NL",
                        data_region="EU",
                        created_at=now,
                        managing_partner_id=partner_id,
                        certified=False,
                        setup_pending=False,
                        free_consumer=False,
                    )
                    for n, name in zip(numbers, names, strict=True)
                ],
            )
        ]
        db.execute(
            insert(PartnerCustomer),
            [dict(partner_id=partner_id, customer_id=i, access_level="full_admin", created_at=now) for i in ids],
        )
        if trial_statuses:
            db.execute(
                insert(Trial),
                [
                    dict(
                        customer_id=i,
                        partner_id=partner_id,
                        started_by_id=user_id,
                        status=trial_statuses[n % len(trial_statuses)],
                        license_count=10,
                        starts_on=today,
                        ends_on=today + timedelta(days=n % 90 + 1),
                        created_at=now,
                        admin_email=f"admin@c{n}.example",
                        full_admin_access_requested=False,
                    )
                    for n, i in zip(numbers, ids, strict=True)
                ],
            )
        db.commit()


# --- Audit histories at scale (the People page's and an order's history tests) ----------------


def add_audit_events(db, actor, count: int, *, organization_id=None, order_id=None, start: int = 0) -> None:
    """``count`` audit events by ``actor`` (a user), numbered ``start`` .. in ``details["n"]``:
    people changes of the organization (alternately a role change and a user added) or, with
    ``order_id``, contact changes of the order. Event ``n`` happens ``n // 2`` minutes after the
    clock's now, so two events share each moment and only the id orders them."""
    now = clock.now()
    actions = ("contact_changed",) if order_id is not None else ("role_changed", "user_added")
    for begin in range(start, start + count, BATCH):
        db.execute(
            insert(AuditEvent),
            [
                dict(
                    at=now + timedelta(minutes=n // 2),
                    action=actions[n % len(actions)],
                    actor_id=actor.id,
                    organization_id=organization_id,
                    order_id=order_id,
                    details=(
                        dict(n=n, previous=f"it{n - 1}@bulk.example", contact=f"it{n}@bulk.example", language="en")
                        if order_id is not None
                        else dict(n=n, actor_name=actor.email, user=f"user{n}@bulk.example", role="read_only_admin")
                    ),
                )
                for n in range(begin, min(begin + BATCH, start + count))
            ],
        )
        db.commit()


# --- Organizations and users at scale (bench/matching.py, M2/M3 tests) ----------------------------

# Name stems that many organizations share, so that their first five characters (rule M2) do too.
POPULAR_STEMS = (
    "Acme",
    "Nordic",
    "Nordisk",
    "Балкан",
    "Zdravje",
    "Zdravstvo",
    "Contoso",
    "Helios",
    "Fabrikam",
    "Northwind",
    "Åkerlund",
    "Telekom",
    "Global",
    "Inter",
    "Euro",
    "Trans",
    "Digital",
    "Smart",
    "Софт",
    "България",
    "Svensk",
    "Holland",
    "Slovenija",
    "Techno",
)
SECOND_WORDS = ("Logistics", "Holding", "Group", "Trade", "Systems", "Медия", "Consult", "Bygg", "Storitve", "Services")
LEGAL_FORMS = ("B.V.", "AB", "d.o.o.", "ООД", "ЕООД", "Ltd", "N.V.", "s.p.", "АД", "GmbH", "")
SYLLABLES = tuple(
    "ka lo mi ra ve tu no si pe da go lu ze ba ri ko na te vi so ma li ne do ru ha je sa ti vo mo "
    "ар ко ли на ве".split()
)
# Public mail providers' domains, by how common they are among small organizations' users.
PUBLIC_DOMAINS = (
    ("gmail.com", 40),
    ("outlook.com", 12),
    ("hotmail.com", 10),
    ("yahoo.com", 8),
    ("abv.bg", 6),
    ("siol.net", 5),
    ("telia.com", 4),
    ("ziggo.nl", 4),
    ("gmx.net", 4),
    ("mail.bg", 3),
    ("icloud.com", 2),
    ("kpnmail.nl", 2),
)
GROUP_SIZE_FROM = 200  # organizations this large belong to a group sharing one large domain
GROUP_MEMBERS = 8  # organizations per group domain (all with the same name stem)
PUBLIC_ADMIN_SHARE = 0.05  # small organizations whose admin uses a public address
PUBLIC_USER_SHARE = 0.06  # other users on a public address
GROUP_USER_SHARE = 0.8  # users of a group member on the group's domain
SUBSCRIBED_SHARE = 0.35  # organizations with subscriptions (1-3, most of them active)


@dataclass
class OrganizationsShape:
    """What was built, for choosing realistic lookups: a sample of organizations (id, name, own
    domain), the group domains with their stem, and the public domains used."""

    organizations: int
    users: int
    sample: list[tuple[int, str, str]] = field(default_factory=list)
    groups: list[tuple[str, str]] = field(default_factory=list)  # (domain, stem)
    public_domains: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _sizes(rng: random.Random, organizations: int, users: int) -> array:
    """Users per organization: one at least (its full admin), the rest heavy-tailed (Pareto), so
    that most have a handful and a few have thousands."""
    sizes = array("i", [1]) * organizations
    extra = users - organizations
    if extra <= 0:
        return sizes
    weights = [rng.paretovariate(1.2) if rng.random() < 0.6 else 0.0 for _ in range(organizations)]
    scale = extra / sum(weights)
    given = 0
    for n, weight in enumerate(weights):
        k = min(int(weight * scale), 20000)
        sizes[n] += k
        given += k
    while given < extra:  # the remainder, spread one by one
        sizes[rng.randrange(organizations)] += 1
        given += 1
    return sizes


def _name(rng: random.Random) -> tuple[str, str | None]:
    """A company name and the popular stem it starts with (None for a name of its own)."""
    if rng.random() < 0.4:
        stem = rng.choice(POPULAR_STEMS)
        return f"{stem} {rng.choice(SECOND_WORDS)} {rng.choice(LEGAL_FORMS)}".strip(), stem
    word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()
    return f"{word} {rng.choice(SECOND_WORDS)} {rng.choice(LEGAL_FORMS)}".strip(), None


ORGANIZATION_COLUMNS = (
    "id, name, name_normalized, name_prefix, kind, partner_tier, certified, country, data_region, created_at, "
    "managing_partner_id, setup_pending, free_consumer, subdomain, account_rep_email, account_rep_language"
).split(", ")
USER_COLUMNS = (
    "id, email, email_domain, display_name, organization_id, language, page_language, time_zone, password_hash, "
    "active, created_at"
).split(", ")
ADMIN_COLUMNS = ["user_id", "organization_id", "role", "granted_at"]
SUBSCRIPTION_COLUMNS = ["id", "organization_id", "order_id", "offer", "status", "created_at", "billing_started_at"]
COUNTRIES = (("NL", "EU"), ("SE", "EU"), ("SI", "EU"), ("BG", "EU"), ("GB", "UK"), ("US", "US"))


def _rows(rng: random.Random, organizations: int, users: int, now: datetime, shape: OrganizationsShape, chunk: int):
    """Chunks of (organizations, users, admin roles, subscriptions) rows, ids from 1."""
    sizes = _sizes(rng, organizations, users)
    public, public_weights = zip(*PUBLIC_DOMAINS, strict=True)
    shape.public_domains = list(public)
    groups: dict[str, list] = {}  # stem -> [domain, members so far]
    user_id, subscription_id = 0, 0
    sample_every = max(1, organizations // 5000)
    for begin in range(0, organizations, chunk):
        orgs, people, admins, subscriptions = [], [], [], []
        for n in range(begin, min(begin + chunk, organizations)):
            org_id, size = n + 1, sizes[n]
            name, stem = _name(rng)
            country, region = COUNTRIES[n % len(COUNTRIES)]
            created = now - timedelta(days=rng.randrange(3650), seconds=n % 86400)
            partner = n % 100 == 0
            orgs.append(
                (org_id, name, fold(name), name_prefix(name), "partner" if partner else "customer", 1 if partner else None,
                 False, country, region, created, None, False, False, None, None, None)
            )  # fmt: skip
            own = f"o{org_id}.example"
            group = None
            if size >= GROUP_SIZE_FROM and stem:  # a large organization: its group shares a domain
                entry = groups.get(stem)
                if entry is None or entry[1] >= GROUP_MEMBERS:
                    entry = groups[stem] = [f"{fold(stem)}-group{org_id}.example", 0]
                    shape.groups.append((entry[0], stem))
                entry[1] += 1
                group = entry[0]
            if n % sample_every == 0:
                shape.sample.append((org_id, name, group or own))
            for k in range(size):
                user_id += 1
                draw = rng.random()
                if group and draw < GROUP_USER_SHARE:
                    domain = group
                elif draw < (PUBLIC_ADMIN_SHARE if k == 0 else PUBLIC_USER_SHARE):
                    domain = rng.choices(public, public_weights)[0]
                else:
                    domain = own
                people.append(
                    (user_id, f"u{user_id}@{domain}", domain, "", org_id, None, None, None, None, True, created)
                )
                if k == 0:
                    admins.append((user_id, org_id, "full_admin", created))
            if rng.random() < SUBSCRIBED_SHARE:
                for _ in range(rng.randint(1, 3)):
                    subscription_id += 1
                    status = "active" if rng.random() < 0.7 else rng.choice(("pending", "cancelled"))
                    subscriptions.append(
                        (
                            subscription_id,
                            org_id,
                            None,
                            "A-WX",
                            status,
                            created,
                            created if status == "active" else None,
                        )
                    )
        yield orgs, people, admins, subscriptions


TABLES = (
    ("organizations", ORGANIZATION_COLUMNS),
    ("users", USER_COLUMNS),
    ("admin_roles", ADMIN_COLUMNS),
    ("subscriptions", SUBSCRIPTION_COLUMNS),
)


def build_organizations(
    engine: Engine, organizations: int, users: int, *, now: datetime, seed: int = 11, chunk: int = 50_000
) -> OrganizationsShape:
    """``organizations`` organizations and ``users`` users (each organization's first user its full
    admin; a third of them with subscriptions) into an empty, migrated database, as fast as the
    database takes them: SQLite with journaling and syncing off in one transaction, PostgreSQL
    with COPY; then the planner's statistics are refreshed."""
    if users < organizations:
        raise ValueError("every organization needs a user (its full admin)")
    shape = OrganizationsShape(organizations, users)
    began = time.perf_counter()
    chunks = _rows(random.Random(seed), organizations, users, now, shape, chunk)
    if engine.dialect.name == "sqlite":
        _sqlite(engine, chunks)
    else:
        _postgres(engine, chunks)
    shape.seconds = time.perf_counter() - began
    return shape


def _sqlite(engine: Engine, chunks: Iterator) -> None:
    raw = engine.raw_connection()
    try:
        connection = raw.driver_connection
        connection.isolation_level = None
        connection.execute("PRAGMA journal_mode=OFF")
        connection.execute("PRAGMA synchronous=OFF")
        connection.execute("PRAGMA cache_size=-1000000")
        connection.execute("BEGIN")
        for rows in chunks:
            for (table, columns), table_rows in zip(TABLES, rows, strict=True):
                marks = ", ".join("?" * len(columns))
                connection.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", table_rows)
        connection.execute("COMMIT")
        connection.execute("ANALYZE")
        connection.execute("PRAGMA journal_mode=DELETE")
        connection.execute("PRAGMA synchronous=FULL")
    finally:
        raw.close()


def _postgres(engine: Engine, chunks: Iterator) -> None:
    raw = engine.raw_connection()
    try:
        connection = raw.driver_connection
        with connection.cursor() as cursor:
            for rows in chunks:
                for (table, columns), table_rows in zip(TABLES, rows, strict=True):
                    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                        for row in table_rows:
                            copy.write_row(row)
            for table in ("organizations", "users", "subscriptions"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))"
                )
        connection.commit()
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE organizations, users, admin_roles, subscriptions")
        connection.autocommit = False
    finally:
        raw.close()


# --- Due trials at scale (bench/tick.py) --------------------------------------------------------

CHUNK = 5000


def _organization(name: str, **values) -> dict:
    row = dict(
        name=name,
        name_normalized=name_key(name),
        name_prefix=name_prefix(name),
        country="NL",
        data_region="EU",
        certified=False,
        setup_pending=False,
        free_consumer=False,
    )
    return {**row, **values}


def _user(email: str, organization_id: int, now: datetime) -> dict:
    return dict(
        email=email,
        email_domain=email.rsplit("@", 1)[1],
        display_name="",
        organization_id=organization_id,
        language="en",
        active=True,
        created_at=now,
    )


def _ids(connection, table, rows: list[dict]) -> list[int]:
    return [row.id for row in connection.execute(insert(table).returning(table.id, sort_by_parameter_order=True), rows)]


def due_trials(engine, count: int, *, ends_on: date, now: datetime) -> int:
    """``count`` active trials of one certified partner that all end on ``ends_on``: on that day
    `flask portal tick` expires each (rule T16) and queues one email, to the customer's one full
    admin (the partner's user who started them holds no admin role, so it gets none). Returns the
    partner's id."""
    with engine.begin() as connection:
        (partner_id,) = _ids(
            connection,
            Organization,
            [_organization("Tick Bench Partner B.V.", kind="partner", partner_tier=1, certified=True, created_at=now)],
        )
        (starter,) = _ids(connection, User, [_user("sales@tick-bench.example", partner_id, now)])
    for begin in range(0, count, CHUNK):
        numbers = range(begin, min(begin + CHUNK, count))
        with engine.begin() as connection:
            customers = _ids(
                connection,
                Organization,
                [
                    _organization(
                        f"Tick Customer {n:06d}", kind="customer", created_at=now, managing_partner_id=partner_id
                    )
                    for n in numbers
                ],
            )
            admins = _ids(
                connection,
                User,
                [_user(f"admin@c{n:06d}.tick.example", c, now) for n, c in zip(numbers, customers, strict=True)],
            )
            connection.execute(
                insert(AdminRole),
                [
                    dict(user_id=u, organization_id=c, role="full_admin", granted_at=now)
                    for u, c in zip(admins, customers, strict=True)
                ],
            )
            connection.execute(
                insert(PartnerCustomer),
                [
                    dict(partner_id=partner_id, customer_id=c, access_level="full_admin", created_at=now)
                    for c in customers
                ],
            )
            trials = _ids(
                connection,
                Trial,
                [
                    dict(
                        customer_id=c,
                        partner_id=partner_id,
                        started_by_id=starter,
                        status="active",
                        license_count=10,
                        starts_on=ends_on,
                        ends_on=ends_on,
                        created_at=now,
                        admin_email=f"admin@c{n:06d}.tick.example",
                        full_admin_access_requested=False,
                    )
                    for n, c in zip(numbers, customers, strict=True)
                ],
            )
            connection.execute(
                insert(TrialService),
                [
                    dict(trial_id=t, service="messaging", open_customer_id=c)
                    for t, c in zip(trials, customers, strict=True)
                ],
            )
    return partner_id


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
