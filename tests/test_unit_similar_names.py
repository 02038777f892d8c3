"""The duplicate guard's normalization and scoring (issue 12), without a database."""

import csv
from pathlib import Path

import pytest

from portal.domain.similar_names import Reason, blocking_keys, compare, judge, normalize

PAIRS = Path(__file__).resolve().parent / "data" / "duplicate_pairs.csv"


def reasons(typed, existing):
    found = compare(normalize(typed), normalize(existing))
    return found.reasons if found else None


def test_case_and_unicode_are_folded():
    assert normalize("ＡＣＭＥ Holding").tokens == normalize("acme holding").tokens == ("acme", "holding")


def test_diacritics_are_dropped():
    assert normalize("Åkerlund Čebelica Göteborg").tokens == ("akerlund", "cebelica", "goteborg")


@pytest.mark.parametrize(
    "name, form",
    [
        ("Northwind Solutions B.V.", "bv"),
        ("Northwind Solutions BV", "bv"),
        ("Philips N.V.", "nv"),
        ("Volvo AB", "ab"),
        ("Zdravje d.o.o.", "doo"),
        ("Zdravje d. o. o.", "doo"),
        ("Novak s.p.", "sp"),
        ("Балкан Телеком ЕООД", "eood"),
        ("София Комюникейшънс ООД", "ood"),
        ("Химко АД", "ad"),
        ("Foo GmbH", "gmbh"),
        ("Foo Inc.", "inc"),
        ("Foo Ltd", "ltd"),
    ],
)
def test_legal_forms_are_removed(name, form):
    assert normalize(name).legal_forms == (form,)
    assert form not in normalize(name).tokens


def test_a_legal_form_first_is_removed_too():
    assert normalize("AB Volvo").tokens == normalize("Volvo AB").tokens == ("volvo",)


def test_a_name_that_is_only_a_legal_form_word_keeps_it():
    assert normalize("Company").tokens == ("company",)


def test_cyrillic_is_transliterated_the_bulgarian_way():
    assert normalize("София Химко Щит Ъгъл").tokens == ("sofia", "himko", "shtit", "agal")
    assert normalize("Khimko Pharm").tokens == ("himko", "farm")  # Russian-style х; ph and f


@pytest.mark.parametrize("connective", ["&", "and", "en", "och", "in", "и"])
def test_connectives_are_ignored(connective):
    assert normalize(f"Smit {connective} Visser").tokens == ("smit", "visser")


def test_identical_names_score_100_with_the_reason_same_name():
    found = compare(normalize("Zdravje d.o.o."), normalize("ZDRAVJE D. O. O."))
    assert (found.score, found.full, found.reasons) == (100, True, (Reason.SAME_NAME,))


def test_a_typo_within_the_allowance_matches_and_says_typo():
    found = compare(normalize("Nortwind Solutions"), normalize("Northwind Solutions"))
    assert found.full and found.reasons == (Reason.TYPO,) and 90 <= found.score < 100


def test_swapped_letters_are_one_edit():
    assert reasons("Gotebrogs Fastigheter", "Goteborgs Fastigheter") == (Reason.TYPO,)


def test_short_words_allow_no_typo():
    assert compare(normalize("Acme Rocket"), normalize("Acne Rocket")) is not None  # 4 letters: one edit
    assert compare(normalize("Abc Rocket"), normalize("Abd Rocket")) is None  # 3 letters: none


def test_two_edits_need_eight_letters():
    assert compare(normalize("Zdravje"), normalize("Zdravko")) is None  # 7 letters, 2 edits
    assert compare(normalize("Hoogendyk"), normalize("Hoogendijk")) is not None  # 9 letters, 2 edits


def test_word_order_is_tolerated_and_named():
    assert reasons("Rausing och Åkerlund", "Åkerlund & Rausing") == (Reason.WORD_ORDER,)


def test_transliteration_is_named():
    assert reasons("Balkan Telekom", "Балкан Телеком") == (Reason.TRANSLITERATION,)


def test_a_differing_legal_form_is_named():
    assert reasons("Akerlund and Rausing", "Åkerlund & Rausing AB") == (Reason.LEGAL_FORM,)


def test_spacing_differences_match():
    assert compare(normalize("Green Field Consulting"), normalize("Greenfield Consulting")).full


def test_a_contained_name_is_weaker_than_a_full_match():
    found = compare(normalize("Acme"), normalize("ACME Holding BV"))
    assert not found.full and Reason.NAME_CONTAINED in found.reasons and found.score < 75


def test_different_words_do_not_match():
    assert compare(normalize("Acme Rockets"), normalize("Acme Robotics")) is None
    assert compare(normalize("Bright Dental Amsterdam"), normalize("Bright Dental Rotterdam")) is None


def test_a_contained_single_word_is_suggested_only_with_the_email_domain():
    found = compare(normalize("Acme"), normalize("ACME Holding BV"))
    assert judge(found, same_domain=False, same_country=True) is None
    verdict = judge(found, same_domain=True, same_country=False)
    assert verdict.strong and verdict.reasons[0] is Reason.SAME_EMAIL_DOMAIN


def test_a_close_full_match_is_strong_and_the_country_adds_a_reason():
    verdict = judge(
        compare(normalize("Nortwind Solutions"), normalize("Northwind Solutions B.V.")),
        same_domain=False,
        same_country=True,
    )
    assert verdict.strong and verdict.reasons[-1] is Reason.SAME_COUNTRY


def test_a_weak_full_match_is_not_strong():
    verdict = judge(compare(normalize("Trakiya Farm"), normalize("Trakia Farm")), same_domain=False, same_country=False)
    assert verdict is not None and verdict.strong == (verdict.score >= 90)


def test_blocking_keys_survive_a_typo_and_a_script_change():
    assert blocking_keys(normalize("Nortwind Solutions")) & blocking_keys(normalize("Northwind Solutions B.V."))
    assert blocking_keys(normalize("Balkan Telekom")) == blocking_keys(normalize("Балкан Телеком ЕООД"))
    assert blocking_keys(normalize("Nrothwind")) & blocking_keys(normalize("Northwind"))  # typo at the start


def _pairs():
    with PAIRS.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_the_labelled_set_is_large_and_covers_every_convention():
    pairs = _pairs()
    assert len(pairs) >= 150
    kinds = {row["what"].rsplit("(", 1)[1].rstrip(")") for row in pairs}
    assert kinds == {"nl", "sv", "sl", "bg", "en"}
    assert sum(row["same"] == "1" for row in pairs) >= 100 and sum(row["same"] == "0" for row in pairs) >= 50


def test_labelled_set_scores_without_the_database(capsys):
    """Every pair on its own, name only: the same organization is suggested, a distinct one not."""
    pairs = _pairs()
    same = [p for p in pairs if p["same"] == "1"]
    distinct = [p for p in pairs if p["same"] == "0"]

    def suggested(p):
        return judge(compare(normalize(p["typed"]), normalize(p["existing"])), same_domain=False, same_country=False)

    recall = sum(suggested(p) is not None for p in same) / len(same)
    alarms = sum(suggested(p) is not None for p in distinct) / len(distinct)
    with capsys.disabled():
        print(
            f"\nlabelled pairs, name only: recall {recall:.3f} of {len(same)}, false alarms {alarms:.3f} of {len(distinct)}"
        )
    assert recall >= 0.95
    assert alarms <= 0.05
