"""Data in bulk for the benchmarks (bench/) and the tests that check behaviour at scale: rows
inserted with SQLAlchemy Core, thousands at a time, without the ORM's per-object work. Each
builder runs inside an application context and commits what it adds."""

from datetime import timedelta

from sqlalchemy import insert

from portal.domain.normalize import name_key, name_prefix
from portal.infra import clock
from portal.models import AuditEvent, Organization, PartnerCustomer, Trial

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
