"""The README's journeys, followed as it words them (issue 13): the commands are read from the
README itself and run through the Flask CLI runner, the pages through the demo app's test
client, so that the README cannot drift from what the demo does again."""

import re
import shlex
from html import unescape

from portal import cli
from portal.scheduler import Stop, run_every
from tests.conftest import ROOT, translate
from tests.wizard_driver import Wizard

LOCAL = {"REMOTE_ADDR": "127.0.0.1"}  # the demo mailbox answers only this computer
LANGUAGE_NAMES = {"English": "en", "Dutch": "nl", "Swedish": "sv", "Slovenian": "sl", "Bulgarian": "bg"}


def readme_journey(title: str) -> str:
    """The README's bullet ``- **title**: …``, on one line."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(rf"^- \*\*{re.escape(title)}\*\*:(.*?)(?=^- |^\S|\Z)", text, re.S | re.M)
    assert found, f"the README has no journey {title!r}"
    return " ".join(found[1].split())


def readme_commands(journey: str) -> list[list[str]]:
    """The `flask …` commands a journey gives, as arguments for the CLI runner."""
    return [shlex.split(command) for command in re.findall(r"`flask ([^`]+)`", journey)]


def invoke(app, args: list[str]):
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, (args, result.output)
    return result.output


def scheduler_run(demo) -> None:
    """One run of the demo's scheduler, as `make run` does every 5 seconds."""
    assert run_every(demo, 0, Stop(), once=True) == 1


def mailbox_messages(client) -> list[tuple[str, str]]:
    """(page, message path) of every email in the demo mailbox, as one opens each from its list."""
    listing = client.get("/en/mailbox/", environ_base=LOCAL).get_data(as_text=True)
    paths = sorted(set(re.findall(r'href="(/en/mailbox/[^"/]+)"', listing)))
    return [(client.get(path, environ_base=LOCAL).get_data(as_text=True), path) for path in paths]


def test_readme_w3_w8_a_partners_first_order_works_as_written(app, smtp_server):
    journey = readme_journey("W3, a partner's first order")
    [address] = re.findall(r"\*([\w.+-]+@[\w.-]+)\*", journey)
    [language] = [code for name, code in LANGUAGE_NAMES.items() if f"in {name}" in journey]
    commands = readme_commands(journey)
    assert commands == [["portal", "demo-clock", "+2d"]], commands  # what this test follows

    # `make run`: migrate, the demo data, and the demo's app with its mailbox and scheduler.
    invoke(app, ["portal", "migrate"])
    invoke(app, ["portal", "demo", "--if-empty"])
    smtp_port = int(smtp_server["url"].rsplit(":", 1)[1])
    demo = cli.demo_app(app.config, port=5000, smtp_port=smtp_port, mailbox=str(smtp_server["maildir"]))
    try:
        browser = demo.test_client()
        scheduler_run(demo)
        assert not [path for page, path in mailbox_messages(browser) if address in page]  # two days later

        for args in commands:  # the journey's own commands
            invoke(app, args)
        scheduler_run(demo)
        [path] = [path for page, path in mailbox_messages(browser) if address in page]
        email = browser.get(f"{path}/content", environ_base=LOCAL).get_data(as_text=True)
        [link] = re.findall(rf'href="(http://127\.0\.0\.1:5000/{language}/setup/[^"]+)"', email)
        assert translate(app, language, "Set up now") in email

        # The link works in the running demo: the scheduler and the portal read the same clock.
        token = unescape(link).rsplit("/", 1)[1]
        wizard = Wizard(browser, token, language)
        assert wizard.get().status_code == 200
        assert wizard.post("role", {"role": "partner"}).status_code == 302
        assert wizard.post("who", {"who": "self"}).status_code == 302
        first_order = translate(app, language, "This is your first order: create your partner organization.")
        assert first_order in wizard.text("partner")  # rule W3
        created = wizard.post("partner", {"company": "Adriatic Networks d.o.o.", "admin_email": "ana@adriatic.example"})
        assert created.status_code == 302
        assert wizard.post("admin", {"admin_email": "it@fabrikam.example"}).status_code == 302
        assert wizard.post("company", {"company": "Fabrikam Ltd", "country": "HR"}).status_code == 302
        assert wizard.post("organization", {"organization": "new"}).status_code == 302
        assert wizard.post("confirm").status_code == 302
        assert translate(app, language, "Create your password") in wizard.text("done")  # rule W8
        chosen = wizard.post("password", {"password": "Lipica-horse-2026", "confirm": "Lipica-horse-2026"})
        assert chosen.status_code == 302 and chosen.headers["Location"].endswith("/services/details")  # W9 next
        signed_in = demo.test_client().post(
            f"/{language}/sign-in", data={"email": "ana@adriatic.example", "password": "Lipica-horse-2026"}
        )
        assert signed_in.status_code == 302 and "/sign-in" not in signed_in.headers["Location"]
    finally:
        demo.extensions["portal.engine"].dispose()


