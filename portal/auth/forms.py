from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, PasswordField, SelectField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from portal.i18n.fields import DATA, EmailLine, PortalForm, required


class SignInForm(PortalForm):
    email = EmailLine(_l("Email address"), validators=[DataRequired(), Email()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


class PreferencesForm(PortalForm):
    language = SelectField(
        _l("Language for pages and emails"), validators=[DataRequired(), Length(max=5)], render_kw=DATA
    )
    time_zone = SelectField(_l("Time zone for dates and times"), validators=[DataRequired()], render_kw=DATA)


class PasswordForm(PortalForm):
    """Rule W8, for every password the portal accepts: at least 12 characters, letters and
    digits, and not the email address."""

    password = PasswordField(
        _l("New password"),
        validators=[required(), Length(min=12, max=128, message=_l("Use at least 12 characters."))],
        description=_l("At least 12 characters, with letters and digits, and not your email address."),
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[required(), EqualTo("password", message=_l("The two passwords are not the same."))],
    )

    def __init__(self, *args, email: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def validate_password(self, field):
        value = field.data or ""
        if not any(ch.isalpha() for ch in value) or not any(ch.isdigit() for ch in value):
            raise ValidationError(_l("Use both letters and digits."))
        local = self.email.partition("@")[0].lower()
        if local and len(local) >= 3 and local in value.lower():
            raise ValidationError(_l("The password must not contain your email address."))


class ChangePasswordForm(PasswordForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])


class ForgotPasswordForm(PortalForm):
    email = EmailLine(_l("Email address"), validators=[DataRequired(), Email()])


class RenewLinkForm(PortalForm):
    """Asks for a new link in place of an expired one; the old token says for whom."""

    token = HiddenField(validators=[DataRequired()])
