"""What time does to trials (run by `flask portal tick`): rules T9, T16, T17, T18.

Every step claims its rows with a conditional update and every email has a unique key, so two
runs at once change nothing twice and send nothing twice. Most steps take one trial per
transaction; the expiry day, which a whole cohort of trials reaches at once, claims them in
batches (``BATCH``) that schedulers running side by side share out on PostgreSQL (``SKIP LOCKED``).
"""

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal.audit import record
from portal.infra import clock
from portal.infra.db import db
from portal.mail.outbox import compose, queue, queued_keys
from portal.models import AdminRole, ConsentRequest, Organization, Subscription, Trial, User
from portal.trials import links
from portal.trials.lifecycle import (
    PARTNER_NOTIFIED_ROLES,
    customer_admins,
    partner_admins,
    release_services,
    remove_from_list,
)
from portal.trials.vocabulary import CONSENT_DAYS, GRACE_DAYS, NUMBERS_KEPT_DAYS, WARNING_DAYS

BATCH = 200  # trials claimed (and their effects committed) per transaction on the expiry day


def _ids(*where):
    ids = db.scalars(select(Trial.id).where(*where).order_by(Trial.id)).all()
    db.commit()
    return ids


def _claim(trial_id: int, *conditions, **values) -> bool:
    return db.execute(update(Trial).where(Trial.id == trial_id, *conditions).values(**values)).rowcount == 1


def consent_timeouts() -> int:
    """rule T9: no answer in 30 days cancels the trial and removes the customer from the list."""
    now, done = clock.now(), 0
    for trial_id in _ids(Trial.status == "pending_consent", Trial.created_at <= now - timedelta(days=CONSENT_DAYS)):
        if _claim(trial_id, Trial.status == "pending_consent", status="cancelled", cancelled_at=now):
            release_services(trial_id)
            trial = db.get(Trial, trial_id)
            request = db.scalar(select(ConsentRequest).where(ConsentRequest.trial_id == trial_id))
            if request is not None:
                request.answer, request.answered_at = "timed_out", now
            remove_from_list(trial)
            record("consent_timed_out", organization_id=trial.partner_id, trial=trial_id)
            done += 1
        db.commit()
    return done


def _claim_batch(*conditions, **values) -> list[int]:
    """Set ``values`` on up to ``BATCH`` trials that meet ``conditions``, in this transaction; their
    ids. On PostgreSQL rows that another run has claimed and not yet committed are skipped
    (``FOR UPDATE SKIP LOCKED``), so two schedulers work on different trials instead of one
    waiting for the other; on SQLite one writer at a time holds the database anyway."""
    pick = select(Trial.id).where(*conditions).order_by(Trial.id).limit(BATCH)
    if db.get_bind().dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    claimed = db.scalars(
        update(Trial).where(Trial.id.in_(pick.scalar_subquery()), *conditions).values(**values).returning(Trial.id)
    )
    return sorted(claimed)


def _notices(trial: Trial, kind: str, key: str, admins: list[User] | None = None) -> list[dict]:
    """rule T16: the emails to every customer admin and the partner's admins, each in their own
    language, as ``queue``'s arguments (``admins`` when the caller has loaded them already)."""
    customer = db.get(Organization, trial.customer_id)
    partner = db.get(Organization, trial.partner_id)
    services = [s.service for s in trial.services]
    if admins is None:
        admins = customer_admins(customer) + partner_admins(trial.partner_id)
    return [
        dict(
            kind=kind,
            to=admin.email,
            language=admin.mail_language,
            dedupe_key=f"trial:{trial.id}:{key}:{admin.id}",
            customer_name=customer.name,
            partner_name=partner.name,
            services=services,
            ends_on=trial.ends_on,
            for_partner=admin.organization_id == partner.id,
            # rule T16's link to purchase: the trial with "I'm interested in purchasing" (after
            # sign-in), or for the partner the customer's page
            link=(
                links.customer_page(trial, admin.mail_language)
                if admin.organization_id == partner.id
                else links.organization_page(admin.mail_language)
            ),
        )
        for admin in admins
    ]


