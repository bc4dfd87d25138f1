"""Logging: one line per record with the request and user ids when there is a request."""

import logging

from flask import g, has_request_context
from flask_login import current_user

LOG_FORMAT = (
    "%(asctime)s %(levelname)s %(name)s [request=%(request_id)s user=%(user_id)s] %(message)s"
)


class RequestContextFilter(logging.Filter):
    """Add `request_id` and `user_id` to every record, `-` outside a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = "-"
        record.user_id = "-"
        if has_request_context():
            record.request_id = g.get("request_id", "-")
            if current_user and current_user.is_authenticated:
                record.user_id = current_user.get_id()
        return True


def configure_logging(level: int = logging.INFO) -> None:
    """Install one stream handler on the root logger, once."""
    root = logging.getLogger()
    if any(isinstance(f, RequestContextFilter) for h in root.handlers for f in h.filters):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.addFilter(RequestContextFilter())
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # The Twilio SDK logs the URL and headers of every request at INFO, ten lines an SMS.
    logging.getLogger("twilio.http_client").setLevel(logging.WARNING)
