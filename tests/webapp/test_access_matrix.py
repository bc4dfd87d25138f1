"""Every URL of the app, for every role of campaign A, aimed at the objects of campaign B.

The site serves campaign A (the oldest). Campaign B is seeded beside it with sentinel
names, e-mail addresses and texts; no response to anyone may contain them, and a URL
naming an object of B must answer 403 or 404 (401 or a redirect to the login page for
anonymous visitors). URLs open to everyone are listed with the reason.
"""

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.routing import IntegerConverter, PathConverter, Rule

from tests.factories import (
    at_utc,
    make_address,
    make_assignment,
    make_campaign,
    make_canvass_session,
    make_route,
)
from tests.webapp.privacy.conftest import log_in, make_member
from tests.webapp.privacy.seed import IRIS_CODE, make_territory
from webapp.db import utcnow
from webapp.models import (
    AuditEvent,
    AvailabilityException,
    Broadcast,
    Campaign,
    CanvassSession,
    DoorVisit,
    JobRun,
    Message,
    Route,
    SurveyResponse,
    User,
)
from webapp.models.messaging import MessagePurpose
from webapp.models.users import Channel, Role
from webapp.settings import Settings

# Open to anyone, each for a reason; a new public URL must be added here knowingly.
PUBLIC_ENDPOINTS: dict[str, str] = {
    "static": "static files",
    "public.show_home": "home page",
    "public.show_privacy_notice": "information notice, readable before signing up",
    "public.set_language": "language choice, stored in the visitor's own cookie",
    "accounts.signup": "sign-up form",
    "accounts.show_signup_done": "thank-you page after sign-up",
    "accounts.login": "login form",
    "accounts.logout": "ends the visitor's own session",
    "accounts.enter_code": "second factor of a login under way, kept in the cookie",
    "accounts.cancel_code": "abandons the visitor's own login under way",
    "accounts.request_password_reset": "asks for a reset link, same answer for any address",
    "accounts.show_reset_sent": "confirmation page of a reset request",
    "accounts.reset_password": "the signed, expiring token in the URL is the credential",
    "accounts.verify_email": "the signed, expiring token in the URL is the credential",
    "accounts.confirm_email_change": "the signed, expiring token in the URL is the credential",
    "accounts.accept_invitation": "the invitation token in the URL is the credential",
    "canvass.show_route": "the route's unguessable token in the URL is the credential",
    "canvass.route_pdf": "the route's unguessable token in the URL is the credential",
    "canvass.route_gpx": "the route's unguessable token in the URL is the credential",
    "canvass.route_geojson": "the route's unguessable token in the URL is the credential",
    "canvass.open_short_link": "the printed short code is the credential",
    "canvass.record_door_visit": "the route's unguessable token in the URL is the credential",
    "canvass.record_dwelling_tally": "the route's unguessable token in the URL is the credential",
    "canvass.declare_team_present": "the route's unguessable token in the URL is the credential",
    "canvass.give_more_doors": "the route's unguessable token in the URL is the credential",
    "canvass.record_survey_response": "the route's unguessable token in the URL is the credential",
    "replies.show_reply": "signed reply link from a reminder",
    "replies.show_confirmation": "signed reply link from a reminder",
    "replies.confirm_assignment": "signed reply link from a reminder",
    "replies.show_cancellation": "signed reply link from a reminder",
    "replies.cancel_assignment": "signed reply link from a reminder",
    "replies.show_feedback": "signed feedback link from a thank-you message",
    "replies.save_feedback": "signed feedback link from a thank-you message",
    "replies.show_unsubscribe": "signed one-click unsubscribe link (RFC 8058)",
    "replies.unsubscribe_email": "signed one-click unsubscribe link (RFC 8058)",
    "webhooks.receive_twilio_status": "provider callback, refused without Twilio's signature",
    "webhooks.receive_twilio_inbound": "provider callback, refused without Twilio's signature",
    "webhooks.receive_sendgrid_events": "provider callback, refused without SendGrid's signature",
}
# Endpoints acting on the logged-in person's own rows, which answer a foreign id by
# redirecting to the person's own page without changing anything.
OWN_ROWS_REDIRECT: dict[str, str] = {
    "accounts.delete_exception": "removes a date of the person's own availability only",
}
# Endpoints skipped for logged-in roles: they end the session the matrix runs in.
SESSION_ENDING = {"accounts.logout"}
# Fields a form needs so that the request reaches the lookup of the object.
FORM_DATA: dict[str, dict[str, str]] = {
    "planning.close_street": {"street": "Rue Jules Guesde"},
    "planning.reopen_street": {"street": "Rue Jules Guesde"},
    "planning.mark_team_absent": {"is_confirmed": "y"},
    "planning.lock_volunteer": {"volunteer_id": "1"},
    "planning.unlock_volunteer": {"volunteer_id": "1"},
    "planning.move_volunteer": {"volunteer_id": "1", "target_session_id": "1"},
    "canvass.record_door_visit": {"outcome": "absent"},
    "canvass.record_dwelling_tally": {"absent": "3", "submission_key": "matrix-key-0123456789"},
    "canvass.record_survey_response": {"topic": "Les transports"},
}
SENTINELS = ("sentinel", "+33699999999", "0699999999", "06 99 99 99 99")
ROLES = (None, Role.VOLUNTEER, Role.TEAM_LEAD, Role.COORDINATOR, Role.ADMINISTRATOR)


