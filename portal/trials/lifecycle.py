"""Enterprise trials, rules T1-T15 and T19, as plain functions working in the caller's
transaction (views and the scheduler commit). Time-driven rules are in portal.trials.schedule."""

from datetime import date, timedelta

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from portal.audit import record
from portal.auth import invitations
from portal.domain import matching, permissions
from portal.domain.normalize import email_key
from portal.domain.residency import region_for
from portal.domain.rule_errors import RuleError
from portal.i18n import page_language
from portal.infra import clock
from portal.infra.db import db
from portal.mail.outbox import queue
from portal.models import (
    AdminRole,
    ConsentRequest,
    DeviceShipment,
    Order,
    OrderLine,
    Organization,
    PartnerCustomer,
    Subscription,
    Trial,
    TrialService,
    User,
)
from portal.trials import links
from portal.trials.vocabulary import (
    CONSENT_DAYS,
    DURATIONS,
    MAX_BOARD_LICENSES,
    MAX_DEVICE_DAYS,
    MAX_LICENSES,
    RETURN_WITHIN_DAYS,
    TRIAL_SERVICES,
)

ACCESS_RANK = {"none": 0, "provisioning_admin": 1, "full_admin": 2}
RUNNING = ("pending_consent", "awaiting_provisioning", "active")
OPEN = ("pending_consent", "awaiting_provisioning", "active", "expired")


class TrialRuleError(RuleError):
    """A trial rule (T1-T19) refused the change."""


# --- who may, and what can be offered ---------------------------------------------------------


def _require(actor, action: str, trial: Trial) -> None:
    """The partner's role, ownership and access level allow this action on the trial (W2, T8)."""
    if permissions.may_act(actor, action, customer_id=trial.customer_id, trial=trial):
        return
    own = trial.partner_id == getattr(actor, "organization_id", None) and permissions.may_start_trials(actor)
    level = permissions.access_level(trial.partner_id, trial.customer_id) if own else None
    if level == "provisioning_admin":
        raise TrialRuleError(
            _l(
                "Your organization has provisioning access to this customer only: it can provision "
                "the trial services and nothing else. The customer's full admin can grant full admin access."
            )
        )
    if own:
        raise TrialRuleError(
            _l("The customer sets up and manages its own organization: your organization has no access to manage it.")
        )
    raise TrialRuleError(_l("You cannot change this trial."))


def purchased_services(org: Organization) -> set[str]:
    from portal.models import SubscriptionService

    return set(
        db.scalars(
            select(SubscriptionService.service)
            .join(Subscription)
            .where(Subscription.organization_id == org.id, Subscription.status == "active")
        )
    )


def trialled_services(org: Organization) -> set[str]:
    """Services an open trial holds for the customer, whichever partner runs it."""
    return set(
        db.scalars(select(TrialService.service).join(Trial).where(Trial.customer_id == org.id, Trial.status.in_(OPEN)))
    )


def available_services(org: Organization) -> list[str]:
    """rules T7, T10: services the customer has not bought and no partner trials for it yet (one
    open trial per customer and service: another partner's, or the same partner's a second time)."""
    taken = purchased_services(org) | trialled_services(org)
    return [service for service in TRIAL_SERVICES if service not in taken]


def open_services(customer_id: int, services) -> list[TrialService]:
    """A trial's services, held for the customer while the trial is open (rule T7's invariant)."""
    return [TrialService(service=service, open_customer_id=customer_id) for service in services]


def release_services(trial_id: int) -> None:
    """The trial has closed (cancelled, converted, ended): its services can be trialled again."""
    db.execute(update(TrialService).where(TrialService.trial_id == trial_id).values(open_customer_id=None))


def _hold_services() -> None:
    """Flush the trial's services; a trial of one of them opened at the same moment (another tab,
    another partner) is refused here by the database's one-open-trial invariant."""
    try:
        with db.begin_nested():
            db.flush()
    except IntegrityError:
        raise TrialRuleError(
            _l("A trial of one of these services has just been started for this customer. Reload the page."),
            "services",
        ) from None


def relationship(partner_id: int, customer_id: int) -> PartnerCustomer | None:
    return db.scalar(
        select(PartnerCustomer).where(
            PartnerCustomer.partner_id == partner_id, PartnerCustomer.customer_id == customer_id
        )
    )


