"""Tournée web application: `create_app(settings)` builds and configures the Flask app."""

import logging
import secrets

from flask import Flask, g, has_request_context, request, session
from flask_babel import get_locale, lazy_gettext
from flask_login import current_user

from webapp import db
from webapp.extensions import babel, csrf, limiter, login_manager
from webapp.logging_setup import configure_logging
from webapp.name_lists import name_list
from webapp.security import init_input_guard, init_proxy_fix, init_security_headers
from webapp.session_labels import session_label
from webapp.settings import Settings
from webapp.settings_access import get_settings

logger = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> Flask:
    """Build the application from `settings`, or from the environment when none are given."""
    settings = settings or Settings.from_env()
    settings.validate()
    configure_logging()

    app = Flask(__name__, instance_relative_config=False)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        DEBUG=settings.is_debug,
        TESTING=settings.environment == "test",
        BABEL_DEFAULT_LOCALE=settings.default_locale,
        BABEL_DEFAULT_TIMEZONE=settings.timezone,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.is_production,
        REMEMBER_COOKIE_SECURE=settings.is_production,
        WTF_CSRF_TIME_LIMIT=None,
        RATELIMIT_ENABLED=settings.is_rate_limit_enabled,
        RATELIMIT_STORAGE_URI=settings.redis_url,
    )
    app.extensions["tournee.settings"] = settings
    init_proxy_fix(app, settings)
    # Before every other hook, CSRF included, so no NUL character reaches a query.
    init_input_guard(app)

    db.init_app(app, db.build_engine(settings.database_url))
    _init_extensions(app, settings)
    _register_blueprints(app)
    _register_cli(app)
    _register_request_hooks(app)
    _register_template_helpers(app)
    init_security_headers(app, settings)
    return app


def _select_locale() -> str:
    supported = get_settings().supported_locales
    if not has_request_context():
        return get_settings().default_locale
    chosen = session.get("locale")
    if chosen in supported:
        return str(chosen)
    if current_user and current_user.is_authenticated and current_user.locale in supported:
        return str(current_user.locale)
    return get_settings().default_locale


def _init_extensions(app: Flask, settings: Settings) -> None:
    babel.init_app(app, locale_selector=_select_locale)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message_category = "info"
    # Reads RATELIMIT_ENABLED and RATELIMIT_STORAGE_URI from the config set above.
    limiter.init_app(app)

    from webapp.accounts.login_session import load_session_user

    login_manager.user_loader(load_session_user)
    login_manager.login_message = lazy_gettext("Please log in to see this page.")


def _register_blueprints(app: Flask) -> None:
    from webapp.accounts.views import blueprint as accounts
    from webapp.broadcasts.views import blueprint as broadcasts
    from webapp.canvass.views import blueprint as canvass
    from webapp.errors import register_error_handlers
    from webapp.message_log.views import blueprint as message_log
    from webapp.planning.views import blueprint as planning
    from webapp.privacy.views import blueprint as privacy
    from webapp.public.views import blueprint as public
    from webapp.replies.views import blueprint as replies
    from webapp.targets.views import blueprint as targets
    from webapp.webhooks.views import blueprint as webhooks

    for blueprint in (public, accounts, targets, planning, canvass, broadcasts, replies, webhooks):
        app.register_blueprint(blueprint)
    app.register_blueprint(message_log)
    app.register_blueprint(privacy)
    register_error_handlers(app)


def _register_cli(app: Flask) -> None:
    from webapp.cli import register_commands

    register_commands(app)


def _register_template_helpers(app: Flask) -> None:
    """Add the helpers every template may call, message templates included."""
    app.add_template_global(session_label)
    app.add_template_global(name_list)


def _register_request_hooks(app: Flask) -> None:
    @app.before_request
    def _tag_request() -> None:
        g.request_id = request.headers.get("X-Request-Id", "")[:64] or secrets.token_hex(8)

    @app.context_processor
    def _template_globals() -> dict[str, object]:
        from webapp.authz import current_role
        from webapp.models.users import COORDINATOR_ROLES

        return {
            "settings": get_settings(),
            "get_locale": get_locale,
            "is_coordinator": lambda: current_role() in COORDINATOR_ROLES,
        }
