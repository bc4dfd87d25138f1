"""Coordinator page: the campaign's messages, counted by status and filtered, latest first."""

import logging
from dataclasses import replace
from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext
from flask_login import current_user

from webapp.authz import open_to_coordinators
from webapp.db import db_session
from webapp.message_labels import (
    CHANNELS,
    MESSAGE_PURPOSES,
    STATUS_GROUPS,
    channel_label,
    failure_reason_label,
    message_status_label,
    purpose_label,
)
from webapp.message_log.query_args import UNKNOWN_VALUE_NOTICES, ListArgs, read_list_args
from webapp.services.message_log import MessagePage, read_messages
from webapp.services.message_sessions import list_session_choices

logger = logging.getLogger(__name__)

blueprint = Blueprint("message_log", __name__, url_prefix="/messages")

_campaign = open_to_coordinators(blueprint)

PAST_THE_END_NOTICE = lazy_gettext("This page is past the end of the list: the last page is shown.")


@blueprint.context_processor
def _labels() -> dict[str, object]:
    return {
        "channel_labels": CHANNELS,
        "purpose_labels": MESSAGE_PURPOSES,
        "status_group_labels": STATUS_GROUPS,
        "channel_label": channel_label,
        "purpose_label": purpose_label,
        "failure_reason_label": failure_reason_label,
        "message_status_label": message_status_label,
    }


@blueprint.get("/")
def list_messages() -> ResponseReturnValue:
    campaign = _campaign()
    session = db_session()
    session_choices = list_session_choices(session, campaign.id)
    args = read_list_args(request.args, [choice.id for choice in session_choices])
    # The filter form sends its empty fields too: such a list has one shorter URL.
    if not args.dropped and "" in request.args.values():
        return redirect(_list_url(args))
    found = read_messages(session, campaign.id, args.message_filter, args.page, current_user.id)
    # Commits the audit event of this read.
    session.commit()
    shown_args = replace(args, page=found.page)
    return render_template(
        "message_log/list.html",
        found=found,
        args=shown_args,
        notices=_notices(campaign.id, args, found),
        session_choices=session_choices,
        list_url=lambda **changes: _list_url(shown_args, **changes),
    )


def _notices(campaign_id: int, args: ListArgs, found: MessagePage) -> list[Any]:
    """Return the notices of the values the list could not use, and log their names."""
    names = list(args.dropped)
    notices: list[Any] = [UNKNOWN_VALUE_NOTICES[name] for name in names]
    if found.page < args.page:
        names.append("page")
        notices.append(PAST_THE_END_NOTICE)
    if names:
        # The names only: a value is whatever the link carried.
        logger.info(
            "Message list asked with values it could not use: %s",
            ", ".join(names),
            extra={"campaign_id": campaign_id},
        )
    return notices


def _list_url(args: ListArgs, **changes: object) -> str:
    return url_for("message_log.list_messages", **args.query(**changes))
