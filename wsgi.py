"""WSGI entry point: the only module that builds an app on import."""

from webapp import create_app

app = create_app()
