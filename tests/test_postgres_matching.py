"""M2 and M3 at scale on a real PostgreSQL: the bulk builder's COPY path, and the same candidates,
rank and facts as on SQLite for the same organizations and users."""

import pytest
from sqlalchemy import create_engine, text

from portal import create_app
from portal.infra.clock import FixedClock
from portal.infra.migrate import upgrade
from tests.bulk import build_organizations
from tests.conftest import START
from tests.test_postgres import postgres_url  # noqa: F401 - the module's server

pytestmark = pytest.mark.postgres


def bulk_app(url: str):
    upgrade(url)
    engine = create_engine(url)
    shape = build_organizations(engine, 3000, 15000, now=START, seed=5, chunk=700)
    engine.dispose()
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "DATABASE_URL": url,
            "CLOCK": FixedClock(START),
            "SMTP_URL": "smtp://127.0.0.1:9",
        }
    )
    return app, shape


def lookups_on(app, shape):
    from portal.domain import matching
    from portal.infra.db import db
    from portal.models import User
    from portal.wizard.mapping import offer

    answers = [("new@" + domain, name) for _, name, domain in shape.sample[:40]]
    answers += [(f"new@{domain}", f"{stem} Holding") for domain, stem in shape.groups[:5]]
    answers += [(f"new@{domain}", stem) for domain in shape.public_domains[:3] for stem in ("Acme", "Nordic", "Zzzzz")]
    found = []
    with app.app_context():
        for email, company in answers:
            result = offer({"admin_email": email, "company": company})
            every = matching.candidates(company, email)
            assert result.total == len(every) and {f.organization.id for f in result.candidates} <= {
                o.id for o in every
            }
            found.append(
                (
                    result.total,
                    [
                        (f.organization.id, f.users, f.active_subscriptions, f.full_admin, f.hints)
                        for f in result.candidates
                    ],
                )
            )
        # the sequences go on past the bulk rows: the portal can add a user
        db.add(User(email="after.bulk@example.org", organization_id=1, created_at=START, display_name=""))
        db.commit()
    return found


def test_m2_m3_bulk_built_organizations_match_the_same_on_postgres_as_on_sqlite(postgres_url, tmp_path, monkeypatch):  # noqa: F811
    from portal.domain import matching

    monkeypatch.setattr(matching, "CANDIDATES_SHOWN", 3)  # so that this small a set has capped lists
    admin = create_engine(postgres_url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text('CREATE DATABASE "bulk"'))
    admin.dispose()
    pg_app, pg_shape = bulk_app(postgres_url.rsplit("/", 1)[0] + "/bulk")
    sqlite_app, sqlite_shape = bulk_app(f"sqlite:///{tmp_path}/bulk.sqlite3")
    try:
        assert pg_shape.sample == sqlite_shape.sample and pg_shape.groups and pg_shape.groups == sqlite_shape.groups
        on_postgres, on_sqlite = lookups_on(pg_app, pg_shape), lookups_on(sqlite_app, sqlite_shape)
        assert on_postgres == on_sqlite
        assert any(total > len(shown) for total, shown in on_sqlite)  # some lists are capped
        assert sum(len(shown) for _, shown in on_sqlite) > 40
    finally:
        pg_app.extensions["portal.engine"].dispose()
        sqlite_app.extensions["portal.engine"].dispose()
