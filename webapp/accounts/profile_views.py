"""The profile page: every section is a form of its own, posted to its own address.

A section with errors shows the whole page again, that section keeping what was typed
and the others what is stored.
"""

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import flash, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_date, lazy_gettext
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from webapp.accounts import account_links
from webapp.accounts.availability_grid import build_availability_grid, hours_label
from webapp.accounts.blueprint import INVALID_FORM_STATUS, blueprint
from webapp.accounts.forms import (
    EXPERIENCE_EXPERIENCED,
    EXPERIENCE_FIRST_TIME,
    grid_cells,
    slot_value,
)
from webapp.accounts.labels import CONSENT_LABELS
from webapp.accounts.limits import count_failure, limit_password_checks
from webapp.accounts.profile_forms import (
    COMMON_LANGUAGES,
    GRANT,
    ConsentForm,
    ContactForm,
    EmailChangeForm,
    ExceptionForm,
    PreferencesForm,
    WeeklyAvailabilityForm,
    language_name,
)
from webapp.accounts.security_forms import ConfirmForm
from webapp.authz import require_login
from webapp.db import db_session, utcnow
from webapp.models import AvailabilityException
from webapp.models.users import Channel, ConsentPurpose
from webapp.services.accounts import WrongPasswordError, check_current_password
from webapp.services.current_campaign import find_current_campaign
from webapp.services.localtime import PARIS
from webapp.services.profile import (
    ProfileError,
    ProfileProblem,
    add_availability_exception,
    cancel_email_change,
    consent_states,
    partner_email,
    record_consent,
    remove_availability_exception,
    replace_weekly_availability,
    request_email_change,
    ticked_cells,
    upcoming_exceptions,
    update_contact_details,
    update_preferences,
)

logger = logging.getLogger(__name__)

PROFILE_PROBLEM_MESSAGES = {
    ProfileProblem.PARTNER_NOT_FOUND: lazy_gettext(
        "No volunteer of this campaign uses this address."
    ),
    ProfileProblem.PARTNER_IS_SELF: lazy_gettext(
        "Give the address of another volunteer, not yours."
    ),
    ProfileProblem.TOO_MANY_EXCEPTIONS: lazy_gettext(
        "You have too many dated changes; remove some first."
    ),
    ProfileProblem.NO_PHONE: lazy_gettext("Add your mobile number first: we need it to send SMS."),
}


@blueprint.get("/mon-profil")
@require_login
def show_profile() -> str:
    return _render_profile()[0]


@blueprint.post("/mon-profil/coordonnees")
@require_login
def update_contact() -> ResponseReturnValue:
    form = ContactForm()
    if not form.validate_on_submit():
        return _render_profile(contact_form=form)
    change = form.to_change()
    update_contact_details(db_session(), current_user, change)
    db_session().commit()
    session["locale"] = change.locale
    return _done(_("Your contact details are saved."), "contact")


@blueprint.post("/mon-profil/adresse-e-mail")
@require_login
@limit_password_checks
def change_email() -> ResponseReturnValue:
    form = EmailChangeForm()
    if not form.validate_on_submit():
        return _render_profile(email_form=form)
    try:
        check_current_password(current_user, form.current_password.data)
    except WrongPasswordError:
        count_failure()
        form.current_password.errors.append(_("This is not your current password."))
        return _render_profile(email_form=form)
    db = db_session()
    if not request_email_change(db, current_user, form.normalised_email):
        db.commit()
        return _done(_("This is already your e-mail address."), "email")
    account_links.send_email_change(db, current_user)
    db.commit()
    return _done(
        _(
            "We sent a link to %(email)s. Open it to use this address.",
            email=form.normalised_email,
        ),
        "email",
    )


@blueprint.post("/mon-profil/adresse-e-mail/annuler")
@require_login
def cancel_email() -> Response:
    if ConfirmForm().validate_on_submit():
        cancel_email_change(db_session(), current_user)
        db_session().commit()
    return redirect(url_for("accounts.show_profile", _anchor="email"))


@blueprint.post("/mon-profil/disponibilites")
@require_login
def update_availability() -> ResponseReturnValue:
    form = WeeklyAvailabilityForm()
    if not form.validate_on_submit():
        return _render_profile(weekly_form=form)
    replace_weekly_availability(db_session(), current_user, grid_cells(form.availability.data))
    db_session().commit()
    return _done(_("Your weekly availability is saved."), "weekly")


@blueprint.post("/mon-profil/exceptions")
@require_login
def add_exception() -> ResponseReturnValue:
    form = ExceptionForm(today=_today())
    if not form.validate_on_submit():
        return _render_profile(exception_form=form)
    try:
        add_availability_exception(db_session(), current_user, form.to_request())
    except ProfileError as error:
        form.form_errors.append(str(PROFILE_PROBLEM_MESSAGES[error.problem]))
        return _render_profile(exception_form=form)
    db_session().commit()
    return _done(_("The date is added."), "exceptions")


