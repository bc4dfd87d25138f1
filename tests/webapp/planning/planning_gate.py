"""A gate in the planning job's progress callback, for tests that look at a run midway."""

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from webapp.services.planning import ProgressCallback
from webapp.services.planning_steps import PlanningInputs, PlanningSolution

# Bound of every wait on the gate: far above the few seconds a test's planning takes.
GATE_WAIT_S = 120.0

Solver = Callable[[PlanningInputs, ProgressCallback | None], PlanningSolution]


@dataclass
class PlanningGate:
    """A gate that stops the solve once its progress reaches `pct`, until the test opens it.

    The progress is reported before the planning stops, so the run's page shows `pct`.
    """

    pct: int
    reached: threading.Event = field(default_factory=threading.Event)
    opened: threading.Event = field(default_factory=threading.Event)

    def wrap(self, solver: Solver) -> Solver:
        """Return `solver` (`solve_planning`) with its progress callback going through the gate."""

        def held(inputs: PlanningInputs, progress: ProgressCallback | None) -> PlanningSolution:
            def report(pct: int) -> None:
                if progress is not None:
                    progress(pct)
                if pct >= self.pct and not self.reached.is_set():
                    self.reached.set()
                    self.opened.wait(GATE_WAIT_S)

            return solver(inputs, report)

        return held