def full_admins(org: Organization) -> list[User]:
    return list(
        db.scalars(
            select(User)
            .join(AdminRole, AdminRole.user_id == User.id)
            .where(AdminRole.organization_id == org.id, AdminRole.role == "full_admin")
            .order_by(User.id)
        )
    )


def customer_admins(org: Organization) -> list[User]:
    return list(
        db.scalars(
            select(User)
            .join(AdminRole, AdminRole.user_id == User.id)
            .where(AdminRole.organization_id == org.id)
            .order_by(User.id)
        )
    )


# rule T16: the partner's admins who hear about its trials (those who sell), not its read-only ones.
PARTNER_NOTIFIED_ROLES = ("full_admin", "sales_full_admin", "sales_admin")


def partner_admins(partner_id: int) -> list[User]:
    return list(
        db.scalars(
            select(User)
            .join(AdminRole, AdminRole.user_id == User.id)
            .where(
                AdminRole.organization_id == partner_id,
                AdminRole.role.in_(PARTNER_NOTIFIED_ROLES),
            )
            .order_by(User.id)
        )
    )


# --- starting (T1-T8, T10) ------------------------------------------------------------------


def _check_choices(services, license_count, duration_days, site, time_zone, devices, available):
    if not services:
        raise TrialRuleError(_l("Choose at least one service."), "services")
    if not set(services) <= set(available):
        raise TrialRuleError(
            _l("The customer has already bought, or another partner already trials, one of these services."), "services"
        )
    if not 1 <= license_count <= MAX_LICENSES:
        raise TrialRuleError(
            _l("Enter a whole number from %(min)s to %(max)s.", min=1, max=MAX_LICENSES), "license_count"
        )
    if duration_days not in DURATIONS:
        raise TrialRuleError(_l("Choose one of the trial durations."), "duration")
    if "enterprise_meetings" in services and not (site and time_zone):  # rule T4
        raise TrialRuleError(_l("An Enterprise Edition meetings site needs a site URL and a time zone."), "site")
    if devices and "devices" not in services:
        raise TrialRuleError(_l("Choose the devices service to ship devices."), "devices")
    if devices.get("board", 0) > MAX_BOARD_LICENSES:  # rule T5
        raise TrialRuleError(_l("A trial can have at most %(max)s board licenses.", max=MAX_BOARD_LICENSES), "board")


