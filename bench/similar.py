"""Benchmark: the duplicate guard's lookup (issue 12) at 1,000,000 organizations, on SQLite and on
a PostgreSQL server of its own (tests/postgres_server.running_postgres).

For each database: build BASE organizations (the baseline), time the lookup, grow to SIZE and
time it again; report p50/p95/max, the ratio to the baseline in the same run, and beside it an
exhaustive rapidfuzz scan of every normalized name (what the guard would cost without the
blocking index). Goal: p95 <= 25 ms at 1,000,000. The lookups are typos of existing names (one
edit in one word, the legal form dropped, Bulgarian names typed in Latin: their recall in the
top 3 is reported too), names that exist nowhere, and names of common words only.

    .venv/bin/python bench/similar.py [--size 1000000] [--base 10000] [--queries 300] [--only sqlite|postgresql]
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from anyascii import anyascii  # noqa: E402
from rapidfuzz import fuzz, process  # noqa: E402

from portal import create_app  # noqa: E402
from portal.infra.clock import FixedClock  # noqa: E402
from portal.infra.migrate import upgrade  # noqa: E402
from tests import bulk  # noqa: E402
from tests.conftest import START  # noqa: E402

CHUNK = 20_000
USERS_EVERY = 10  # one organization in ten has a user on its own domain


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


class Corpus:
    """The names built so far (the same for both databases), their normalized keys."""

    def __init__(self, size: int):
        self.names = list(bulk.organization_names(size))
        self.keys: list[str] = []


def grow(app, corpus: Corpus, have: int, want: int, collect_keys: bool) -> float:
    from portal.infra.db import db

    started = time.perf_counter()
    with app.app_context():
        connection = db.connection()
        for begin in range(have, want, CHUNK):
            end = min(begin + CHUNK, want)
            orgs, tokens = bulk.organization_rows(
                begin + 1, corpus.names[begin:end], START, corpus.keys if collect_keys else None
            )
            bulk.insert_organizations(connection, orgs, tokens)
            with_users = [row[0] for row in orgs if row[0] % USERS_EVERY == 0]
            bulk.insert_domain_users(connection, with_users[0] if with_users else 0, with_users, START)
        bulk.reset_sequences(connection)
        db.commit()
        if connection.dialect.name == "postgresql":
            db.connection().exec_driver_sql("ANALYZE")
            db.commit()
        else:
            db.connection().exec_driver_sql("ANALYZE")
            db.commit()
    return time.perf_counter() - started


def _typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)
    op = rng.choice(("swap", "delete", "replace", "insert"))
    if op == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if op == "delete":
        return word[:i] + word[i + 1 :]
    letter = rng.choice("aeiourstn")
    return word[:i] + letter + word[i + (op == "replace") :]


def lookups(corpus: Corpus, upto: int, count: int, seed: int):
    """(typed name, admin email, country, expected organization id or None)."""
    rng = random.Random(seed)
    out = []
    fresh = bulk.pseudo_words(count, random.Random(seed + 1))
    for n in range(count):
        kind = n % 4
        if kind in (0, 1):  # a variant of an existing name
            org_id = rng.randrange(1, upto + 1)
            name, country = corpus.names[org_id - 1]
            words = name.split()
            longest = max(range(len(words)), key=lambda k: len(words[k]))
            if len(words[longest]) >= 8 or (len(words[longest]) >= 5 and rng.random() < 0.7):
                words[longest] = _typo(words[longest], rng)
            if len(words) > 1 and rng.random() < 0.5:
                words = words[:-1] if words[-1].rstrip(".").isalpha() and len(words[-1]) <= 5 else words
            typed = " ".join(words)
            if country == "BG" and rng.random() < 0.5:
                typed = anyascii(typed)
            email = f"new@org{org_id}.example" if org_id % USERS_EVERY == 0 and rng.random() < 0.5 else "new@gmail.com"
            out.append((typed, email, country, org_id))
        elif kind == 2:  # exists nowhere
            out.append((f"{fresh[n]} {rng.choice(bulk._TRADES)}", "it@nowhere-new.example", "NL", None))
        else:  # common words only
            out.append(
                (f"{rng.choice(bulk._TRADES)} {rng.choice(bulk._TRADES)} {rng.choice(bulk._CITIES)}", "", "SE", None)
            )
    return out


def measure(app, queries) -> dict:
    from portal.domain import duplicates

    times, found, expected = [], 0, 0
    with app.app_context():
        for typed, email, country, _ in queries[:20]:  # warm-up: caches and the connection pool
            duplicates.suggestions(typed, email, country)
    for typed, email, country, target in queries:
        with app.app_context():
            started = time.perf_counter()
            result = duplicates.suggestions(typed, email, country)
            times.append((time.perf_counter() - started) * 1000)
        if target is not None:
            expected += 1
            found += target in [s.organization.id for s in result[:3]]
    times.sort()
    return {
        "p50": statistics.median(times),
        "p95": times[int(len(times) * 0.95) - 1],
        "max": times[-1],
        "recall": found / expected if expected else 1.0,
    }


def exhaustive(corpus: Corpus, queries, upto: int, count: int = 10) -> float:
    """p50 ms of scanning every normalized name with rapidfuzz (no index), for comparison."""
    from portal.domain.similar_names import normalize

    keys = corpus.keys[:upto]
    times = []
    for typed, *_ in queries[:count]:
        started = time.perf_counter()
        process.extract(normalize(typed).key, keys, scorer=fuzz.token_sort_ratio, limit=3)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def run(backend: str, url: str, corpus: Corpus, base: int, size: int, count: int) -> list[str]:
    app = make_app(url)
    collect = not corpus.keys
    lines = []
    built = grow(app, corpus, 0, base, collect)
    baseline = measure(app, lookups(corpus, base, count, 1))
    scan_base = exhaustive(corpus, lookups(corpus, base, count, 1), base)
    built += grow(app, corpus, base, size, collect)
    at_size = measure(app, lookups(corpus, size, count, 2))
    scan_size = exhaustive(corpus, lookups(corpus, size, count, 2), size)
    app.extensions["portal.engine"].dispose()
    for label, n, m, scan in (("baseline", base, baseline, scan_base), ("at size", size, at_size, scan_size)):
        ratio = m["p95"] / baseline["p95"]
        lines.append(
            f"| {backend} | {n:>9,} | {m['p50']:6.1f} | {m['p95']:6.1f} | {m['max']:6.1f} | {ratio:5.2f}x "
            f"| {scan:8.1f} | {m['recall']:.3f} |"
        )
    lines.append(f"<!-- {backend}: built {size:,} organizations in {built:.0f} s -->")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--base", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    args = parser.parse_args()
    corpus = Corpus(args.size)
    lines = [
        f"Duplicate guard lookup, {args.queries} lookups per row (ms; ratio: p95 / baseline p95 in this run; "
        "scan: exhaustive rapidfuzz over every name, p50 of 10)",
        "",
        "| database | organizations | p50 | p95 | max | p95 ratio | scan p50 | recall@3 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    if args.only in (None, "sqlite"):
        with tempfile.TemporaryDirectory() as folder:
            lines += run("SQLite", f"sqlite:///{folder}/similar.sqlite3", corpus, args.base, args.size, args.queries)
    if args.only in (None, "postgresql"):
        from tests.postgres_server import running_postgres

        with running_postgres("similar", "shared_buffers=256MB") as url:
            lines += run("PostgreSQL", url, corpus, args.base, args.size, args.queries)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
