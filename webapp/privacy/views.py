"""Pages of a person's own data, and the audit log administrators read."""

import logging
from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.accounts.limits import count_failure, limit_password_checks
from webapp.accounts.login_session import end_session
from webapp.authz import require_login, require_role
from webapp.db import db_session, utcnow
from webapp.models.users import Channel, ConsentPurpose, Role
from webapp.privacy.forms import GRANT, ConsentForm, ErasureForm
from webapp.privacy.labels import ACTION_LABELS, CHANNEL_LABELS, PURPOSE_LABELS, TABLE_LABELS
from webapp.services.audit import list_audit_events
from webapp.services.current_campaign import find_current_campaign
from webapp.services.erasure import (
    SoleAdministratorError,
    WrongPasswordError,
    check_own_erasure,
    erase_person,
)
from webapp.services.privacy_export import (
    PersonalExport,
    change_consent,
    export_csv_zip,
    export_json,
    load_my_data,
    prepare_export,
)

logger = logging.getLogger(__name__)

blueprint = Blueprint("privacy", __name__)

# Status of a submitted form that has errors: the page is shown again with them.
INVALID_FORM_STATUS = 422
MAX_PAGE = 100_000
# Downloads hold everything about the person: never cached, never sent as a referrer.
PRIVATE_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


@blueprint.context_processor
def _labels() -> dict[str, object]:
    return {
        "purpose_labels": PURPOSE_LABELS,
        "channel_labels": CHANNEL_LABELS,
        "table_labels": TABLE_LABELS,
        "action_labels": ACTION_LABELS,
    }


@blueprint.get("/mes-donnees")
@require_login
def show_my_data() -> str:
    my_data = load_my_data(db_session(), current_user.id, now=utcnow())
    return render_template("privacy/my_data.html", my_data=my_data, consent_form=ConsentForm())


@blueprint.get("/mes-donnees/donnees.json")
@require_login
def download_json() -> Response:
    return _download(export_json, "application/json", "mes-donnees.json")


@blueprint.get("/mes-donnees/donnees-csv.zip")
@require_login
def download_csv() -> Response:
    return _download(export_csv_zip, "application/zip", "mes-donnees-csv.zip")


def _download(render: Callable[[PersonalExport], bytes], mimetype: str, file_name: str) -> Response:
    session = db_session()
    export = prepare_export(session, current_user.id, now=utcnow())
    session.commit()
    logger.info(
        "User %s downloaded their data (%s rows)",
        current_user.id,
        export.row_count,
        extra={"user_id": current_user.id},
    )
    response = Response(render(export), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{file_name}"'
    response.headers.update(PRIVATE_HEADERS)
    return response


@blueprint.post("/mes-donnees/consentements")
@require_login
def change_consent_choice() -> ResponseReturnValue:
    form = ConsentForm()
    if not form.validate_on_submit():
        abort(400)
    purpose, channel = ConsentPurpose(form.purpose.data), Channel(form.channel.data)
    is_granted = form.decision.data == GRANT
    session = db_session()
    changed = change_consent(
        session, current_user.id, purpose, channel, is_granted=is_granted, now=utcnow()
    )
    session.commit()
    if changed:
        logger.info(
            "User %s %s consent %s on %s",
            current_user.id,
            "gave" if is_granted else "withdrew",
            purpose.value,
            channel.value,
            extra={"user_id": current_user.id},
        )
        flash(
            _("Your consent is recorded.") if is_granted else _("Your consent is withdrawn."),
            "success",
        )
    return redirect(url_for("privacy.show_my_data", _anchor="consents"))


@blueprint.get("/mes-donnees/effacement")
@require_login
def show_erasure() -> str:
    return render_template("privacy/erasure.html", form=ErasureForm())


@blueprint.post("/mes-donnees/effacement")
@require_login
@limit_password_checks
def erase_account() -> ResponseReturnValue:
    form = ErasureForm()
    session = db_session()
    if form.validate_on_submit():
        user_id = current_user.id
        try:
            check_own_erasure(session, user_id, form.password.data)
        except WrongPasswordError:
            count_failure()
            form.password.errors.append(_("This password is wrong."))
        except SoleAdministratorError:
            form.form_errors.append(
                _(
                    "You are the only administrator of a campaign that has other members: "
                    "give the administrator role to someone else first."
                )
            )
        else:
            # Logged out first, with everything the login stored in the session cookie:
            # nothing may touch the account once its row is gone.
            end_session()
            erase_person(session, user_id, reason="own request")
            session.commit()
            flash(_("Your account and your data are erased."), "success")
            return redirect(url_for("public.show_home"))
    return render_template("privacy/erasure.html", form=form), INVALID_FORM_STATUS


@blueprint.get("/admin/journal")
@require_role(Role.ADMINISTRATOR)
def show_audit_log() -> str:
    campaign = find_current_campaign(db_session())
    if campaign is None:
        abort(404)
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)
    events = list_audit_events(db_session(), campaign.id, page)
    return render_template("privacy/audit_log.html", events=events)
