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


def _exported_names(client, lang: str) -> list[str]:
    text = client.get(f"/{lang}/customers/export.csv").get_data(as_text=True)
    return [row[0] for row in csv.reader(io.StringIO(text[1:]), delimiter=spreadsheet.separator(lang))][1:]


@pytest.mark.parametrize("lang", ["sv", "bg"])
def test_l4_an_export_longer_than_a_batch_has_every_customer_once_in_the_pages_order(
    app, db, client, make_partner, make_customer, lang
):
    from portal.i18n.collation import sorted_for
    from tests import bulk
    from tests.conftest import sign_in

    partner, admin = make_partner()
    bulk.add_customers(db, partner.id, admin.id, 1_150, trial_statuses=("active", "pending_consent"))
    for _ in range(3):  # four customers of one name
        make_customer(partner, "Zeta 000001")
    customers = db.execute(select(Organization.id, Organization.name).where(Organization.kind == "customer")).all()
    db.commit()
    sign_in(client, admin.email)
    names = _exported_names(client, lang)
    assert len(names) == len(customers) == 1_153  # three batches of 500
    assert names == [name for _id, name in sorted_for(lang, sorted(customers), key=lambda c: c[1])]
    assert names.count("Zeta 000001") == 4 and len(set(names)) == 1_150


def test_customers_of_one_name_cross_a_batch_boundary_in_the_order_of_their_ids(app, db, make_partner, make_customer):
    from portal.trials.status import customer_rows

    partner, _admin = make_partner()
    ids = [make_customer(partner, name)[0].id for name in ["Alfa", "Beta", "Beta", "Beta", "Beta", "Beta", "Cirkus"]]
    db.commit()
    for batch in (1, 2, 3, 7):
        assert [row.customer.id for row in customer_rows(partner.id, lang="sl", batch=batch)] == ids


def test_the_exports_queries_grow_with_its_batches_not_its_rows(app, db, make_partner):
    from sqlalchemy import event

    from portal.trials.status import customer_rows
    from tests import bulk

    partner, admin = make_partner()
    engine = app.extensions["portal.engine"]

    def queries(batch: int) -> tuple[int, int]:
        statements = []
        listener = lambda *_args: statements.append(1)  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            rows = sum(1 for _ in customer_rows(partner.id, batch=batch))
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return rows, len(statements)

    bulk.add_customers(db, partner.id, admin.id, 95, trial_statuses=("active",))
    rows, four_batches = queries(batch=25)
    assert rows == 95
    bulk.add_customers(db, partner.id, admin.id, 95, start=95, trial_statuses=("active",))
    rows, still_four = queries(batch=50)
    assert rows == 190 and still_four == four_batches  # twice the rows, the same four batches
    rows, eight_batches = queries(batch=25)
    assert four_batches < eight_batches <= 2 * four_batches
