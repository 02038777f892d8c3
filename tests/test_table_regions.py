"""Issue 13: a table that is wider than the page scrolls inside its frame, so the frame is a named
region that takes keyboard focus (WCAG 2.1.1; axe's scrollable-region-focusable): a keyboard user
scrolls it with the arrow keys, a screen reader announces what it holds."""

import re
from html import unescape
from html.parser import HTMLParser

import pytest

from tests.conftest import ROOT, sign_in

TEMPLATES = ROOT / "portal" / "templates"


def test_every_table_frame_in_the_templates_comes_from_the_region_macro():
    hand_made = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if path.name != "_table.html" and 'class="table-wrap"' in path.read_text(encoding="utf-8")
    ]
    assert hand_made == []


class _Page(HTMLParser):
    """The table frames of a page (their attributes, whether they hold a table) and the text of
    every element with an id."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.regions, self.text_by_id, self.open_ids, self.frames = [], {}, [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "table-wrap" in (attrs.get("class") or "").split():
            self.regions.append({**attrs, "holds_table": False})
            self.frames.append(len(self.regions) - 1)
        elif tag == "table" and self.frames:
            self.regions[self.frames[-1]]["holds_table"] = True
        if attrs.get("id"):
            self.text_by_id[attrs["id"]] = ""
        self.open_ids.append(attrs.get("id"))

    def handle_endtag(self, tag):
        if self.open_ids:
            self.open_ids.pop()
        if tag == "div" and self.frames:
            self.frames.pop()

    def handle_data(self, data):
        for ident in filter(None, self.open_ids):
            self.text_by_id[ident] += data


def read(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def region_name(region: dict, page: _Page) -> str:
    if region.get("aria-label"):
        return unescape(region["aria-label"])
    assert region.get("aria-labelledby") in page.text_by_id, (
        f"aria-labelledby={region.get('aria-labelledby')} names no element"
    )
    return " ".join(page.text_by_id[region["aria-labelledby"]].split())


@pytest.mark.parametrize(
    "email, path",
    [
        ("anna.dekker@northwind.example", "/nl/orders/"),
        ("anna.dekker@northwind.example", "/nl/orders/1"),
        ("anna.dekker@northwind.example", "/nl/customers/"),
        ("anna.dekker@northwind.example", "/nl/people/"),
        ("anna.dekker@northwind.example", "/nl/translations/"),
        ("admin@contoso.example", "/en/organization/"),
    ],
)
def test_each_table_frame_is_a_focusable_region_named_in_the_page_language(client, demo, email, path):
    sign_in(client, email)
    html = client.get(path).get_data(as_text=True)
    page = read(html)
    assert page.regions, f"{path} shows no table"
    for region in page.regions:
        assert region.get("role") == "region" and region.get("tabindex") == "0"
        assert re.search(r"\w", region_name(region, page)), f"{path}: a table region without a name"
        assert region["holds_table"]


def test_the_macro_names_a_region_by_its_label_when_no_heading_is_given(app):
    with app.test_request_context():
        template = app.jinja_env.from_string(
            '{% from "partials/_table.html" import table_region %}'
            '{% call table_region("Glossary") %}<table></table>{% endcall %}'
        )
        html = template.render()
    [region] = read(html).regions
    assert region["aria-label"] == "Glossary" and "aria-labelledby" not in region
