"""Unit tests of portal.domain.normalize: names and emails compare case-insensitively after
Unicode normalization (rules W4, M1, M2)."""

import pytest

from portal.domain import normalize


def test_m2_a_name_is_folded_spaces_collapsed_and_trimmed():
    assert normalize.name_key("  ACME \t Rockets\n Ltd  ") == "acme rockets ltd"
    assert normalize.name_key(None) == ""


@pytest.mark.parametrize(
    "written, key",
    [
        ("Ａｃｍｅ", "acme"),  # full-width letters (NFKC)
        ("Stra\u00dfe", "strasse"),  # casefold, not lower()
        ("Cafe\u0301", "caf\u00e9"),  # a combining accent is composed (NFKC, not NFKD)
        ("СОФИЯ Комуникации", "софия комуникации"),  # Cyrillic folds the same way
    ],
)
def test_m1_m2_names_compare_after_unicode_normalization_and_casefolding(written, key):
    assert normalize.name_key(written) == key


def test_m2_the_prefix_is_the_first_five_characters_of_the_folded_name():
    assert normalize.PREFIX_LENGTH == 5
    assert normalize.name_prefix("  ÅKERLUND & Rausing AB") == "åkerl"
    assert normalize.name_prefix("Ａｃｍｅ Rockets") == "acme "
    assert normalize.name_prefix("Софтуерна") == "софту"
    assert normalize.name_prefix("Abc") == "abc"


def test_m1_an_email_key_is_trimmed_and_casefolded():
    assert normalize.email_key("  Anna.Dekker@NorthWind.Example ") == "anna.dekker@northwind.example"
    assert normalize.email_key("ＩＴ@fabrikam.example") == "it@fabrikam.example"


def test_m2_the_email_domain_is_folded_and_follows_the_last_at_sign():
    assert normalize.email_domain("IT@Fabrikam.Example") == "fabrikam.example"
    assert normalize.email_domain('"a@b"@Contoso.example') == "contoso.example"