def readme_paragraph(starting: str) -> str:
    """The README's paragraph that starts with ``starting``, on one line."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    [paragraph] = [p for p in text.split("\n\n") if p.startswith(starting)]
    return " ".join(paragraph.split())


def test_readme_trials_move_with_the_demo_clock_as_written(app, smtp_server):
    from sqlalchemy import select

    from portal.infra.db import db
    from portal.models import OutgoingEmail, Trial

    paragraph = readme_paragraph("Trials move with the demo's clock")
    moves = re.findall(r"`(?:flask portal demo-clock )?(\+\d+d)`", paragraph)
    assert moves == ["+20d", "+43d", "+7d"], moves  # what this test follows
    invoke(app, ["portal", "demo", "--if-empty"])
    smtp_port = int(smtp_server["url"].rsplit(":", 1)[1])
    demo = cli.demo_app(app.config, port=5000, smtp_port=smtp_port, mailbox=str(smtp_server["maildir"]))

    def after(move: str) -> dict:
        """The trials' statuses and the emails sent, once the demo clock moved and the scheduler ran."""
        invoke(app, ["portal", "demo-clock", move])
        scheduler_run(demo)
        with demo.app_context():
            statuses = {trial.customer.name: trial.status for trial in db.scalars(select(Trial))}
            emails = db.execute(select(OutgoingEmail.kind, OutgoingEmail.to_address, OutgoingEmail.body_text)).all()
        return statuses, emails

    try:
        statuses, emails = after(moves[0])  # Vega's grace period ends (T17): its users are told
        assert statuses == {"Helios Contact Services": "active", "Vega Callcenter B.V.": "ended"}
        assert ("trial.admin@vega.example",) in {(to,) for kind, to, _ in emails if kind == "trial_access_ended"}

        statuses, emails = after(moves[1])  # 7 days before Helios's end: the warnings (T16)
        warned = {to: text for kind, to, text in emails if kind == "trial_expiring"}
        assert statuses["Helios Contact Services"] == "active"
        assert {"trial.admin@helios.example", "anna.dekker@northwind.example"} <= set(warned)
        assert "http://127.0.0.1:5000/nl/organization/" in warned["trial.admin@helios.example"]  # to purchase

        statuses, emails = after(moves[2])  # Helios's end: it expires (T16)
        expired = {to: text for kind, to, text in emails if kind == "trial_expired"}
        assert statuses["Helios Contact Services"] == "expired"
        assert "http://127.0.0.1:5000/nl/organization/" in expired["trial.admin@helios.example"]
        # The running demo shows it on the customer admin's organization page, on the demo's time.
        browser = demo.test_client()
        browser.post("/nl/sign-in", data={"email": "trial.admin@helios.example", "password": "portal-demo-2026"})
        page = browser.get("/nl/organization/").get_data(as_text=True)
        assert translate(app, "nl", "I'm interested in purchasing") in page
        assert translate(app, "nl", "Expired") in page
    finally:
        demo.extensions["portal.engine"].dispose()
