"""The message confirming a recorded door, carried in the cookie session to the route page.

The redirect after recording scrolls to the door, so the page shows the message inside
the door's item, where the volunteer is looking, rather than with the flashed messages at
the top. Like a flashed message, it shows once.
"""

from dataclasses import dataclass

from flask import session

SESSION_KEY = "door_confirmation"


@dataclass(frozen=True)
class DoorConfirmation:
    """The message shown under the door just recorded, with that door's address id."""

    address_id: int
    message: str


def remember_door_confirmation(confirmation: DoorConfirmation) -> None:
    session[SESSION_KEY] = {"address_id": confirmation.address_id, "message": confirmation.message}


def pop_door_confirmation() -> DoorConfirmation | None:
    """Remove the confirmation waiting in the session and return it, None when none waits."""
    stored = session.pop(SESSION_KEY, None)
    if not isinstance(stored, dict):
        return None
    address_id, message = stored.get("address_id"), stored.get("message")
    if not isinstance(address_id, int) or not isinstance(message, str):
        return None
    return DoorConfirmation(address_id, message)
