"""Door counts of routes: a route is finished once it has doors and every one is done."""

import pytest

from webapp.models.canvass import DoorOutcome
from webapp.services.door_progress import DoorProgress, count_door_progress


@pytest.mark.parametrize(
    ("outcomes", "finished"),
    [
        ([], False),
        ([None, DoorOutcome.ABSENT], False),
        ([DoorOutcome.ABSENT, DoorOutcome.COME_BACK], False),
        ([DoorOutcome.ABSENT, DoorOutcome.REFUSED, DoorOutcome.CONVERSATION], True),
    ],
)
def test_finished_needs_every_door_done(outcomes: list[DoorOutcome | None], finished: bool) -> None:
    assert count_door_progress(outcomes).is_finished is finished


def test_sum_of_finished_routes_is_finished() -> None:
    done = DoorProgress(door_count=3, done_count=3)

    assert (done + DoorProgress(door_count=2, done_count=2)).is_finished
    assert not (done + DoorProgress(door_count=2, done_count=1, come_back_count=1)).is_finished