@blueprint.post("/mon-profil/exceptions/<int:exception_id>/supprimer")
@require_login
def delete_exception(exception_id: int) -> Response:
    if ConfirmForm().validate_on_submit() and remove_availability_exception(
        db_session(), current_user, exception_id
    ):
        db_session().commit()
        flash(_("The date is removed."), "info")
    return redirect(url_for("accounts.show_profile", _anchor="exceptions"))


@blueprint.post("/mon-profil/preferences")
@require_login
def update_canvass_preferences() -> ResponseReturnValue:
    form = PreferencesForm()
    if not form.validate_on_submit():
        return _render_profile(preferences_form=form)
    campaign = find_current_campaign(db_session())
    try:
        update_preferences(
            db_session(), current_user, campaign.id if campaign else 0, form.to_preferences()
        )
    except ProfileError as error:
        db_session().rollback()
        form.partner_email.errors.append(str(PROFILE_PROBLEM_MESSAGES[error.problem]))
        return _render_profile(preferences_form=form)
    db_session().commit()
    return _done(_("Your preferences are saved."), "preferences")


@blueprint.post("/mon-profil/consentements")
@require_login
def update_consent() -> ResponseReturnValue:
    form = ConsentForm()
    if not form.validate_on_submit():
        flash(_("This choice could not be saved. Reload the page and try again."), "error")
        return _render_profile(is_invalid=True)
    is_granted = form.decision.data == GRANT
    try:
        record_consent(
            db_session(),
            current_user,
            ConsentPurpose(form.purpose.data),
            Channel(form.channel.data),
            is_granted,
        )
    except ProfileError as error:
        flash(str(PROFILE_PROBLEM_MESSAGES[error.problem]), "error")
        return _render_profile(is_invalid=True)
    db_session().commit()
    message = (
        _("Your choice is saved.")
        if is_granted
        else _("Done: we will not write to you this way any more.")
    )
    return _done(message, "messages")


def _done(message: str, anchor: str) -> Response:
    flash(message, "info")
    return redirect(url_for("accounts.show_profile", _anchor=anchor))


def _today() -> date:
    return utcnow().astimezone(PARIS).date()


def _render_profile(*, is_invalid: bool = False, **submitted: FlaskForm) -> tuple[str, int]:
    """Render the page with the submitted form, if any, and the others from the database."""
    db = db_session()
    user = current_user
    forms: dict[str, Any] = {
        "contact_form": ContactForm(
            formdata=None,
            data={
                "first_name": user.first_name,
                "last_name": user.last_name,
                "phone": _national(user.phone_e164),
                "locale": user.locale,
            },
        ),
        "email_form": EmailChangeForm(formdata=None),
        "weekly_form": WeeklyAvailabilityForm(
            formdata=None,
            data={"availability": [slot_value(d, p) for d, p in ticked_cells(user.availability)]},
        ),
        "exception_form": ExceptionForm(formdata=None, today=_today()),
        "preferences_form": PreferencesForm(formdata=None, data=_preference_data(user)),
    }
    forms.update(submitted)
    status = INVALID_FORM_STATUS if submitted or is_invalid else 200
    return render_template(
        "accounts/profile.html",
        user=user,
        grid=build_availability_grid(),
        exceptions=[_exception_row(row) for row in upcoming_exceptions(db, user.id, _today())],
        consents=consent_states(user),
        consent_labels=CONSENT_LABELS,
        other_languages=[
            (code, language_name(code))
            for code in (user.profile.languages if user.profile else [])
            if code not in COMMON_LANGUAGES
        ],
        **forms,
    ), status


@dataclass(frozen=True)
class ExceptionRow:
    exception_id: int
    day: str
    hours: str | None
    is_available: bool


def _exception_row(exception: AvailabilityException) -> ExceptionRow:
    day = format_date(exception.on_date, "full")
    hours = (
        hours_label(exception.start_minute, exception.end_minute)
        if exception.start_minute is not None and exception.end_minute is not None
        else None
    )
    return ExceptionRow(
        exception_id=exception.id,
        day=day[:1].upper() + day[1:],
        hours=hours,
        is_available=exception.is_available,
    )


def _preference_data(user: Any) -> dict[str, object]:
    profile = user.profile
    languages = list(profile.languages) if profile else []
    return {
        "experience": EXPERIENCE_EXPERIENCED
        if profile and profile.is_experienced
        else EXPERIENCE_FIRST_TIME,
        "partner_email": partner_email(db_session(), user) or "",
        "languages": [code for code in languages if code in COMMON_LANGUAGES],
        "other_languages": ", ".join(c for c in languages if c not in COMMON_LANGUAGES),
        "max_travel_minutes": str(profile.max_travel_minutes)
        if profile and profile.max_travel_minutes
        else "",
        "travel_mode": profile.travel_mode if profile else "walk",
    }


def _national(phone_e164: str | None) -> str:
    """Show a French number as people write it (06 12 34 56 78), others as stored."""
    if phone_e164 and phone_e164.startswith("+33") and len(phone_e164) == 12:
        digits = "0" + phone_e164[3:]
        return " ".join(digits[index : index + 2] for index in range(0, 10, 2))
    return phone_e164 or ""
