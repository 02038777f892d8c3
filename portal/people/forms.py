"""Forms of the People page; every message from our catalogs."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import Length, Optional

from portal.i18n.fields import DATA, EmailLine, PortalForm, SubmissionKey, TextLine, email_address


class AddUserForm(PortalForm):
    submission_key = SubmissionKey()
    email = EmailLine(_l("Email address"), validators=email_address())
    display_name = TextLine(_l("Name"), validators=[Optional(), Length(max=200)])
    language = SelectField(
        _l("Language for pages and emails"),
        validators=[Optional()],
        render_kw=DATA,
        description=_l(
            "Without a choice, the invitation is in the language of this page, and the user's first sign-in decides."
        ),
    )
    role = SelectField(_l("Admin role"), validators=[Optional()])


class RoleForm(PortalForm):
    role = SelectField(_l("Admin role"), validators=[Optional()])


class RemoveForm(PortalForm):
    """Only the CSRF token: removing asks for a confirmation first."""
