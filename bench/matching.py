"""Benchmark: the organization step's M1/W4/M2/M3 lookup (candidates and their facts) at
1,000,000 organizations and 5,000,000 users, with the lookup indexes and without them.

Builds the data in bulk (tests/bulk.py: popular name stems, group domains with thousands of
users, public mail domains shared by many organizations), then times ``portal.wizard.mapping.offer``
- what the organization step runs - inside an app context: p50 and p95 over ``--lookups`` lookups
with the indexes; then drops the name-prefix index and the users' domain/organization indexes
and times the first ``--unindexed`` of the same lookups again. Reported as a Markdown table with
the ratio, in one run (goal: p95 <= 10 ms with the indexes, >= 100x faster than without).

    .venv/bin/python bench/matching.py [--organizations 1000000 --users 5000000]
        [--database-url URL | --postgres] [--lookups 300] [--unindexed 10]
"""

import argparse
import contextlib
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from itertools import zip_longest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, event, text  # noqa: E402
from sqlalchemy.exc import DBAPIError  # noqa: E402

from portal import create_app  # noqa: E402
from portal.infra.clock import FixedClock  # noqa: E402
from portal.infra.migrate import upgrade  # noqa: E402
from tests.bulk import build_organizations  # noqa: E402
from tests.conftest import START  # noqa: E402

LOOKUP_INDEXES = (
    ("organizations", "ix_organizations_name_prefix_pending_created"),
    ("users", "ix_users_email_domain_organization_id"),
    ("users", "ix_users_organization_id"),
)
KINDS = ("own domain", "group domain", "public domain, popular name", "public domain, other name")


def make_app(url: str):
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


def lookups(shape, count: int, seed: int = 7) -> list[tuple[str, dict]]:
    """What a partner types at W4/W5 for a customer that may already exist: a new admin's email on
    an existing organization's own domain with a company name like its (seven in ten), on a
    group's large domain with the group's name stem (one and a half in ten), or on a public mail
    domain (one and a half in ten, three times the share of organizations whose admin has one),
    with a popular name stem (four in ten of those, as among the names) or another name."""
    from tests.bulk import POPULAR_STEMS

    rng = random.Random(seed)
    wanted = []
    for n in range(count):
        slot = n % 20
        if slot < 14 or not shape.groups:
            _, name, domain = rng.choice(shape.sample)
            kind, company = KINDS[0], name.split(" ")[0] + " Logistics"
        elif slot < 17:
            domain, stem = rng.choice(shape.groups)
            kind, company = KINDS[1], f"{stem} Holding"
        else:
            domain = rng.choice(shape.public_domains[:6])
            name = rng.choice(shape.sample)[1]
            stem = name.split(" ")[0]
            kind = KINDS[2] if stem in POPULAR_STEMS else KINDS[3]
            company = f"{stem} Services"
        wanted.append((kind, {"admin_email": f"new.person{n}@{domain}", "company": company}))
    return wanted


def measure(app, wanted, stop_after: float | None = None) -> tuple[list[float], list, list[int], list[float]]:
    """Each lookup's seconds, what it found, its number of queries and this process's CPU seconds
    (on SQLite the database's work too; on a shared machine less disturbed than the wall clock). With ``stop_after``, a
    lookup still running after that many seconds is interrupted: its time is then that limit (a
    lower bound) and what it found None."""
    from portal.infra.db import db
    from portal.wizard.mapping import offer

    engine = app.extensions["portal.engine"]
    statements = []
    event.listen(engine, "before_cursor_execute", lambda *_: statements.append(1))
    samples, results, queries, cpu = [], [], [], []
    with app.app_context():
        offer(wanted[0][1]) if stop_after is None else None  # warm the pool and the caches
        db.rollback()
        for _, state in wanted:
            before = len(statements)
            raw = db.connection().connection.driver_connection
            watchdog = None
            if stop_after is not None:
                stop = raw.interrupt if hasattr(raw, "interrupt") else raw.cancel
                watchdog = threading.Timer(stop_after, stop)
                watchdog.start()
            began, began_cpu = time.perf_counter(), time.process_time()
            try:
                found = offer(state)
            except DBAPIError:
                samples.append(stop_after)
                cpu.append(time.process_time() - began_cpu)
                results.append(None)
            else:
                samples.append(time.perf_counter() - began)
                cpu.append(time.process_time() - began_cpu)
                results.append(
                    (found.total, [f.organization.id for f in found.candidates], [f.users for f in found.candidates])
                )
            finally:
                if watchdog:
                    watchdog.cancel()
            queries.append(len(statements) - before)
            db.rollback()
    return samples, results, queries, cpu


