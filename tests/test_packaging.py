"""`pip install .` from a clean checkout gives a working portal (issue 11): the wheel carries the
compiled catalogs and htmx, generated at build time from translations/ and node_modules/."""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from portal import config, create_app
from portal.i18n.translation_status import glossary, progress
from portal.infra.assets import ASSETS
from tests.conftest import ROOT

LANGUAGES = ("nl", "sv", "sl", "bg")


def _clean_checkout(target: Path) -> Path:
    """What a fresh clone holds (the files git tracks, or would: none it ignores), plus htmx where
    `npm ci` puts it."""
    command = ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"]
    listed = subprocess.run(command, cwd=ROOT, check=True, capture_output=True).stdout
    for name in filter(None, listed.decode().split("\0")):
        if (ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    for source in ASSETS:
        if not (ROOT / "node_modules" / source).exists():
            pytest.fail("node_modules lacks htmx: run `make assets` (npm ci) first")
        (target / "node_modules" / source).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / "node_modules" / source, target / "node_modules" / source)
    return target


def _build_wheel(source: Path, out: Path) -> Path:
    # No build isolation: setuptools and Babel come from this environment, no network is needed.
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out)]
    result = subprocess.run([*command, str(source)], capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    (wheel,) = out.glob("provisioning_portal-*.whl")
    return wheel


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    checkout = _clean_checkout(tmp_path_factory.mktemp("checkout"))
    assert not list(checkout.rglob("*.mo")) and not (checkout / "portal" / "static" / "vendor").exists()
    return _build_wheel(checkout, tmp_path_factory.mktemp("wheel"))


def test_the_wheel_holds_every_compiled_catalog_and_htmx(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    catalogs = sorted(path.relative_to(ROOT / "translations") for path in ROOT.glob("translations/*/LC_MESSAGES/*.po"))
    expected = {f"portal/translations/{path.with_suffix('.mo').as_posix()}" for path in catalogs}
    for lang in LANGUAGES:
        assert f"portal/translations/{lang}/LC_MESSAGES/messages.mo" in expected
        assert f"portal/translations/{lang}/LC_MESSAGES/wtforms.mo" in expected
    assert expected <= names  # every catalog compiled: no language is left with a .po only
    packaged_po = {name for name in names if name.endswith(".po")}
    assert packaged_po == {name.removesuffix(".mo") + ".po" for name in expected}  # the status page reads them
    assert "portal/translations/glossary.csv" in names
    assert {f"portal/static/vendor/{name}" for name, _sha in ASSETS.values()} <= names
    assert {
        "portal/templates/base.html",
        "portal/static/css/portal.css",
        "portal/static/js/a11y.js",
        "portal/infra/gunicorn_config.py",
    } <= names
    assert any(name.startswith("portal/infra/migrations/versions/0001_") for name in names)


def test_a_build_without_npm_ci_says_what_to_do(tmp_path):
    checkout = _clean_checkout(tmp_path / "checkout")
    shutil.rmtree(checkout / "node_modules")
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path)]
    result = subprocess.run([*command, str(checkout)], capture_output=True, text=True, timeout=180)
    assert result.returncode != 0
    assert "run `npm ci --ignore-scripts` first" in result.stdout + result.stderr


def test_the_packaged_catalogs_render_a_bulgarian_page(wheel, app_config, tmp_path):
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(tmp_path / "site", [name for name in archive.namelist() if "/translations/" in name])
    packaged = tmp_path / "site" / "portal" / "translations"
    app = create_app({**app_config, "TRANSLATIONS_DIR": str(packaged)})
    page = app.test_client().post("/bg/sign-in", data={"email": "", "password": ""})
    html = page.get_data(as_text=True)
    assert "<title>Вход · Портал за осигуряване на услуги</title>" in html  # the portal's own catalog
    assert "Това поле е задължително." in html  # and the WTForms domain, from the same folder
    app.extensions["portal.engine"].dispose()
    # the translation status page reads the packaged sources and glossary
    assert progress(packaged, "bg", "messages").percent == 100 and glossary(packaged)


def test_an_installed_portal_reads_its_catalogs_from_the_package(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "PACKAGE", tmp_path / "portal")
    assert config._translations_dir() == str(ROOT / "translations")  # a source tree: make catalogs
    (tmp_path / "portal" / "translations").mkdir(parents=True)
    assert config._translations_dir() == str(tmp_path / "portal" / "translations")  # a wheel's
