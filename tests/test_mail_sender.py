"""Rule L3 for the sender: the From name is the product's name in the recipient's language, like
the body (translations review 2026-12); an operator's own display name is kept."""

from email.headerregistry import Address

import pytest

from portal.mail.delivery import sender_in


@pytest.mark.parametrize(
    ("lang", "name"),
    [
        ("en", "Provisioning Portal"),
        ("nl", "Inrichtingsportaal"),
        ("bg", "Портал за осигуряване на услуги"),
    ],
)
def test_l3_the_from_name_is_the_product_name_in_the_recipients_language(app, lang, name):
    from portal.mail.delivery import build_message
    from portal.models import OutgoingEmail

    email = OutgoingEmail(
        id=1, to_address="ana@example.com", subject="S", body_text="t", body_html="<p>t</p>", language=lang
    )
    with app.app_context():
        message = build_message(email, "Provisioning Portal <no-reply@portal.example>")
    sender = message["From"].addresses[0]
    assert sender == Address(display_name=name, addr_spec="no-reply@portal.example")


def test_an_operators_own_sender_name_is_kept(app):
    with app.app_context():
        assert sender_in("bg", "Northwind Portal <portal@northwind.example>") == (
            "Northwind Portal <portal@northwind.example>"
        )
        assert sender_in("bg", "no-reply@portal.example") == "no-reply@portal.example"
