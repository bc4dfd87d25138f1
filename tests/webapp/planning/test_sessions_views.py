"""The list of sessions, one session's teams and routes, and the new-session form."""

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from tests.factories import (
    at_utc,
    make_assignment,
    make_campaign,
    make_canvass_session,
    make_route,
    make_user,
)
from tests.webapp.accounts.html_page import Element, Page, csrf_token
from tests.webapp.planning.conftest import OTHER_IRIS, TARGET_IRIS, Territory
from tests.webapp.targets.members import add_member, log_in_as
from webapp.models import CanvassSession, JobRun, LeftOutVolunteer
from webapp.models.jobs import JobStatus
from webapp.models.planning import AssignmentStatus
from webapp.models.users import Role

PostSession = Callable[..., TestResponse]
PAGES = [
    "/planification/",
    "/planification/sessions",
    "/planification/sessions/nouvelle",
    "/planification/bilan",
    "/planification/ponderations",
]


def session_data(**changes: object) -> dict[str, object]:
    """Return a valid new-session form as a browser posts it, with `changes` applied."""
    data: dict[str, object] = {
        "day": "2027-03-13",
        "start": "09:30",
        "end": "12:00",
        "iris_code": TARGET_IRIS,
        "meeting_address": "1 avenue de la République",
        "meeting_lat": "",
        "meeting_lon": "",
        "meeting_label": "",
        "end_lat": "",
        "end_lon": "",
        "end_label": "",
        "min_volunteers": "2",
        "max_volunteers": "6",
    }
    data.update(changes)
    return data


# The form is posted on 1 March 2027 at 00:30 in Paris, still 28 February in UTC.
POSTED_AT = datetime(2027, 2, 28, 23, 30, tzinfo=UTC)


