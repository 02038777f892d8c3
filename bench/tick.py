"""Benchmark: `flask portal tick` over 100,000 due trials with two schedulers at once (issue 11).

Each due trial ends today, so the tick expires it (rule T16) and queues one email to the
customer's admin. On a PostgreSQL server it starts (or the database of ``--database-url``), for
one and then two schedulers, each on an identical fresh data set:

1. builds the trials in bulk (tests/bulk.py);
2. runs that many `flask portal tick` processes (the real CLI) at once and times them, from
   launch to the last exit. Each tick also sends up to 500 emails of the outbox, so two ticks
   send up to twice as many as one before they end, and leave less to drain: "tick + drain"
   compares the whole work;
3. runs that many `flask portal worker` processes until the outbox is sent, to a real SMTP
   server (aiosmtpd) that counts what it receives by Message-ID.

It checks every email once (queued = received = due trials, no Message-ID twice, every trial
expired, one audit entry each) and prints a Markdown table with the two-scheduler time as a ratio
of the one-scheduler time measured in the same run.

    .venv/bin/python bench/tick.py [--trials 100000] [--database-url URL] [--no-drain]

``--database-url`` names an empty database per run by appending ``_1`` and ``_2`` to its name
for PostgreSQL; a SQLite URL's file gets the same suffix.
"""

import argparse
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from collections import Counter
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aiosmtpd.controller import Controller  # noqa: E402
from sqlalchemy import create_engine, func, select  # noqa: E402

from portal.infra.migrate import upgrade  # noqa: E402
from portal.models import AuditEvent, OutgoingEmail, Trial  # noqa: E402
from tests.bulk import due_trials  # noqa: E402
from tests.conftest import free_port  # noqa: E402
from tests.postgres_server import running_postgres  # noqa: E402


class CountingSink:
    """An SMTP server's DATA handler that counts each message by its Message-ID."""

    def __init__(self):
        self.received = Counter()

    async def handle_DATA(self, _server, _session, envelope):
        found = re.search(rb"^Message-ID:\s*(\S+)", envelope.content, re.MULTILINE | re.IGNORECASE)
        self.received[found.group(1) if found else b"?"] += 1
        return "250 Message accepted for delivery"


def database_for(base_url: str, run: str) -> str:
    """An empty database of its own for one run, next to ``base_url``'s."""
    if base_url.startswith("sqlite"):
        path = base_url.split("///", 1)[1]
        stem, dot, suffix = path.rpartition(".")
        return f"sqlite:///{stem}_{run}{dot}{suffix}" if dot else f"sqlite:///{path}_{run}"
    server, name = base_url.rsplit("/", 1)
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}_{run}"')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}_{run}"')
    admin.dispose()
    return f"{server}/{name}_{run}"


