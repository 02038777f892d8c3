"""Form fields and validators whose every message is in our own catalog (rule L1).

WTForms' built-in messages come from its own catalogs, which lack Slovenian and are
incomplete for Bulgarian; these give whole, translated sentences instead.
"""
from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange

REQUIRED = _l("This field is required.")


def required():
    return DataRequired(message=REQUIRED)


def input_required():
    return InputRequired(message=REQUIRED)


def email_address():
    return [DataRequired(message=REQUIRED),
            Email(message=_l("Enter a valid email address, such as name@example.com."),
                  check_deliverability=False),
            Length(max=254, message=_l("An email address can have at most 254 characters."))]


def whole_number(minimum: int, maximum: int):
    return NumberRange(min=minimum, max=maximum,
                       message=_l("Enter a whole number from %(min)s to %(max)s."))


class LocalDateField(DateField):
    """An HTML date input whose parse error is translated."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter a valid date.")) from None


class LocalIntegerField(IntegerField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter a whole number.")) from None


