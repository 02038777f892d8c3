"""Form fields and validators whose every message is in our own catalog (rule L1).

WTForms' built-in messages come from its own catalogs, which lack Slovenian and are
incomplete for Bulgarian; these give whole, translated sentences instead.
"""

import secrets

from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, StopValidation

from portal.i18n.text_policy import TextRefused, clean, clean_url

REQUIRED = _l("This field is required.")
# Options named by CLDR (languages, countries, time zones) are data, not text to translate.
DATA = {"translate": "no"}


class _BabelTranslations:
    """WTForms' own messages from the page's catalogs (domain "wtforms"), through Flask-Babel.

    ``ungettext`` is called directly: Flask-Babel's ``ngettext`` would format the message with
    ``num`` only, and WTForms formats its messages itself.
    """

    def gettext(self, string):
        return get_translations().ugettext(string)

    def ngettext(self, singular, plural, n):
        return get_translations().ungettext(singular, plural, n)


class PortalForm(FlaskForm):
    """Every form of the portal: CSRF from Flask-WTF, messages in the page's language."""

    class Meta:
        def get_translations(self, form):
            return _BabelTranslations()


def required():
    return DataRequired(message=REQUIRED)


def input_required():
    return InputRequired(message=REQUIRED)


def email_address():
    return [
        DataRequired(message=REQUIRED),
        Email(message=_l("Enter a valid email address, such as name@example.com."), check_deliverability=False),
        Length(max=254, message=_l("An email address can have at most 254 characters.")),
    ]


def whole_number(minimum: int, maximum: int):
    return NumberRange(min=minimum, max=maximum, message=_l("Enter a whole number from %(min)s to %(max)s."))


def _parse_error_in_catalog(base, message):
    """``base`` with its "not a valid value" error replaced by ``message`` from our catalog."""

    class Field(base):
        def process_formdata(self, valuelist):
            try:
                super().process_formdata(valuelist)
            except ValueError:
                self.data = None
                raise ValueError(message) from None

    Field.__name__ = Field.__qualname__ = f"Local{base.__name__}"
    return Field


LocalDateField = _parse_error_in_catalog(DateField, _l("Enter a valid date."))
LocalIntegerField = _parse_error_in_catalog(IntegerField, _l("Enter a whole number."))


# --- The input policy (portal.i18n.text_policy) as fields: every free-text field is one of these.

REFUSED = {
    "line_break": _l("Enter this on one line, without line breaks."),
    "control": _l("Remove the control characters from this text: they cannot be typed on a keyboard."),
    "invisible": _l("Remove the invisible characters, such as text direction marks, from this text."),
    "url": _l("Enter a web address such as https://meet.example.com."),
}


class _TextPolicy:
    """Stores the text as the policy cleans it; a refused text fails validation with its reason
    (and keeps what was typed, so the form shows it back)."""

    multiline = False
    refused: str | None = None

    def clean(self, value: str) -> str:
        return clean(value, multiline=self.multiline)

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.refused = None
        if isinstance(self.data, str):
            try:
                self.data = self.clean(self.data)
            except TextRefused as refusal:
                self.refused = refusal.reason

    def pre_validate(self, form):
        if self.refused:
            raise StopValidation(str(REFUSED[self.refused]))
        super().pre_validate(form)


class TextLine(_TextPolicy, StringField):
    """One line of text: a name, a location."""


class TextBlock(_TextPolicy, TextAreaField):
    """Several lines (serial numbers, a note): line feeds are kept."""

    multiline = True


class EmailLine(_TextPolicy, EmailField):
    """An email address, cleaned like a line before it is checked."""


class WebAddress(_TextPolicy, StringField):
    """A web address (rule T4's meetings site URL)."""

    def clean(self, value: str) -> str:
        return clean_url(value)


class SubmissionKey(HiddenField):
    """The one-time key of a state-changing form (portal.domain.submissions): made when the form
    is shown, sent back with it."""

    def __init__(self, **kwargs):
        super().__init__(default=lambda: secrets.token_urlsafe(24), **kwargs)
