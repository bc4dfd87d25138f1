"""The targeting page, its GeoJSON layer, the choice of targets and the scoring button."""

import json

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import make_campaign, make_commune, make_user
from tests.webapp.accounts.html_page import Page, csrf_token
from tests.webapp.targets.members import add_member, log_in_as
from tests.webapp.targets.scored_case import (
    CENTRE,
    PETIT_BOIS,
    SAINT_BLAISE,
    ScoredCase,
    seed_scored_case,
)
from webapp.models import IrisScore
from webapp.models.users import Role

SUPPRESSED_TEXT = "données masquées (moins de 11 ménages)"


def targets(session: Session) -> dict[str, bool]:
    session.expire_all()
    return {row.iris_code: row.is_target for row in session.scalars(select(IrisScore))}


@pytest.mark.parametrize("path", ["/ciblage/", "/ciblage/iris.geojson"])
def test_anonymous_goes_to_login(client: FlaskClient, scored: ScoredCase, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/connexion?next=")


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/ciblage/"), ("get", "/ciblage/iris.geojson"), ("post", "/ciblage/cibles")],
)
def test_volunteer_is_forbidden(
    client: FlaskClient, db_session: Session, scored: ScoredCase, method: str, path: str
) -> None:
    log_in_as(client, add_member(db_session, scored.campaign, Role.VOLUNTEER, "v@example.org"))
    # The header's log-out form carries a CSRF token on every page.
    token = csrf_token(client.get("/").get_data(as_text=True))

    response = getattr(client, method)(path, data={"csrf_token": token, "targets": [CENTRE]})

    assert response.status_code == 403
    assert set(targets(db_session).values()) == {False}


def test_administrator_sees_the_page(
    client: FlaskClient, db_session: Session, scored: ScoredCase
) -> None:
    log_in_as(
        client, add_member(db_session, scored.campaign, Role.ADMINISTRATOR, "admin@example.org")
    )

    assert client.get("/ciblage/").status_code == 200


def test_page_shows_formula_and_ranking(coordinator_client: FlaskClient) -> None:
    response = coordinator_client.get("/ciblage/")

    assert response.status_code == 200
    page = Page(response.get_data(as_text=True))
    method = page.by_id("method-title").text
    assert method == "Comment le score est calculé"
    text = page.text()
    assert "présidentielle 2022, 1er tour" in text
    assert "Candidat compté comme le nôtre : MÉLENCHON." in text
    assert "potentiel = abstentions × notre part des suffrages exprimés" in text
    assert "Score d’un IRIS = 100 × son potentiel / le potentiel le plus élevé" in text
    rows = [row.attrs["id"] for row in page.select("tr") if row.attrs.get("id")]
    assert rows == [f"iris-{SAINT_BLAISE}", f"iris-{CENTRE}", f"iris-{PETIT_BOIS}"]
    first = page.by_id(f"iris-{SAINT_BLAISE}").text
    assert first.startswith("1 Saint-Blaise 930100302 300 850 44,1 % 41,0 % 169 100,0")
    assert "Bureau 2 (Gymnase Roger Salengro) : 75 % de ses adresses" in first
    assert "Bureau 1 (École Jules Ferry) : 25 % de ses adresses" in first
    second = page.by_id(f"iris-{CENTRE}").text
    assert second.startswith("2 Centre 930100301 400 750 30,0 % 25,0 % 56 33,3")
    legend = [
        item.text for item in page.select("li") if "legend-item" in item.attrs.get("class", "")
    ]
    assert legend == [
        "80 à 100",
        "60 à moins de 80",
        "40 à moins de 60",
        "20 à moins de 40",
        "0 à moins de 20",
        SUPPRESSED_TEXT,
        "IRIS cible",
    ]
    assert page.select("script", src="/static/js/targets_map.js")
    assert "<script>" not in page.html
    assert " style=" not in page.html


def test_suppressed_row_hides_figures(coordinator_client: FlaskClient) -> None:
    page = Page(coordinator_client.get("/ciblage/").get_data(as_text=True))

    row = page.by_id(f"iris-{PETIT_BOIS}")
    assert row.text == f"— Petit Bois {PETIT_BOIS} {SUPPRESSED_TEXT} —"
    assert not page.has_id(f"target-{PETIT_BOIS}")
    assert page.has_id(f"target-{CENTRE}")


def test_geojson_figures_of_shown_iris(coordinator_client: FlaskClient) -> None:
    response = coordinator_client.get("/ciblage/iris.geojson")

    assert response.status_code == 200
    data = response.get_json()
    assert data["type"] == "FeatureCollection"
    features = {f["properties"]["code"]: f for f in data["features"]}
    assert set(features) == {CENTRE, SAINT_BLAISE, PETIT_BOIS}
    assert features[SAINT_BLAISE]["properties"] == {
        "code": SAINT_BLAISE,
        "name": "Saint-Blaise",
        "has_score": True,
        "is_suppressed": False,
        "is_target": False,
        "rank": 1,
        "score": 100.0,
        "score_class": 5,
        "figures": {
            "households": 300,
            "registered": 850,
            "abstention_rate": 0.4412,
            "our_share": 0.4096,
            "potential": 168.8,
        },
    }
    assert features[CENTRE]["properties"]["score_class"] == 2
    assert features[PETIT_BOIS]["geometry"]["type"] == "Polygon"