@dataclass(frozen=True)
class OtherCampaign:
    """Campaign B and the ids of its objects, by the URL parameter that names them."""

    campaign: Campaign
    ids: dict[str, int]
    coordinator: User


@dataclass(frozen=True)
class Members:
    by_role: dict[Role, User]
    team_mate: User
    route_token: str


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, assignment_time_limit_s=1.0, route_time_limit_s=0.5)


@pytest.fixture
def matrix_app(app: Flask) -> Flask:
    # Forms are posted without their CSRF token so that requests reach the view.
    app.config["WTF_CSRF_ENABLED"] = False
    return app


@pytest.fixture
def campaign_a(db_session: Session) -> Campaign:
    campaign = make_territory(db_session, campaign_name="Campagne Alpha")
    db_session.commit()
    return campaign


@pytest.fixture
def members(db_session: Session, campaign_a: Campaign) -> Members:
    by_role = {
        role: make_member(db_session, campaign_a, role, f"{role.value}-a@example.org")
        for role in ROLES
        if role is not None
    }
    volunteer = by_role[Role.VOLUNTEER]
    volunteer.first_name, volunteer.last_name = "Ana", "Alphavol"
    volunteer.phone_e164 = "+33611111111"
    mate = make_member(
        db_session,
        campaign_a,
        Role.VOLUNTEER,
        "mate-a@example.org",
        first_name="Basile",
        last_name="Coequipier",
        phone_e164="+33622222222",
    )
    canvass = make_canvass_session(
        db_session, campaign=campaign_a, iris_code=IRIS_CODE, starts_at=utcnow() + timedelta(days=3)
    )
    make_assignment(db_session, canvass_session=canvass, user=volunteer, team=1)
    make_assignment(db_session, canvass_session=canvass, user=mate, team=1)
    token = "alpha-route-" + secrets.token_urlsafe(16)
    make_route(db_session, canvass_session=canvass, team=1, access_token=token)
    db_session.commit()
    return Members(by_role=by_role, team_mate=mate, route_token=token)


