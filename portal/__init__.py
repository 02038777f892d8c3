"""The provisioning portal: application factory."""

from flask import Flask

from portal.config import Config


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=False)
    app.config.from_object(Config)
    if config:
        app.config.update(config)
    production = not (app.debug or app.testing or app.config["DEMO"])
    if production:  # before anything logs: the app's logger then gets no default handler
        from portal.infra import logging_setup

        logging_setup.configure_app(app)
    _check_secret_key(app)
    _check_database_url(app, production)
    if app.config["BASE_URL"].startswith("https://"):
        app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)

    from portal import i18n
    from portal.i18n import sentences, templating
    from portal.infra import url_converters
    from portal.infra.db import make_engine, make_session
    from portal.infra.extensions import babel, csrf, login_manager

    # Never a migration here: the schema changes only when an operator runs `flask portal migrate`.
    engine = make_engine(app.config["DATABASE_URL"])
    from portal.i18n import collation

    collation.register(engine)  # rule L4 in the database: lists sort and page there
    app.extensions["portal.engine"] = engine
    i18n.register_converter(app)
    url_converters.register(app)  # before any route: <int:…> ids are bounded
    app.extensions["portal.session"] = make_session(engine)

    # A request's work starts and ends with it, also when it shares an application context
    # (tests, the CLI): it never inherits an open transaction, a cached user or locale, nor
    # leaves one behind.
    def reset_request_state(*names):
        from flask import g

        app.extensions["portal.session"].remove()
        for name in ("_flask_babel", "_login_user", *names):
            g.pop(name, None)

    app.before_request(reset_request_state)  # runs after the URL's language is read into g
    app.teardown_request(lambda _exc: reset_request_state("lang"))
    app.teardown_appcontext(lambda _exc: app.extensions["portal.session"].remove())

    folder = app.config["TRANSLATIONS_DIR"]
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(folder for _ in app.config["BABEL_DOMAIN"].split(";"))
    from portal.infra.browser_session import ChangedOnlySessionInterface

    app.session_interface = ChangedOnlySessionInterface()
    babel.init_app(app, locale_selector=i18n.choose_language, timezone_selector=i18n.choose_time_zone)
    sentences.init_app(app, babel)
    csrf.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    templating.init_app(app)

    from portal import auth, cli
    from portal.audit.events import describe_event
    from portal.auth.views import bp as auth_bp
    from portal.core.views import bp as core_bp
    from portal.domain.residency import region_for
    from portal.i18n import translation_status
    from portal.infra import errors, request_id, security_headers, static_files
    from portal.mail import mailbox
    from portal.orders.views import bp as orders_bp
    from portal.organization.views import bp as organization_bp
    from portal.people.views import bp as people_bp
    from portal.trials.customer_views import bp as customer_trials_bp
    from portal.trials.views import bp as trials_bp
    from portal.trials.vocabulary import INDUSTRIES
    from portal.wizard.views import bp as wizard_bp

    auth.init_app(app)
    for blueprint in (
        core_bp,
        auth_bp,
        orders_bp,
        organization_bp,
        wizard_bp,
        translation_status.bp,
        trials_bp,
        customer_trials_bp,
        people_bp,
    ):
        app.register_blueprint(blueprint)
    # the features' own vocabulary and helpers, wired here
    app.jinja_env.globals.update(INDUSTRY_LABELS=INDUSTRIES, describe_event=describe_event, region_of=region_for)
    mailbox.init_app(app)  # the demo's only (DEMO), never in production
    request_id.init_app(app)
    security_headers.init_app(app)
    errors.init_app(app)
    static_files.init_app(app)
    cli.init_app(app)
    if production and app.config["TRUSTED_PROXIES"]:  # never in the demo: its mailbox trusts 127.0.0.1
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    return app


WEAK_KEYS = {"dev", "secret", "changeme", "change-me", "dev-only-secret-change-me"}


def _check_secret_key(app: Flask) -> None:
    """Outside debug and tests, refuse to start with a missing or forgeable SECRET_KEY."""
    key = app.config.get("SECRET_KEY")
    if app.debug or app.testing:
        if not key:
            app.config["SECRET_KEY"] = "debug-only-" + __name__
        return
    if not key or len(key) < 32 or key.lower() in WEAK_KEYS or len(set(key)) < 10:
        raise RuntimeError(
            "SECRET_KEY is missing or too weak: it signs sessions and the links in emails. Set it to "
            "a random value of at least 32 characters, for example\n"
            "  export SECRET_KEY=\"$(python3 -c 'import secrets; print(secrets.token_hex(32))')\"\n"
            "(`make run` creates one for the demo in instance/secret_key)."
        )


def _check_database_url(app: Flask, production: bool) -> None:
    """A production portal names its database: it never writes to a SQLite file by default."""
    if app.config.get("DATABASE_URL"):
        return
    if production:
        raise RuntimeError(
            "DATABASE_URL is not set: a production portal needs its database named explicitly, for example\n"
            "  export DATABASE_URL=postgresql+psycopg://portal:PASSWORD@db.internal/portal\n"
            "(the demo and `make` use sqlite:///instance/portal.sqlite3; see docs/DEPLOYING.md)."
        )
    from portal.config import DEVELOPMENT_DATABASE_URL

    app.config["DATABASE_URL"] = DEVELOPMENT_DATABASE_URL
