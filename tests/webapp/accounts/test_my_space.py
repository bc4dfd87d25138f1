from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from tests.factories import (
    at_utc,
    make_assignment,
    make_canvass_session,
    make_iris,
    make_route,
    make_user,
)
from tests.webapp.accounts.conftest import PASSWORD, Bondy
from tests.webapp.accounts.html_page import Page
from webapp.models import Campaign, CanvassSession, User
from webapp.models.planning import AssignmentStatus, SessionStatus
from webapp.models.users import Role
from webapp.services.volunteer_sessions import UpcomingAssignment, list_upcoming_assignments

LogIn = Callable[..., TestResponse]


def _member(
    session: Session, campaign: Campaign, email: str, first_name: str, last_name: str
) -> User:
    return make_user(
        session,
        email=email,
        password=PASSWORD,
        first_name=first_name,
        last_name=last_name,
        campaign=campaign,
        role=Role.VOLUNTEER,
    )


def _plan(session: Session, campaign: Campaign) -> User:
    """Plan sessions around Camille and return her. Each comment says what the page must show."""
    iris = make_iris(session, name="Le Centre Ville")
    station = make_iris(session, code="930100402", name="La Martraye")
    camille = _member(session, campaign, "camille@example.org", "Camille", "Martin")
    lea = _member(session, campaign, "lea@example.org", "Léa", "Durand")
    yanis = _member(session, campaign, "yanis@example.org", "Yanis", "Benali")
    hugo = _member(session, campaign, "hugo@example.org", "Hugo", "Petit")

    def planned(
        starts_at: datetime,
        hours: int = 2,
        place: str = "Parvis de la mairie",
        iris_code: str = iris.code,
    ) -> CanvassSession:
        return make_canvass_session(
            session,
            campaign=campaign,
            iris_code=iris_code,
            starts_at=starts_at,
            duration=timedelta(hours=hours),
            meeting_point_label=place,
        )

    # Winter (UTC+1): with Léa, as Hugo declined and Yanis walks in team 2. The route opens.
    winter = planned(at_utc(2030, 1, 12, 9, 0))
    make_assignment(session, canvass_session=winter, user=camille, team=1)
    make_assignment(session, canvass_session=winter, user=lea, team=1)
    make_assignment(
        session, canvass_session=winter, user=hugo, team=1, status=AssignmentStatus.DECLINED
    )
    make_assignment(session, canvass_session=winter, user=yanis, team=2)
    make_route(session, canvass_session=winter, team=1, access_token="jeton-equipe-1")
    make_route(session, canvass_session=winter, team=2, access_token="jeton-equipe-2")
    # Summer (UTC+2), proposed, a team of three, and a route whose link has expired.
    summer = planned(
        at_utc(2030, 6, 15, 8, 0), hours=3, place="Gare de Bondy", iris_code=station.code
    )
    make_assignment(
        session, canvass_session=summer, user=camille, team=1, status=AssignmentStatus.PROPOSED
    )
    make_assignment(session, canvass_session=summer, user=yanis, team=1)
    make_assignment(session, canvass_session=summer, user=lea, team=1)
    make_route(
        session,
        canvass_session=summer,
        team=1,
        access_token="jeton-expire",
        token_expires_at=at_utc(2020, 1, 1),
    )
    # Not shown: a past session, a cancelled one, one Camille declined.
    make_assignment(session, canvass_session=planned(at_utc(2020, 1, 11, 9, 0)), user=camille)
    cancelled = planned(at_utc(2030, 2, 1, 9, 0))
    cancelled.status = SessionStatus.CANCELLED
    make_assignment(session, canvass_session=cancelled, user=camille)
    make_assignment(
        session,
        canvass_session=planned(at_utc(2030, 3, 1, 9, 0)),
        user=camille,
        status=AssignmentStatus.DECLINED,
    )
    session.commit()
    return camille


def test_list_upcoming_assignments(db_session: Session, bondy: Bondy) -> None:
    camille = _plan(db_session, bondy.campaign)

    found = list_upcoming_assignments(db_session, camille.id, now=at_utc(2026, 12, 5))

    assert [
        (
            a.starts_at,
            a.ends_at,
            a.iris_name,
            a.meeting_point,
            a.status,
            a.team_mate_first_names,
            a.route_token,
        )
        for a in found
    ] == [
        (
            at_utc(2030, 1, 12, 9),
            at_utc(2030, 1, 12, 11),
            "Le Centre Ville",
            "Parvis de la mairie",
            AssignmentStatus.CONFIRMED,
            ("Léa",),
            "jeton-equipe-1",
        ),
        (
            at_utc(2030, 6, 15, 8),
            at_utc(2030, 6, 15, 11),
            "La Martraye",
            "Gare de Bondy",
            AssignmentStatus.PROPOSED,
            ("Léa", "Yanis"),
            None,
        ),
    ]
    assert all(isinstance(a, UpcomingAssignment) for a in found)
    assert [a.has_started for a in found] == [False, False]
    # A session is listed until it ends.
    during = list_upcoming_assignments(db_session, camille.id, now=at_utc(2030, 1, 12, 10, 59))
    assert [a.starts_at for a in during] == [at_utc(2030, 1, 12, 9), at_utc(2030, 6, 15, 8)]
    assert [a.has_started for a in during] == [True, False]
    at_start = list_upcoming_assignments(db_session, camille.id, now=at_utc(2030, 1, 12, 9))
    assert [a.has_started for a in at_start] == [True, False]
    before = list_upcoming_assignments(db_session, camille.id, now=at_utc(2030, 1, 12, 8, 59))
    assert [a.has_started for a in before] == [False, False]
    assert len(list_upcoming_assignments(db_session, camille.id, now=at_utc(2030, 1, 12, 11))) == 1


