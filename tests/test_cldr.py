"""Rule L4: dates, times, numbers, lists, relative times, country and time-zone names from CLDR,
in the user's time zone; lists people scan sorted by the language's collation (ICU)."""

import re

import pytest
from babel import Locale
from babel.lists import format_list

from portal.domain.residency import country_choices
from portal.i18n.collation import sorted_for
from portal.i18n.timezones import choices as zone_choices
from tests.conftest import ROOT, sign_in, translate

TEMPLATES = ROOT / "portal" / "templates"


def test_l4_no_strftime_in_templates():
    offenders = [
        str(p.relative_to(ROOT))
        for p in TEMPLATES.rglob("*")
        if p.is_file()
        and re.search(r"strftime|\.isoformat\(\)\s*\}\}", p.read_text(encoding="utf-8"))
        and "datetime=" not in p.read_text(encoding="utf-8")
    ]
    assert offenders == []


@pytest.mark.parametrize(
    "lang, words, expected",
    [
        ("sv", ["zebra", "ålder", "äpple", "öl", "apa"], ["apa", "zebra", "ålder", "äpple", "öl"]),
        (
            "sl",
            ["čaj", "cesta", "dom", "šola", "sova", "žaba", "zima"],
            ["cesta", "čaj", "dom", "sova", "šola", "zima", "žaba"],
        ),
        (
            "bg",
            ["Япония", "България", "Австрия", "Германия", "Швеция"],
            ["Австрия", "България", "Германия", "Швеция", "Япония"],
        ),
        ("nl", ["IJsland", "Ierland", "Italië"], ["Ierland", "IJsland", "Italië"]),
    ],
)
def test_l4_collation_follows_the_language(lang, words, expected):
    assert sorted_for(lang, words) == expected


def test_l4_country_names_and_order_per_language():
    bulgarian = [name for _code, name in country_choices("bg")]
    assert bulgarian.index("Австрия") < bulgarian.index("България") < bulgarian.index("Япония")
    swedish = [name for _code, name in country_choices("sv")]
    assert swedish[-3:] == ["Åland", "Österrike", "Östtimor"]
    assert dict(country_choices("sl"))["DE"] == "Nemčija"


def test_l4_time_zone_names_are_localized():
    assert (
        dict(zone_choices("nl"))["Europe/Amsterdam"]
        == f"Amsterdam · {Locale.parse('nl').time_zones and 'Midden-Europese tijd' or ''}"
        or "Midden-Europese" in dict(zone_choices("nl"))["Europe/Amsterdam"]
    )
    assert (
        "Централноевропейско" in dict(zone_choices("bg"))["Europe/Sofia"]
        or "Източноевропейско" in dict(zone_choices("bg"))["Europe/Sofia"]
    )


def test_l4_times_are_shown_in_the_users_time_zone(client, app, demo):
    sign_in(client, "sven.holm@northwind.example")  # Europe/Stockholm, UTC+1 in November
    client.post(
        "/sv/orders/new",
        data={
            "offer": "A-SPK",
            "licenses": "5",
            "requested_start": "2026-11-27",
            "provisioning_contact": "it@x.example",
            "setup_language": "sv",
            "submission_key": "time-zone-key-00001",
        },
    )
    html = client.get("/sv/orders/3").get_data(as_text=True)
    from babel.dates import get_timezone_location
    from sqlalchemy import select

    from portal.infra.db import db
    from portal.models import User

    with app.app_context():
        zone = db.scalar(select(User.time_zone).where(User.email == "sven.holm@northwind.example"))
    city = get_timezone_location(zone, locale="sv", return_city=True)
    assert f">20 nov. 2026 10:00:00 ({city})" in html  # placed at 09:00 UTC, shown with its zone
    assert ">20 nov. 2026 09:00:00" not in html


def test_l4_relative_dates_and_lists(client, app, demo):
    sign_in(client, "sven.holm@northwind.example")
    client.post(
        "/sv/orders/new",
        data={
            "offer": "A-WX",
            "licenses": "5",
            "requested_start": "2026-11-27",
            "provisioning_contact": "it@x.example",
            "setup_language": "sv",
            "submission_key": "relative-key-00001",
        },
    )
    html = client.get("/sv/orders/3").get_data(as_text=True)
    assert "(om 7 dagar)" in html
    services = [translate(app, "sv", s) for s in ("Messaging", "Meetings", "Calling")]
    assert format_list(services, locale="sv") == f"{services[0]}, {services[1]} och {services[2]}"
    today = client.post(
        "/sv/orders/new",
        data={
            "offer": "A-SPK",
            "licenses": "5",
            "requested_start": "2026-11-20",
            "provisioning_contact": "it@x.example",
            "setup_language": "sv",
            "submission_key": "relative-key-00002",
        },
        follow_redirects=True,
    )
    assert "(i dag)" in today.get_data(as_text=True)


@pytest.mark.parametrize(
    "lang, expected", [("en", "1,234"), ("nl", "1.234"), ("sv", "1\xa0234"), ("sl", "1.234"), ("bg", "1\xa0234")]
)
def test_l4_numbers_follow_the_language(client, app, demo, lang, expected):
    sign_in(client, "anna.dekker@northwind.example")
    client.post(
        f"/{lang}/orders/new",
        data={
            "offer": "A-SPK",
            "licenses": "1234",
            "requested_start": "2026-11-27",
            "provisioning_contact": "it@x.example",
            "setup_language": lang,
            "submission_key": f"numbers-key-{lang}-0001",
        },
    )
    html = client.get(f"/{lang}/orders/3").get_data(as_text=True)
    licenses = translate(app, lang, "Licenses")  # the stacked card's label (issue 13)
    assert f'<td translate="no" data-label="{licenses}">{expected}</td>' in html


def test_l4_bulgaria_is_billed_in_euro():
    from datetime import date

    from portal.i18n.currency import billing_currency, currency_label

    assert billing_currency("BG", date(2025, 12, 31)) == "BGN"
    assert billing_currency("BG", date(2026, 1, 1)) == "EUR"
    assert billing_currency("SE", date(2026, 11, 20)) == "SEK"
    assert currency_label("EUR", "bg") == "Евро (EUR)"
    assert currency_label("SEK", "sl") == "švedska krona (SEK)"


@pytest.mark.parametrize("lang, expected", [("bg", "Евро (EUR)"), ("en", "Euro (EUR)"), ("sl", "evro (EUR)")])
def test_l4_billing_currency_is_shown_in_the_page_language(client, demo, lang, expected):
    sign_in(client, "georgi.ivanov@balkantel.example")
    html = client.get(f"/{lang}/organization/").get_data(as_text=True)
    assert f'<dd translate="no">{expected}</dd>' in html
