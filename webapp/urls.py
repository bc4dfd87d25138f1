"""Absolute links to the public site, built outside a request (jobs, messages)."""

from urllib.parse import urlsplit

from flask import current_app

from webapp.settings_access import get_settings


def public_url(endpoint: str, **values: object) -> str:
    """Build an absolute URL on `public_base_url`, with or without a request."""
    base = urlsplit(get_settings().public_base_url)
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme
    )
    return adapter.build(endpoint, values, force_external=True)
