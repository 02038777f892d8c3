"""Error pages in the page's language; a CSRF failure explains itself."""

from flask import render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError


def init_app(app) -> None:
    def page(status: int, title: str, message: str):
        return render_template("error.html", title=title, message=message, status=status), status

    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        return page(
            400,
            _("The form has expired"),
            _("For your security the form could not be sent. Go back, reload the page and try again."),
        )

    @app.errorhandler(400)
    def bad_request(_error):
        return page(400, _("Bad request"), _("The request could not be understood."))

    @app.errorhandler(403)
    def forbidden(_error):
        return page(403, _("Access denied"), _("Your admin role does not allow you to see or change this."))

    @app.errorhandler(404)
    def not_found(_error):
        return page(404, _("Page not found"), _("The page you asked for does not exist or has been moved."))

    @app.errorhandler(405)
    def method_not_allowed(_error):
        return page(405, _("Action not allowed"), _("This page cannot be used in that way."))
