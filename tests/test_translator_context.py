"""Context for translators (issue 13): the pseudo-locale's msgid identities and the report that the
crawl (tests/test_pseudo_crawl.py) feeds, checked without a browser on a recorded state."""

import json

from tests import translator_context
from tests.conftest import ROOT
from tests.pseudo import IDENTITY, all_identities, identities, pseudo


def test_every_msgid_has_its_own_short_identity_the_same_in_every_run():
    ids = all_identities(ROOT)
    assert len(set(ids.values())) == len(ids) > 600
    assert ids[(None, "Provisioning Portal")] == "0tu"  # made from the string, not from its place
    assert all(len(ident) == 3 for ident in ids.values())
    # Another string does not move the others; a colliding one takes its next hash.
    more = identities([*ids, (None, "A string added later")])
    assert {key: more[key] for key in ids} == ids


def test_the_identity_takes_the_place_of_padding_and_is_recovered():
    assert pseudo("Provisioning Portal", "0tu") == "⟦Pŕóvíšíóñíñĝ Póŕtál ·····0tu⟧"
    assert len(pseudo("Provisioning Portal", "0tu")) == len(pseudo("Provisioning Portal"))
    nested = pseudo("Order %(reference)s", "a1b") % {"reference": pseudo("ORD-1", "zz9")}
    assert IDENTITY.findall(nested) == ["zz9", "a1b"]
    assert IDENTITY.findall(pseudo("%(name)s", "x0x")) == ["x0x"]  # a string of placeholders only


def state(ident, kind="text", box=(10, 20, 120, 18)):
    return [ident, kind, list(box) if box else None]


def test_the_report_shows_each_msgid_where_it_is_visible_and_says_what_was_never_seen(tmp_path):
    ids = all_identities(ROOT)
    folder = tmp_path / "translator-context"
    (folder / "partner-1280").mkdir(parents=True)
    (folder / "partner-1280" / "01-orders.png").write_bytes(b"png")
    recorded = {
        "n": 1,
        "label": "orders",
        "url": "/eo/orders/",
        "shot": "partner-1280/01-orders.png",
        "width": 1280,
        "height": 900,
        "strings": [
            state(ids[(None, "Provisioning Portal")]),
            state(ids[(None, "Email address")], "placeholder", (40, 60, 300, 30)),
            state(ids[(None, "Skip to main content")], "screen readers", None),
        ],
    }
    (folder / "partner-1280.json").write_text(json.dumps({"crawl": "partner-1280", "states": [recorded]}))
    html = translator_context.write_report(ROOT, folder).read_text(encoding="utf-8")
    visible, rest = html.split('<h2 id="hidden">')
    hidden, never = rest.split('<h2 id="never">')
    portal = visible[visible.index(f'id="m-{ids[(None, "Provisioning Portal")]}"') :].split('<div class="entry"')[0]
    assert "portal/templates/base.html" in portal  # its locations, as in the .po file
    assert 'href="states/partner-1280-01.html#o0"' in portal and 'src="partner-1280/01-orders.png"' in portal
    assert "partner-1280 · 01 orders" in portal
    assert "partner-1280 · 01 orders (placeholder)" in visible
    assert "Skip to main content" in hidden and "(read by screen readers only) (not visible)" in hidden

    def group_of(msgid):
        before = never[: never.index(f'<div class="msgid">{msgid}</div>')]
        return before[before.rindex("<h3>") + 4 : before.rindex("</h3>")]

    assert group_of("Reset your Provisioning Portal password").startswith("Email: ")  # a subject
    assert group_of("Not a valid choice.").startswith("Error or validation message (WTForms")
    page = (folder / "states" / "partner-1280-01.html").read_text(encoding="utf-8")
    assert f'id="o0" href="../index.html#m-{ids[(None, "Provisioning Portal")]}"' in page
    assert "left:10px;top:20px;width:120px;height:18px" in page
    assert 'id="o2"' not in page  # a string no one sees has no box
