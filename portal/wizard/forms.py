"""One form per wizard step; every message comes from our catalog (rule L1)."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, RadioField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from portal.auth.forms import PasswordForm  # noqa: F401  (rule W8: the one password rule)
from portal.domain.email_checks import disposable_refusal
from portal.domain.matching import user_organization
from portal.i18n.fields import DATA, REQUIRED, EmailLine, PortalForm, TextLine, email_address, required

CHOOSE_ONE = _l("Choose one of the options.")


def options(*pairs):
    """Static choices with translated labels (WTForms 3.3 wants SelectChoice, not tuples)."""
    return [SelectChoice(value, label) for value, label in pairs]


class RoleForm(PortalForm):
    """W1."""

    role = RadioField(
        _l("Your role"),
        choices=options(("partner", _l("I am a partner")), ("customer", _l("I am a customer"))),
        validators=[DataRequired(message=CHOOSE_ONE)],
    )


class WhoForm(PortalForm):
    """W2."""

    who = RadioField(
        _l("Who sets up the services?"),
        choices=options(
            ("self", _l("Yes, I will set up")),
            ("other", _l("Another person in my company will set up")),
            ("customer", _l("The customer will set up")),
        ),
        validators=[DataRequired(message=CHOOSE_ONE)],
    )
    email = EmailLine(
        _l("Their email address"), description=_l("They receive the “Set up now” link and finish the set-up.")
    )
    language = SelectField(_l("Language of the email"), render_kw=DATA)

    def validate_email(self, field):
        if self.who.data in ("other", "customer"):
            for validator in email_address():
                validator(self, field)


class PartnerReviewForm(PortalForm):
    """W3, existing partner organization: confirm it, or say it is not yours."""

    answer = RadioField(
        _l("Is this your partner organization?"),
        choices=options(
            ("yes", _l("Yes, this is my organization")),
            ("unknown", _l("I don't recognise this organization")),
        ),
        validators=[DataRequired(message=CHOOSE_ONE)],
    )


def refuse_disposable(_form, field):
    """issue 12: a disposable address is refused for a new admin (an existing user's stands)."""
    refusal = disposable_refusal(field.data or "")
    if refusal is not None and user_organization(field.data) is None:
        raise ValidationError(str(refusal))


class PartnerCreateForm(PortalForm):
    """W3, first order: the partner organization to create."""

    company = TextLine(_l("Partner company name"), validators=[required(), Length(max=200)])
    admin_email = EmailLine(
        _l("Partner admin email"),
        validators=[*email_address(), refuse_disposable],
        description=_l("This person becomes the full admin of your partner organization."),
    )


class AdminForm(PortalForm):
    """W4."""

    admin_email = EmailLine(
        _l("Customer admin email"),
        validators=[*email_address(), refuse_disposable],
        description=_l("A user can belong to only one organization at a time."),
    )


class CompanyForm(PortalForm):
    """W5."""

    company = TextLine(_l("Company name"), validators=[required(), Length(max=200)])
    country = SelectField(
        _l("Country of operation"),
        validators=[DataRequired(message=REQUIRED)],
        description=_l("The country decides the data residency region of a new organization."),
        render_kw=DATA,
    )


class OrganizationForm(PortalForm):
    """W6: an existing organization (by id) or a new one."""

    organization = RadioField(_l("Organization"), validators=[DataRequired(message=CHOOSE_ONE)], coerce=str)
    # issue 12: required by the server for "new" beside a strong possible duplicate
    confirm_new = BooleanField(_l("I checked the possible duplicates: this is a different organization"))


class MatchReviewForm(PortalForm):
    """W6 after M1: the organization found by the admin email."""

    answer = RadioField(
        _l("Is this the right organization?"),
        choices=options(
            ("yes", _l("Yes, continue with this organization")),
            ("unknown", _l("I don't recognise this organization")),
        ),
        validators=[DataRequired(message=CHOOSE_ONE)],
    )


class ConfirmForm(PortalForm):
    """W7: the confirmation posts nothing but its CSRF token."""


class CallingForm(PortalForm):
    location = TextLine(_l("Main location name"), validators=[required(), Length(max=100)])
    country = SelectField(_l("Country for phone numbers"), validators=[DataRequired(message=REQUIRED)], render_kw=DATA)


class MeetingsForm(PortalForm):
    site = TextLine(
        _l("Meetings site name"),
        validators=[required(), Length(max=30)],
        description=_l("Your meetings site address will be https://NAME.meetings.example."),
    )
    time_zone = SelectField(_l("Time zone"), validators=[DataRequired(message=REQUIRED)], render_kw=DATA)


class EnterpriseForm(PortalForm):
    subdomain = TextLine(
        _l("Subdomain"),
        validators=[required(), Length(max=63)],
        description=_l("Lowercase letters, digits and hyphens; it must be unique."),
    )


class ProvisionForm(PortalForm):
    """W9's last step posts nothing but its CSRF token."""


class AskToBeAddedForm(PortalForm):
    """M4: ask the chosen organization's full admin to add the admin email as an admin."""

    organization = HiddenField(validators=[DataRequired()])