def test_page_lists_sessions_in_paris_time(
    client: FlaskClient, db_session: Session, bondy: Bondy, log_in: LogIn
) -> None:
    _plan(db_session, bondy.campaign)
    log_in("camille@example.org")

    response = client.get("/mon-espace")

    assert response.status_code == 200
    page = Page(response.get_data(as_text=True))
    cards = [card.text for card in page.select("li", **{"class": "card"})]
    # Each card names the IRIS beside the day: other sessions may take place at that time.
    assert cards == [
        "Samedi 12 janvier 2030 (Le Centre Ville) De 10:00 à 12:00"
        " Rendez-vous : Parvis de la mairie En binôme avec Léa Confirmée Ouvrir mon parcours"
        " Je ne peux plus venir",
        "Samedi 15 juin 2030 (La Martraye) De 10:00 à 13:00 Rendez-vous : Gare de Bondy"
        " En équipe avec Léa, Yanis À confirmer Confirmer ou annuler ma venue",
    ]
    # The volunteer can cancel at any time, not only from the day-before reminder.
    replies = [a.attrs["href"] for a in page.select("a", **{"class": "reply-link"})]
    assert len(replies) == 2
    assert replies[0].startswith("/reponse/")
    assert replies[0].endswith("/annuler")
    assert replies[1].startswith("/reponse/")
    assert client.get(replies[0]).status_code == 200
    assert [a.attrs["href"] for a in page.select("a", **{"class": "button"})] == [
        "/parcours/jeton-equipe-1"
    ]
    for last_name in ("Durand", "Benali", "Petit"):
        assert last_name not in page.html


def test_page_under_way_session_takes_no_reply(
    client: FlaskClient,
    db_session: Session,
    bondy: Bondy,
    log_in: LogIn,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _plan(db_session, bondy.campaign)
    log_in("camille@example.org")

    monkeypatch.setattr("webapp.accounts.views.utcnow", lambda: at_utc(2030, 1, 12, 10))
    page = Page(client.get("/mon-espace").get_data(as_text=True))

    cards = [card.text for card in page.select("li", **{"class": "card"})]
    # Under way, the winter session keeps its route but takes no cancellation any more.
    assert cards == [
        "Samedi 12 janvier 2030 (Le Centre Ville) De 10:00 à 12:00"
        " Rendez-vous : Parvis de la mairie En binôme avec Léa En cours Ouvrir mon parcours",
        "Samedi 15 juin 2030 (La Martraye) De 10:00 à 13:00 Rendez-vous : Gare de Bondy"
        " En équipe avec Léa, Yanis À confirmer Confirmer ou annuler ma venue",
    ]
    statuses = [p.attrs["class"] for p in page.select("p") if "status" in p.attrs.get("class", "")]
    assert statuses == ["status status-started", "status status-proposed"]
    replies = [a.attrs["href"] for a in page.select("a", **{"class": "reply-link"})]
    assert len(replies) == 1

    monkeypatch.setattr("webapp.accounts.views.utcnow", lambda: at_utc(2030, 6, 15, 8))
    page = Page(client.get("/mon-espace").get_data(as_text=True))

    # The summer session started before Camille replied, so the card shows neither
    # « À confirmer » nor a link to confirm.
    assert [card.text for card in page.select("li", **{"class": "card"})] == [
        "Samedi 15 juin 2030 (La Martraye) De 10:00 à 13:00 Rendez-vous : Gare de Bondy"
        " En équipe avec Léa, Yanis En cours",
    ]
    assert page.select("a", **{"class": "reply-link"}) == []


def test_page_without_sessions(
    client: FlaskClient, db_session: Session, bondy: Bondy, log_in: LogIn
) -> None:
    _member(db_session, bondy.campaign, "camille@example.org", "Camille", "Martin")
    db_session.commit()
    log_in("camille@example.org")

    text = Page(client.get("/mon-espace").get_data(as_text=True)).text()

    assert "Aucune session ne vous est encore attribuée." in text


def test_page_needs_login(client: FlaskClient) -> None:
    response = client.get("/mon-espace")

    assert response.status_code == 302
    assert response.headers["Location"] == "/connexion?next=%2Fmon-espace"
