"""Sign-in and sign-out for partner and customer admins."""

def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l

    from portal import permissions
    from portal.db import session
    from portal.extensions import login_manager
    from portal.models import User

    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_id: str):
        return session.get(User, int(user_id))

    permissions.init_app(app)
