"""A real PostgreSQL server for tests and benchmarks, started from Debian's server binaries.

``running_postgres()`` runs initdb in a temporary folder (as the ``postgres`` user when we are
root: initdb refuses root), starts the server on 127.0.0.1 at a free port, creates a database
and yields its SQLAlchemy URL; the server is stopped and its folder removed on exit.
"""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine


def server_binaries() -> str | None:
    """The folder holding initdb and pg_ctl, the newest version first; None where none is installed."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if candidates:
        return os.path.dirname(candidates[0])
    found = shutil.which("initdb")
    return os.path.dirname(found) if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_postgres(database: str = "portal", *settings: str) -> Iterator[str]:
    """Yield ``postgresql+psycopg://postgres@127.0.0.1:<port>/<database>``. ``settings`` are extra
    ``-c name=value`` server settings (e.g. ``"shared_buffers=512MB"`` for a benchmark)."""
    bin_dir = server_binaries()
    if bin_dir is None:
        raise FileNotFoundError("PostgreSQL server binaries are not installed (Debian package postgresql).")
    root = tempfile.mkdtemp(prefix="portal-pg-")
    data, port = os.path.join(root, "data"), _free_port()
    as_postgres = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        os.chmod(root, 0o755)
        shutil.chown(root, "postgres", "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]

    def run(*args: str) -> None:
        subprocess.run([*as_postgres, *args], check=True, capture_output=True, text=True)

    run(f"{bin_dir}/initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
    options = " ".join([f"-h 127.0.0.1 -p {port} -k {root} -c fsync=off", *(f"-c {s}" for s in settings)])
    log = os.path.join(root, "server.log")
    run(f"{bin_dir}/pg_ctl", "-D", data, "-w", "-t", "60", "-l", log, "-o", options, "start")
    try:
        engine = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{database}"')
        engine.dispose()
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/{database}"
    finally:
        run(f"{bin_dir}/pg_ctl", "-D", data, "-w", "-m", "fast", "stop")
        shutil.rmtree(root, ignore_errors=True)
