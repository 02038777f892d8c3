"""The customer list's CSV export: safe to open (formulas neutralized) and read as each
language's spreadsheet programs expect (separator, UTF-8 with a byte-order mark)."""

import csv
import io

import pytest
from sqlalchemy import select

from portal.i18n import spreadsheet
from portal.models import Organization
from tests.conftest import translate


@pytest.mark.parametrize("lang, sep", [("en", ","), ("nl", ";"), ("sv", ";"), ("sl", ";"), ("bg", ";")])
def test_the_separator_follows_the_languages_decimal_comma(lang, sep):
    assert spreadsheet.separator(lang) == sep


@pytest.mark.parametrize(
    "cell, written",
    [
        ('=HYPERLINK("http://evil.example","Klik")', '\'=HYPERLINK("http://evil.example","Klik")'),
        ("+31 20 123", "'+31 20 123"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("\rCR", "'\rCR"),
        ("Acme = good", "Acme = good"),
        (-3, -3),
    ],
)
def test_cells_that_would_run_as_formulas_are_written_as_text(cell, written):
    assert spreadsheet.neutralize(cell) == written


@pytest.fixture
def hostile_customer(db, demo, make_customer):
    northwind = db.scalar(select(Organization).where(Organization.name == "Northwind Solutions B.V."))
    make_customer(northwind, '=HYPERLINK("http://evil.example","Čebelarstvo")')


@pytest.mark.parametrize("lang", ["en", "sl"])
def test_the_export_neutralizes_formulas_and_opens_in_the_languages_programs(partner_client, hostile_customer, lang):
    response = partner_client.get(f"/{lang}/customers/export.csv")
    assert response.content_type == "text/csv; charset=utf-8"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=spreadsheet.separator(lang)))
    names = [row[0] for row in rows[1:]]
    assert '\'=HYPERLINK("http://evil.example","Čebelarstvo")' in names
    assert not any(name.startswith("=") for name in names)
    assert all(len(row) == 5 for row in rows)


def test_the_export_is_in_the_pages_language_not_the_users_preference(partner_client, app, db):
    from portal.models import User

    anna = db.scalar(select(User).where(User.email == "anna.dekker@northwind.example"))
    anna.language = "nl"
    db.commit()
    text = partner_client.get("/bg/customers/export.csv").get_data(as_text=True)
    assert translate(app, "bg", "Paid") in text and translate(app, "nl", "Paid") not in text
