"""Forms of the trial pages; every message from our catalogs."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SelectField, SelectMultipleField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from portal.domain.email_checks import disposable_refusal
from portal.domain.matching import user_organization
from portal.i18n.fields import (
    DATA,
    REQUIRED,
    EmailLine,
    LocalIntegerField,
    PortalForm,
    SubmissionKey,
    TextBlock,
    TextLine,
    WebAddress,
    email_address,
    input_required,
    required,
)


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class StartTrialForm(PortalForm):
    """Rules T2-T8."""

    submission_key = SubmissionKey()
    company = TextLine(_l("Company name"), validators=[required(), Length(max=200)])
    admin_email = EmailLine(_l("Customer admin email"), validators=email_address())
    industry = SelectField(
        _l("Industry vertical"),
        validators=[DataRequired(message=REQUIRED)],
        description=_l("If the exact vertical is not listed, choose the nearest one."),
    )
    country = SelectField(
        _l("Country"),
        validators=[DataRequired(message=REQUIRED)],
        render_kw=DATA,
        description=_l(
            "Decides the data residency region. With several locations, choose the one with the most users."
        ),
    )
    supported_location = BooleanField(_l("The customer is in a supported location"))
    services = CheckboxesField(_l("Trial services"))
    license_count = LocalIntegerField(
        _l("Number of licenses"),
        validators=[
            input_required(),
            NumberRange(min=1, max=10_000, message=_l("Enter a whole number from %(min)s to %(max)s.")),
        ],
        description=_l("Applies to every service except devices."),
    )
    duration = SelectField(_l("Trial duration"), coerce=int, validators=[DataRequired(message=REQUIRED)])
    site = WebAddress(_l("Meetings site URL"), validators=[Optional(), Length(max=200)])
    time_zone = SelectField(_l("Time zone"), validators=[Optional()], render_kw=DATA)
    phones = LocalIntegerField(
        _l("Phones to ship"),
        default=0,
        validators=[
            Optional(),
            NumberRange(min=0, max=50, message=_l("Enter a whole number from %(min)s to %(max)s.")),
        ],
    )
    desk_devices = LocalIntegerField(
        _l("Desk devices to ship"),
        default=0,
        validators=[
            Optional(),
            NumberRange(min=0, max=50, message=_l("Enter a whole number from %(min)s to %(max)s.")),
        ],
    )
    boards = LocalIntegerField(
        _l("Board licenses"),
        default=0,
        validators=[Optional(), NumberRange(min=0, max=5, message=_l("Enter a whole number from %(min)s to %(max)s."))],
        description=_l("Board trials are license-only: no hardware is shipped."),
    )
    full_admin_access = BooleanField(_l("Ask for full admin access (provision, manage users and licenses)"))
    confirm_existing = BooleanField(_l("Yes, start the trial for this existing organization"))
    # issue 12: required by the server beside a strong possible duplicate of a new customer
    confirm_new_customer = BooleanField(_l("I checked the possible duplicates: this is a new customer"))

    def validate_admin_email(self, field):
        """issue 12: a new organization's admin needs a lasting address, not a disposable one
        (an existing user's address stands: the trial is then for their organization)."""
        refusal = disposable_refusal(field.data or "")
        if refusal is not None and user_organization(field.data) is None:
            raise ValidationError(str(refusal))


class ExtendForm(PortalForm):
    days = SelectField(
        _l("New trial length, counted from today"), coerce=int, validators=[DataRequired(message=REQUIRED)]
    )


class EditTrialForm(PortalForm):
    services = CheckboxesField(_l("Trial services"))
    license_count = LocalIntegerField(
        _l("Number of licenses"),
        validators=[
            input_required(),
            NumberRange(min=1, max=10_000, message=_l("Enter a whole number from %(min)s to %(max)s.")),
        ],
    )


class ConvertForm(PortalForm):
    admin_email = EmailLine(
        _l("The trial's admin email"),
        validators=email_address(),
        description=_l(
            "Enter it exactly: a different email does not convert the trial and can create a new organization."
        ),
    )
    offer = SelectField(
        _l("Offer"),
        validators=[DataRequired(message=REQUIRED)],
        description=_l("Include every trial service in the paid order, or those services are lost."),
    )
    contact = SelectField(
        _l("Provisioning contact"),
        validators=[DataRequired(message=REQUIRED)],
        render_kw=DATA,
        description=_l("We recommend that you are the provisioning contact yourself."),
    )
    submission_key = HiddenField(validators=[DataRequired(message=REQUIRED)])


class SerialsForm(PortalForm):
    serials = TextBlock(_l("Serial numbers, one per line"), validators=[required(), Length(max=5000)])


class ConfirmForm(PortalForm):
    nonce = HiddenField()
