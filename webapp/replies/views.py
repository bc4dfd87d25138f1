"""Pages a volunteer opens from a message: confirm or cancel, rate a session, stop e-mails.

Following a link never acts by itself: the page shows a button, and only its POST
changes anything, so link scanners of mail services do nothing. The one exception is
the RFC 8058 one-click unsubscribe POST, which mail clients send without a form.
"""

import logging

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from webapp.db import db_session
from webapp.extensions import csrf
from webapp.replies.forms import FeedbackForm
from webapp.services import feedback, replies
from webapp.services.feedback import FeedbackView
from webapp.services.replies import ReplyResult
from webapp.services.reply_links import ReplyLinkExpiredError, ReplyLinkInvalidError
from webapp.services.unsubscribe import (
    UnsubscribeLinkInvalidError,
    read_unsubscribe_token,
    unsubscribe,
)

logger = logging.getLogger(__name__)

blueprint = Blueprint("replies", __name__)

# Status of a submitted form that has errors: the page is shown again with them.
INVALID_FORM_STATUS = 422
PRIVATE_LINK_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex",
}


@blueprint.after_request
def _protect_private_link(response: Response) -> Response:
    response.headers.update(PRIVATE_LINK_HEADERS)
    return response


@blueprint.errorhandler(ReplyLinkInvalidError)
@blueprint.errorhandler(UnsubscribeLinkInvalidError)
def _link_invalid(_error: Exception) -> ResponseReturnValue:
    logger.info("Reply or unsubscribe link not valid")
    return render_template("replies/link_invalid.html"), 404


@blueprint.errorhandler(ReplyLinkExpiredError)
def _link_expired(_error: ReplyLinkExpiredError) -> ResponseReturnValue:
    logger.info("Reply link expired")
    return render_template("replies/link_expired.html"), 410


@blueprint.get("/reponse/<token>")
def show_reply(token: str) -> str:
    return _reply_page(token, choice=None)


@blueprint.get("/reponse/<token>/confirmer")
def show_confirmation(token: str) -> str:
    return _reply_page(token, choice="confirm")


@blueprint.get("/reponse/<token>/annuler")
def show_cancellation(token: str) -> str:
    return _reply_page(token, choice="cancel")


def _reply_page(token: str, choice: str | None) -> str:
    view = replies.load_reply(db_session(), token)
    return render_template("replies/reply.html", view=view, token=token, choice=choice)


@blueprint.post("/reponse/<token>/confirmer")
def confirm_assignment(token: str) -> str:
    session = db_session()
    result = replies.confirm_assignment(session, token)
    session.commit()
    return _result_page(result)


@blueprint.post("/reponse/<token>/annuler")
def cancel_assignment(token: str) -> str:
    session = db_session()
    result = replies.cancel_assignment(session, token)
    # The coordinators' notice and the offer to another volunteer go out after this.
    session.commit()
    return _result_page(result)


def _result_page(result: ReplyResult) -> str:
    if result.outcome is None:
        return render_template("replies/reply.html", view=result.view, token=None, choice=None)
    return render_template("replies/done.html", view=result.view, outcome=result.outcome)


@blueprint.get("/avis/<token>")
def show_feedback(token: str) -> str:
    view = feedback.load_feedback(db_session(), token)
    form = FeedbackForm(data={"rating": view.rating, "comment": view.comment})
    return _feedback_page(view, form, token)


@blueprint.post("/avis/<token>")
def save_feedback(token: str) -> ResponseReturnValue:
    session = db_session()
    form = FeedbackForm()
    if not form.validate_on_submit():
        view = feedback.load_feedback(session, token)
        return _feedback_page(view, form, token), INVALID_FORM_STATUS
    result = feedback.save_feedback(
        session, token, rating=form.rating.data, comment=form.comment.data or ""
    )
    if result.outcome is None:
        return _feedback_page(result.view, form, token)
    session.commit()
    return render_template("replies/feedback_done.html", view=result.view, outcome=result.outcome)


def _feedback_page(view: FeedbackView, form: FeedbackForm, token: str) -> str:
    return render_template("replies/feedback.html", view=view, form=form, token=token)


@blueprint.get("/desinscription/<token>")
def show_unsubscribe(token: str) -> str:
    read_unsubscribe_token(token)
    return render_template("replies/unsubscribe.html", token=token)


@blueprint.post("/desinscription/<token>")
def unsubscribe_email(token: str) -> str:
    session = db_session()
    unsubscribe(session, token)
    session.commit()
    return render_template("replies/unsubscribed.html")


# Mail clients post the one-click unsubscribe (RFC 8058) with no cookie and no form: the
# signed token in the URL is what authorises it.
csrf.exempt(unsubscribe_email)
