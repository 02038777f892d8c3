"""The provisioning model, one module per concern."""

from portal.infra.db import Base
from portal.models.audit import AuditEvent
from portal.models.demo import DemoClockOffset
from portal.models.mail import OutgoingEmail
from portal.models.orders import Order, OrderLine
from portal.models.organizations import Organization, OrganizationNameToken, PartnerCustomer
from portal.models.submissions import FormSubmission
from portal.models.subscriptions import Subscription, SubscriptionService
from portal.models.trials import ConsentRequest, DeviceShipment, Trial, TrialService
from portal.models.users import AdminRole, LoginSession, User

__all__ = [
    "Base",
    "Organization",
    "PartnerCustomer",
    "OrganizationNameToken",
    "User",
    "AdminRole",
    "LoginSession",
    "Order",
    "OrderLine",
    "Subscription",
    "SubscriptionService",
    "Trial",
    "TrialService",
    "DeviceShipment",
    "ConsentRequest",
    "OutgoingEmail",
    "AuditEvent",
    "FormSubmission",
    "DemoClockOffset",
]
