"""SQLAlchemy 2 engine and session, bound per application."""

from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, scoped_session, sessionmaker

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def make_engine(url: str):
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        # SQLAlchemy issues BEGIN itself: a request that changes state takes the write lock at
        # its start (BEGIN IMMEDIATE), waiting its turn, instead of failing when a read
        # transaction has to be upgraded after another writer committed. Reads stay deferred.
        @event.listens_for(engine, "connect")
        def _no_pysqlite_begin(dbapi_connection, _record):
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin(conn):
            conn.exec_driver_sql("BEGIN IMMEDIATE" if _writing_request() else "BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True)


def _app_context_scope():
    # One session per application context (not per thread): a nested context, such as a
    # scheduler run inside a request or a test, gets its own session and closes only that one.
    from flask import g

    return id(g._get_current_object())


def _writing_request() -> bool:
    from flask import g, has_app_context, has_request_context, request

    if has_app_context() and g.get(_WRITES_AT_ONCE, False):
        return True
    if not has_request_context():
        return False
    return request.method not in ("GET", "HEAD", "OPTIONS")  # a GET changes nothing stored


_WRITES_AT_ONCE = "portal_db_writes_at_once"


def write_at_once() -> None:
    """From now on in this application context, each SQLite transaction takes the write lock first.

    For work outside a request that reads and then writes beside a running portal (a test's own
    set-up, a script): a deferred read transaction that must be upgraded after another connection
    committed fails at once with "database is locked" (in WAL mode the busy timeout does not
    apply to a stale snapshot); BEGIN IMMEDIATE waits its turn instead. The scheduler does not
    use it: it would hold the lock while talking to SMTP. Nothing changes on PostgreSQL.
    """
    from flask import g

    setattr(g, _WRITES_AT_ONCE, True)


def make_session(engine):
    return scoped_session(sessionmaker(bind=engine), scopefunc=_app_context_scope)


def _current_session():
    from flask import current_app

    return current_app.extensions["portal.session"]


from werkzeug.local import LocalProxy  # noqa: E402

#: The request's (or CLI command's) database session, called `db` everywhere. "Session" alone names
#: nothing in this codebase: the signed cookie is `browser_session` (portal/infra/browser_session.py),
#: a user's signed-in devices are `portal.auth.login_sessions`.
db = LocalProxy(_current_session)
