"""Benchmark: the partner's customers page, its htmx search and the CSV export at 10, 1,000,
10,000 and 100,000 customers of one partner, on SQLite (default), on a PostgreSQL server that the
script starts (``--postgres``, tests/postgres_server.py) or on a PostgreSQL URL.

Reported as ratios to the 10-customer run in the same process (goal: at most 2x at 10,000).

    .venv/bin/python bench/customers_page.py [--sizes 10,1000,10000,100000] [--postgres | --database-url URL]
"""

import argparse
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from portal import create_app  # noqa: E402
from portal.infra.clock import FixedClock  # noqa: E402
from portal.infra.migrate import upgrade  # noqa: E402
from tests import bulk  # noqa: E402
from tests.conftest import START  # noqa: E402
from tests.postgres_server import running_postgres  # noqa: E402


def make_app(url: str):
    upgrade(url)
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench-secret",
            "DATABASE_URL": url,
            "CLOCK": FixedClock(START),
            "WTF_CSRF_ENABLED": False,
            "BASE_URL": "http://portal.test",
            "SMTP_URL": "smtp://127.0.0.1:9",
        }
    )


def grow(app, partner_id: int, user_id: int, have: int, want: int) -> None:
    """Customers ``have`` .. ``want - 1``, every third with a pending trial, the others active."""
    from portal.infra.db import db

    with app.app_context():
        bulk.add_customers(
            db, partner_id, user_id, want - have, start=have, trial_statuses=("pending_consent", "active", "active")
        )


def timed(client, path: str, headers=None, runs: int = 5) -> float:
    client.get(path, headers=headers)  # warm caches
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        response = client.get(path, headers=headers)
        response.get_data()
        samples.append(time.perf_counter() - began)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,1000,10000,100000")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--postgres", action="store_true", help="start a PostgreSQL server of its own")
    where.add_argument("--database-url", default=None, help="default: a new SQLite file")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with ExitStack() as stack:
        if args.postgres:
            url = stack.enter_context(running_postgres("bench"))
        else:
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-customers-"))
            url = args.database_url or f"sqlite:///{folder}/bench.sqlite3"
        run(url, sizes)


def run(url: str, sizes: list[int]) -> None:
    app = make_app(url)
    from portal.infra.db import db
    from portal.models import AdminRole, Organization, User

    with app.app_context():
        partner = Organization(
            name="Bench Partner B.V.",
            kind="partner",
            partner_tier=1,
            certified=True,
            country="NL",
            data_region="EU",
            created_at=START,
        )
        db.add(partner)
        db.flush()
        admin = User(email="admin@bench.example", organization_id=partner.id, created_at=START, display_name="Admin")
        admin.set_password("bench-password-2026")
        db.add(admin)
        db.flush()
        db.add(AdminRole(user_id=admin.id, organization_id=partner.id, role="full_admin", granted_at=START))
        db.commit()
        partner_id, user_id = partner.id, admin.id
    client = app.test_client()
    assert (
        client.post("/en/sign-in", data={"email": "admin@bench.example", "password": "bench-password-2026"}).status_code
        == 302
    )
    pages = {
        "customers page": ("/en/customers/", None),
        "search (htmx)": ("/en/customers/?q=%C4%8Debe", {"HX-Request": "true", "HX-Target": "customer-list"}),
        "CSV export": ("/en/customers/export.csv", None),
    }
    results, have = {}, 0
    for size in sizes:
        started = time.perf_counter()
        grow(app, partner_id, user_id, have, size)
        have = size
        print(f"{size:>7} customers ready in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        for name, (path, headers) in pages.items():
            runs = 1 if name == "CSV export" and size > 10_000 else 5
            results[(name, size)] = timed(client, path, headers, runs)
    app.extensions["portal.engine"].dispose()
    dialect = url.split(":", 1)[0].split("+")[0]
    print(f"\n## Customers page ({dialect}), median of 5 runs; ratio to {sizes[0]} customers\n")
    print("| | " + " | ".join(f"{s:,}" for s in sizes) + " |")
    print("|---|" + "---|" * len(sizes))
    for name in pages:
        base = results[(name, sizes[0])]
        cells = [f"{results[(name, s)] * 1000:.0f} ms ({results[(name, s)] / base:.1f}×)" for s in sizes]
        print(f"| {name} | " + " | ".join(cells) + " |")
    # The CSV grows with its rows by nature: its time per 1,000 rows.
    cells = [f"{results[('CSV export', s)] * 1000 / (s / 1000):.0f} ms" for s in sizes]
    print("| CSV per 1,000 rows | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