@pytest.fixture
def campaign_b(db_session: Session, campaign_a: Campaign) -> OtherCampaign:
    campaign = make_campaign(db_session, name="SENTINEL-B Campagne Beta")
    coordinator = make_member(
        db_session,
        campaign,
        Role.COORDINATOR,
        "sentinel-b-coord@example.org",
        first_name="Sentinelbcoord",
        last_name="Sentinelbeta",
    )
    volunteer = make_member(
        db_session,
        campaign,
        Role.VOLUNTEER,
        "sentinel-b-vol@example.org",
        first_name="Sentinelbvol",
        last_name="Sentinelbeta",
        phone_e164="+33699999999",
    )
    exception = AvailabilityException(
        user_id=volunteer.id, on_date=at_utc(2027, 3, 6).date(), is_available=False
    )
    canvass = make_canvass_session(
        db_session,
        campaign=campaign,
        iris_code=IRIS_CODE,
        starts_at=at_utc(2027, 3, 6, 9),
        meeting_point_label="SENTINEL-B point de rendez-vous",
    )
    make_assignment(db_session, canvass_session=canvass, user=volunteer, team=1)
    route = make_route(
        db_session,
        canvass_session=canvass,
        team=1,
        access_token="sentinel-b-" + secrets.token_hex(8),
    )
    door = make_address(
        db_session, ban_id="93010_8888_00001", street="Rue de la Beta", lon=2.4830, lat=48.9040
    )
    route.address_ids = [door.id]
    run = JobRun(kind="planning", campaign_id=campaign.id, counts={"note": "sentinel-b"})
    broadcast = Broadcast(
        campaign_id=campaign.id,
        channel=Channel.SMS,
        segment={"kind": "all"},
        body="SENTINEL-B diffusion",
        submission_key="sentinel-b-" + secrets.token_hex(8),
        created_by_user_id=coordinator.id,
    )
    message = Message(
        campaign_id=campaign.id,
        user_id=volunteer.id,
        idempotency_key="sentinel-b-message",
        channel=Channel.SMS,
        purpose=MessagePurpose.SESSION_REMINDER,
        recipient="+33699999999",
        body="SENTINEL-B message",
    )
    audit = AuditEvent(actor_user_id=coordinator.id, action="read", object_type="sentinel-b")
    # Enough answers in the IRIS for their texts to show on campaign B's own page.
    answers = [
        SurveyResponse(
            session_id=canvass.id,
            iris_code=IRIS_CODE,
            answers={"topic": f"SENTINEL-B réponse {number}"},
            themes=[],
            created_at=canvass.starts_at,
        )
        for number in range(5)
    ]
    db_session.add_all([exception, run, broadcast, message, audit, *answers])
    db_session.commit()
    return OtherCampaign(
        campaign=campaign,
        ids={
            "session_id": canvass.id,
            "team": 1,
            "run_id": run.id,
            "broadcast_id": broadcast.id,
            "exception_id": exception.id,
            "address_id": door.id,
        },
        coordinator=coordinator,
    )


def _rules(app: Flask) -> Iterator[tuple[Rule, str]]:
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            yield rule, method


def _url(app: Flask, rule: Rule, method: str, ids: dict[str, int]) -> str | None:
    values: dict[str, object] = {}
    for name, converter in rule._converters.items():  # noqa: SLF001 - the rule's own types
        if isinstance(converter, PathConverter):
            return None
        if isinstance(converter, IntegerConverter):
            assert name in ids, f"{rule.rule}: no object of campaign B for <int:{name}>"
            values[name] = ids[name]
        else:
            values[name] = secrets.token_urlsafe(24)
    return app.url_map.bind("localhost").build(rule.endpoint, values, method=method)


def _send(client: FlaskClient, method: str, url: str, endpoint: str):  # type: ignore[no-untyped-def]
    if method == "GET":
        return client.get(url)
    return client.post(url, data=FORM_DATA.get(endpoint, {}))


