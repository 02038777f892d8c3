"""SQLite's write lock: work that reads and then writes beside a running portal waits its turn.

In WAL mode a deferred transaction that read before another connection committed cannot be
upgraded to a write: SQLite answers "database is locked" at once (the busy timeout does not
apply to a stale snapshot). Requests that change state begin with BEGIN IMMEDIATE; work outside a
request asks for it with `write_at_once()` (the browser tests' `beside_the_portal`).
"""

import threading

import pytest
from sqlalchemy import event, select, update
from sqlalchemy.exc import OperationalError

from portal.infra.db import db, write_at_once
from portal.models import User

ANNA = "anna.dekker@northwind.example"


def _read_then_write_after_another_commit(app, *, at_once: bool) -> None:
    with app.app_context():
        if at_once:
            write_at_once()
        db.scalar(select(User.language).where(User.email == ANNA))  # the transaction has read
        with app.app_context():  # another connection commits in between (the delivery thread)
            db.execute(update(User).where(User.email == ANNA).values(language="bg"))
            db.commit()
        db.execute(update(User).where(User.email == ANNA).values(language="sv"))
        db.commit()


def test_a_deferred_read_upgraded_after_another_commit_fails_at_once(app, demo):
    # The failure write_at_once exists for: it is what SQLite does, not a flaw of the test.
    with pytest.raises(OperationalError, match="database is locked"):
        _read_then_write_after_another_commit(app, at_once=False)


def test_with_write_at_once_the_other_writer_waits_its_turn_and_both_writes_land(app, demo):
    other_done = threading.Event()

    def other_writer():  # the delivery thread, committing while the test's transaction is open
        with app.app_context():
            db.execute(update(User).where(User.email == ANNA).values(language="nl"))
            db.commit()
        other_done.set()

    with app.app_context():
        write_at_once()
        db.scalar(select(User.language).where(User.email == ANNA))
        other = threading.Thread(target=other_writer)
        other.start()
        assert not other_done.wait(0.5)  # it waits for this transaction's lock
        db.execute(update(User).where(User.email == ANNA).values(language="sv"))
        db.commit()
    other.join(timeout=30)
    assert other_done.is_set()
    with app.app_context():
        assert db.scalar(select(User.language).where(User.email == ANNA)) == "nl"  # it came second


def test_write_at_once_begins_immediate_and_only_in_its_own_application_context(app, demo):
    statements = []
    engine = app.extensions["portal.engine"]

    def record(conn, cursor, statement, *_args):
        if statement.startswith("BEGIN"):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        with app.app_context():
            write_at_once()
            db.scalar(select(User.id).limit(1))
            db.rollback()
        with app.app_context():
            db.scalar(select(User.id).limit(1))
            db.rollback()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert statements == ["BEGIN IMMEDIATE", "BEGIN"]
