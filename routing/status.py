"""Outcome of a solver run, independent of the solver library."""

from enum import StrEnum


class SolveStatus(StrEnum):
    """How a solve ended: the web app translates these values for coordinators."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    NO_SOLUTION_FOUND = "no_solution_found"
    MODEL_INVALID = "model_invalid"
    EMPTY = "empty"

    @property
    def has_solution(self) -> bool:
        return self in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE, SolveStatus.EMPTY)