def start(env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "portal", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finish(process: subprocess.Popen, ok=(0,)) -> str:
    output = process.communicate(timeout=3600)[0]
    if process.returncode not in ok:
        raise SystemExit(f"{process.args} failed ({process.returncode}):\n{output}")
    return output


def outbox(engine) -> tuple[int, int]:
    """(emails in the outbox, of which not yet sent)."""
    with engine.connect() as connection:
        total = connection.scalar(select(func.count(OutgoingEmail.id)))
        waiting = connection.scalar(select(func.count(OutgoingEmail.id)).where(OutgoingEmail.status != "sent"))
    return total, waiting


def measure(url: str, trials: int, schedulers: int, smtp_port: int, drain: bool = True) -> dict:
    today, now = datetime.now(UTC).date(), datetime.now(UTC).replace(tzinfo=None)
    upgrade(url)
    engine = create_engine(url)
    began = time.perf_counter()
    due_trials(engine, trials, ends_on=today, now=now)
    built = time.perf_counter() - began
    env = {
        **os.environ,
        "FLASK_APP": "portal",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": url,
        "SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
        "BASE_URL": "https://portal.example",
    }
    began = time.perf_counter()
    ticks = [start(env, "tick") for _ in range(schedulers)]
    outputs = [finish(tick) for tick in ticks]
    tick_seconds = time.perf_counter() - began
    expired = sum(int(re.search(r"expirations: (\d+)", out).group(1)) for out in outputs)
    queued, _waiting = outbox(engine)

    began = time.perf_counter()
    # The ticks may have sent everything (each sends up to 500): then no worker is needed.
    waiting = outbox(engine)[1] if drain else 0
    workers = [start(env, "worker", "--interval", "0.5") for _ in range(schedulers)] if waiting else []
    while drain and outbox(engine)[1]:
        if any(worker.poll() is not None for worker in workers):
            raise SystemExit("a worker stopped:\n" + "\n".join(w.communicate()[0] for w in workers))
        time.sleep(0.5)
    drain_seconds = time.perf_counter() - began
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    for worker in workers:
        # A worker still starting when the outbox ran empty ends on the signal itself (-SIGTERM)
        # before its handler is installed, and so before its first run: it has sent nothing.
        finish(worker, ok=(0, -signal.SIGTERM))

    with engine.connect() as connection:
        still_active = connection.scalar(select(func.count(Trial.id)).where(Trial.status == "active"))
        audits = connection.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "trial_expired"))
    engine.dispose()
    return {
        "build": built,
        "tick": tick_seconds,
        "expired": expired,
        "still_active": still_active,
        "audits": audits,
        "queued": queued,
        "drain": drain_seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=100_000)
    parser.add_argument("--database-url", default=None, help="default: a PostgreSQL server started here")
    parser.add_argument(
        "--no-drain",
        action="store_true",
        help="stop after the ticks: check every email queued once (the outbox's unique keys), not sent",
    )
    args = parser.parse_args()

    with ExitStack() as stack:
        base = args.database_url or stack.enter_context(running_postgres("tick"))
        sink, port = CountingSink(), free_port()
        controller = Controller(sink, hostname="127.0.0.1", port=port)
        controller.start()
        stack.callback(controller.stop)
        results = {}
        for schedulers in (1, 2):
            before = sum(sink.received.values())
            results[schedulers] = measure(
                database_for(base, str(schedulers)), args.trials, schedulers, port, drain=not args.no_drain
            )
            results[schedulers]["received"] = sum(sink.received.values()) - before
        duplicates = sum(n - 1 for n in sink.received.values() if n > 1)
        engine_name = "SQLite" if base.startswith("sqlite") else "PostgreSQL"

    print(f"\n`flask portal tick` over {args.trials:,} due trials on {engine_name} ({os.cpu_count()} CPUs)\n")
    print(
        "| schedulers | build (s) | tick (s) | trials/s | expired | audit entries | emails queued | emails received "
        "| drain (s) | tick + drain (s) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for schedulers, r in results.items():
        print(
            f"| {schedulers} | {r['build']:.1f} | {r['tick']:.2f} | {args.trials / r['tick']:,.0f} | {r['expired']:,} "
            f"| {r['audits']:,} | {r['queued']:,} | {r['received']:,} | {r['drain']:.1f} | {r['tick'] + r['drain']:.1f} |"
        )
    ratio = results[2]["tick"] / results[1]["tick"]
    whole = (results[2]["tick"] + results[2]["drain"]) / (results[1]["tick"] + results[1]["drain"])
    print(
        f"\nTwo schedulers / one scheduler: tick **{ratio:.2f}x** the time, tick + drain **{whole:.2f}x**. "
        f"Duplicate emails received: {duplicates}."
    )
    every_once = all(
        r["expired"] == r["audits"] == r["queued"] == args.trials
        and (args.no_drain or r["received"] == args.trials)
        and r["still_active"] == 0
        for r in results.values()
    )
    what = "queued once (not drained: --no-drain)" if args.no_drain else "received once"
    print(f"Every trial expired once and every email {what}: **{'yes' if every_once and not duplicates else 'NO'}**.")
    if not every_once or duplicates:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
