"""Every code of a planning run and of a re-planning has a label, in French by default."""

import pytest
from flask import Flask
from flask_babel import force_locale

from webapp.models.jobs import JobStatus
from webapp.planning.progress_labels import (
    PLANNING_ERRORS,
    REPLAN_ERRORS,
    RUN_STATUSES,
    planning_error_label,
    planning_error_text,
    replan_error_label,
    solve_status_label,
    uncovered_doors_text,
    unplanned_addresses_text,
)
from webapp.services.planning import PlanningErrorCode
from webapp.services.replanning import ReplanErrorCode, UncoveredReason


@pytest.mark.parametrize(
    ("labels", "codes"),
    [
        (RUN_STATUSES, set(JobStatus)),
        # The no-solution messages name the solver status, so functions build them.
        (PLANNING_ERRORS, set(PlanningErrorCode) - {PlanningErrorCode.NO_ASSIGNMENT}),
        (REPLAN_ERRORS, set(ReplanErrorCode) - {ReplanErrorCode.NO_ROUTE}),
    ],
)
def test_every_code_has_a_label(labels: dict[str, object], codes: set[str]) -> None:
    assert set(labels) == {str(code) for code in codes}


@pytest.mark.parametrize("reason", [UncoveredReason.STREET_CLOSED, UncoveredReason.NO_TEAM])
def test_every_uncovered_reason_has_a_sentence(app: Flask, reason: UncoveredReason) -> None:
    with app.test_request_context():
        assert uncovered_doors_text(reason, 1).startswith("1 adresse de l’IRIS n’est pas couverte")
        assert uncovered_doors_text(reason, 2).startswith(
            "2 adresses de l’IRIS ne sont pas couvertes"
        )


def test_doors_out_of_time_say_what_they_count(app: Flask) -> None:
    with app.test_request_context():
        assert uncovered_doors_text(UncoveredReason.OUT_OF_TIME, 1) == (
            "1 adresse que les parcours avaient à visiter en est retirée, faute de temps."
        )
        assert uncovered_doors_text(UncoveredReason.OUT_OF_TIME, 3) == (
            "3 adresses que les parcours avaient à visiter en sont retirées, faute de temps."
        )
        assert unplanned_addresses_text(1) == (
            "1 adresse de l’IRIS, sur aucun parcours de session, ne tient pas dans le temps "
            "restant."
        )


def test_unknown_uncovered_reason_raises(app: Flask) -> None:
    with app.test_request_context(), pytest.raises(ValueError, match="'moved_away'"):
        uncovered_doors_text("moved_away", 3)


def test_error_text_names_the_solver_status(app: Flask) -> None:
    with app.app_context():
        assert planning_error_text("no_assignment", "infeasible") == (
            "L’affectation n’a trouvé aucune solution (impossible avec les choix verrouillés) : "
            "les affectations précédentes sont conservées."
        )
        assert str(replan_error_label("no_route", "no_solution_found")) == (
            "Aucun parcours n’a pu être découpé (aucune solution trouvée dans le temps imparti) "
            ": les parcours restent inchangés."
        )


def test_error_text_stays_french_in_another_locale(app: Flask) -> None:
    with app.test_request_context(), force_locale("en"):
        assert str(planning_error_label("no_sessions")) == (
            "The campaign has no planned session: create one before running the planning."
        )
        assert planning_error_text("no_sessions") == (
            "La campagne n’a aucune session prévue : créez-en une avant de lancer la planification."
        )


def test_unknown_codes_fall_back(app: Flask) -> None:
    with app.test_request_context():
        assert str(planning_error_label("disk_full")) == str(PLANNING_ERRORS["unexpected"])
        assert str(planning_error_label(None)) == str(PLANNING_ERRORS["unexpected"])
        assert replan_error_label("moved_away") == "moved_away"
        assert solve_status_label(None) == ""
        assert solve_status_label("quantum") == "quantum"
        assert str(solve_status_label("optimal")) == "optimal"