def _notify(trial: Trial, kind: str, key: str) -> int:
    return sum(queue(**notice) is not None for notice in _notices(trial, kind, key))


def expiry_warnings() -> int:
    """rule T16: seven days before expiry."""
    today, sent = clock.today(), 0
    for trial_id in _ids(
        Trial.status == "active", Trial.ends_on <= today + timedelta(days=WARNING_DAYS), Trial.ends_on > today
    ):
        trial = db.get(Trial, trial_id)
        sent += _notify(trial, "trial_expiring", f"expiring:{trial.ends_on.isoformat()}")
        db.commit()
    return sent


def expirations() -> int:
    """rule T16: on the expiry day the trial expires and the admins are told; licenses show Expired.

    Trials are claimed ``BATCH`` at a time; the claim, the emails and the audit entries of a
    batch commit together, so a trial is expired, announced and recorded once or not at all.
    A batch that fails is done again one trial per transaction: one trial's trouble (its error
    is raised, as the other steps raise theirs) never holds back the rest."""
    today, now, done = clock.today(), clock.now(), 0
    due = (Trial.status == "active", Trial.ends_on <= today)
    while ids := _claim_batch(*due, status="expired"):
        try:
            _expired(ids, now)
            db.commit()
            done += len(ids)
        except Exception:  # noqa: BLE001 - the batch is undone and done again, one by one
            db.rollback()
            for trial_id in ids:
                if _claim(trial_id, *due, status="expired"):
                    _expired([trial_id], now, one_by_one=True)
                    done += 1
                db.commit()
    return done


def _expired(ids: list[int], now, *, one_by_one: bool = False) -> None:
    """The emails and audit entries of claimed trials, loaded in a few queries for the batch;
    ``one_by_one`` queues each email as ``queue`` does (in a savepoint, a duplicate skipped)."""
    trials = db.scalars(select(Trial).where(Trial.id.in_(ids)).options(selectinload(Trial.services))).all()
    organizations = {t.customer_id for t in trials} | {t.partner_id for t in trials}
    # Held until the batch is done, so that db.get finds them in the session (which keeps only
    # weak references) instead of asking the database again.
    loaded = db.scalars(select(Organization).where(Organization.id.in_(organizations))).all()
    admins = _admins_by_organization(organizations)
    notices = []
    for trial in sorted(trials, key=lambda t: t.id):
        recipients = admins.get((trial.customer_id, "customer"), []) + admins.get((trial.partner_id, "partner"), [])
        notices += _notices(trial, "trial_expired", f"expired:{trial.ends_on.isoformat()}", recipients)
        record("trial_expired", organization_id=trial.partner_id, trial=trial.id, at=now.isoformat())
    if one_by_one:
        for notice in notices:
            queue(**notice)
    else:
        # The batch's emails and audit entries are written together at the commit. A key already
        # queued is skipped; one queued meanwhile by another transaction fails the commit on the
        # unique key, and the batch is done again one trial at a time.
        known = queued_keys(notice["dedupe_key"] for notice in notices)
        db.add_all([compose(**notice) for notice in notices if notice["dedupe_key"] not in known])
    del loaded


def _admins_by_organization(organization_ids) -> dict[tuple[int, str], list[User]]:
    """What ``customer_admins`` (every admin) and ``partner_admins`` (those who sell) return, for
    many organizations in one query: keyed by (organization id, "customer" or "partner")."""
    rows = db.execute(
        select(User, AdminRole.role)
        .join(AdminRole, AdminRole.user_id == User.id)
        .where(AdminRole.organization_id.in_(organization_ids))
        .order_by(User.id)
    ).all()
    found: dict[tuple[int, str], list[User]] = {}
    for user, role in rows:
        found.setdefault((user.organization_id, "customer"), []).append(user)
        if role in PARTNER_NOTIFIED_ROLES:
            found.setdefault((user.organization_id, "partner"), []).append(user)
    return found