def start_trial(
    *,
    partner,
    actor,
    company: str,
    admin_email: str,
    industry: str,
    country: str,
    services: list[str],
    license_count: int,
    duration_days: int,
    site: str | None = None,
    time_zone: str | None = None,
    devices: dict | None = None,
    supported_location: bool,
    full_admin_access: bool = False,
    language: str = "en",
    existing_confirmed: bool = False,
) -> Trial:
    """rules T1-T8, T10: a trial for a new customer, an existing one (consent), or a paying customer.
    ``existing_confirmed``: the partner confirmed that the trial is for the organization the admin
    email already belongs to (T7)."""
    if not permissions.may_start_trials(actor):
        raise TrialRuleError(
            _l("Only a certified partner's full admin, sales full admin or sales admin can start trials.")
        )
    devices = {kind: count for kind, count in (devices or {}).items() if count}
    now, today = clock.now(), clock.today()
    existing = matching.user_organization(admin_email)  # rule T7 (W4: at most one)
    if existing is not None and (existing.kind != "customer" or existing.free_consumer):
        raise TrialRuleError(
            _l("This email address belongs to a partner organization; trials are for customers."), "admin_email"
        )
    if existing is not None and not existing_confirmed:  # rule T7
        raise TrialRuleError(
            _l("This email belongs to an existing organization. Confirm that the trial is for it."), "confirm_existing"
        )
    if existing is None:
        if not supported_location:  # rule T2
            raise TrialRuleError(_l("Confirm that the customer is in a supported location."), "supported_location")
        if region_for(country) is None:
            raise TrialRuleError(
                _l(
                    "The service is not available in this country or region, so no organization can be created for it. Contact your account representative."
                ),
                "country",
            )
    available = available_services(existing) if existing is not None else list(TRIAL_SERVICES)
    _check_choices(services, license_count, duration_days, site, time_zone, devices, available)

    if existing is None:  # rule T2: a new customer organization with its admin
        customer = Organization(
            name=company.strip(),
            kind="customer",
            country=country,
            data_region=region_for(country),
            created_at=now,
            managing_partner_id=partner.id,
        )
        db.add(customer)
        db.flush()
        admin = User(
            email=admin_email, organization_id=customer.id, language=None, page_language=language, created_at=now
        )  # rule L3: no preference until the admin chooses one
        db.add(admin)
        db.flush()
        db.add(AdminRole(user_id=admin.id, organization_id=customer.id, role="full_admin", granted_at=now))
        db.add(
            PartnerCustomer(partner_id=partner.id, customer_id=customer.id, access_level="full_admin", created_at=now)
        )
        status = "awaiting_provisioning"
    else:
        customer = existing
        # rules T10, T7, W2: without consent only where the partner has full admin access; a
        # customer that sets up itself (access "none") or granted provisioning only is asked.
        without_consent = permissions.has_access(partner.id, customer.id, "start_trial_without_consent")
        status = "active" if without_consent else "pending_consent"

    starts = today
    trial = Trial(
        customer_id=customer.id,
        partner_id=partner.id,
        started_by_id=actor.id,
        status=status,
        license_count=license_count,
        starts_on=starts,
        ends_on=starts + timedelta(days=duration_days),
        admin_email=email_key(admin_email),
        industry=industry,
        meetings_site_url=site or None,
        meetings_time_zone=time_zone or None,
        full_admin_access_requested=full_admin_access,
        created_at=now,
    )
    if "devices" in services:
        trial.devices_end_on = min(trial.ends_on, starts + timedelta(days=MAX_DEVICE_DAYS))
    trial.services = open_services(customer.id, services)
    db.add(trial)
    _hold_services()
    for kind, count in devices.items():  # rule T5: one shipment per device type, boards license-only
        db.add(
            DeviceShipment(
                trial_id=trial.id, device_type=kind, quantity=count, shipped_at=None if kind == "board" else now
            )
        )
    record(
        "trial_started",
        actor=actor,
        organization_id=partner.id,
        trial=trial.id,
        customer=customer.name,
        status=status,
        services=services,
    )
    if status == "pending_consent":
        db.add(ConsentRequest(trial_id=trial.id, requested_at=now, last_sent_at=now))
        send_consent(trial, reason="start")
    elif status == "active":  # rule T10: every customer admin hears that the trial started
        trial.provisioned_at = now
        for admin in customer_admins(customer):
            queue(
                "trial_started",
                to=admin.email,
                language=admin.mail_language,
                dedupe_key=f"trial:{trial.id}:started:{admin.id}",
                partner_name=partner.name,
                customer_name=customer.name,
                services=services,
                ends_on=trial.ends_on,
                link=links.organization_page(admin.mail_language),
            )
    return trial


# --- consent (T8, T9) -----------------------------------------------------------------------


def consent_recipients(trial: Trial) -> list[tuple[str, str]]:
    """rule T8: the admin email if it is a full admin's; else that email and every full admin."""
    customer = db.get(Organization, trial.customer_id)
    admins = full_admins(customer)
    emails = {admin.email: admin.mail_language for admin in admins}
    if trial.admin_email in emails:
        return [(trial.admin_email, emails[trial.admin_email])]
    user = db.scalar(select(User).where(User.email == trial.admin_email))
    return [(trial.admin_email, user.mail_language if user else (page_language() or "en"))] + sorted(emails.items())


def send_consent(trial: Trial, *, reason: str) -> int:
    partner = db.get(Organization, trial.partner_id)
    customer = db.get(Organization, trial.customer_id)
    sent = 0
    for email, language in consent_recipients(trial):
        sent += (
            queue(
                "trial_consent",
                to=email,
                language=language,
                dedupe_key=f"trial:{trial.id}:consent:{reason}:{email}",
                partner_name=partner.name,
                customer_name=customer.name,
                services=[s.service for s in trial.services],
                deadline=trial.created_at.date() + timedelta(days=CONSENT_DAYS),
                full_admin_access=trial.full_admin_access_requested,
                link=links.organization_page(language),  # rule T8: a full admin answers there
            )
            is not None
        )
    return sent


