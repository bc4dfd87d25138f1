"""Fixtures of the sessions pages: a few Bondy addresses, two IRIS, a coordinator."""

from dataclasses import dataclass, replace

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.factories import make_bondy_addresses, make_campaign, make_iris
from tests.webapp.targets.members import add_member, log_in_as
from webapp.models import Address, Campaign, IrisScore
from webapp.models.users import Role
from webapp.settings import Settings

TARGET_IRIS = "930100202"
OTHER_IRIS = "930100101"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The shared settings with short solver time limits."""
    return replace(settings, assignment_time_limit_s=2.0, route_time_limit_s=1.0)


@dataclass(frozen=True)
class Territory:
    campaign: Campaign
    addresses: dict[str, Address]


@pytest.fixture
def territory(db_session: Session) -> Territory:
    """Bondy with a few BAN addresses, two IRIS (one a target) and a campaign."""
    addresses = make_bondy_addresses(db_session)
    campaign = make_campaign(db_session)
    make_iris(db_session, code=OTHER_IRIS, name="La Flamiche")
    make_iris(db_session, code=TARGET_IRIS, name="Le Centre Ville")
    for rank, (code, is_target) in enumerate(((TARGET_IRIS, True), (OTHER_IRIS, False)), 1):
        db_session.add(
            IrisScore(
                campaign_id=campaign.id,
                iris_code=code,
                rank=rank,
                score=100.0 / rank,
                registered=1000.0,
                abstentions=300.0,
                expressed=650.0,
                our_votes=150.0,
                potential=69.2 / rank,
                households=400.0,
                is_suppressed=False,
                contributions={"1": 0.5},
                is_target=is_target,
            )
        )
    db_session.commit()
    return Territory(campaign=campaign, addresses=addresses)


@pytest.fixture
def coordinator_client(
    client: FlaskClient, db_session: Session, territory: Territory
) -> FlaskClient:
    log_in_as(
        client, add_member(db_session, territory.campaign, Role.COORDINATOR, "coord@example.org")
    )
    return client
