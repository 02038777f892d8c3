"""Operator tasks as Flask CLI groups: `flask portal …` and `flask translate …`."""

import re
import signal
import subprocess
import sys
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
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


@portal_cli.command("demo-clock")
@click.argument("move", required=False, metavar="[+2d | +12h | +30m | 2026-12-06T09:00]")
@click.option("--reset", is_flag=True, help="Back to real time.")
def demo_clock_command(move, reset):
    """Move the demo ahead in time: the running demo, its scheduler and `tick` alike (demo only).

    Without an argument, shows the demo's time. Links the scheduler sends at the demo's time
    work in the demo's portal, because both read the same clock.
    """
    from portal import demo

    if move and reset:
        raise click.UsageError("Give a time to move to, or --reset, not both.")
    try:
        demo.require_demo_database()
        if move or reset:
            demo.move_clock(reset=reset, **_parse_move(move))
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    clock = demo.DemoClock(current_app.config.get("CLOCK"))
    ahead = clock.offset()
    click.echo(f"The demo's time is {clock():%Y-%m-%d %H:%M} UTC ({_describe_offset(ahead)}).")
    if reset:
        click.echo(
            "What the demo did at its later time stays dated then; for a fresh demo, delete "
            "instance/portal.sqlite3 and `make run` again."
        )


MOVE = re.compile(r"^\+(\d+)([dhm])$")
UNITS = {"d": "days", "h": "hours", "m": "minutes"}


def _parse_move(move: str | None) -> dict:
    if not move:
        return {}
    found = MOVE.match(move)
    if found:
        return {"ahead": timedelta(**{UNITS[found[2]]: int(found[1])})}
    try:
        return {"to": _utc(datetime.fromisoformat(move))}
    except ValueError:
        raise click.BadParameter(f"{move!r}: give +2d, +12h, +30m or a time such as 2026-12-06T09:00.") from None


def _utc(when: datetime) -> datetime:
    """Naive UTC, as the portal stores time; a time with an offset is converted."""
    return when.astimezone(UTC).replace(tzinfo=None) if when.tzinfo else when


def _describe_offset(ahead: timedelta) -> str:
    if not ahead:
        return "real time"
    days, rest = ahead.days, ahead.seconds
    return f"{days} d {rest // 3600} h {rest % 3600 // 60} min ahead of real time"


def _use_demo_clock() -> None:
    """On the demo's database, the scheduler's commands run on the demo's time; a worker started
    before `demo-clock` moves it follows from its next run on."""
    from sqlalchemy import inspect

    from portal import demo
    from portal.infra.db import db

    # A database not yet migrated to 0011 has no demo clock either: the worker still starts.
    clock = current_app.config.get("CLOCK")
    if isinstance(clock, demo.DemoClock):
        return  # already (an app that ran such a command before): the offset is added once
    if inspect(current_app.extensions["portal.engine"]).has_table("demo_clock") and demo.is_demo_database():
        current_app.config["CLOCK"] = demo.DemoClock(clock)
    db.commit()  # the check's read transaction ends here, before the command's work


@portal_cli.command("tick")
@click.option(
    "--at", "at", help="Act as if it were this time (ISO 8601, UTC), e.g. 2026-12-01T09:00; not later than now."
)
def tick_command(at):
    """Do what is due: set-up emails, account rep alerts, closing lines, sending mail."""
    from portal.infra import clock
    from portal.scheduler import run_tick

    _use_demo_clock()
    if at:
        when = _utc(datetime.fromisoformat(at))
        if when > clock.now():
            # The links it sent would be signed at a time the portal has not reached yet, which
            # it refuses until then: time moves ahead for everything at once, or not at all.
            raise click.ClickException(
                f"{at} is later than the portal's time ({clock.now():%Y-%m-%dT%H:%M}): the links it sent would "
                "not work before then. In the demo, `flask portal demo-clock` moves the whole demo ahead."
            )
        current_app.config["CLOCK"] = FixedClock(when)
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

    _use_demo_clock()
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

    _use_demo_clock()
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


def demo_app(configured, *, port: int, smtp_port: int, mailbox: str):
    """The demo's app, an app of its own created with DEMO: the demo mailbox exists in it and in
    no other, and its clock is the demo clock (`flask portal demo-clock`)."""
    from portal import create_app, demo

    clock = configured.get("CLOCK")
    return create_app(
        {
            **configured,
            "DEMO": True,
            "DEMO_MAILBOX": mailbox,
            "SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
            "BASE_URL": f"http://127.0.0.1:{port}",
            "CLOCK": clock if isinstance(clock, demo.DemoClock) else demo.DemoClock(clock),
        }
    )


@portal_cli.command("serve-demo")
@click.option("--port", default=5000, envvar="PORT", show_default=True)
@click.option("--smtp-port", default=8025, show_default=True)
@click.option(
    "--tick-every", default=5.0, show_default=True, help="Seconds between scheduler runs (they send the mail)."
)
def serve_demo_command(port, smtp_port, tick_every):
    """Serve on 127.0.0.1 with the demo's own SMTP server, mailbox page and scheduler."""
    from portal.infra import logging_setup
    from portal.mail import smtp_sink
    from portal.scheduler import Stop, run_every

    # The CLI's app configured production logging; the demo's console stays plain and quiet.
    logging_setup.remove()

    configured = current_app.config
    mailbox = configured.get("DEMO_MAILBOX") or str(ROOT / "instance" / "mailbox")
    app = demo_app(configured, port=port, smtp_port=smtp_port, mailbox=mailbox)
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
