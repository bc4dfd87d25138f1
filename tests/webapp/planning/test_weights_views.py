"""The planning weights page: values shown and explained, saved, rejected, reset, reported.

French texts that are new with this page are checked in French and need the rebuilt
catalogue.
"""

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from routing.assignment_weights import PlanningWeights, WeightName
from tests.webapp.accounts.html_page import Page, csrf_token
from tests.webapp.planning.conftest import Territory
from webapp.models import JobRun
from webapp.models.jobs import JobStatus
from webapp.services.planning_weights import weights_as_dict

PATH = "/planification/ponderations"
DEFAULTS = weights_as_dict(PlanningWeights())


def post_weights(client: FlaskClient, **changes: str) -> TestResponse:
    token = csrf_token(client.get(PATH).get_data(as_text=True))
    data = {name: str(value) for name, value in DEFAULTS.items()} | changes
    return client.post(PATH, data={**data, "csrf_token": token})


def stored_weights(db_session: Session, territory: Territory) -> dict[str, float]:
    db_session.refresh(territory.campaign)
    return territory.campaign.planning_weights


def test_page_shows_and_explains_each_weight(coordinator_client: FlaskClient) -> None:
    page = Page(coordinator_client.get(PATH).get_data(as_text=True))

    inputs = {
        element.attrs["name"]: element.attrs["value"]
        for element in page.select("input", **{"class": "input input-points"})
    }
    assert inputs == {name: str(value) for name, value in DEFAULTS.items()}
    travel = page.by_id("weight-travel").text
    assert travel == (
        "Trajet Points perdus par kilomètre entre le domicile d’un bénévole et le point de "
        "rendez-vous : le long des rues pour une limite en temps de marche, à vol d’oiseau "
        "sinon. Augmentez-la pour placer les bénévoles plus près de chez eux, "
        "même sur des sessions au score plus faible. Par défaut : 10."
    )
    assert page.by_id("weight-team").text.endswith("Par défaut : 2 000.")
    field = page.by_id("travel")
    assert field.attrs["aria-describedby"] == "travel-hint travel-effect"
    assert field.attrs["inputmode"] == "numeric"
    assert page.select("form", action="/planification/ponderations/par-defaut")
    assert page.select("form", action="/planification/lancer")


def test_saved_weights_come_back(
    coordinator_client: FlaskClient, db_session: Session, territory: Territory
) -> None:
    response = post_weights(coordinator_client, travel="1 000", fairness="0", team=" 2500 ")

    assert (response.status_code, response.headers["Location"]) == (302, PATH)
    assert stored_weights(db_session, territory) == DEFAULTS | {
        "travel": 1000,
        "fairness": 0,
        "team": 2500,
    }
    page = Page(coordinator_client.get(PATH).get_data(as_text=True))
    assert page.by_id("travel").attrs["value"] == "1000"
    assert page.by_id("fairness").attrs["value"] == "0"
    assert "Les pondérations sont enregistrées : la prochaine planification les utilisera." in (
        page.text()
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Saisissez un nombre entier de points : 0 désactive cette règle."),
        ("-3", "Saisissez un nombre entier de 0 à 1 000 000, par exemple 500."),
        ("12,5", "Saisissez un nombre entier de 0 à 1 000 000, par exemple 500."),
        ("1000001", "Saisissez un nombre entier de 0 à 1 000 000, par exemple 500."),
        ("beaucoup", "Saisissez un nombre entier de 0 à 1 000 000, par exemple 500."),
        ("٣", "Saisissez un nombre entier de 0 à 1 000 000, par exemple 500."),
        ("9" * 5000, "Saisissez un nombre entier de 0 à 1 000 000, par exemple 500."),
    ],
)
def test_bad_weight_is_explained_and_kept(
    coordinator_client: FlaskClient,
    db_session: Session,
    territory: Territory,
    value: str,
    message: str,
) -> None:
    territory.campaign.planning_weights = {"travel": 25}
    db_session.commit()

    response = post_weights(coordinator_client, travel=value, partner="3000")

    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    assert page.by_id("travel-error").text == f"Erreur : {message}"
    assert page.by_id("travel").attrs["aria-invalid"] == "true"
    assert page.by_id("travel").attrs["aria-describedby"] == (
        "travel-hint travel-effect travel-error"
    )
    # What was typed is shown again, the other fields too.
    assert page.by_id("travel").attrs["value"] == value
    assert page.by_id("partner").attrs["value"] == "3000"
    assert not page.has_id("partner-error")
    assert stored_weights(db_session, territory) == {"travel": 25}


