"""Error pages; the 500 handler rolls the unit of work back before rendering."""

import logging

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException

from webapp.db import db_session

logger = logging.getLogger(__name__)


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _server_error)


def _http_error(error: HTTPException) -> tuple[str, int]:
    code = error.code or 500
    return render_template("errors/http.html", code=code), code


def _server_error(error: Exception) -> tuple[str, int]:
    db_session().rollback()
    logger.exception("unhandled error: %s", type(error).__name__)
    return render_template("errors/http.html", code=500), 500