def grace_period_ends() -> int:
    """rules T16, T17, T18: 30 days after expiry, without conversion, users are told they have no
    access and move to the free consumer organization, irreversibly; calling stops."""
    today, now, done = clock.today(), clock.now(), 0
    for trial_id in _ids(Trial.status == "expired", Trial.ends_on <= today - timedelta(days=GRACE_DAYS)):
        if not _claim(trial_id, Trial.status == "expired", status="ended", ended_at=now):
            db.commit()
            continue
        release_services(trial_id)
        trial = db.get(Trial, trial_id)
        customer = db.get(Organization, trial.customer_id)
        if customer.kind == "customer" and not _keeps_paid_service(customer):
            users = db.scalars(select(User).where(User.organization_id == customer.id)).all()
            for user in users:  # rule T16: the users' email, 30 days after expiry
                queue(
                    "trial_access_ended",
                    to=user.email,
                    language=user.mail_language,
                    dedupe_key=f"trial:{trial.id}:access-ended:{user.id}",
                    customer_name=customer.name,
                    expired_on=trial.ends_on,
                )
            consumer = free_consumer_organization()
            roles = db.scalars(select(AdminRole).where(AdminRole.organization_id == customer.id)).all()
            lost = {
                "licenses": trial.license_count,
                "meetings_site_url": trial.meetings_site_url,
                "admin_roles": [(r.user_id, r.role) for r in roles],
                "calling": any(s.service == "calling" for s in trial.services),
                "users": len(users),
            }
            for role in roles:  # rule T17: admin roles cannot be restored
                db.delete(role)
            db.flush()
            for user in users:
                user.organization_id = consumer.id
            record(
                "trial_grace_ended", organization_id=trial.partner_id, trial=trial_id, lost=lost, moved_to=consumer.id
            )
        else:
            record("trial_grace_ended", organization_id=trial.partner_id, trial=trial_id, lost={}, moved_to=None)
        done += 1
        db.commit()
    return done


def _keeps_paid_service(customer: Organization) -> bool:
    return (
        db.scalar(
            select(Subscription.id).where(Subscription.organization_id == customer.id, Subscription.status == "active")
        )
        is not None
    )


def numbers_released() -> int:
    """rule T18: phone numbers are kept 15 days after calling stops, then released."""
    now, done = clock.now(), 0
    for trial_id in _ids(
        Trial.status == "ended",
        Trial.numbers_released_at.is_(None),
        Trial.ended_at <= now - timedelta(days=NUMBERS_KEPT_DAYS),
    ):
        trial = db.get(Trial, trial_id)
        if any(s.service == "calling" for s in trial.services) and _claim(
            trial_id, Trial.numbers_released_at.is_(None), numbers_released_at=now
        ):
            record("trial_numbers_released", organization_id=trial.partner_id, trial=trial_id)
            done += 1
        db.commit()
    return done


def free_consumer_organization() -> Organization:
    """The one free consumer organization (a unique index keeps it one), created when first needed."""
    query = select(Organization).where(Organization.free_consumer.is_(True))
    org = db.scalar(query)
    if org is None:
        try:
            with db.begin_nested():
                org = Organization(
                    name="Free consumer organization",
                    kind="customer",
                    country="US",
                    data_region="US",
                    created_at=clock.now(),
                    free_consumer=True,
                )
                db.add(org)
        except IntegrityError:  # another scheduler created it a moment ago
            org = db.scalar(query)
    return org


def run() -> dict:
    return {
        "consent_timeouts": consent_timeouts(),
        "expiry_warnings": expiry_warnings(),
        "expirations": expirations(),
        "grace_ended": grace_period_ends(),
        "numbers_released": numbers_released(),
    }
