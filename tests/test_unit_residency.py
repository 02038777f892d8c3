"""Unit tests of portal.domain.residency: the country of operation decides the data residency
region (rules W5, T2); unsupported locations have none; countries are named and sorted per language (L4)."""

import pytest

from portal.domain import residency


@pytest.mark.parametrize("country, region", [("NL", "EU"), ("GB", "UK"), ("JP", "JP"), ("CA", "CA"), ("AE", "AE")])
def test_w5_the_country_decides_the_data_region(country, region):
    assert residency.region_for(country) == region
    assert not residency.is_unsupported(country)


@pytest.mark.parametrize("country", ["RU", "KP", "CU"])
def test_w5_t2_an_unsupported_location_has_no_region(country):
    assert residency.region_for(country) is None
    assert residency.is_unsupported(country)


def test_w5_an_unknown_country_has_no_region_and_is_not_called_unsupported():
    assert residency.region_for("ZZ") is None
    assert not residency.is_unsupported("ZZ")


def test_w5_every_listed_country_has_a_known_region_or_is_unsupported():
    from portal.domain.catalog import DATA_REGIONS

    table = residency.regions()
    assert len(table) > 200 and "country" not in table
    assert set(table.values()) <= set(DATA_REGIONS) | {residency.UNSUPPORTED}


def test_l4_countries_are_named_and_sorted_in_the_page_language():
    dutch = residency.country_choices("nl")
    assert len(dutch) == len(residency.regions())
    names = dict(dutch)
    assert names["DE"] == "Duitsland" and names["NL"] == "Nederland"
    codes = [code for code, _ in dutch]
    assert codes.index("BE") < codes.index("DE") < codes.index("NL")  # België, Duitsland, Nederland
    assert dict(residency.country_choices("en"))["DE"] == "Germany"


def test_l4_a_country_without_a_cldr_name_is_shown_by_its_code(monkeypatch):
    monkeypatch.setattr(residency, "regions", lambda: {"NL": "EU", "XZ": "EU"})
    assert residency.country_choices("en") == [("NL", "Netherlands"), ("XZ", "XZ")]
