"""Choices made by hand on the planning pages: lock, unlock, move or place a volunteer.

Each action records the choice and leaves the rest of the plan as it is: the
coordinator runs the planning again, which keeps every lock and moves the others
around them. A volunteer taken off a session by a lock or a move is notified at once.
"""

import logging
from collections.abc import Callable

from flask import abort, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_number
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import Session

from webapp.db import db_session, utcnow
from webapp.name_elision import elide_before_name
from webapp.planning.blueprint import blueprint, site_campaign
from webapp.planning.labels import LOCK_PROBLEMS
from webapp.planning.lock_forms import CHOOSE_SESSION, SessionChoiceForm, VolunteerForm
from webapp.services import planning_locks
from webapp.services.assignment import LockError
from webapp.services.errors import NotFoundError
from webapp.services.planning_locks import ManualChoice
from webapp.services.removal_notices import list_placements
from webapp.session_labels import session_label

logger = logging.getLogger(__name__)

# Builds the success message from the volunteer's name and the session's label.
Describe = Callable[[str, str], str]


@blueprint.post("/sessions/<int:session_id>/verrous")
def lock_volunteer(session_id: int) -> ResponseReturnValue:
    campaign_id = site_campaign().id
    form = VolunteerForm()
    if not form.validate_on_submit():
        abort(400)
    volunteer = form.volunteer

    def lock(session: Session) -> ManualChoice:
        return planning_locks.lock_volunteer(
            session, campaign_id, volunteer, session_id, now=utcnow()
        )

    def describe(name: str, _when: str) -> str:
        return str(_("%(name)s is locked on this session.", name=name))

    back = url_for("planning.show_session", session_id=session_id)
    return _record(lock, describe, back, campaign_id=campaign_id, user_id=volunteer)


@blueprint.post("/sessions/<int:session_id>/verrous/retrait")
def unlock_volunteer(session_id: int) -> ResponseReturnValue:
    campaign_id = site_campaign().id
    form = VolunteerForm()
    if not form.validate_on_submit():
        abort(400)
    session = db_session()
    try:
        was_locked = planning_locks.unlock_volunteer(
            session, campaign_id, form.volunteer, session_id, now=utcnow()
        )
    except NotFoundError:
        session.rollback()
        abort(404)
    except LockError as error:
        session.rollback()
        logger.info(
            "User %s: unlock on session %s rejected: %s",
            current_user.id,
            session_id,
            error.problem,
            extra={"campaign_id": campaign_id, "session_id": session_id},
        )
        flash(LOCK_PROBLEMS[error.problem], "error")
    else:
        session.commit()
        if was_locked:
            logger.info(
                "User %s unlocked volunteer %s on session %s",
                current_user.id,
                form.volunteer,
                session_id,
                extra={"campaign_id": campaign_id, "session_id": session_id},
            )
            flash(
                _("The lock is removed: the next planning run may move this volunteer."), "success"
            )
        else:
            flash(_("This volunteer was not locked on this session."), "info")
    return redirect(url_for("planning.show_session", session_id=session_id))


@blueprint.post("/sessions/<int:session_id>/deplacement")
def move_volunteer(session_id: int) -> ResponseReturnValue:
    campaign_id = site_campaign().id
    back = url_for("planning.show_session", session_id=session_id)
    form = _session_choice()
    if form is None:
        return redirect(back)
    volunteer, target = form.volunteer, form.target_session

    def move(session: Session) -> ManualChoice:
        return planning_locks.move_volunteer(
            session, campaign_id, volunteer, session_id, target, now=utcnow()
        )

    def describe(name: str, when: str) -> str:
        return str(
            _(
                "%(name)s is moved to the session of %(date)s and locked there.",
                name=name,
                date=when,
            )
        )

    return _record(move, describe, back, campaign_id=campaign_id, user_id=volunteer)


@blueprint.post("/placements")
def place_volunteer() -> ResponseReturnValue:
    campaign_id = site_campaign().id
    back = url_for("planning.show_planning_summary")
    form = _session_choice()
    if form is None:
        return redirect(back)
    volunteer, target = form.volunteer, form.target_session

    def place(session: Session) -> ManualChoice:
        return planning_locks.lock_volunteer(session, campaign_id, volunteer, target, now=utcnow())

    def describe(name: str, when: str) -> str:
        return str(
            _(
                "%(name)s is placed on the session of %(date)s and locked there.",
                name=name,
                date=when,
            )
        )

    return _record(place, describe, back, campaign_id=campaign_id, user_id=volunteer)


def _session_choice() -> SessionChoiceForm | None:
    """Return the validated form, or None after flashing why. An altered form aborts with 400."""
    form = SessionChoiceForm()
    if form.validate_on_submit():
        return form
    if form.is_altered:
        abort(400)
    flash(CHOOSE_SESSION, "error")
    return None


def _record(
    action: Callable[[Session], ManualChoice],
    describe: Describe,
    back: str,
    *,
    campaign_id: int,
    user_id: int,
) -> ResponseReturnValue:
    """Run a lock action in the request's unit of work, flash its outcome, go back.

    A volunteer the action takes off other sessions is notified at once, as a planning
    run does, and their messages still queued about those sessions are withdrawn. The
    volunteer also gets the confirmation and reminders of the session locked at once:
    the coordinator agreed it with them.
    """
    session = db_session()
    placements_before = list_placements(session, campaign_id, user_id=user_id)
    try:
        choice = action(session)
        planning_locks.send_choice_messages(
            session, campaign_id, choice, placements_before, now=utcnow()
        )
    except NotFoundError:
        session.rollback()
        abort(404)
    except LockError as error:
        session.rollback()
        logger.info("User %s: manual choice rejected: %s", current_user.id, error.problem)
        flash(LOCK_PROBLEMS[error.problem], "error")
        return redirect(back)
    session.commit()
    name = f"{choice.first_name} {choice.last_name}"
    when = session_label(choice.starts_at, choice.iris_name)
    logger.info(
        "User %s locked volunteer %s on session %s",
        current_user.id,
        choice.user_id,
        choice.session_id,
        extra={"session_id": choice.session_id},
    )
    flash(elide_before_name(describe(name, when), name), "success")
    _flash_warnings(choice, name, when)
    flash(
        _("Run the planning again so that the other volunteers and the routes follow this choice."),
        "info",
    )
    return redirect(back)


def _flash_warnings(choice: ManualChoice, name: str, when: str) -> None:
    """Warn when the recorded choice undoes a decline, or goes past the session's maximum
    or the availability."""
    if choice.had_declined:
        flash(
            _(
                "%(name)s had declined this session: the lock puts them back on it. Check "
                "with them that they can come.",
                name=name,
            ),
            "warning",
        )
    if choice.is_beyond_maximum:
        flash(
            _(
                "The session of %(date)s is already full (%(count)s of %(max)s): %(name)s "
                "is added beyond its maximum. The next planning run keeps this lock and "
                "takes unlocked volunteers off the session to come back to the maximum.",
                date=when,
                count=format_number(choice.others_coming),
                max=format_number(choice.max_volunteers),
                name=name,
            ),
            "warning",
        )
    if choice.is_outside_availability:
        flash(
            _(
                "%(name)s is not available at that time according to their availability: "
                "the lock keeps them there, so check with them that they can come.",
                name=name,
            ),
            "warning",
        )