def _is_login_redirect(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code == 302 and response.headers["Location"].startswith("/connexion")


def _sentinels_in(response) -> list[str]:  # type: ignore[no-untyped-def]
    body = response.get_data().decode("utf-8", errors="replace").lower()
    return [sentinel for sentinel in SENTINELS if sentinel.lower() in body]


def _client_for(app: Flask, user: User | None) -> Callable[[], FlaskClient]:
    def fresh() -> FlaskClient:
        client = app.test_client()
        if user is not None:
            log_in(client, user.email)
        return client

    return fresh


def _is_logged_in(client: FlaskClient) -> bool:
    with client.session_transaction() as cookie:
        return "_user_id" in cookie


def _check_role(app: Flask, user: User | None, ids: dict[str, int], problems: list[str]) -> None:
    new_client = _client_for(app, user)
    client = new_client()
    label = user.email if user else "anonymous"
    for rule, method in _rules(app):
        endpoint = rule.endpoint
        if user is not None and endpoint in SESSION_ENDING:
            continue
        url = _url(app, rule, method, ids)
        if url is None:
            continue
        response = _send(client, method, url, endpoint)
        where = f"{label} {method} {url} -> {response.status_code}"
        if response.status_code >= 500:
            problems.append(f"{where}: server error")
        if leaked := _sentinels_in(response):
            problems.append(f"{where}: shows campaign B ({', '.join(leaked)})")
        if endpoint not in PUBLIC_ENDPOINTS:
            if user is None:
                if response.status_code != 401 and not _is_login_redirect(response):
                    problems.append(f"{where}: open to anonymous visitors")
            elif rule.arguments & ids.keys() and response.status_code not in (403, 404):
                is_own_redirect = endpoint in OWN_ROWS_REDIRECT and response.status_code == 302
                if not is_own_redirect:
                    problems.append(f"{where}: an object of campaign B answered")
        if user is not None and not _is_logged_in(client):
            client = new_client()


def _b_rows(session: Session, b: OtherCampaign) -> tuple[int, ...]:
    session.expire_all()
    return tuple(
        int(session.scalar(select(func.count()).select_from(model).where(where)) or 0)
        for model, where in (
            (CanvassSession, CanvassSession.campaign_id == b.campaign.id),
            (Route, Route.session_id == b.ids["session_id"]),
            (AvailabilityException, AvailabilityException.id == b.ids["exception_id"]),
            (Broadcast, Broadcast.campaign_id == b.campaign.id),
            (JobRun, JobRun.campaign_id == b.campaign.id),
            (Message, Message.campaign_id == b.campaign.id),
            (DoorVisit, DoorVisit.address_id == b.ids["address_id"]),
            (SurveyResponse, SurveyResponse.session_id == b.ids["session_id"]),
        )
    )


def test_no_role_of_campaign_a_reaches_campaign_b(
    matrix_app: Flask,
    db_session: Session,
    members: Members,
    campaign_b: OtherCampaign,
) -> None:
    before = _b_rows(db_session, campaign_b)
    problems: list[str] = []

    for role in ROLES:
        user = members.by_role[role] if role is not None else None
        _check_role(matrix_app, user, campaign_b.ids, problems)

    assert problems == []
    assert _b_rows(db_session, campaign_b) == before == (1, 1, 1, 1, 1, 1, 0, 5)


def test_every_public_endpoint_exists(matrix_app: Flask) -> None:
    endpoints = {rule.endpoint for rule in matrix_app.url_map.iter_rules()}

    assert set(PUBLIC_ENDPOINTS) - endpoints == set()
    assert set(OWN_ROWS_REDIRECT) - endpoints == set()


def test_a_coordinator_of_campaign_b_is_refused_the_pages_of_campaign_a(
    matrix_app: Flask, members: Members, campaign_b: OtherCampaign
) -> None:
    client = _client_for(matrix_app, campaign_b.coordinator)()
    staff_prefixes = (
        "/ciblage",
        "/planification",
        "/diffusions",
        "/messages",
        "/admin",
        "/equipe",
    )
    refused = []
    for rule, method in _rules(matrix_app):
        if method != "GET" or rule.arguments or not rule.rule.startswith(staff_prefixes):
            continue
        refused.append((rule.rule, client.get(rule.rule).status_code))

    assert refused
    assert {status for _, status in refused} == {403}, refused


def test_a_volunteer_never_sees_a_team_mate_s_contacts(
    matrix_app: Flask, db_session: Session, members: Members, campaign_b: OtherCampaign
) -> None:
    volunteer = members.by_role[Role.VOLUNTEER]
    mate = members.team_mate
    client = _client_for(matrix_app, volunteer)()
    pages = [
        rule.rule
        for rule, method in _rules(matrix_app)
        if method == "GET" and not rule.arguments and rule.endpoint not in SESSION_ENDING
    ]
    pages += [f"/parcours/{members.route_token}", f"/parcours/{members.route_token}.geojson"]
    mate_values = (mate.email, mate.phone_e164 or "", mate.last_name, "06 22 22 22 22")
    seen = []
    for page in pages:
        response = client.get(page)
        assert response.status_code < 500, page
        body = response.get_data().decode("utf-8", errors="replace")
        seen.extend((page, value) for value in mate_values if value in body)

    assert seen == []
    route_page = client.get(f"/parcours/{members.route_token}").get_data(as_text=True)
    assert "Basile" in route_page
