from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SelectField
from wtforms.validators import DataRequired, Length

from portal.i18n.fields import (
    DATA,
    REQUIRED,
    EmailLine,
    LocalDateField,
    LocalIntegerField,
    PortalForm,
    email_address,
    input_required,
    whole_number,
)
from portal.orders.rules import MAX_LICENSES


class OrderForm(PortalForm):
    offer = SelectField(_l("Offer"), validators=[DataRequired(message=REQUIRED)])
    licenses = LocalIntegerField(_l("Number of licenses"), validators=[input_required(), whole_number(1, MAX_LICENSES)])
    requested_start = LocalDateField(_l("Requested start date"), validators=[input_required()])
    provisioning_contact = EmailLine(
        _l("Provisioning contact email"),
        validators=email_address(),
        description=_l("The person who provides the set-up details. An alias is allowed; you can change it later."),
    )
    setup_language = SelectField(
        _l("Language of the set-up email"), validators=[DataRequired(message=REQUIRED)], render_kw=DATA
    )
    submission_key = HiddenField(validators=[DataRequired(message=REQUIRED), Length(min=16, max=64)])


class ContactForm(PortalForm):
    provisioning_contact = EmailLine(_l("Provisioning contact email"), validators=email_address())
    setup_language = SelectField(
        _l("Language of the set-up email"), validators=[DataRequired(message=REQUIRED)], render_kw=DATA
    )
    send_now = BooleanField(_l("Send the set-up email to this contact now"), default=True)


class ResendForm(PortalForm):
    nonce = HiddenField(validators=[DataRequired(message=REQUIRED), Length(min=16, max=64)])