def resend_consent(trial: Trial, *, actor, nonce: str) -> int:
    if trial.status != "pending_consent":
        raise TrialRuleError(_l("The customer has already answered this trial request."))
    sent = send_consent(trial, reason=f"resend-{nonce}")
    if sent:  # the same form sent twice (one nonce) resends once
        request = db.scalar(select(ConsentRequest).where(ConsentRequest.trial_id == trial.id))
        request.last_sent_at = clock.now()
        record("consent_resent", actor=actor, organization_id=trial.partner_id, trial=trial.id)
    return sent


def locked(trial: Trial) -> Trial:
    """The trial's row locked until the transaction ends, and read again: a request that waited
    for another one's transition sees the status it committed (PostgreSQL's READ COMMITTED; on
    SQLite a writing request holds the database's write lock from its start)."""
    query = select(Trial).where(Trial.id == trial.id).with_for_update()
    return db.scalar(query.execution_options(populate_existing=True))


def answer_consent(trial: Trial, *, user, accept: bool) -> None:
    """rules T8, T9: a full admin of the customer accepts (awaiting provisioning) or declines."""
    if user.organization_id != trial.customer_id or user.role != "full_admin":
        raise TrialRuleError(_l("Only a full admin of the organization can answer a trial request."))
    trial = locked(trial)  # two tabs (or two instances) answering at once: one answer
    if trial.status != "pending_consent":
        raise TrialRuleError(_l("This trial request has already been answered."))
    now = clock.now()
    request = db.scalar(select(ConsentRequest).where(ConsentRequest.trial_id == trial.id))
    request.answer, request.answered_at, request.answered_by_id = ("accepted" if accept else "declined"), now, user.id
    if accept:
        trial.status = "awaiting_provisioning"
        access = "full_admin" if trial.full_admin_access_requested else "provisioning_admin"
        link = relationship(trial.partner_id, trial.customer_id)
        if link is None:
            db.add(
                PartnerCustomer(
                    partner_id=trial.partner_id, customer_id=trial.customer_id, access_level=access, created_at=now
                )
            )
        elif ACCESS_RANK[access] > ACCESS_RANK[link.access_level]:  # consent raises access, never lowers it
            link.access_level = access
    else:
        trial.status, trial.cancelled_at = "cancelled", now
        release_services(trial.id)
    record("consent_answered", actor=user, organization_id=trial.partner_id, trial=trial.id, answer=request.answer)


# --- provisioning, changes, cancellation (T6, T11, T12, T15) --------------------------------


def provision(trial: Trial, *, actor) -> None:
    """rule T6: the first-time set-up is done; the customer admin gets the welcome email."""
    _require(actor, "provision_trial", trial)
    if trial.status != "awaiting_provisioning":
        raise TrialRuleError(_l("This trial is not waiting for provisioning."))
    trial.status, trial.provisioned_at = "active", clock.now()
    customer = db.get(Organization, trial.customer_id)
    for admin in full_admins(customer):
        # The welcome email carries the invitation of an admin who has no password yet.
        queue(
            "trial_welcome",
            to=admin.email,
            language=admin.mail_language,
            dedupe_key=f"trial:{trial.id}:welcome:{admin.id}",
            password_link=invitations.password_link(admin),
            link=links.organization_page(admin.mail_language),
            customer_name=customer.name,
            services=[s.service for s in trial.services],
            ends_on=trial.ends_on,
        )
    record("trial_provisioned", actor=actor, organization_id=trial.partner_id, trial=trial.id)


def extension_end(days: int) -> date:
    """rule T11: the new end is counted from today, not added to the days left."""
    return clock.today() + timedelta(days=days)


def extend(trial: Trial, *, days: int, actor) -> date:
    _require(actor, "extend_trial", trial)
    if trial.status not in ("awaiting_provisioning", "active", "expired"):
        raise TrialRuleError(_l("Only a running trial can be extended."))
    if days not in DURATIONS:
        raise TrialRuleError(_l("Choose one of the trial durations."), "days")
    new_end = extension_end(days)
    if new_end < trial.ends_on:
        raise TrialRuleError(
            _l(
                "The new end date would be earlier than the current one (%(date)s).",
                date=format_date(trial.ends_on, "long"),
            ),
            "days",
        )
    if new_end == trial.ends_on and trial.status != "expired":
        return new_end  # already extended to this date (the same form sent twice): nothing changes
    previous = trial.ends_on
    trial.ends_on = new_end
    if trial.status == "expired":
        trial.status = "active"
    record(
        "trial_extended",
        actor=actor,
        organization_id=trial.partner_id,
        trial=trial.id,
        previous=previous.isoformat(),
        ends_on=new_end.isoformat(),
    )
    return new_end


