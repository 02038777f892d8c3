"""Issue 13: times are shown with their zone (rule L4); the time-zone select is grouped by region
in the page's language and starts at a sensible zone; the extend selector starts at a duration
that its own preview accepts (rule T11)."""

import re

import pytest
from sqlalchemy import select

from portal.i18n import timezones
from portal.infra import clock
from portal.models import Order, User
from portal.trials.vocabulary import DURATIONS
from tests.conftest import sign_in, translate


@pytest.mark.parametrize(("lang", "city"), [("en", "Amsterdam"), ("bg", "Амстердам")])
def test_l4_times_name_the_viewers_zone(client, demo, db, lang, city):
    order_id = db.scalar(select(Order.id).order_by(Order.id))
    sign_in(client, "anna.dekker@northwind.example", lang)  # the demo gives her Europe/Amsterdam
    html = client.get(f"/{lang}/orders/{order_id}").get_data(as_text=True)
    placed = html[html.index(translate(client.application, lang, "Placed")) :][:300]
    assert f"({city})" in placed


def test_l4_a_user_without_a_zone_sees_utc_named(client, demo, db):
    user = db.scalar(select(User).where(User.email == "anna.dekker@northwind.example"))
    user.time_zone = None
    db.commit()
    order_id = db.scalar(select(Order.id).order_by(Order.id))
    sign_in(client, "anna.dekker@northwind.example")
    html = client.get(f"/en/orders/{order_id}").get_data(as_text=True)
    assert "(UTC)" in html[html.index("Placed") :][:300]


@pytest.mark.parametrize(("lang", "europe"), [("en", "Europe"), ("sl", "Evropa"), ("bg", "Европа")])
def test_the_time_zone_select_is_grouped_by_region_and_shows_the_users_zone(client, demo, lang, europe):
    sign_in(client, "anna.dekker@northwind.example", lang)
    html = client.get(f"/{lang}/account").get_data(as_text=True)
    select_html = html[
        html.index('<select id="time_zone"') : html.index("</select>", html.index('<select id="time_zone"'))
    ]
    groups = re.findall(r'<optgroup label="([^"]+)">', select_html)
    assert europe in groups and 5 <= len(groups) <= 8
    assert len(re.findall(r"<option ", select_html)) > 300  # every zone is still there …
    first_group = select_html.index("<optgroup")
    assert select_html[:first_group].count("<option ") == 1  # … UTC alone outside the groups
    assert re.search(r'<option selected value="Europe/Amsterdam">', select_html)


def test_a_zone_is_suggested_from_the_country():
    assert timezones.for_country("NL") == "Europe/Amsterdam"
    assert timezones.for_country("si") == "Europe/Ljubljana"
    assert timezones.for_country("BG") == "Europe/Sofia"
    assert timezones.for_country("US") == "America/New_York"
    assert timezones.for_country("ZZ") is None and timezones.for_country(None) is None


@pytest.mark.parametrize(("days", "expected"), [(30, 45), (45, 60), (90, 90)])
def test_t11_the_extend_selector_starts_at_a_duration_its_preview_accepts(
    client, db, make_partner, make_trial, days, expected
):
    partner, admin = make_partner()
    trial = make_trial(partner, admin, days=days)
    trial_id, customer_id, ends_on = trial.id, trial.customer_id, trial.ends_on
    sign_in(client, admin.email)
    html = client.get(f"/en/customers/{customer_id}").get_data(as_text=True)
    chosen = re.search(rf'<select[^>]*id="extend{trial_id}-days"[^>]*>.*?</select>', html, flags=re.S).group(0)
    assert re.findall(r'<option selected value="(\d+)">', chosen) == [str(expected)]
    assert expected in DURATIONS and (clock.today() - ends_on).days + expected >= 0
    preview = client.get(f"/en/customers/trials/{trial_id}/extend/preview?extend{trial_id}-days={expected}")
    assert preview.status_code == 200
    assert "cannot be saved" not in preview.get_data(as_text=True)
