"""Operator tasks as Flask CLI groups: `flask portal …` and `flask translate …`."""

import signal
import subprocess
import sys
import threading
from collections import Counter
from datetime import datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from werkzeug.serving import WSGIRequestHandler, run_simple

from portal.i18n.catalog_checks import EXTRACT_ARGS
from portal.infra.clock import FixedClock
from portal.mail.cli import outbox_command

portal_cli = AppGroup("portal", help="Run and operate the portal.")
translate_cli = AppGroup("translate", help="Extract, update and compile the translation catalogs.")

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
POT = TRANSLATIONS / "messages.pot"


@portal_cli.command("migrate")
def migrate_command():
    """Bring the database schema up to date (Alembic)."""
    from portal.infra.migrate import upgrade

    url = current_app.config["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    upgrade(url)
    click.echo("Database is up to date.")


@portal_cli.command("demo")
@click.option("--if-empty", is_flag=True, help="Only load into an empty database.")
def demo_command(if_empty):
    """Load the demo partners, customers, admins and subscriptions."""
    from portal import demo

    if not demo.is_empty():
        if if_empty:
            click.echo("Demo data already present.")
            return
        raise click.ClickException("The database already holds organizations; demo data goes into an empty one.")
    counts = demo.load()
    click.echo(
        f"Loaded {counts['organizations']} organizations and {counts['sign_ins']} sign-ins "
        f"(password: {demo.DEMO_PASSWORD})."
    )


@portal_cli.command("tick")
@click.option("--at", "at", help="Act as if it were this time (ISO 8601, UTC), e.g. 2026-12-01T09:00.")
def tick_command(at):
    """Do what is due: set-up emails, account rep alerts, closing lines, sending mail."""
    from portal.scheduler import run_tick

    if at:
        current_app.config["CLOCK"] = FixedClock(datetime.fromisoformat(at))
    counts = run_tick()
    click.echo(", ".join(f"{key}: {value}" for key, value in counts.items()))


@portal_cli.command("similar")
@click.argument("company")
@click.option("--email", default="", help="The admin email: its domain is evidence, and is checked.")
@click.option("--country", default="", help="ISO 3166 code of the country of operation, e.g. NL.")
@click.option("--limit", default=10, show_default=True, help="How many suggestions at most.")
def similar_command(company, email, country, limit):
    """The duplicate guard's suggestions for a company name, with scores and reasons (issue 12):
    what the wizard and the trial form would show, for support staff before merging records."""
    from flask_babel import force_locale

    from portal.domain import duplicates, email_checks
    from portal.i18n.labels import MATCH_REASON_LABELS

    found = duplicates.suggestions(company, email, country.upper(), limit=limit)
    with current_app.test_request_context(), force_locale("en"):
        notes = email_checks.notes(email, organization_ids={s.organization.id for s in found}) if email else None
        if notes is not None:
            if notes.public:
                click.echo(f"{notes.domain}: a public mail provider's domain, no evidence of the organization.")
            if notes.disposable:
                click.echo(f"{notes.domain}: a disposable mail domain, refused for an organization's admin.")
            for near in notes.near:
                click.echo(f"{notes.domain}: one or two edits from {near.domain} ({near.organizations} organizations).")
        if not found:
            click.echo(f"No possible duplicates of {company!r}.")
            return
        for s in found:
            org = s.organization
            reasons = "; ".join(str(MATCH_REASON_LABELS[r.value]) for r in s.reasons)
            mark = "strong" if s.strong else "weak"
            click.echo(f"{s.score:>3}  {mark:<6}  #{org.id}  {org.name}  ({org.kind}, {org.country})  {reasons}")


@portal_cli.command("deliver")
def deliver_command():
    """Send the outbox now."""
    from portal.mail.delivery import deliver_due

    click.echo(deliver_due(limit=1000))


class QuietRequestHandler(WSGIRequestHandler):
    """Werkzeug's handler, without naming Werkzeug's and Python's versions in ``Server:``."""

    def version_string(self) -> str:
        return "portal"


portal_cli.add_command(outbox_command)


@portal_cli.command("worker")
@click.option(
    "--interval", default=5.0, show_default=True, type=click.FloatRange(min=0.1), help="Seconds between runs."
)
@click.option("--once", is_flag=True, help="Run once, then stop.")
def worker_command(interval, once):
    """Do what is due every few seconds (what `tick` does), until SIGTERM or Ctrl-C.

    Requests only queue email; this sends it. Several workers may run at once: every step
    claims its rows first. A signal lets the current run finish, then the worker stops.
    """
    from portal.scheduler import Stop, run_every

    app = current_app._get_current_object()
    stop = Stop()
    previous = {sig: signal.signal(sig, stop.set) for sig in (signal.SIGTERM, signal.SIGINT)}

    def report(counts):
        if once or any(counts.values()):
            click.echo(", ".join(f"{key}: {value}" for key, value in counts.items()))

    click.echo(f"Worker running every {interval:g} s.")
    try:
        runs = run_every(app, interval, stop, once=once, report=report)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    click.echo(f"Worker stopped after {runs} run{'s' if runs != 1 else ''}.")


@portal_cli.command("serve-demo")
@click.option("--port", default=5000, envvar="PORT", show_default=True)
@click.option("--smtp-port", default=8025, show_default=True)
@click.option(
    "--tick-every", default=5.0, show_default=True, help="Seconds between scheduler runs (they send the mail)."
)
def serve_demo_command(port, smtp_port, tick_every):
    """Serve on 127.0.0.1 with the demo's own SMTP server, mailbox page and scheduler."""
    from portal import create_app
    from portal.infra import logging_setup
    from portal.mail import smtp_sink
    from portal.scheduler import Stop, run_every

    # The CLI's app configured production logging; the demo's console stays plain and quiet.
    logging_setup.remove()

    # An app of its own, created with DEMO: the demo mailbox exists in it and in no other.
    configured = current_app.config
    mailbox = configured.get("DEMO_MAILBOX") or str(ROOT / "instance" / "mailbox")
    app = create_app(
        {
            **configured,
            "DEMO": True,
            "DEMO_MAILBOX": mailbox,
            "SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
            "BASE_URL": f"http://127.0.0.1:{port}",
        }
    )
    controller = smtp_sink.start(mailbox, port=smtp_port)

    stop = Stop()
    scheduler = threading.Thread(target=run_every, args=(app, tick_every, stop), daemon=True, name="demo-scheduler")
    scheduler.start()
    click.echo(f"Portal on http://127.0.0.1:{port}/  ·  demo mailbox: http://127.0.0.1:{port}/en/mailbox/")
    try:
        # Flask ignores app.run() inside its own CLI; Werkzeug's server is what it would run.
        run_simple("127.0.0.1", port, app, threaded=True, use_reloader=False, request_handler=QuietRequestHandler)
    finally:
        stop.set()
        scheduler.join(timeout=30)
        controller.stop()


def _pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=ROOT)


