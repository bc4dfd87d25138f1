"""Access to the settings of the current app."""

from flask import current_app

from webapp.settings import Settings


def get_settings() -> Settings:
    settings: Settings = current_app.extensions["tournee.settings"]
    return settings
