"""Issue 13, "A design system": favicon and logo, the customers chart (axes, legend, a table with
the same numbers in the page's language), and no internal rule codes in text users read."""

import re

import pytest
from babel.numbers import format_decimal

from tests.conftest import LANGUAGES, ROOT, sign_in, translate
from tests.test_customer_list_scale import add_customers


def test_favicon_ico_answers_200_with_an_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/vnd.microsoft.icon"
    body = response.get_data()
    assert body[:4] == b"\0\0\1\0" and body[4:6] == b"\1\0"  # an ICO header with one image
    assert body[6] == 32 and body[7] == 32  # 32 x 32


def test_the_svg_favicon_and_logo_are_served(client):
    html = client.get("/en/sign-in").get_data(as_text=True)
    for path in re.findall(r'href="(/static/favicon\.svg[^"]*)"|src="(/static/img/logo\.svg[^"]*)"', html):
        url = next(p for p in path if p)
        response = client.get(url)
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
        response.close()
    assert 'rel="icon"' in html and "img/logo.svg" in html


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_logo_carries_the_product_name_in_the_page_language(app, client, lang):
    html = client.get(f"/{lang}/sign-in").get_data(as_text=True)
    name = translate(app, lang, "Provisioning Portal")
    assert f'<span class="brand-name">{name}</span>' in html
    assert '<div class="card card-page">' in html  # the sign-in page is a card, not bare text


@pytest.mark.parametrize("lang", ["en", "sl", "bg"])
def test_t16_the_chart_has_axes_a_legend_and_the_same_numbers_as_a_table(app, db, client, make_partner, lang):
    partner, admin = make_partner()
    email = admin.email
    add_customers(db, (partner.id, admin.id), 1000, trials=True)  # ending within 1 .. 90 days
    sign_in(client, email, lang)
    html = client.get(f"/{lang}/customers/").get_data(as_text=True)
    chart = html[html.index('<figure class="chart"') : html.index("</figure>")]
    assert chart.count('class="axis"') == 2 and 'class="axis-title"' in chart
    assert translate(app, lang, "Number of trials") in chart and translate(app, lang, "Ends within") in chart
    legend = "Running trials that end within the period, one per customer (its latest trial). Each bar includes the shorter periods."
    assert translate(app, lang, legend) in chart
    table = chart[chart.index("<table>") : chart.index("</table>")]
    thousand = format_decimal(1000, locale=lang)  # CLDR: 1,000 / 1.000 / 1 000
    assert f'<td class="number" translate="no">{thousand}</td>' in table
    assert f">{thousand}</text>" in chart  # the 90-day bar's label, formatted the same way
    week = sum(1 for n in range(1000) if n % 90 + 1 <= 7)
    assert f'<td class="number" translate="no">{format_decimal(week, locale=lang)}</td>' in table


RULE_CODE = re.compile(r"\((?:rules? )?[OWMTL]\d{1,2}(?:[-–, ]+[OWMTL]?\d{1,2})*\)|\b[OWMTL]\d{1,2}\b")


def test_no_internal_rule_codes_in_text_users_read():
    """Templates (outside Jinja comments) and the catalog's messages never name a rule ("(M2)")."""
    found = []
    for path in sorted((ROOT / "portal" / "templates").rglob("*.*")):
        text = re.sub(r"\{#.*?#\}", "", path.read_text(encoding="utf-8"), flags=re.S)
        found += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in RULE_CODE.finditer(text)]
    pot = (ROOT / "translations" / "messages.pot").read_text(encoding="utf-8")
    for msgid in re.findall(r'^msgid "(.+)"$', pot, flags=re.M):
        found += [f"messages.pot: {msgid}" for _ in RULE_CODE.finditer(msgid)]
    assert found == []