def test_geojson_suppressed_iris_without_figures(coordinator_client: FlaskClient) -> None:
    data = coordinator_client.get("/ciblage/iris.geojson").get_json()

    suppressed = next(f for f in data["features"] if f["properties"]["code"] == PETIT_BOIS)
    assert suppressed["properties"] == {
        "code": PETIT_BOIS,
        "name": "Petit Bois",
        "has_score": True,
        "is_suppressed": True,
        "is_target": False,
        "rank": None,
        "score": None,
        "score_class": None,
        "figures": None,
    }
    # Its 200 registered voters, 100 abstentions, potential 50 and 5 households appear nowhere.
    properties = json.dumps(suppressed["properties"])
    assert not any(char.isdigit() for char in properties.replace(PETIT_BOIS, ""))


def test_saving_marks_checked_iris_only(
    coordinator_client: FlaskClient, db_session: Session, scored: ScoredCase
) -> None:
    token = csrf_token(coordinator_client.get("/ciblage/").get_data(as_text=True))

    response = coordinator_client.post(
        "/ciblage/cibles", data={"csrf_token": token, "targets": [CENTRE]}
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/ciblage/#ranking"
    assert targets(db_session) == {CENTRE: True, SAINT_BLAISE: False, PETIT_BOIS: False}
    page = Page(coordinator_client.get("/ciblage/").get_data(as_text=True))
    assert "1 IRIS cible enregistré." in page.text()
    assert page.checked_values("targets") == {CENTRE}

    coordinator_client.post(
        "/ciblage/cibles", data={"csrf_token": token, "targets": [SAINT_BLAISE, PETIT_BOIS]}
    )

    # The suppressed IRIS is refused even when posted.
    assert targets(db_session) == {CENTRE: False, SAINT_BLAISE: True, PETIT_BOIS: False}


def test_saving_nothing_clears_the_targets(
    coordinator_client: FlaskClient, db_session: Session
) -> None:
    token = csrf_token(coordinator_client.get("/ciblage/").get_data(as_text=True))
    coordinator_client.post("/ciblage/cibles", data={"csrf_token": token, "targets": [CENTRE]})

    coordinator_client.post("/ciblage/cibles", data={"csrf_token": token})

    assert set(targets(db_session).values()) == {False}


def test_saving_without_csrf_token_is_refused(
    coordinator_client: FlaskClient, db_session: Session
) -> None:
    response = coordinator_client.post("/ciblage/cibles", data={"targets": [CENTRE]})

    assert response.status_code == 400
    assert set(targets(db_session).values()) == {False}


def test_page_without_scores_offers_the_button(client: FlaskClient, db_session: Session) -> None:
    case = seed_scored_case(db_session, score=False)
    log_in_as(client, add_member(db_session, case.campaign, Role.COORDINATOR, "c@example.org"))

    page = Page(client.get("/ciblage/").get_data(as_text=True))

    assert "Aucun score n’a encore été calculé pour cette campagne." in page.text()
    assert page.select("form", action="/ciblage/recalcul")
    assert not page.select("form", action="/ciblage/cibles")
    data = client.get("/ciblage/iris.geojson").get_json()
    assert {f["properties"]["has_score"] for f in data["features"]} == {False}


def test_rescoring_computes_the_scores(client: FlaskClient, db_session: Session) -> None:
    case = seed_scored_case(db_session, score=False)
    log_in_as(client, add_member(db_session, case.campaign, Role.COORDINATOR, "c@example.org"))
    token = csrf_token(client.get("/ciblage/").get_data(as_text=True))

    response = client.post("/ciblage/recalcul", data={"csrf_token": token})

    assert response.status_code == 302
    ranks = {row.iris_code: row.rank for row in db_session.scalars(select(IrisScore))}
    assert ranks == {SAINT_BLAISE: 1, CENTRE: 2, PETIT_BOIS: 3}
    assert "3 IRIS notés." in Page(client.get("/ciblage/").get_data(as_text=True)).text()


def test_rescoring_keeps_the_targets(coordinator_client: FlaskClient, db_session: Session) -> None:
    token = csrf_token(coordinator_client.get("/ciblage/").get_data(as_text=True))
    coordinator_client.post("/ciblage/cibles", data={"csrf_token": token, "targets": [CENTRE]})

    coordinator_client.post("/ciblage/recalcul", data={"csrf_token": token})

    assert targets(db_session)[CENTRE] is True


def test_rescoring_unknown_candidate(client: FlaskClient, db_session: Session) -> None:
    case = seed_scored_case(db_session, score=False)
    case.campaign.our_candidates = ["DUPONT"]
    log_in_as(client, add_member(db_session, case.campaign, Role.COORDINATOR, "c@example.org"))
    token = csrf_token(client.get("/ciblage/").get_data(as_text=True))

    client.post("/ciblage/recalcul", data={"csrf_token": token})

    text = Page(client.get("/ciblage/").get_data(as_text=True)).text()
    assert "Aucun candidat des résultats ne s’appelle DUPONT" in text
    assert db_session.scalars(select(IrisScore)).all() == []


def test_rescoring_without_candidates(client: FlaskClient, db_session: Session) -> None:
    make_commune(db_session)
    campaign = make_campaign(db_session)
    user = make_user(db_session, email="c@example.org", campaign=campaign, role=Role.COORDINATOR)
    db_session.commit()
    log_in_as(client, user)
    token = csrf_token(client.get("/ciblage/").get_data(as_text=True))

    client.post("/ciblage/recalcul", data={"csrf_token": token})

    text = Page(client.get("/ciblage/").get_data(as_text=True)).text()
    assert "Choisissez les candidats de la campagne avant de calculer les scores." in text