@pytest.fixture
def post_session(coordinator_client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> PostSession:
    monkeypatch.setattr("webapp.planning.views.utcnow", lambda: POSTED_AT)

    def post(**changes: object) -> TestResponse:
        page = coordinator_client.get("/planification/sessions/nouvelle")
        token = csrf_token(page.get_data(as_text=True))
        return coordinator_client.post(
            "/planification/sessions/nouvelle",
            data={**session_data(**changes), "csrf_token": token},
        )

    return post


def stored_sessions(session: Session) -> list[CanvassSession]:
    session.expire_all()
    return list(session.scalars(select(CanvassSession)))


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_goes_to_login(client: FlaskClient, territory: Territory, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/connexion?next=")


@pytest.mark.parametrize("path", PAGES)
def test_volunteer_is_forbidden(
    client: FlaskClient, db_session: Session, territory: Territory, path: str
) -> None:
    log_in_as(client, add_member(db_session, territory.campaign, Role.VOLUNTEER, "v@example.org"))

    assert client.get(path).status_code == 403


def test_planning_home_opens_the_sessions(
    coordinator_client: FlaskClient, territory: Territory
) -> None:
    response = coordinator_client.get("/planification/")

    assert response.status_code == 302
    assert response.headers["Location"] == "/planification/sessions"


def test_volunteer_cannot_run_the_planning(
    client: FlaskClient, db_session: Session, territory: Territory
) -> None:
    log_in_as(client, add_member(db_session, territory.campaign, Role.VOLUNTEER, "v@example.org"))
    token = csrf_token(client.get("/").get_data(as_text=True))

    assert client.post("/planification/lancer", data={"csrf_token": token}).status_code == 403


def test_empty_list_invites_to_create(coordinator_client: FlaskClient) -> None:
    response = coordinator_client.get("/planification/sessions")

    assert response.status_code == 200
    page = Page(response.get_data(as_text=True))
    assert "Aucune session pour l’instant." in page.text()
    assert page.select("a", href="/planification/sessions/nouvelle")
    assert not page.select("form", action="/planification/lancer")


def test_list_shows_sessions_in_paris_time(
    coordinator_client: FlaskClient, db_session: Session, territory: Territory
) -> None:
    canvass = make_canvass_session(
        db_session,
        campaign=territory.campaign,
        iris_code=TARGET_IRIS,
        starts_at=at_utc(2027, 3, 6, 9, 30),
        max_volunteers=8,
    )
    first = make_user(db_session, email="a@example.org", first_name="Alix", last_name="Bernard")
    second = make_user(db_session, email="b@example.org", first_name="Malik", last_name="Diallo")
    make_assignment(db_session, canvass_session=canvass, user=first)
    make_assignment(db_session, canvass_session=canvass, user=second)
    route = make_route(db_session, canvass_session=canvass)
    route.door_count, route.dwelling_count = 37, 52
    db_session.commit()

    page = Page(coordinator_client.get("/planification/sessions").get_data(as_text=True))

    row = page.by_id(f"session-{canvass.id}").text
    assert row == (
        "Samedi 6 mars 2027 (Le Centre Ville) 10:30–12:30 Parvis de la mairie 2–8 2 1 37 52 prévue"
    )
    assert [cell.text for cell in page.select("th", scope="col")][-3:] == [
        "Adresses",
        "Logements (estimation)",
        "Statut",
    ]
    assert page.select("a", href=f"/planification/sessions/{canvass.id}")
    assert page.select("form", action="/planification/lancer")


def test_detail_shows_teams_and_routes(
    coordinator_client: FlaskClient, db_session: Session, territory: Territory
) -> None:
    canvass = make_canvass_session(
        db_session,
        campaign=territory.campaign,
        iris_code=TARGET_IRIS,
        starts_at=at_utc(2027, 3, 6, 9, 30),
    )
    people = [
        make_user(
            db_session, email=f"{first.lower()}@example.org", first_name=first, last_name=last
        )
        for first, last in (
            ("Alix", "Bernard"),
            ("Malik", "Diallo"),
            ("Zoé", "Petit"),
            ("Inès", "Roux"),
        )
    ]
    for index, person in enumerate(people):
        make_assignment(db_session, canvass_session=canvass, user=person, team=1 + index // 2)
    route = make_route(db_session, canvass_session=canvass, team=2, access_token="token-equipe-2")
    route.door_count, route.dwelling_count = 41, 95
    route.length_m, route.total_minutes = 1830, 87.6
    db_session.commit()

    response = coordinator_client.get(f"/planification/sessions/{canvass.id}")

    assert response.status_code == 200
    page = Page(response.get_data(as_text=True))
    # Each team has its button to mark it absent.
    assert (
        page.by_id("team-1").text
        == "Équipe 1 : Alix Bernard, Malik Diallo Noter l’équipe 1 absente"
    )
    assert page.by_id("team-2").text == "Équipe 2 : Zoé Petit, Inès Roux Noter l’équipe 2 absente"
    route_row = next(row for row in page.select("tr") if row.text.startswith("Équipe 2 41"))
    assert route_row.text == "Équipe 2 41 95 0 0 1 830 88 Ouvrir le parcours de l’équipe 2"
    headers = [cell.text for cell in page.select("th", scope="col")]
    routes_at = headers.index("Adresses") - 1
    assert headers[routes_at : routes_at + 5] == [
        "Équipe",
        "Adresses",
        "Logements (estimation)",
        "Portes faites",
        "À repasser",
    ]
    # Without any street of the IRIS in the network, no street can be closed.
    assert "Aucune rue n’est fermée pour cette session." in page.text()
    assert not page.select("select", name="street")
    assert page.select("a", href="/parcours/token-equipe-2")
    assert "De 10:30 à 12:30" in page.text()
    # On a screen too narrow for it but wider than a phone, the routes table scrolls on
    # its own instead of widening the page.
    assert in_scroll_box(response.get_data(as_text=True), "Ouvrir le parcours de l’équipe 2")


def cells_of(page: Page, row_id: str) -> list[Element]:
    row = page.by_id(row_id)
    return [cell for cell in page.select("td") if cell.is_inside(row)]


def test_detail_cells_labelled_for_phone_cards(
    coordinator_client: FlaskClient, db_session: Session, territory: Territory
) -> None:
    starts_at = at_utc(2027, 3, 6, 9, 30)
    canvass = make_canvass_session(
        db_session, campaign=territory.campaign, iris_code=TARGET_IRIS, starts_at=starts_at
    )
    make_canvass_session(
        db_session, campaign=territory.campaign, iris_code=OTHER_IRIS, starts_at=starts_at
    )
    person = make_user(db_session, email="a@example.org", first_name="Alix", last_name="Bernard")
    make_assignment(db_session, canvass_session=canvass, user=person, team=1)
    route = make_route(db_session, canvass_session=canvass, team=1, access_token="token-equipe-1")
    route.door_count, route.dwelling_count = 41, 95
    route.length_m, route.total_minutes = 1830, 87.6
    db_session.commit()
    with coordinator_client.session_transaction() as cookie:
        cookie["locale"] = "en"

    page = Page(
        coordinator_client.get(f"/planification/sessions/{canvass.id}").get_data(as_text=True)
    )

    # On a phone each row is a card, and each value shows after its label.
    route_cells = [(cell.attrs.get("data-label"), cell.text) for cell in cells_of(page, "route-1")]
    assert route_cells == [
        ("Addresses:", "41"),
        ("Dwellings (estimate):", "95"),
        ("Doors done:", "0"),
        ("To come back to:", "0"),
        ("Metres:", "1,830"),
        ("Minutes:", "88"),
        (None, "Open the route of team 1"),
    ]
    labels = [cell.attrs.get("data-label") for cell in cells_of(page, f"volunteer-{person.id}")]
    assert labels == ["Team:", "Manual lock:", "Move to another session:"]
    tables = page.select("table")
    assert [table.attrs["class"] for table in tables] == [
        "planning-table volunteer-table card-table",
        "planning-table card-table",
    ]


def test_detail_names_sessions_by_iris(
    coordinator_client: FlaskClient, db_session: Session, territory: Territory
) -> None:
    # Two sessions at the same time, which only their IRIS distinguishes.
    starts_at = at_utc(2027, 3, 6, 9, 30)
    canvass = make_canvass_session(
        db_session, campaign=territory.campaign, iris_code=TARGET_IRIS, starts_at=starts_at
    )
    make_canvass_session(
        db_session, campaign=territory.campaign, iris_code=OTHER_IRIS, starts_at=starts_at
    )
    person = make_user(db_session, email="a@example.org", first_name="Alix", last_name="Bernard")
    make_assignment(db_session, canvass_session=canvass, user=person)
    db_session.commit()

    html = coordinator_client.get(f"/planification/sessions/{canvass.id}").get_data(as_text=True)
    page = Page(html)

    assert (
        "<title>Session du samedi 6 mars 2027 à 10:30 (Le Centre Ville) · Tournée</title>" in html
    )
    assert [h1.text for h1 in page.select("h1")] == ["Samedi 6 mars 2027 (Le Centre Ville)"]
    # The move form offers the other session by its IRIS.
    assert [option.text for option in page.select("option")] == [
        "Choisissez une session",
        "samedi 6 mars 2027 à 10:30 (La Flamiche)",
    ]


def test_volunteer_rows_show_absent_team(
    coordinator_client: FlaskClient, db_session: Session, territory: Territory
) -> None:
    canvass = make_canvass_session(
        db_session,
        campaign=territory.campaign,
        iris_code=TARGET_IRIS,
        starts_at=at_utc(2027, 3, 6, 9, 30),
    )
    # Team 1 marked absent by a coordinator; in team 2, Zoé declined herself.
    for index, (first, status, before) in enumerate(
        (
            ("Alix", AssignmentStatus.DECLINED, AssignmentStatus.CONFIRMED),
            ("Malik", AssignmentStatus.DECLINED, AssignmentStatus.PROPOSED),
            ("Zoé", AssignmentStatus.DECLINED, None),
            ("Inès", AssignmentStatus.CONFIRMED, None),
        )
    ):
        person = make_user(
            db_session, email=f"{index}@example.org", first_name=first, last_name="Exemple"
        )
        assignment = make_assignment(
            db_session, canvass_session=canvass, user=person, team=1 + index // 2, status=status
        )
        assignment.status_before_absence = before
    db_session.commit()

    page = Page(
        coordinator_client.get(f"/planification/sessions/{canvass.id}").get_data(as_text=True)
    )

    rows = [row.text for row in page.select("tr") if row.attrs.get("id", "").startswith("vol")]
    # Each row starts with the name, then the team number.
    starts = [
        "Alix Exemple (équipe absente) 1 ",
        "Malik Exemple (équipe absente) 1 ",
        "Inès Exemple 2 ",
        "Zoé Exemple (a décliné) 2 ",
    ]
    assert len(rows) == len(starts)
    assert all(row.startswith(start) for row, start in zip(rows, starts, strict=True))
    # Inès goes alone since Zoé declined; the absent team gets no such warning.
    alone = "une seule personne : trouvez-lui un binôme avant la session"
    assert alone in page.by_id("team-2").text
    assert alone not in page.by_id("team-1").text


def in_scroll_box(html: str, text: str) -> bool:
    """Whether the table holding `text` sits right inside a labelled, focusable scroll box."""
    table_at = html.rindex("<table", 0, html.index(text))
    opening = re.search(r"<div [^>]*>\s*$", html[:table_at])
    if opening is None:
        return False
    box = Page(opening.group()).elements[0]
    label = Page(html).by_id(box.attrs.get("aria-labelledby", ""))
    return (
        box.attrs.get("class") == "table-scroll"
        and box.attrs.get("role") == "region"
        and box.attrs.get("tabindex") == "0"
        and bool(label.text)
    )


def test_detail_of_unknown_or_foreign_session_is_404(
    coordinator_client: FlaskClient, db_session: Session, territory: Territory
) -> None:
    other = make_campaign(db_session, name="Autre campagne")
    foreign = make_canvass_session(
        db_session, campaign=other, iris_code=TARGET_IRIS, starts_at=at_utc(2027, 3, 6, 9)
    )
    db_session.commit()

    assert coordinator_client.get(f"/planification/sessions/{foreign.id}").status_code == 404
    assert coordinator_client.get("/planification/sessions/999999").status_code == 404


def test_form_lists_target_iris_first(coordinator_client: FlaskClient) -> None:
    page = Page(coordinator_client.get("/planification/sessions/nouvelle").get_data(as_text=True))

    groups = [group.attrs["label"] for group in page.select("optgroup")]
    assert groups == ["IRIS cible", "Autres IRIS"]
    values = [option.attrs["value"] for option in page.select("option")]
    assert values == ["", TARGET_IRIS, OTHER_IRIS]
    assert page.by_id("meeting-map").attrs["data-lat-input"] == "meeting_lat"
    assert page.select("script", src="/static/js/session_form.js")


def test_valid_session_is_created_in_utc(
    post_session: PostSession, db_session: Session, territory: Territory
) -> None:
    response = post_session()

    created = stored_sessions(db_session)
    assert len(created) == 1
    canvass = created[0]
    assert response.status_code == 302
    assert response.headers["Location"] == f"/planification/sessions/{canvass.id}"
    # 09:30 in Paris in March, before the change to summer time, is 08:30 UTC.
    assert canvass.starts_at == datetime(2027, 3, 13, 8, 30, tzinfo=UTC)
    assert canvass.ends_at - canvass.starts_at == timedelta(hours=2, minutes=30)
    assert canvass.iris_code == TARGET_IRIS
    assert (canvass.min_volunteers, canvass.max_volunteers) == (2, 6)
    home = territory.addresses["93010_8160_00001"]
    assert (canvass.meeting_lon, canvass.meeting_lat) == (home.lon, home.lat)


def test_summer_time_and_french_formats(post_session: PostSession, db_session: Session) -> None:
    post_session(day="12/06/2027", start="14h", end="17h30")

    canvass = stored_sessions(db_session)[0]
    assert canvass.starts_at == datetime(2027, 6, 12, 12, 0, tzinfo=UTC)
    assert canvass.ends_at == datetime(2027, 6, 12, 15, 30, tzinfo=UTC)


def test_meeting_point_from_coordinates(post_session: PostSession, db_session: Session) -> None:
    response = post_session(
        meeting_address="",
        meeting_lat="48,90221",
        meeting_lon="2.48262",
        meeting_label="Devant la médiathèque",
    )

    assert response.status_code == 302
    canvass = stored_sessions(db_session)[0]
    assert (canvass.meeting_lat, canvass.meeting_lon) == (48.90221, 2.48262)
    assert canvass.meeting_point_label == "Devant la médiathèque"


def test_routes_end_at_a_stop(
    post_session: PostSession, db_session: Session, coordinator_client: FlaskClient
) -> None:
    response = post_session(end_lat="48.8953", end_lon="2,4839", end_label="Gare de Bondy")

    assert response.status_code == 302
    canvass = stored_sessions(db_session)[0]
    assert (canvass.end_lat, canvass.end_lon) == (48.8953, 2.4839)
    assert canvass.end_point_label == "Gare de Bondy"
    detail = coordinator_client.get(f"/planification/sessions/{canvass.id}")
    assert "Fin des parcours Gare de Bondy" in Page(detail.get_data(as_text=True)).text()


def test_session_without_stop_ends_at_the_meeting_point(
    post_session: PostSession, db_session: Session
) -> None:
    assert post_session().status_code == 302
    canvass = stored_sessions(db_session)[0]
    assert (canvass.end_lat, canvass.end_lon, canvass.end_point_label) == (None, None, "")
    assert not canvass.has_end_point


BAD_BOUNDS = (
    "Le maximum doit être au moins égal au minimum, et le minimum d’au moins 2 "
    "(les bénévoles vont par deux)."
)
PAST_DAY = "Cette date est passée : choisissez aujourd’hui ou un jour suivant."
FAR_MEETING_POINT = (
    "Ce point est à plus de 2 km de l’IRIS de la session : vérifiez la latitude et la "
    "longitude, ou cliquez sur le point de rendez-vous sur la carte."
)
FAR_STOP = (
    "Cet arrêt est à plus de 2 km de l’IRIS de la session : vérifiez sa latitude et sa "
    "longitude, ou cliquez dessus sur la carte."
)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"end_lat": "48.8953"},
            "end_lat",
            "Indiquez à la fois la latitude et la longitude de l’arrêt, ou aucune des deux.",
        ),
        (
            {"end_lat": "48.8953", "end_lon": "182"},
            "end_lat",
            "La latitude doit être comprise entre -90 et 90 et la longitude entre -180 et 180.",
        ),
        (
            {"end_lat": "gare", "end_lon": "2.48"},
            "end_lat",
            "Saisissez une latitude comme 48.9022.",
        ),
        ({"end": "09:00"}, "end", "La fin doit être après le début."),
        ({"end": "09:30"}, "end", "La fin doit être après le début."),
        ({"min_volunteers": "6", "max_volunteers": "4"}, "max_volunteers", BAD_BOUNDS),
        (
            {"meeting_address": "999 rue Imaginaire"},
            "meeting_address",
            "Cette adresse n’est pas dans le territoire. Vérifiez le numéro et la rue, "
            "ou cliquez sur le point de rendez-vous sur la carte.",
        ),
        (
            {"meeting_address": ""},
            "meeting_address",
            "Indiquez le point de rendez-vous : saisissez son adresse, ou sa latitude et sa "
            "longitude (un clic sur la carte les remplit).",
        ),
        ({"day": "2027-02-30"}, "day", "Saisissez une date comme 15/03/2027."),
        ({"day": "01/01/2020"}, "day", PAST_DAY),
        ({"day": "2027-02-28"}, "day", PAST_DAY),
        (
            {"meeting_address": "", "meeting_lat": "43.3", "meeting_lon": "5.4"},
            "meeting_lat",
            FAR_MEETING_POINT,
        ),
        ({"end_lat": "48.8953", "end_lon": "2.54"}, "end_lat", FAR_STOP),
        ({"day": ""}, "day", "Saisissez la date de la session."),
        ({"start": "9 heures"}, "start", "Saisissez une heure comme 09:30."),
        (
            {"min_volunteers": "deux"},
            "min_volunteers",
            "Saisissez un nombre entier, par exemple 4.",
        ),
        ({"iris_code": "751010101"}, "iris_code", "Choisissez un IRIS dans la liste."),
        (
            {"meeting_address": "", "meeting_lat": "nord", "meeting_lon": "2.48"},
            "meeting_lat",
            "Saisissez une latitude comme 48.9022.",
        ),
        (
            {"meeting_address": "", "meeting_lat": "148.9", "meeting_lon": "2.48"},
            "meeting_lat",
            "La latitude doit être comprise entre -90 et 90 et la longitude entre -180 et 180.",
        ),
    ],
)
def test_invalid_field_explained_input_kept(
    post_session: PostSession,
    db_session: Session,
    changes: dict[str, str],
    field: str,
    message: str,
) -> None:
    response = post_session(**changes)

    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    assert page.by_id(f"{field}-error").text.endswith(f" {message}")
    assert page.by_id(field).attrs.get("aria-invalid") == "true"
    assert stored_sessions(db_session) == []
    kept = session_data(**changes)
    for name in ("day", "start", "end", "meeting_address", "min_volunteers", "max_volunteers"):
        assert page.by_id(name).attrs.get("value", "") == kept[name]


