"""The routing solver's outcomes mapped to the project's own status."""

from routing.ortools_api import pywrapcp, routing_status
from routing.status import SolveStatus


def triangle() -> tuple[pywrapcp.RoutingIndexManager, pywrapcp.RoutingModel, int]:
    """Return a model of three nodes 5 m apart, one vehicle, and its transit callback."""
    manager = pywrapcp.RoutingIndexManager(3, 1, 0)
    model = pywrapcp.RoutingModel(manager)
    transit = model.RegisterTransitMatrix([[0, 5, 5], [5, 0, 5], [5, 5, 0]])
    model.SetArcCostEvaluatorOfAllVehicles(transit)
    return manager, model, transit


def solve(model: pywrapcp.RoutingModel, time_limit_ms: int) -> bool:
    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.time_limit.FromMilliseconds(time_limit_ms)
    return model.SolveWithParameters(parameters) is not None


def test_routing_status_of_a_solution() -> None:
    _, model, _ = triangle()
    assert solve(model, 200)
    assert routing_status(model, True) is SolveStatus.FEASIBLE


def test_routing_status_before_any_search() -> None:
    _, model, _ = triangle()
    assert routing_status(model, False) is SolveStatus.NO_SOLUTION_FOUND


def test_routing_status_when_no_walk_fits() -> None:
    # Every node must be visited, but the 15 m loop does not fit in a 4 m capacity.
    _, model, transit = triangle()
    model.AddDimension(transit, 0, 4, True, "metres")
    assert not solve(model, 200)
    assert routing_status(model, False) is SolveStatus.NO_SOLUTION_FOUND


def test_routing_status_of_invalid_parameters() -> None:
    _, model, _ = triangle()
    assert not solve(model, -5)
    assert routing_status(model, False) is SolveStatus.MODEL_INVALID
