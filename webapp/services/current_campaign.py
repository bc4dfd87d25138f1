"""The campaign the site serves and the names of its communes."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import Campaign, Commune


@dataclass(frozen=True)
class Territory:
    """The communes a campaign covers: INSEE codes and display names, in the same order."""

    commune_codes: tuple[str, ...]
    commune_names: tuple[str, ...]


def find_current_campaign(session: Session) -> Campaign | None:
    """Return the campaign the site serves, or None before one is created."""
    # NOTE: the site serves one campaign, the oldest; several campaigns per site will
    # need the campaign in the URL or the session.
    return session.scalars(select(Campaign).order_by(Campaign.id).limit(1)).first()


def load_territory(session: Session, campaign: Campaign) -> Territory:
    """Return the campaign's communes, naming a commune by its code when its row is missing."""
    codes = tuple(campaign.commune_codes)
    names = dict(
        session.execute(select(Commune.code, Commune.name).where(Commune.code.in_(codes))).all()
    )
    return Territory(
        commune_codes=codes, commune_names=tuple(names.get(code, code) for code in codes)
    )
