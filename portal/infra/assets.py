"""Install the front-end files that npm fetched into portal/static/vendor, checking each one.

`npm ci` verifies the package tarballs against package-lock.json; this then checks each file
the pages load against the SHA-384 recorded here, so a changed file is never served.
Run: ``python -m portal.infra.assets`` (``make assets`` does it). Building the package
(setup.py) installs them the same way into the wheel's portal/static/vendor; this module
imports nothing but the standard library, so that the build can load it without Flask.
"""

import base64
import hashlib
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENDOR = Path(__file__).resolve().parents[1] / "static" / "vendor"

# source under node_modules -> (file name under static/vendor, sha384 in base64)
ASSETS = {
    "htmx.org/dist/htmx.min.js": ("htmx.min.js", "2OatzQy1H+Zd/IIrjr1TcuDGqLXeHhbooAyJY1KdQMKnr4LZ22k31GBLdYKHmVjg"),
}


def sha384(path: Path) -> str:
    return base64.b64encode(hashlib.sha384(path.read_bytes()).digest()).decode()


def install(node_modules: Path = ROOT / "node_modules", vendor: Path = VENDOR) -> list[Path]:
    vendor.mkdir(parents=True, exist_ok=True)
    installed = []
    for source, (name, expected) in ASSETS.items():
        path = node_modules / source
        if not path.exists():
            raise SystemExit(
                f"{path} is missing: run `npm ci --ignore-scripts` first (htmx at the version package-lock.json pins)."
            )
        actual = sha384(path)
        if actual != expected:
            raise SystemExit(f"{source}: sha384 {actual} does not match the recorded {expected}; not installed.")
        shutil.copyfile(path, vendor / name)
        installed.append(vendor / name)
    return installed


if __name__ == "__main__":
    for path in install():
        print(f"installed {path.relative_to(ROOT)}")
    sys.exit(0)