@translate_cli.command("extract")
def extract_command():
    """Extract every translatable string into translations/messages.pot."""
    _pybabel(
        *EXTRACT_ARGS,
        "--project=provisioning-portal",
        "--copyright-holder=Provisioning Portal",
        "-o",
        str(POT),
        "portal",
    )


@translate_cli.command("update")
def update_command():
    """Extract, then merge the template into every language's catalog."""
    extract_command.callback()
    _pybabel("update", "-i", str(POT), "-d", str(TRANSLATIONS), "--no-wrap", "--ignore-obsolete", "--no-fuzzy-matching")


@translate_cli.command("compile")
def compile_command():
    """Compile the catalogs (.mo files are generated, never committed)."""
    _pybabel("compile", "-d", str(TRANSLATIONS), "-D", "messages wtforms", "--statistics")


@translate_cli.command("check")
@click.argument("languages", nargs=-1)
@click.option(
    "--translations",
    "folder",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=TRANSLATIONS,
    help="The folder of catalogs to check (default: translations/).",
)
@click.option(
    "--glossary",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    envvar="PORTAL_GLOSSARY",
    help="The glossary (default: glossary.csv in that folder).",
)
def check_command(languages, folder, glossary):
    """Check the catalogs as the tests do and say, per entry, what is wrong and how to fix it.

    Without LANGUAGES, every language with a catalog in the folder. Exits 1 on any problem.
    """
    from portal.i18n import catalog_checks as checks

    languages = languages or sorted(p.parent.parent.name for p in folder.glob("*/LC_MESSAGES/messages.po"))
    glossary = glossary or folder / "glossary.csv"
    terms = checks.Glossary(glossary) if glossary.exists() else None
    source = checks.extract_source()
    failed = False
    summaries = []
    for lang in languages:
        report = checks.check_language(lang, folder, source, terms)
        path = checks.catalog_path(folder, lang).resolve()
        shown = path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path
        click.echo(f"{checks.language_name(lang)} ({lang}): {shown}")
        for n, problem in enumerate(report.problems, 1):
            click.echo(_describe(n, problem))
        if not report.toolkit_ran:
            click.echo("  (translate-toolkit is not installed: its checks were skipped)")
        kinds = Counter(problem.kind for problem in report.problems)
        if report.problems:
            failed = True
            listed = ", ".join(f"{count} {kind}" for kind, count in kinds.most_common())
            summary = f"{lang}: {len(report.problems)} to fix in {report.entries} entries ({listed})"
        else:
            summary = f"{lang}: OK, {report.entries} entries, every check passed"
        click.echo(("\n" if report.problems else "") + summary + "\n")
        summaries.append(summary)
    if terms is None:
        click.echo(f"No glossary at {glossary}: terms were not checked.")
    if len(summaries) > 1:
        click.echo("\n".join(summaries))
    if failed:
        raise SystemExit(1)


def _describe(n: int, problem) -> str:
    from portal.i18n.catalog_checks import shorten

    where = ", ".join(problem.locations[:3]) + (
        f" and {len(problem.locations) - 3} more" if len(problem.locations) > 3 else ""
    )
    lines = [f'\n  {n}. {problem.kind}: "{shorten(problem.msgid)}"' if problem.msgid else f"\n  {n}. {problem.kind}"]
    if problem.context:
        lines.append(f"     kind of word (msgctxt): {problem.context}")
    if problem.domain != "messages":
        lines.append(f"     file:    {problem.domain}.po")
    if where:
        lines.append(f"     used in: {where}")
    lines.append(f"     wrong:   {problem.what}")
    lines.append(f"     fix:     {problem.fix}")
    return "\n".join(lines)


@translate_cli.command("init")
@click.argument("language")
def init_command(language):
    """Start a catalog for a new language."""
    _pybabel("init", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", language, "--no-wrap")


def init_app(app) -> None:
    app.cli.add_command(portal_cli)
    app.cli.add_command(translate_cli)
