"""The campaign that the sign-up benchmark's volunteers join: Bondy, from the bundled sample."""

import random
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select

from webapp.db import SESSION_FACTORY_KEY
from webapp.models import Address, Campaign, User
from webapp.services.territory_import import import_territory

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "data" / "samples" / "bondy-93010"
HOME_COUNT = 400


def typed_home(address: Address, index: int) -> str:
    """Write a BAN address as people type it: mostly number and street, at times more or less."""
    if index % 10 == 0:
        return address.postcode
    suffix = f" {address.suffix}" if address.suffix else ""
    text = f"{address.number}{suffix} {address.street}"
    if index % 7 == 0:
        text += f", {address.postcode} Bondy"
    return text


def load_campaign(app: Flask) -> list[str]:
    """Import the Bondy sample, open a campaign on it, and return home addresses to type."""
    session = app.extensions[SESSION_FACTORY_KEY]()
    with app.app_context():
        import_territory(session, SAMPLE_DIR)
        codes = sorted(set(session.scalars(select(Address.commune_code).distinct())))
        session.add(
            Campaign(
                name="Municipales Bondy 2026",
                election_kind="municipales",
                commune_codes=codes,
                our_candidates=[],
            )
        )
        addresses = session.scalars(
            select(Address).where(Address.number.is_not(None)).order_by(Address.id)
        ).all()
        rng = random.Random(93010)  # noqa: S311 - reproducible test data, not secrets
        chosen = rng.sample(list(addresses), min(HOME_COUNT, len(addresses)))
        homes = [typed_home(address, index) for index, address in enumerate(chosen)]
        session.commit()
    session.close()
    return homes


def count_accounts(app: Flask) -> int:
    session = app.extensions[SESSION_FACTORY_KEY]()
    try:
        return session.scalar(select(func.count()).select_from(User)) or 0
    finally:
        session.close()
