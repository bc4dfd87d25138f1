"""Security headers, no caching behind a login, no NUL in input, trusted reverse proxies."""

from urllib.parse import urlsplit

from flask import Flask, Response, abort, request
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from webapp.settings import Settings

HSTS_MAX_AGE_S = 365 * 24 * 3600


def tile_source(tile_url: str) -> str:
    """Return the CSP source that allows the map tiles, `{s}` subdomains included."""
    parts = urlsplit(tile_url)
    if not parts.scheme or not parts.netloc:
        return ""
    host = parts.netloc.replace("{s}.", "*.")
    return f"{parts.scheme}://{host}"


def content_security_policy(settings: Settings) -> str:
    """Build a policy without inline scripts or styles: every script is a static file."""
    images = " ".join(filter(None, ["'self'", "data:", tile_source(settings.map_tile_url)]))
    directives = [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        f"img-src {images}",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
    return "; ".join(directives)


def has_nul_byte() -> bool:
    """Return whether the request's path, query or form holds a NUL character.

    No legitimate input contains one, and PostgreSQL rejects it in text values, so the
    request is refused up front instead of failing in a query.
    """
    if "\x00" in request.path:
        return True
    fields = list(request.args.items(multi=True))
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        fields.extend(request.form.items(multi=True))
    return any("\x00" in key or "\x00" in value for key, value in fields)


def init_input_guard(app: Flask) -> None:
    """Answer 400 to any request carrying a NUL character."""

    @app.before_request
    def _refuse_nul_bytes() -> None:
        if has_nul_byte():
            abort(400)


def init_security_headers(app: Flask, settings: Settings) -> None:
    """Add the headers to every response of `app`."""
    policy = content_security_policy(settings)

    @app.after_request
    def _add_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", policy)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)")
        if settings.is_production:
            headers.setdefault(
                "Strict-Transport-Security", f"max-age={HSTS_MAX_AGE_S}; includeSubDomains"
            )
        if current_user and current_user.is_authenticated:
            headers["Cache-Control"] = "no-store"
        return response


def init_proxy_fix(app: Flask, settings: Settings) -> None:
    """Trust the X-Forwarded-* headers of `settings.proxy_hops` reverse proxies.

    Behind them, `request.url` and `request.is_secure` then describe the public HTTPS
    address and `request.remote_addr` the visitor, which the rate limits count. Each
    header is read from the right, one value per trusted proxy, so a value the visitor
    sent ahead of the proxies' own is ignored. With no trusted proxy the headers are
    ignored, since anyone can send them.
    """
    hops = settings.proxy_hops
    if hops:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops
        )
