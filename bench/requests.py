"""Benchmark: requests per second of the production portal's sign-in page, a wizard step (a
set-up link's "Your role" page) and the signed-in customers page, next to a bare Flask "hello"
app, both served by gunicorn with the portal's settings (portal/infra/gunicorn_config.py:
its workers, logging and all) on free ports of 127.0.0.1, in the same run, loaded by the same
client: a separate process whose threads each keep a connection open (http.client, which opens
a new one whenever the server closes it, as gunicorn's sync workers do after every response).

Reported as each page's rate and its ratio to the bare app's (goal: at least 0.3 for every page).
The bare app is measured before and after the pages; its mean is the baseline.

    .venv/bin/python bench/requests.py [--seconds 5] [--connections 4]
"""

import argparse
import http.client
import multiprocessing
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import free_port  # noqa: E402

SECRET = "bench-requests-secret-not-for-production"
EMAIL, PASSWORD = "anna.dekker@northwind.example", "portal-demo-2026"  # the demo's partner admin
HELLO = """from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    return "Hello, World!"
"""


def prepare(folder: Path) -> tuple[str, str]:
    """A migrated SQLite database with the demo data; its URL and a set-up link's token."""
    from sqlalchemy import select

    from portal import create_app, demo
    from portal.infra.db import db
    from portal.infra.migrate import upgrade
    from portal.models import Order
    from portal.orders.links import setup_token

    url = f"sqlite:///{folder}/portal.sqlite3"
    upgrade(url)
    app = create_app({"SECRET_KEY": SECRET, "DATABASE_URL": url, "TESTING": True, "SMTP_URL": "smtp://127.0.0.1:9"})
    with app.app_context():
        demo.load()
        order = db.scalar(select(Order).where(Order.status == "awaiting_provisioning").order_by(Order.id))
        with app.test_request_context():
            token = setup_token(order)
    app.extensions["portal.engine"].dispose()
    return url, token


def serve(app: str, port: int, folder: Path, env: dict) -> subprocess.Popen:
    """gunicorn with the portal's configuration, its log lines to a file."""
    log = open(folder / f"gunicorn-{port}.log", "w")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "--config",
            "python:portal.infra.gunicorn_config",
            "--chdir",
            str(folder),
            app,
        ],
        env={**os.environ, **env, "BIND": f"127.0.0.1:{port}", "PYTHONPATH": f"{ROOT}:{folder}"},
        stdout=log,
        stderr=log,
    )


def wait_until_up(port: int, path: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn on port {port} stopped (code {process.returncode}); see its log")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", path)
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn on port {port} did not answer {path} within 60 s")


def sign_in(port: int) -> str:
    """The session cookie of the demo partner admin, signed in through the form (CSRF and all)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/en/sign-in")
    response = connection.getresponse()
    page = response.read().decode()
    cookies = [h.split(";", 1)[0] for k, h in response.getheaders() if k.lower() == "set-cookie"]
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token"[^>]*value="([^"]+)"', page
    )
    body = urlencode({"csrf_token": csrf.group(1), "email": EMAIL, "password": PASSWORD})
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": "; ".join(cookies)}
    connection.request("POST", "/en/sign-in", body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    assert response.status == 302, f"sign-in answered {response.status}"
    cookies += [h.split(";", 1)[0] for k, h in response.getheaders() if k.lower() == "set-cookie"]
    latest = dict(c.split("=", 1) for c in cookies)  # the signed-in session replaces the first
    return "; ".join(f"{name}={value}" for name, value in latest.items())


def load(port: int, path: str, cookie: str, seconds: float, connections: int, result) -> None:
    """In its own process: ``connections`` threads request ``path`` for ``seconds``; the number
    of 200 answers goes to ``result`` (any other answer stops the run)."""
    headers = {"Cookie": cookie} if cookie else {}
    counts, failures = [0] * connections, []
    stop = time.monotonic() + seconds

    def worker(n: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < stop:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                failures.append(response.status)
                return
            counts[n] += 1

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(connections)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.put((sum(counts) / (time.monotonic() - began), failures))


def rate(port: int, path: str, cookie: str, seconds: float, connections: int) -> float:
    context = multiprocessing.get_context("spawn")
    for duration in (min(1.0, seconds), seconds):  # a short warm-up, then the measured run
        result = context.Queue()
        process = context.Process(target=load, args=(port, path, cookie, duration, connections, result))
        process.start()
        per_second, failures = result.get()
        process.join()
        if failures:
            raise SystemExit(f"{path} answered {failures[0]}")
    return per_second


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="measured seconds per page")
    parser.add_argument("--connections", type=int, default=4, help="the client's concurrent connections")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-requests-") as name:
        folder = Path(name)
        url, token = prepare(folder)
        (folder / "hello.py").write_text(HELLO, encoding="utf-8")
        portal_port, hello_port = free_port(), free_port()
        env = {
            "SECRET_KEY": SECRET,
            "DATABASE_URL": url,
            "BASE_URL": f"http://127.0.0.1:{portal_port}",
            "SMTP_URL": "smtp://127.0.0.1:9",
        }
        servers = [serve("portal:create_app()", portal_port, folder, env), serve("hello:app", hello_port, folder, {})]
        try:
            wait_until_up(portal_port, "/en/sign-in", servers[0])
            wait_until_up(hello_port, "/", servers[1])
            cookie = sign_in(portal_port)
            pages = {
                "sign-in page": ("/en/sign-in", ""),
                "wizard step (W1 role)": (f"/en/setup/{token}/role", ""),
                "customers page (signed in)": ("/en/customers/", cookie),
            }
            bare = [rate(hello_port, "/", "", args.seconds, args.connections)]
            rates = {
                page: rate(portal_port, path, c, args.seconds, args.connections) for page, (path, c) in pages.items()
            }
            bare.append(rate(hello_port, "/", "", args.seconds, args.connections))
        finally:
            for server in servers:
                server.terminate()
            for server in servers:
                server.wait(timeout=30)
    from portal.infra import gunicorn_config

    baseline = sum(bare) / len(bare)
    print(
        f"\n## Requests per second (gunicorn, {gunicorn_config.workers} sync workers, SQLite; "
        f"{args.connections} keep-alive client connections, {args.seconds:g} s a page)\n"
    )
    print("| page | requests/s | ratio to bare |")
    print("|---|---|---|")
    print(f"| bare Flask hello (before / after) | {bare[0]:.0f} / {bare[1]:.0f} | 1.00 |")
    for page, per_second in rates.items():
        print(f"| {page} | {per_second:.0f} | {per_second / baseline:.2f} |")


if __name__ == "__main__":
    main()
