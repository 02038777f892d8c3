"""The demo stays a demo: the mailbox exists only in the demo's app, and answers only this computer."""

import mailbox
from email.message import EmailMessage

import pytest

from portal import create_app


def _mailbox_rules(app) -> list[str]:
    return [rule.rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("mailbox.")]


@pytest.fixture
def maildir(tmp_path):
    path = tmp_path / "mailbox"
    box = mailbox.Maildir(path, create=True)
    message = EmailMessage()
    message["To"], message["Subject"], message["Date"] = (
        "anna@example.net",
        "Welcome",
        "Fri, 20 Nov 2026 09:00:00 +0000",
    )
    message.set_content("Hello,")
    message.add_alternative('<html><head></head><body style="color: #123"><p>Hello,</p></body></html>', subtype="html")
    key = box.add(message)
    box.close()
    return {"path": str(path), "key": key}


@pytest.fixture
def demo_app(app_config, maildir):
    app = create_app({**app_config, "DEMO": True, "DEMO_MAILBOX": maildir["path"]})
    yield app
    app.extensions["portal.engine"].dispose()


def test_production_has_no_mailbox_route_even_with_demo_mailbox_set(app_config, maildir):
    app = create_app({**app_config, "DEMO_MAILBOX": maildir["path"]})  # no DEMO: a production configuration
    try:
        assert _mailbox_rules(app) == []
        client = app.test_client()
        assert client.get("/en/mailbox/").status_code == 404
        assert client.get(f"/en/mailbox/{maildir['key']}").status_code == 404
        assert "/mailbox/" not in client.get("/en/").get_data(as_text=True)  # no link in the menu
    finally:
        app.extensions["portal.engine"].dispose()


def test_demo_is_not_read_from_the_environment(monkeypatch, app_config):
    monkeypatch.setenv("DEMO", "1")
    app = create_app(app_config | {"DEMO": False})
    try:
        assert _mailbox_rules(app) == []
    finally:
        app.extensions["portal.engine"].dispose()
    from portal.config import Config

    assert Config.DEMO is False


@pytest.mark.parametrize("address", ["127.0.0.1", "127.0.0.2", "::1", "::ffff:127.0.0.1"])
def test_the_demo_mailbox_answers_this_computer(demo_app, maildir, address):
    client = demo_app.test_client()
    listing = client.get("/en/mailbox/", environ_base={"REMOTE_ADDR": address})
    assert listing.status_code == 200
    assert f"/en/mailbox/{maildir['key']}" in listing.get_data(as_text=True)
    assert "/en/mailbox/" in client.get("/en/", environ_base={"REMOTE_ADDR": address}).get_data(as_text=True)


@pytest.mark.parametrize("address", ["203.0.113.9", "10.0.0.1", "::2", "2001:db8::1", "", "localhost"])
def test_the_demo_mailbox_is_not_found_from_elsewhere(demo_app, maildir, address):
    client = demo_app.test_client()
    for path in ("/en/mailbox/", f"/en/mailbox/{maildir['key']}", f"/en/mailbox/{maildir['key']}/content"):
        assert client.get(path, environ_base={"REMOTE_ADDR": address}).status_code == 404, path


def test_an_email_is_shown_in_a_frame_with_a_policy_of_its_own(demo_app, maildir):
    client = demo_app.test_client()
    page = client.get(f"/sv/mailbox/{maildir['key']}")
    assert page.status_code == 200
    assert f'src="/sv/mailbox/{maildir["key"]}/content"' in page.get_data(as_text=True)
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'; script-src 'self'; style-src 'self'")
    frame = client.get(f"/sv/mailbox/{maildir['key']}/content")
    assert frame.status_code == 200
    assert frame.headers["Content-Security-Policy"].startswith("default-src 'none'; style-src 'unsafe-inline'")
    assert "frame-ancestors 'self'" in frame.headers["Content-Security-Policy"]
    assert "sandbox" in frame.headers["Content-Security-Policy"]
    assert frame.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert '<head><base target="_top"></head>' in frame.get_data(as_text=True)
    assert client.get("/sv/mailbox/no-such-key/content").status_code == 404


def test_serve_demo_creates_the_app_with_demo_and_a_quiet_server(app, monkeypatch, tmp_path):
    from portal import cli
    from portal.mail import smtp_sink

    served = {}

    class Sink:
        def stop(self):
            served["sink_stopped"] = True

    def run_simple(host, port, wsgi_app, **options):  # instead of serving until interrupted
        served.update(app=wsgi_app, host=host, **options)

    monkeypatch.setattr(smtp_sink, "start", lambda *args, **kwargs: Sink())
    monkeypatch.setattr(cli, "run_simple", run_simple)
    app.config["DEMO_MAILBOX"] = str(tmp_path / "mailbox")
    result = app.test_cli_runner().invoke(args=["portal", "serve-demo", "--port", "5999", "--tick-every", "100000"])
    assert result.exit_code == 0, result.output
    demo = served["app"]
    try:
        assert demo is not app and demo.config["DEMO"] is True
        assert _mailbox_rules(demo) and _mailbox_rules(app) == []
        assert served["host"] == "127.0.0.1" and served["request_handler"] is cli.QuietRequestHandler
        assert served["sink_stopped"]
    finally:
        demo.extensions["portal.engine"].dispose()
