"""Schema changes are migrations: the migrated database matches the models exactly."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, insert, text
from sqlalchemy.exc import IntegrityError

from portal.models import Base, OutgoingEmail
from tests.conftest import START


def test_migrations_match_the_models(migrated_template):
    engine = create_engine(f"sqlite:///{migrated_template}")
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert diff == []


def _email_row(status: str, **dates) -> dict:
    return dict(
        dedupe_key=f"migration:{status}",
        kind="invitation",
        to_address="it@example.com",
        language="en",
        subject="Hello",
        body_text="Hello",
        body_html="<p>Hello</p>",
        status=status,
        attempts=1,
        created_at=START,
        next_attempt_at=START,
        **dates,
    )


def test_0009_failed_and_discarded_emails_are_checked_and_downgrade_keeps_them_unsent(tmp_path):
    from alembic import command

    from portal.infra.migrate import alembic_config, upgrade

    url = f"sqlite:///{tmp_path / 'outbox.sqlite3'}"
    upgrade(url)
    engine = create_engine(url)
    table = OutgoingEmail.__table__
    with engine.begin() as connection:
        connection.execute(insert(table).values(_email_row("failed", failed_at=START)))
        connection.execute(insert(table).values(_email_row("discarded", discarded_at=START)))
    for status, dates in (("failed", {}), ("discarded", {}), ("queued", {"failed_at": START}), ("lost", {})):
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(insert(table).values({**_email_row(status, **dates), "dedupe_key": "refused"}))

    command.downgrade(alembic_config(url), "0008")
    with engine.connect() as connection:
        rows = dict(connection.execute(text("SELECT dedupe_key, status FROM outgoing_emails")).all())
    assert rows == {"migration:failed": "queued", "migration:discarded": "sent"}  # the old code retries, or not
    upgrade(url)
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    engine.dispose()
