"""What time does to trials (run by `flask portal tick`): rules T9, T16, T17, T18.

Every step claims its rows with a conditional update, one trial per transaction, and every email
has a unique key, so two runs at once change nothing twice and send nothing twice.
"""

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from portal.audit import record
from portal.infra import clock
from portal.infra.db import db
from portal.mail.outbox import queue
from portal.models import AdminRole, ConsentRequest, Organization, Subscription, Trial, User
from portal.trials import links
from portal.trials.lifecycle import customer_admins, partner_admins, release_services, remove_from_list
from portal.trials.vocabulary import CONSENT_DAYS, GRACE_DAYS, NUMBERS_KEPT_DAYS, WARNING_DAYS


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


def _notify(trial: Trial, kind: str, key: str) -> int:
    """rule T16: every customer admin and the partner's admins, each in their own language."""
    customer = db.get(Organization, trial.customer_id)
    partner = db.get(Organization, trial.partner_id)
    services = [s.service for s in trial.services]
    sent = 0
    for admin in customer_admins(customer) + partner_admins(trial.partner_id):
        for_partner, language = admin.organization_id == partner.id, admin.mail_language
        sent += (
            queue(
                kind,
                to=admin.email,
                language=language,
                dedupe_key=f"trial:{trial.id}:{key}:{admin.id}",
                customer_name=customer.name,
                partner_name=partner.name,
                services=services,
                ends_on=trial.ends_on,
                for_partner=for_partner,
                # rule T16's link to purchase: the trial with "I'm interested in purchasing"
                # (after sign-in), or for the partner the customer's page
                link=links.customer_page(trial, language) if for_partner else links.organization_page(language),
            )
            is not None
        )
    return sent


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
    """rule T16: on the expiry day the trial expires and the admins are told; licenses show Expired."""
    today, now, done = clock.today(), clock.now(), 0
    for trial_id in _ids(Trial.status == "active", Trial.ends_on <= today):
        if _claim(trial_id, Trial.status == "active", Trial.ends_on <= today, status="expired"):
            trial = db.get(Trial, trial_id)
            _notify(trial, "trial_expired", f"expired:{trial.ends_on.isoformat()}")
            record("trial_expired", organization_id=trial.partner_id, trial=trial_id, at=now.isoformat())
            done += 1
        db.commit()
    return done


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
