"""The session page of Bondy's case and its forms, as a coordinator opens and posts them.

A test module binds the fixture to its own name, so that pytest finds it there:

    coordinator = session_pages.coordinator
"""

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.webapp.accounts.html_page import Page, csrf_token
from tests.webapp.planning.bondy_case import BondyCase
from tests.webapp.targets.members import add_member, log_in_as
from webapp.models import Campaign, Route
from webapp.models.users import Role


@pytest.fixture
def coordinator(client: FlaskClient, db_session: Session, case: BondyCase) -> FlaskClient:
    """The test client, logged in as a coordinator of the case's campaign."""
    campaign = db_session.get(Campaign, case.campaign_id)
    assert campaign is not None
    log_in_as(client, add_member(db_session, campaign, Role.COORDINATOR, "c@example.org"))
    return client


def session_page(client: FlaskClient, case: BondyCase) -> Page:
    return Page(client.get(f"/planification/sessions/{case.session_id}").get_data(as_text=True))


def post(client: FlaskClient, path: str, case: BondyCase, **data: str) -> Page:
    """Post a form of the session page, and return the page it redirects back to."""
    token = csrf_token(session_page(client, case).html)
    response = client.post(path, data={"csrf_token": token, **data})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/planification/sessions/{case.session_id}"
    return session_page(client, case)


def team_route_page(client: FlaskClient, session: Session, team: int) -> Page:
    """Open the team's route page through its link, read from the database."""
    token = session.scalars(select(Route.access_token).where(Route.team == team)).one()
    return Page(client.get(f"/parcours/{token}").get_data(as_text=True))


def routes_changed(
    before: dict[int, set[int]], after: dict[int, set[int]], *, gone: tuple[int, ...] = ()
) -> str:
    """Return the flashed line naming the teams whose doors to visit changed, in French.

    `before` and `after` are each team's doors to visit. The teams `gone` have no walk
    after the change, so the line leaves them out, and speaks of the other teams when a
    team gone had doors to visit.
    """
    teams = [
        str(team) for team in sorted(after) if team not in gone and after[team] != before[team]
    ]
    if not teams and any(before[team] for team in gone):
        return "Portes à visiter inchangées pour les autres équipes."
    if not teams:
        return "Portes à visiter inchangées pour chaque équipe."
    *head, last = teams
    if not head:
        return f"Parcours modifié : équipe {last}."
    return f"Parcours modifiés : équipes {', '.join(head)} et {last}."