def change(trial: Trial, *, services: list[str], license_count: int, actor) -> None:
    """rules T3, T12: services added or removed, and the license count, by editing the trial."""
    _require(actor, "change_trial", trial)
    if trial.status not in RUNNING:
        raise TrialRuleError(_l("Only a running trial can be changed."))
    customer = db.get(Organization, trial.customer_id)
    current = {s.service for s in trial.services}
    available = set(available_services(customer)) | current
    if not services:
        raise TrialRuleError(_l("Choose at least one service."), "services")
    if not set(services) <= available:
        raise TrialRuleError(
            _l("The customer has already bought, or another partner already trials, one of these services."), "services"
        )
    if not 1 <= license_count <= MAX_LICENSES:
        raise TrialRuleError(
            _l("Enter a whole number from %(min)s to %(max)s.", min=1, max=MAX_LICENSES), "license_count"
        )
    trial.services = [s for s in trial.services if s.service in services] + open_services(
        trial.customer_id, [service for service in services if service not in current]
    )
    trial.license_count = license_count
    _hold_services()
    record(
        "trial_changed",
        actor=actor,
        organization_id=trial.partner_id,
        trial=trial.id,
        services=services,
        license_count=license_count,
    )


def cancel(trial: Trial, *, actor) -> None:
    """rules T9, T15: the partner (with confirmation) or a customer admin cancels the trial; a
    customer the partner knew only from this trial leaves its list."""
    if getattr(actor, "organization_id", None) != trial.customer_id:
        _require(actor, "cancel_trial", trial)
    elif actor.role != "full_admin":  # a read-only admin only reads
        raise TrialRuleError(_l("Only a full admin of the organization can cancel the trial."))
    if trial.status not in RUNNING + ("expired",):
        raise TrialRuleError(_l("This trial has already ended."))
    pending = trial.status == "pending_consent"
    trial.status, trial.cancelled_at = "cancelled", clock.now()
    release_services(trial.id)
    if pending:
        remove_from_list(trial)
    record("trial_cancelled", actor=actor, organization_id=trial.partner_id, trial=trial.id)


def remove_from_list(trial: Trial) -> None:
    """rule T9: the customer leaves the partner's list unless something else ties them."""
    others = db.scalar(
        select(Trial.id).where(
            Trial.partner_id == trial.partner_id,
            Trial.customer_id == trial.customer_id,
            Trial.id != trial.id,
            Trial.status.in_(OPEN),
        )
    )
    orders = db.scalar(
        select(Order.id).where(Order.partner_id == trial.partner_id, Order.mapped_organization_id == trial.customer_id)
    )
    if others is None and orders is None:
        db.execute(
            delete(PartnerCustomer).where(
                PartnerCustomer.partner_id == trial.partner_id,
                PartnerCustomer.customer_id == trial.customer_id,
                PartnerCustomer.created_at >= trial.created_at,
            )
        )


# --- purchase (T13, T14) --------------------------------------------------------------------


def interested(trial: Trial, *, user) -> int:
    """rule T13: "I'm interested in purchasing" emails the partner's admins."""
    if user.organization_id != trial.customer_id:
        raise TrialRuleError(_l("Only the customer's admins can ask to purchase."))
    customer = db.get(Organization, trial.customer_id)
    record("purchase_interest", actor=user, organization_id=trial.partner_id, trial=trial.id)
    return sum(
        queue(
            "trial_interested",
            to=admin.email,
            language=admin.mail_language,
            dedupe_key=f"trial:{trial.id}:interested:{clock.today().isoformat()}:{admin.id}",
            customer_name=customer.name,
            customer_admin=user.email,
            link=links.customer_page(trial, admin.mail_language),  # where the partner converts it
        )
        is not None
        for admin in partner_admins(trial.partner_id)
    )


