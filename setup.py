"""The one build step pyproject.toml cannot declare: generated files inside the package.

Building a wheel (`pip install .`, `pip wheel .`, `python -m build`) compiles every catalog,
translations/<lang>/LC_MESSAGES/<domain>.po, into the package's portal/translations/ (next to
its .po and the glossary, which the translation status page reads), and copies
htmx from node_modules (run `npm ci --ignore-scripts` first) into portal/static/vendor/, checked
against the SHA-384 in portal/infra/assets.py as `make assets` does. Neither is ever committed.
An editable install (`make install`) skips both: a source tree has them in translations/ and
portal/static/vendor/ (`make catalogs`, `make assets`), where portal/config.py finds them.
"""

import importlib.util
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


def compile_catalogs(source: Path, target: Path) -> list[Path]:
    """Every .po under ``source`` as a .mo at the same place under ``target``; the .po files and
    the glossary too, which the translation status page reads."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po_path in sorted(source.glob("*/LC_MESSAGES/*.po")):
        mo_path = target / po_path.relative_to(source).with_suffix(".mo")
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        written += [mo_path, Path(shutil.copyfile(po_path, mo_path.with_suffix(".po")))]
    if not written:
        raise SystemExit(f"No catalogs found under {source}.")
    written.append(Path(shutil.copyfile(source / "glossary.csv", target / "glossary.csv")))
    return written


def install_assets(node_modules: Path, vendor: Path) -> list[Path]:
    # Loaded from its file: importing the `portal` package would need Flask in the build environment.
    spec = importlib.util.spec_from_file_location("portal_assets", HERE / "portal" / "infra" / "assets.py")
    assets = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(assets)
    return assets.install(node_modules, vendor)


class BuildWithGeneratedFiles(build_py):
    def run(self):
        super().run()
        if self.editable_mode:
            return
        package = Path(self.build_lib) / "portal"
        self.generated = [
            *compile_catalogs(HERE / "translations", package / "translations"),
            *install_assets(HERE / "node_modules", package / "static" / "vendor"),
        ]

    def get_outputs(self, include_bytecode=True):
        return [*super().get_outputs(include_bytecode), *map(str, getattr(self, "generated", []))]


setup(cmdclass={"build_py": BuildWithGeneratedFiles})