def test_missing_weight_field_is_an_error(
    coordinator_client: FlaskClient, db_session: Session, territory: Territory
) -> None:
    token = csrf_token(coordinator_client.get(PATH).get_data(as_text=True))

    response = coordinator_client.post(PATH, data={"csrf_token": token, "travel": "40"})

    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    errors = [name for name in WeightName if page.has_id(f"{name.value}-error")]
    assert errors == [name for name in WeightName if name != WeightName.TRAVEL]
    assert stored_weights(db_session, territory) == {}


def test_restore_defaults_forgets_the_weights(
    coordinator_client: FlaskClient, db_session: Session, territory: Territory
) -> None:
    post_weights(coordinator_client, travel="1000")
    token = csrf_token(coordinator_client.get(PATH).get_data(as_text=True))

    response = coordinator_client.post(f"{PATH}/par-defaut", data={"csrf_token": token})

    assert (response.status_code, response.headers["Location"]) == (302, PATH)
    assert stored_weights(db_session, territory) == {}
    page = Page(coordinator_client.get(PATH).get_data(as_text=True))
    assert page.by_id("travel").attrs["value"] == "10"


def test_weights_need_a_csrf_token(
    coordinator_client: FlaskClient, db_session: Session, territory: Territory
) -> None:
    data = {name: "1" for name in DEFAULTS}

    assert coordinator_client.post(PATH, data=data).status_code == 400
    assert coordinator_client.post(f"{PATH}/par-defaut").status_code == 400
    assert stored_weights(db_session, territory) == {}


def add_finished_run(
    db_session: Session,
    territory: Territory,
    counts: dict[str, object],
    weights: dict[str, int] = DEFAULTS,
) -> None:
    """Store a succeeded planning run with these weights and counts."""
    db_session.add(
        JobRun(
            kind="planning",
            campaign_id=territory.campaign.id,
            status=JobStatus.SUCCEEDED,
            progress_pct=100,
            parameters={"weights": weights},
            counts=counts,
        )
    )
    db_session.commit()


def test_summary_shows_weights_of_last_run(
    coordinator_client: FlaskClient, db_session: Session, territory: Territory
) -> None:
    weights = DEFAULTS | {"travel": 40}
    terms = {name: 0 for name in DEFAULTS} | {"team": 4000, "travel": -120}
    counts = {"solver_status": "optimal", "objective": 3880, "terms": terms}
    add_finished_run(db_session, territory, counts, weights)
    # The campaign's weights changed since: the summary shows the run's own.
    territory.campaign.planning_weights = {"travel": 5}
    db_session.commit()

    page = Page(coordinator_client.get("/planification/bilan").get_data(as_text=True))

    assert page.by_id("run-weight-travel").text == "Trajet 40 10 -120"
    assert page.by_id("run-weight-team").text == "Équipes envoyées 2 000 2 000 4 000"
    assert page.by_id("run-weight-partner").text == "Binômes choisis 1 500 1 500 0"
    assert page.by_id("run-objective").text == "3 880"
    assert page.select("a", href=PATH)


@pytest.mark.parametrize(
    ("objective", "sentence"),
    [
        (
            9940,
            "Le solveur a prouvé que ce plan obtient au moins 99,4 % des points du meilleur "
            "plan possible.",
        ),
        (
            9999,
            "Le solveur a prouvé que ce plan obtient au moins 99,9 % des points du meilleur "
            "plan possible.",
        ),
        (10000, "Le solveur a prouvé qu’aucun plan n’obtient plus de points que celui-ci."),
    ],
)
def test_summary_shows_proven_bound(
    coordinator_client: FlaskClient,
    db_session: Session,
    territory: Territory,
    objective: int,
    sentence: str,
) -> None:
    counts: dict[str, object] = {
        "solver_status": "feasible",
        "objective": objective,
        "bound": 10000,
        "terms": {},
    }
    add_finished_run(db_session, territory, counts)

    page = Page(coordinator_client.get("/planification/bilan").get_data(as_text=True))

    assert page.by_id("run-bound").text == "10 000"
    assert page.by_id("run-gap").text == sentence


def test_summary_without_bound_says_nothing(
    coordinator_client: FlaskClient, db_session: Session, territory: Territory
) -> None:
    counts: dict[str, object] = {"solver_status": "feasible", "objective": 3880, "terms": {}}
    add_finished_run(db_session, territory, counts)

    page = Page(coordinator_client.get("/planification/bilan").get_data(as_text=True))

    assert page.by_id("run-objective").text == "3 880"
    assert not page.has_id("run-bound")
    assert not page.has_id("run-gap")


def test_summary_of_run_without_weights(
    coordinator_client: FlaskClient, db_session: Session, territory: Territory
) -> None:
    db_session.add(
        JobRun(kind="planning", campaign_id=territory.campaign.id, status=JobStatus.QUEUED)
    )
    db_session.commit()

    page = Page(coordinator_client.get("/planification/bilan").get_data(as_text=True))

    assert page.has_id("last-run")
    assert not page.has_id("run-weights")
