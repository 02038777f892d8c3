"""A signed-cookie session that is only sent back when its contents changed.

The wizard keeps its answers in the session (rule O6). Flask marks a session modified whenever a
key is assigned, and Flask-Login's session protection assigns one on every anonymous request, so
every response carried the whole cookie. Two requests in flight at once - the inline email check
and the form it belongs to - then raced, and the slower one's cookie could overwrite the answer
the other had just saved. Comparing the contents makes a request that changed nothing leave the
cookie alone.
"""

from copy import deepcopy

from flask import request
from flask.sessions import SecureCookieSessionInterface


class ChangedOnlySessionInterface(SecureCookieSessionInterface):
    def open_session(self, app, request):
        session = super().open_session(app, request)
        if session is not None:
            # A deep copy: flash() and the wizard change lists and dicts inside the session in place.
            session.loaded_contents = deepcopy(dict(session))
        return session

    def save_session(self, app, session, response) -> None:
        # A static file is the same for everyone: no cookie, and no Vary: Cookie, so that browsers
        # and proxies cache it once (portal/infra/static_files.py).
        if request.endpoint != "static":
            super().save_session(app, session, response)

    def should_set_cookie(self, app, session) -> bool:
        if session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]:
            return True
        return dict(session) != getattr(session, "loaded_contents", None)
