"""No doubled full stop where a sentence ends with a name or a date that ends with one
(translations review 2026-12: "Northwind Solutions B.V..", "5 декември 2026 г..")."""

import re
from datetime import date

import pytest
from babel.messages.pofile import read_po
from flask import render_template_string
from flask_babel import force_locale, gettext, ngettext
from markupsafe import Markup

from portal.i18n.sentences import without_double_stops
from tests.conftest import ROOT

NAME_WITH_STOP = "Northwind Solutions B.V."
PLACEHOLDER = re.compile(r"%\((\w+)\)([sd])")


def test_a_stop_after_a_placeholder_ending_with_one_is_dropped():
    assert without_double_stops("Order for %(partner)s.", {"partner": NAME_WITH_STOP}) == "Order for %(partner)s"
    assert without_double_stops("Order for %(partner)s.", {"partner": "Contoso"}) == "Order for %(partner)s."


def test_the_stop_after_closing_tags_around_the_placeholder_is_dropped_too():
    template = Markup("Set up by <strong>%(partner)s</strong>. Thanks.")
    result = without_double_stops(template, {"partner": NAME_WITH_STOP})
    assert result == "Set up by <strong>%(partner)s</strong> Thanks."
    assert isinstance(result, Markup)


def test_only_the_placeholder_whose_value_ends_with_a_stop_loses_its_stop():
    template = "%(a)s. %(b)s. %(a)s..."
    assert without_double_stops(template, {"a": "Acme Inc.", "b": "Zeta"}) == "%(a)s %(b)s. %(a)s..."


@pytest.mark.parametrize("lang", ["nl", "sv", "sl", "bg"])
def test_no_translation_doubles_the_stop_after_a_name_ending_with_one(app, lang):
    """Every catalog entry whose translation has a stop after a placeholder, rendered through the
    portal's gettext with every text placeholder set to a name ending with a full stop."""
    path = ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as f:
        catalog = read_po(f)
    checked = 0
    with app.test_request_context(), force_locale(lang):
        for message in catalog:
            if not message.id or not message.string:
                continue
            msgid = message.id if isinstance(message.id, str) else message.id[0]
            values = {name: (2 if kind == "d" else NAME_WITH_STOP) for name, kind in PLACEHOLDER.findall(msgid)}
            translations = message.string if isinstance(message.string, tuple) else (message.string,)
            if not values or not any(re.search(r"%\(\w+\)s\.", t) for t in translations):
                continue
            if isinstance(message.id, tuple):
                values.pop("num", None)
                rendered = ngettext(message.id[0], message.id[1], 2, **values)
            elif message.context:
                from flask_babel import pgettext

                rendered = pgettext(message.context, msgid, **values)
            else:
                rendered = gettext(msgid, **values)
            assert "B.V.." not in rendered, (msgid, rendered)
            checked += 1
    assert checked > 20  # the catalog has many sentences ending with a name or a date


def test_a_bulgarian_date_at_the_end_of_a_sentence_keeps_one_stop(app):
    template = '{{ _("The requested start date is %(date)s.", date=day|date("long")) }}'
    with app.test_request_context(), force_locale("bg"):
        rendered = render_template_string(template, day=date(2026, 12, 5))
    assert rendered.endswith("2026\u202fг.") or rendered.endswith("2026 г."), rendered
    assert "г.." not in rendered


def test_trans_blocks_in_templates_drop_the_doubled_stop(app):
    template = "{% trans partner=name %}Ordered by {{ partner }}.{% endtrans %}"
    with app.test_request_context():
        assert render_template_string(template, name=NAME_WITH_STOP) == "Ordered by Northwind Solutions B.V."
        assert render_template_string(template, name="Contoso") == "Ordered by Contoso."


@pytest.mark.parametrize("lang", ["en", "nl", "bg"])
def test_the_setup_email_names_the_partner_and_the_date_with_one_stop(app, lang):
    from portal.mail.outbox import render

    with app.app_context():
        subject, text, html = render(
            "setup_now",
            lang,
            partner_name=NAME_WITH_STOP,
            reference="ORD-000010",
            offer="A-WX",
            requested_start=date(2026, 12, 5),
            customer_name="Åkerlund & Rausing AB",
            link="http://portal.test/x",
            closes_on=date(2026, 12, 19),
        )
    for part in (subject, text, html):
        assert not re.search(r"(B\.V|г)\.\.(?!\.)", part), part
