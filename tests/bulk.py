"""Rows in bulk, for benchmarks and scale tests: Core inserts in chunks, no ORM objects.

Each builder writes the same rows the portal's own code would (normalized names and emails, the
composite keys the constraints want), only many at once.
"""

from datetime import date, datetime

from sqlalchemy import insert

from portal.domain.normalize import name_key, name_prefix
from portal.models import AdminRole, Organization, PartnerCustomer, Trial, TrialService, User

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


# --- Due trials at scale (bench/tick.py) --------------------------------------------------------


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