def test_session_on_posting_day_created(post_session: PostSession, db_session: Session) -> None:
    # 1 March in Paris, although the clock reads 28 February in UTC.
    response = post_session(day="01/03/2027")

    assert response.status_code == 302
    assert stored_sessions(db_session)[0].starts_at == datetime(2027, 3, 1, 8, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        (
            # A field the form cannot read along with rules between readable fields.
            {
                "day": "2020-01-01",
                "end": "09:00",
                "min_volunteers": "6",
                "max_volunteers": "4",
                "meeting_address": "",
                "meeting_lat": "48.9022",
                "meeting_lon": "est",
            },
            {
                "day": PAST_DAY,
                "end": "La fin doit être après le début.",
                "max_volunteers": BAD_BOUNDS,
                "meeting_lon": "Saisissez une longitude comme 2.4826.",
            },
        ),
        (
            # Every field readable: the service reports all the rules it refuses.
            {
                "day": "2020-01-01",
                "end": "09:00",
                "min_volunteers": "6",
                "max_volunteers": "4",
                "meeting_address": "",
                "meeting_lat": "43.3",
                "meeting_lon": "5.4",
                "end_lat": "48.8953",
                "end_lon": "2.54",
            },
            {
                "day": PAST_DAY,
                "end": "La fin doit être après le début.",
                "max_volunteers": BAD_BOUNDS,
                "meeting_lat": FAR_MEETING_POINT,
                "end_lat": FAR_STOP,
            },
        ),
    ],
)
def test_all_errors_show_at_once(
    post_session: PostSession,
    db_session: Session,
    changes: dict[str, str],
    errors: dict[str, str],
) -> None:
    response = post_session(**changes)

    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    assert {field for field in session_data() if page.has_id(f"{field}-error")} == set(errors)
    for field, message in errors.items():
        assert page.by_id(f"{field}-error").text.endswith(f" {message}")
    assert stored_sessions(db_session) == []