def p(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def drop_lookup_indexes(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        for _, name in LOOKUP_INDEXES:
            connection.execute(text(f"DROP INDEX {name}"))
        connection.execute(text("ANALYZE"))
    engine.dispose()


def run(url: str, args) -> None:
    upgrade(url)
    engine = create_engine(url)
    print(f"building {args.organizations:,} organizations and {args.users:,} users ...", file=sys.stderr)
    shape = build_organizations(engine, args.organizations, args.users, now=START)
    engine.dispose()
    print(f"built in {shape.seconds:.0f} s; {len(shape.groups)} group domains", file=sys.stderr)
    wanted = lookups(shape, args.lookups)
    app = make_app(url)
    samples, results, queries, cpu = measure(app, wanted)
    app.extensions["portal.engine"].dispose()
    # the same lookups without the indexes: a mix of the three kinds
    by_kind = [[i for i, (k, _) in enumerate(wanted) if k == kind] for kind in KINDS]
    subset = [i for round_ in zip_longest(*by_kind) for i in round_ if i is not None][: args.unindexed]
    drop_lookup_indexes(url)
    print(f"indexes dropped; {len(subset)} lookups without them ...", file=sys.stderr)
    app = make_app(url)
    slow, slow_results, _, _ = measure(app, [wanted[i] for i in subset], stop_after=args.stop_after)
    app.extensions["portal.engine"].dispose()
    stopped = sum(result is None for result in slow_results)
    for i, result in zip(subset, slow_results, strict=True):
        assert result is None or result == results[i], "the same lookups must find the same organizations"

    dialect = engine.dialect.name
    print(
        f"\n## M2 + M3 lookup ({dialect}, {args.organizations:,} organizations, {args.users:,} users, "
        f"built in {shape.seconds:.0f} s)\n"
    )
    print(f"Queries per lookup: {min(queries)}-{max(queries)}. Load average when done: {os.getloadavg()[0]:.1f}.\n")
    print("| Lookups | n | candidates (median / max) | p50 | p95 | p50 CPU | p95 CPU |")
    print("|---|---|---|---|---|---|---|")
    for kind in (*KINDS, None):
        chosen = [i for i, (k, _) in enumerate(wanted) if kind is None or k == kind]
        if not chosen:
            continue
        totals = [results[i][0] for i in chosen]
        times = [samples[i] for i in chosen]
        print(
            f"| {kind or 'all, with indexes'} | {len(chosen)} | {statistics.median(totals):.0f} / {max(totals):,} "
            f"| {p(times, 0.5):.2f} ms | {p(times, 0.95):.2f} ms "
            f"| {p([cpu[i] for i in chosen], 0.5):.2f} ms | {p([cpu[i] for i in chosen], 0.95):.2f} ms |"
        )
    same = [samples[i] for i in subset]
    print("\n| The same lookups | n | p50 | p95 |")
    print("|---|---|---|---|")
    print(f"| with the indexes | {len(subset)} | {p(same, 0.5):.2f} ms | {p(same, 0.95):.2f} ms |")
    at_least = "≥ " if stopped else ""
    print(f"| without them | {len(subset)} | {at_least}{p(slow, 0.5):,.0f} ms | {at_least}{p(slow, 0.95):,.0f} ms |")
    print(
        f"| ratio | | {at_least}{p(slow, 0.5) / p(same, 0.5):,.0f}× | {at_least}{p(slow, 0.95) / p(same, 0.95):,.0f}× |"
    )
    if stopped:
        print(
            f"\n{stopped} of the {len(subset)} lookups without the indexes were stopped after {args.stop_after:.0f} s."
        )
    print(
        "\nWithout the indexes, one by one: "
        + ", ".join(f"{KINDS.index(wanted[i][0]) + 1}: {t:.1f} s" for i, t in zip(subset, slow, strict=True))
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organizations", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=5_000_000)
    parser.add_argument("--lookups", type=int, default=300)
    parser.add_argument("--unindexed", type=int, default=10)
    parser.add_argument("--stop-after", type=float, default=60.0, help="seconds; a lookup without indexes is stopped")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--database-url", default=None, help="an empty database; default: a new SQLite file")
    where.add_argument("--postgres", action="store_true", help="start a PostgreSQL server of its own")
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        if args.postgres:
            from tests.postgres_server import running_postgres

            url = stack.enter_context(
                running_postgres("bench", "shared_buffers=1GB", "maintenance_work_mem=512MB", "max_wal_size=4GB")
            )
        elif args.database_url:
            url = args.database_url
        else:
            url = (
                f"sqlite:///{stack.enter_context(tempfile.TemporaryDirectory(prefix='bench-matching-'))}/bench.sqlite3"
            )
        run(url, args)


if __name__ == "__main__":
    main()
