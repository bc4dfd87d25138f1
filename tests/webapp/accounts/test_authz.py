from collections.abc import Callable

import pytest
from flask import Blueprint, Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from tests.factories import make_campaign, make_user
from tests.webapp.accounts.conftest import PASSWORD, Bondy, add_member
from tests.webapp.accounts.html_page import csrf_token
from tests.webapp.accounts.two_factor import code_now, enable_two_factor
from webapp.authz import require_role
from webapp.models.users import COORDINATOR_ROLES, Role

LogIn = Callable[..., TestResponse]
FORBIDDEN = "Vous n’avez pas accès à cette page."


@pytest.fixture
def app_with_guards(app: Flask) -> Flask:
    """Add a view for coordinators only and a blueprint for coordinators and administrators."""

    @require_role(Role.COORDINATOR)
    def coordinators_only() -> str:
        return "coordination"

    app.add_url_rule("/essai/coordination", "coordinators_only", coordinators_only)

    area = Blueprint("guarded_area", __name__, url_prefix="/essai/zone")

    @area.before_request
    @require_role(*COORDINATOR_ROLES)
    def _check_role() -> None:
        return None

    @area.get("/")
    def show_area() -> str:
        return "zone"

    app.register_blueprint(area)
    return app


@pytest.fixture
def client(app_with_guards: Flask) -> FlaskClient:
    return app_with_guards.test_client()


def test_anonymous_visitor_is_sent_to_login(client: FlaskClient, bondy: Bondy) -> None:
    for path in ("/essai/coordination", "/essai/zone/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/connexion?next=")


@pytest.mark.parametrize(
    ("role", "view_status", "area_status"),
    [
        (Role.VOLUNTEER, 403, 403),
        (Role.COORDINATOR, 200, 200),
        (Role.ADMINISTRATOR, 403, 200),
    ],
)
def test_roles(
    *,
    client: FlaskClient,
    db_session: Session,
    bondy: Bondy,
    log_in: LogIn,
    enter_code: LogIn,
    role: Role,
    view_status: int,
    area_status: int,
) -> None:
    member = add_member(db_session, bondy.campaign, role, "membre@example.org")
    secret = enable_two_factor(db_session, member)
    log_in("membre@example.org")
    enter_code(code_now(secret))

    view = client.get("/essai/coordination")
    area = client.get("/essai/zone/")

    assert (view.status_code, area.status_code) == (view_status, area_status)
    if view_status == 403:
        assert FORBIDDEN in view.get_data(as_text=True)


def test_other_campaign_role_ignored(
    client: FlaskClient, db_session: Session, bondy: Bondy, log_in: LogIn
) -> None:
    later = make_campaign(db_session, name="Autre campagne")
    make_user(
        db_session,
        email="ailleurs@example.org",
        password=PASSWORD,
        campaign=later,
        role=Role.COORDINATOR,
    )
    make_user(db_session, email="sans-role@example.org", password=PASSWORD)
    db_session.commit()

    for email in ("ailleurs@example.org", "sans-role@example.org"):
        log_in(email)
        assert client.get("/essai/coordination").status_code == 403
        client.post("/deconnexion", data={"csrf_token": _token(client)})


def _token(client: FlaskClient) -> str:
    return csrf_token(client.get("/").get_data(as_text=True))


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.ADMINISTRATOR])
def test_staff_without_second_factor_set_it_up_first(
    client: FlaskClient, db_session: Session, bondy: Bondy, log_in: LogIn, role: Role
) -> None:
    add_member(db_session, bondy.campaign, role, "membre@example.org")
    log_in("membre@example.org")

    response = client.get("/essai/zone/?vue=carte")

    assert response.status_code == 302
    assert response.headers["Location"] == (
        "/mon-compte/double-authentification?next=/essai/zone/?vue%3Dcarte"
    )


def test_volunteer_needs_no_second_factor_for_own_pages(
    client: FlaskClient, db_session: Session, bondy: Bondy, log_in: LogIn
) -> None:
    add_member(db_session, bondy.campaign, Role.TEAM_LEAD, "lead@example.org")
    log_in("lead@example.org")

    assert client.get("/mon-espace").status_code == 200
    assert client.get("/essai/zone/").status_code == 403