def test_summary_says_why_a_session_is_short(
    coordinator_client: FlaskClient, db_session: Session, territory: Territory
) -> None:
    canvass = make_canvass_session(
        db_session,
        campaign=territory.campaign,
        iris_code=TARGET_IRIS,
        starts_at=at_utc(2027, 3, 6, 9, 30),
    )
    db_session.add(
        JobRun(
            kind="planning",
            campaign_id=territory.campaign.id,
            status=JobStatus.SUCCEEDED,
            counts={"solver_status": "optimal", "shortfalls": {str(canvass.id): "weekly_cap"}},
        )
    )
    db_session.commit()

    page = Page(coordinator_client.get("/planification/bilan").get_data(as_text=True))

    assert page.by_id("short-sessions").text == (
        "Samedi 6 mars 2027 à 10:30 (Le Centre Ville) – 0 affecté pour un minimum de 2 : "
        "les bénévoles qui pourraient venir ont atteint leur nombre de sessions de la semaine"
    )


def test_summary_reads_stored_outcome(
    coordinator_client: FlaskClient, db_session: Session, territory: Territory
) -> None:
    canvass = make_canvass_session(
        db_session,
        campaign=territory.campaign,
        iris_code=TARGET_IRIS,
        starts_at=at_utc(2027, 3, 6, 9, 30),
    )
    far = make_user(db_session, email="far@example.org", first_name="Lou", last_name="Garnier")
    db_session.add(
        LeftOutVolunteer(campaign_id=territory.campaign.id, user_id=far.id, reason="too_far")
    )
    db_session.commit()

    html = coordinator_client.get("/planification/bilan").get_data(as_text=True)
    page = Page(html)

    assert in_scroll_box(html, 'id="left-out"')
    row = page.by_id(f"left-out-{far.id}")
    assert row.text.startswith(
        "Lou Garnier toutes les sessions où la personne est libre sont trop loin "
    )
    # The row ends with the form that places Lou by hand on a planned session.
    assert [option.text for option in page.select("option")] == [
        "Choisissez une session",
        "samedi 6 mars 2027 à 10:30 (Le Centre Ville)",
    ]
    short = page.by_id("short-sessions").text
    assert short == (
        "Samedi 6 mars 2027 à 10:30 (Le Centre Ville) – 0 affecté pour un minimum de 2"
    )
    assert page.select("a", href=f"/planification/sessions/{canvass.id}")
    assert "0 place pourvue (0 bénévole)" in page.text()
