"""A gate in the planning job's progress callback, for tests that look at a run midway."""

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from routing.assignment_weights import PlanningWeights
from webapp.services.planning import PlanningReport, ProgressCallback
from webapp.settings import Settings

# Bound of every wait on the gate: far above the few seconds a test's planning takes.
GATE_WAIT_S = 120.0

Planner = Callable[..., PlanningReport]


@dataclass
class PlanningGate:
    """A gate that stops the planning once its progress reaches `pct`, until the test opens it.

    The progress is reported before the planning stops, so the run's page shows `pct`.
    """

    pct: int
    reached: threading.Event = field(default_factory=threading.Event)
    opened: threading.Event = field(default_factory=threading.Event)

    def wrap(self, planner: Planner) -> Planner:
        """Return `planner` with its progress callback going through the gate."""

        def held(
            session: Session,
            campaign_id: int,
            settings: Settings,
            progress: ProgressCallback,
            weights: PlanningWeights | None,
        ) -> PlanningReport:
            def report(pct: int) -> None:
                progress(pct)
                if pct >= self.pct and not self.reached.is_set():
                    self.reached.set()
                    self.opened.wait(GATE_WAIT_S)

            return planner(session, campaign_id, settings, report, weights)

        return held