def convert(
    trial: Trial, *, actor, admin_email: str, offer: str, contact: str, language: str, submission_key: str
) -> Order:
    """rules T13, T14: a tier-1 partner converts the trial into a paid order for the trial's own
    organization; the trial's admin email must be entered exactly; usage data is kept."""
    from portal.domain.catalog import OFFERS

    _require(actor, "convert_trial", trial)
    partner = db.get(Organization, trial.partner_id)
    if partner.partner_tier != 1:
        raise TrialRuleError(_l("Tier 2 partners convert trials through their distributor. Contact your distributor."))
    if trial.status not in ("active", "expired"):
        raise TrialRuleError(_l("Only an active trial, or one in its grace period, can be converted."))
    if email_key(admin_email) != trial.admin_email:
        raise TrialRuleError(
            _l(
                "Enter the trial's admin email exactly. A different email does not convert the trial and can create a new organization."
            ),
            "admin_email",
        )
    if offer not in OFFERS:
        raise TrialRuleError(_l("Choose one of the offers in the list."), "offer")
    now = clock.now()
    order = Order(
        partner_id=partner.id,
        placed_by_id=actor.id,
        offer=offer,
        requested_start=clock.today(),
        provisioning_contact=email_key(contact),
        setup_language=language,
        status="mapped",
        submission_key=submission_key,
        link_version=1,
        created_at=now,
        mapped_at=now,
        mapped_organization_id=trial.customer_id,
    )
    order.lines = [
        OrderLine(service=service, quantity=trial.license_count, status="awaiting_provisioning")
        for service in OFFERS[offer]
    ]
    db.add(order)
    db.flush()
    db.add(
        Subscription(
            organization_id=trial.customer_id, order_id=order.id, offer=offer, status="pending", created_at=now
        )
    )
    trial.status, trial.converted_at = "converted", now
    release_services(trial.id)
    lost = sorted({s.service for s in trial.services} - set(OFFERS[offer]) - {"devices"})
    record(
        "trial_converted",
        actor=actor,
        organization_id=partner.id,
        order_id=order.id,
        trial=trial.id,
        offer=offer,
        lost_services=lost,
        customer=db.get(Organization, trial.customer_id).name,
    )
    # rule T14: the provisioning contact gets the set-up email at once; the order is already
    # mapped to the trial's organization, so its link leads to the service set-up.
    from portal.orders.rules import queue_setup_email

    order.setup_email_sent_at = now
    queue_setup_email(order, reason="conversion", actor=actor)
    return order


# --- devices (T19) --------------------------------------------------------------------------


def return_due(trial: Trial) -> date | None:
    """rule T19: devices go back within two weeks of the device expiry date."""
    end = trial.devices_end_on or trial.ends_on
    return end + timedelta(days=RETURN_WITHIN_DAYS)


def record_serials(shipment: DeviceShipment, serials: list[str], *, actor) -> None:
    """rule T19: the serial numbers of the devices shipped, recorded once. A return is matched
    against them, so they cannot be changed afterwards (re-declaring them after a partial return
    would mark as returned a device that never came back); the same list again changes nothing."""
    _require(actor, "record_devices", db.get(Trial, shipment.trial_id))
    if shipment.device_type == "board":
        raise TrialRuleError(_l("Board trials are license-only; nothing is shipped."))
    if shipment.serials:
        if sorted(serials) == sorted(shipment.serials.split()):
            return
        raise TrialRuleError(
            _l("The serial numbers of this shipment are already recorded and cannot be changed."), "serials"
        )
    if len(serials) != shipment.quantity or len(set(serials)) != len(serials):
        raise TrialRuleError(
            _l("Enter one distinct serial number for each device shipped (%(count)s).", count=shipment.quantity),
            "serials",
        )
    shipment.serials = "\n".join(serials)


def record_return(shipment: DeviceShipment, serials: list[str], *, actor) -> tuple[list[str], list[str]]:
    """rule T19: the returned serial numbers must match those shipped; (unknown, still missing)."""
    _require(actor, "record_devices", db.get(Trial, shipment.trial_id))
    shipped = set((shipment.serials or "").split())
    returned = set(serials)
    unknown = sorted(returned - shipped)
    if unknown:
        raise TrialRuleError(
            _l("These serial numbers were not shipped with this trial: %(serials)s.", serials=", ".join(unknown)),
            "serials",
        )
    if not shipped:
        raise TrialRuleError(_l("Record the serial numbers shipped before recording a return."), "serials")
    already = set((shipment.returned_serials or "").split())
    shipment.returned_serials = "\n".join(sorted(already | returned))
    missing = sorted(shipped - already - returned)
    if not missing and shipment.returned_at is None:
        shipment.returned_at = clock.now()
    return unknown, missing
