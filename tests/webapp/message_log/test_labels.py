"""Every code a message row can hold has a label, and every status one group."""

from flask import Flask

from webapp.message_labels import CHANNELS, MESSAGE_PURPOSES, STATUS_GROUPS, purpose_label
from webapp.models.messaging import MessagePurpose, MessageStatus
from webapp.models.users import Channel
from webapp.services.message_log import GROUP_STATUSES, StatusGroup


def test_every_purpose_and_channel_has_a_label() -> None:
    assert set(MESSAGE_PURPOSES) == {purpose.value for purpose in MessagePurpose}
    assert set(CHANNELS) == {channel.value for channel in Channel}


def test_every_status_is_in_one_group() -> None:
    grouped = [status for statuses in GROUP_STATUSES.values() for status in statuses]

    assert sorted(grouped) == sorted(MessageStatus)
    assert set(STATUS_GROUPS) == {group.value for group in StatusGroup} == set(GROUP_STATUSES)


def test_unknown_purpose_shows_its_code(app: Flask) -> None:
    with app.test_request_context():
        assert purpose_label("carrier_pigeon") == "carrier_pigeon"
        assert str(purpose_label("session_soon")) == "Avant la session"
