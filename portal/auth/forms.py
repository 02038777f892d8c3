from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, SelectField
from wtforms.validators import DataRequired, Email, Length

from portal.fields import DATA, PortalForm


class SignInForm(PortalForm):
    email = EmailField(_l("Email address"), validators=[DataRequired(), Email()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


class PreferencesForm(PortalForm):
    language = SelectField(_l("Language for pages and emails"), validators=[DataRequired(), Length(max=5)], render_kw=DATA)
    time_zone = SelectField(_l("Time zone for dates and times"), validators=[DataRequired()], render_kw=DATA)
