"""A new language needs only its catalog and one configuration entry (issue 5, for translators)."""

import shutil

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from portal import create_app
from tests.conftest import ROOT


def test_a_new_language_needs_only_its_catalog_and_one_configuration_entry(app_config, tmp_path, demo):
    translations = tmp_path / "translations"
    shutil.copytree(ROOT / "translations", translations)
    with (ROOT / "translations" / "messages.pot").open("rb") as f:
        template = read_po(f)
    catalog = Catalog(locale="de", domain="messages")
    catalog.update(template)
    catalog["Sign in"].string = "Anmelden"
    catalog["Provisioning Portal"].string = "Bereitstellungsportal"
    folder = translations / "de" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "messages.po").open("wb") as f:
        write_po(f, catalog)
    with (folder / "messages.mo").open("wb") as f:
        write_mo(f, catalog)

    app = create_app(
        {**app_config, "LANGUAGES": ("en", "nl", "sv", "sl", "bg", "de"), "TRANSLATIONS_DIR": str(translations)}
    )
    client = app.test_client()
    page = client.get("/de/sign-in")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Content-Language"] == "de"
    assert '<html lang="de">' in html and "<title>Anmelden · Bereitstellungsportal</title>" in html
    assert 'hreflang="de"' in html and ">Deutsch<" in html  # the switcher names it from CLDR
    assert client.get("/", headers={"Accept-Language": "de-AT,en;q=0.5"}).headers["Location"].endswith("/de/")
    app.extensions["portal.engine"].dispose()


def test_translation_status_page_shows_progress_and_glossary(client, app, demo):
    from tests.conftest import sign_in, translate

    assert client.get("/nl/translations/").status_code == 302  # sign-in first
    sign_in(client, "petra.kos@zdravje.example")
    html = client.get("/sl/translations/").get_data(as_text=True)
    assert translate(app, "sl", "Translation status") in html
    assert ">Slovenščina<" in html and ">Български<" in html
    assert "proefperiode" in html and "пробна версия" in html and "preizkus" in html  # glossary terms
    assert "100" in html
