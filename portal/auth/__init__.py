"""Accounts: sign-in, sessions, invitations and password resets for partner and customer admins."""


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l

    from portal.domain import permissions
    from portal.infra.db import db
    from portal.infra.extensions import login_manager
    from portal.models import User

    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    from portal.auth import login_sessions, throttle
    from portal.auth.views import init_views
    from portal.infra import passwords

    @login_manager.user_loader
    def load_user(user_id: str):
        """The user of this browser's live session; an ended or expired one signs nobody in."""
        try:
            user = db.get(User, int(user_id))
        except (TypeError, ValueError):
            return None
        if user is None or not user.active or login_sessions.current(user.id) is None:
            return None
        return user

    passwords.init_app(app)
    throttle.init_app(app)
    init_views(app)

    permissions.init_app(app)
