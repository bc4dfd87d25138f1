"""Single import point for OR-Tools.

OR-Tools moved its routing and CP-SAT modules between releases, so every other module of
this package imports the solver through here and only one file changes on an upgrade.
"""

from ortools.constraint_solver import pywrapcp, routing_enums_pb2
from ortools.graph.python import min_cost_flow
from ortools.sat.python import cp_model

from routing.status import SolveStatus

__all__ = [
    "cp_model",
    "min_cost_flow",
    "pywrapcp",
    "routing_enums_pb2",
    "sat_status",
    "routing_status",
]


def sat_status(status: "cp_model.CpSolverStatus") -> SolveStatus:
    """Map a CP-SAT status to the project's own status."""
    if status == cp_model.OPTIMAL:
        return SolveStatus.OPTIMAL
    if status == cp_model.FEASIBLE:
        return SolveStatus.FEASIBLE
    if status == cp_model.INFEASIBLE:
        return SolveStatus.INFEASIBLE
    if status == cp_model.MODEL_INVALID:
        return SolveStatus.MODEL_INVALID
    return SolveStatus.NO_SOLUTION_FOUND


def routing_status(model: "pywrapcp.RoutingModel", has_solution: bool) -> SolveStatus:
    """Map the routing solver's outcome to the project's own status.

    The routing solver never proves optimality on these models, so a solution is FEASIBLE.
    """
    if has_solution:
        return SolveStatus.FEASIBLE
    # OR-Tools 9.15 reports the search status as a ``RoutingSearchStatus`` value.
    search_status = routing_enums_pb2.RoutingSearchStatus
    if model.status() == search_status.ROUTING_INVALID:
        return SolveStatus.MODEL_INVALID
    if model.status() == search_status.ROUTING_INFEASIBLE:
        return SolveStatus.INFEASIBLE
    return SolveStatus.NO_SOLUTION_FOUND
